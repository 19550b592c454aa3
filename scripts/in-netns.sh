#!/usr/bin/env bash
# in-netns.sh COMMAND [ARGS...] — runs COMMAND in a network namespace of its own (loopback up),
# removed afterwards. The client tests need it: SDKs connect to published ports on 127.0.0.1
# from the test process, so the test process and the berthd it starts share a namespace, which
# must not be the host's (nftables rules and bridges stay inside it).
set -uo pipefail
ns=berth-clients-$$
ip netns add "$ns" || exit 1
trap 'ip netns delete "$ns" 2>/dev/null' EXIT
ip -n "$ns" link set lo up
# nsenter rather than `ip netns exec`, which remounts /sys and hides /sys/fs/cgroup.
# BERTH_TEST_NETNS tells the tests which namespace they are in (they refuse to run outside one).
BERTH_TEST_NETNS=$ns nsenter --net="/run/netns/$ns" -- "$@"
