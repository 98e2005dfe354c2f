#!/usr/bin/env bash
# Installs what vswitch needs to build, run and test on Debian 12 (run as root).
set -euo pipefail

packages=(
	# build
	build-essential meson ninja-build pkg-config clang
	libxdp-dev libbpf-dev libjansson-dev libcmocka-dev libnuma-dev
	# run and test
	iproute2 iputils-ping iperf3 tcpdump netcat-openbsd ethtool jq python3 procps
	# DPDK ports (libdpdk for the build, dpdk-testpmd as a test peer)
	dpdk-dev dpdk
	# taskset, chrt (scripts/fastpath-napi.sh, perf/, tests; Essential, but say so)
	util-linux
)

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: run as root (apt-get install)" >&2
	exit 1
fi
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps.sh: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
