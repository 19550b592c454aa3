#!/usr/bin/env bash
# busybox-image.sh OUT.tar — writes busybox:latest as an image archive, offline.
#
# There is no registry to pull from, so Berth's default image is made here from Debian's static
# busybox: one layer (busybox, a symlink per applet, /etc/passwd, /etc/group), ENV PATH, CMD sh.
# The archive is both a docker-archive (manifest.json) and an OCI image layout (index.json), so
# `berth load -i` and `docker load -i` both take it. The timestamp is fixed: same bytes, same ID.
set -euo pipefail
out=${1:?usage: busybox-image.sh OUT.tar}
bb=${BUSYBOX_BIN:-/bin/busybox}
[ -x "$bb" ] || { echo "busybox-image.sh: $bb missing (apt-get install busybox-static)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/{bin,sbin,etc,root,home,tmp,var/www,usr/bin,usr/sbin,proc,sys,dev,run}
chmod 1777 "$root/tmp"
chmod 700 "$root/root"
cp "$bb" "$root/bin/busybox"
for applet in $("$bb" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
ln -s ../../bin/env "$root/usr/bin/env"
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'daemon:x:1:1:daemon:/usr/sbin:/bin/false' \
    'www-data:x:33:33:www-data:/var/www:/bin/false' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' > "$root/etc/passwd"
printf '%s\n' 'root:x:0:' 'daemon:x:1:' 'www-data:x:33:' 'nogroup:x:65534:' > "$root/etc/group"

created=2024-01-01T00:00:00Z
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
blobs=$work/out/blobs/sha256
mkdir -p "$blobs"
digest() { sha256sum "$1" | cut -d' ' -f1; }
add_blob() { local d; d=$(digest "$1"); mv "$1" "$blobs/$d"; echo "$d"; }

tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="$created" -C "$root" -cf "$work/layer" .
layer_size=$(stat -c %s "$work/layer")
layer=$(add_blob "$work/layer")

printf '{"architecture":"%s","os":"linux","created":"%s","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"%s","created_by":"berth busybox-image.sh: static busybox rootfs"}]}' \
    "$arch" "$created" "$layer" "$created" > "$work/config"
config_size=$(stat -c %s "$work/config")
config=$(add_blob "$work/config")

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$config" "$config_size" "$layer" "$layer_size" > "$work/manifest"
manifest_size=$(stat -c %s "$work/manifest")
manifest=$(add_blob "$work/manifest")

printf '{"imageLayoutVersion":"1.0.0"}' > "$work/out/oci-layout"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"docker.io/library/busybox:latest","org.opencontainers.image.ref.name":"latest"}}]}' \
    "$manifest" "$manifest_size" > "$work/out/index.json"
printf '[{"Config":"blobs/sha256/%s","RepoTags":["busybox:latest"],"Layers":["blobs/sha256/%s"]}]' "$config" "$layer" > "$work/out/manifest.json"

tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="$created" -C "$work/out" -cf "$out" oci-layout index.json manifest.json blobs
echo "sha256:$config"
