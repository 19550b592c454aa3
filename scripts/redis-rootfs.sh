#!/usr/bin/env bash
# redis-rootfs.sh OUT.tar — a root filesystem holding Debian's redis-server and redis-cli with the
# libraries they load, for `docker import` (the Testcontainers Redis module test). There is no
# registry here to pull redis:7.0 from, so the image is made from the host's own redis packages.
set -euo pipefail
out=${1:?usage: redis-rootfs.sh OUT.tar}
for b in /usr/bin/redis-server /usr/bin/redis-cli; do
    [ -x "$b" ] || { echo "redis-rootfs.sh: $b missing (apt-get install redis-server redis-tools)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/{usr/local/bin,etc,tmp,data,proc,sys,dev,run}
chmod 1777 "$root/tmp"
cp -L /usr/bin/redis-server /usr/bin/redis-cli "$root/usr/local/bin/"
for lib in $(ldd /usr/bin/redis-server /usr/bin/redis-cli | grep -o '/[^ ]*\.so[^ ]*' | sort -u); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
printf '%s\n' 'root:x:0:' > "$root/etc/group"
tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$out" .
