#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# scripts/container-setup.sh NETNS PMD_CPUS [DEV]
#
# The recommended setup of a container's interface for a container attached to vswitchd
# through a veth (docs/afxdp.md, "Container setup"), in namespace NETNS on DEV (default
# eth0):
#
# 1. GRO on. It gives the veth NAPI, which makes its host-side peer a target of the XDP
#    fast path (fastpath=xdp, docs/xdp-fastpath.md): XDP_REDIRECT into a veth queues the
#    frame on the NAPI ring of its peer, which a veth has only with GRO on (or an XDP
#    program attached). A veth's GRO is off by default. DEV must be up: the kernel (6.18)
#    updates the peer's XDP features (what makes it a redirect target) only when GRO
#    changes on a veth that is up, so the script refuses a device that is down.
# 2. RPS on every rx queue of DEV, steering to all online CPUs except PMD_CPUS
#    (vswitchd's PMD CPUs, a list such as 1, 0,1 or 2-3). Why: in AF_XDP copy mode the PMD
#    thread's transmit (sendto) hands each frame to the veth, and without RPS the
#    container's whole receive stack (IP, TCP, the ACKs it sends back) then runs in
#    softirq on the PMD thread's CPU. RPS moves that work to the other CPUs, where the
#    container's applications run. If every online CPU is a PMD CPU, RPS is left off
#    (there is nowhere else to go).
#
# Prints one line saying what it set. Needs root and ethtool. Exit 1 with a message on
# error.
set -u

die() {
	echo "container-setup.sh: $*" >&2
	exit 1
}

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	die "usage: container-setup.sh NETNS PMD_CPUS [DEV]"
fi
ns=$1 pmd=$2 dev=${3:-eth0}

# cpulist_bits LIST: the CPU numbers of a list such as 0-2,5 (one per line).
cpulist_bits() {
	local part a b
	IFS=, read -ra parts <<<"$1"
	for part in "${parts[@]}"; do
		[[ $part =~ ^([0-9]+)(-([0-9]+))?$ ]] || die "bad CPU list: $1"
		a=${BASH_REMATCH[1]} b=${BASH_REMATCH[3]:-${BASH_REMATCH[1]}}
		[ "$a" -le "$b" ] || die "bad CPU list: $1"
		seq "$a" "$b"
	done
}

cpulist_ok() {
	local part
	[[ $1 =~ ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ ]] || return 1
	IFS=, read -ra parts <<<"$1"
	for part in "${parts[@]}"; do
		[ "${part%-*}" -le "${part#*-}" ] || return 1
	done
}
cpulist_ok "$pmd" || die "bad CPU list: $pmd"
online=$(cat /sys/devices/system/cpu/online) || die "cannot read the online CPUs"
cpulist_ok "$online" || die "cannot parse the online CPUs: $online"
declare -A is_pmd=()
for c in $(cpulist_bits "$pmd"); do is_pmd[$c]=1; done

# The mask as the kernel writes it: 32-bit hex words, most significant first, comma-separated.
declare -a words=()
max=0 n=0
for c in $(cpulist_bits "$online"); do
	[ -n "${is_pmd[$c]:-}" ] && continue
	w=$((c / 32))
	words[w]=$((${words[w]:-0} | (1 << (c % 32))))
	[ "$w" -gt "$max" ] && max=$w
	n=$((n + 1))
done
mask=""
for ((w = max; w >= 0; w--)); do
	mask+=$(printf '%08x' "${words[w]:-0}")
	[ "$w" -gt 0 ] && mask+=,
done
[ "$n" -gt 0 ] || mask=0

ip netns exec "$ns" true 2>/dev/null || die "no network namespace $ns"
queues=$(ip netns exec "$ns" sh -c "ls -d /sys/class/net/$dev/queues/rx-* 2>/dev/null") ||
	die "$dev in $ns has no rx queues (no such device?)"
[ -n "$queues" ] || die "$dev in $ns has no rx queues (no such device?)"
ip -n "$ns" link show dev "$dev" 2>/dev/null | head -1 | grep -q '[<,]UP[,>]' ||
	die "$dev in $ns is down: bring it up first (GRO turned on while a veth is down does not make its peer an XDP redirect target)"
out=$(ip netns exec "$ns" ethtool -K "$dev" gro on 2>&1) || die "cannot turn GRO on for $dev in $ns: $out"
for q in $queues; do
	ip netns exec "$ns" sh -c "echo $mask > $q/rps_cpus" ||
		die "cannot set $q/rps_cpus in $ns"
done
if [ "$n" -gt 0 ]; then
	echo "$ns $dev: GRO on; RPS to CPUs other than $pmd (rps_cpus $mask)"
else
	echo "$ns $dev: GRO on; RPS off (every online CPU is a PMD CPU: $pmd)"
fi
