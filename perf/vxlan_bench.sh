#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# perf/vxlan_bench.sh: forwarding rate across two vswitchd "hosts", with and without VXLAN.
# vsgen (perf/vsgen.c) sends UDP frames on gA (host A's container side) and counts them
# on gB (host B's container side):
#
#   G: vsgen gA ==== dA  A: vswitchd br0  xA/uA ==== xB/uB  B: vswitchd br0  dB ==== gB  G
#
# Row "plain L2": A and B bridge dA <-> xA and xB <-> dB, the hosts joined by veth xA-xB.
# Row "vxlan": A and B bridge dA <-> vx0 and vx0 <-> dB, vx0 being VNI 100 over the
# underlay veth uA-uB (198.18.20.1 <-> 198.18.20.2): encapsulation on A, decapsulation on B.
# Same path otherwise, so the ratio vxlan / plain L2 is the cost of VXLAN. Both vswitchd run
# their PMD thread on CPU 1 (adaptive idle, so the idle one yields), vsgen on CPU 0.
# Frames are 64 B on the containers' side by default (114 B on the underlay); --size is
# vsgen's frame size (without FCS).
#
# Usage: perf/vxlan_bench.sh [--size BYTES] [--seconds S] [--warmup S] [--runs N]
# Prints one line per row and run, then the medians and the ratio. Needs root.
# Namespaces are named vsv<PID>*, removed on exit; only processes it started are stopped.

set -u
set -o pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VSWITCHD=${VSWITCHD:-$SRC/build/vswitch/vswitchd}
VSCTL=${VSCTL:-$SRC/build/ctl/vsctl}
VSGEN=${VSGEN:-$SRC/build/perf/vsgen}
SIZE=64 SECONDS_=5 WARMUP=1 RUNS=3

die() {
	echo "vxlan_bench: $*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--size) SIZE=$2; shift 2 ;;
	--seconds) SECONDS_=$2; shift 2 ;;
	--warmup) WARMUP=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	-h | --help) sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option: $1 (see --help)" ;;
	esac
done
[ "$(id -u)" -eq 0 ] || die "needs root"
for b in "$VSWITCHD" "$VSCTL" "$VSGEN"; do [ -x "$b" ] || die "$b not built"; done
[[ $SIZE =~ ^[0-9]+$ ]] && [ "$SIZE" -ge 60 ] && [ "$SIZE" -le 1400 ] || die "--size 60-1400"
[[ $RUNS =~ ^[0-9]+$ ]] && [ "$RUNS" -ge 1 ] || die "--runs N"

P=vsv$$
G=${P}g A=${P}a B=${P}b
TMP=$(mktemp -d "/tmp/vxlan_bench.XXXXXX")
PIDS=()

cleanup() {
	local p n
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
		for ((n = 0; n < 50; n++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	PIDS=()
	for n in "$G" "$A" "$B"; do ip netns del "$n" 2>/dev/null; done
}
trap 'cleanup; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

new_ns() {
	ip netns add "$1" || die "ip netns add $1"
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$1" link set lo up
}

# veth NS1 IF1 NS2 IF2: a veth pair, both ends up.
veth() {
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" || die "veth $2-$4"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

start_vswitchd() { # NS
	local i
	ip netns exec "$1" "$VSWITCHD" --socket "$TMP/$1.sock" --pmd-cpus 1 --pmd-idle adaptive \
		--log-level warn >>"$TMP/$1.log" 2>&1 &
	PIDS+=($!)
	for ((i = 0; i < 100; i++)); do
		"$VSCTL" -s "$TMP/$1.sock" -t 2 version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "vswitchd in $1 did not start: $(cat "$TMP/$1.log")"
}

vs() { # NS ARGS...
	local ns=$1
	shift
	"$VSCTL" -s "$TMP/$ns.sock" "$@" >/dev/null || die "vsctl $* failed in $ns"
}

setup() { # plain|vxlan
	cleanup
	new_ns "$G"
	new_ns "$A"
	new_ns "$B"
	veth "$G" gA "$A" dA
	veth "$B" dB "$G" gB
	start_vswitchd "$A"
	start_vswitchd "$B"
	vs "$A" add-br br0
	vs "$B" add-br br0
	vs "$A" add-port br0 dA
	vs "$B" add-port br0 dB
	if [ "$1" = plain ]; then
		veth "$A" xA "$B" xB
		vs "$A" add-port br0 xA
		vs "$B" add-port br0 xB
	else
		veth "$A" uA "$B" uB
		ip -n "$A" addr add 198.18.20.1/24 dev uA
		ip -n "$B" addr add 198.18.20.2/24 dev uB
		vs "$A" add-port br0 vx0 type=vxlan vni=100 local_ip=198.18.20.1 remote_ip=198.18.20.2
		vs "$B" add-port br0 vx0 type=vxlan vni=100 local_ip=198.18.20.2 remote_ip=198.18.20.1
		# Wait until each side resolved the other's next hop.
		for ((i = 0; i < 50; i++)); do
			if ! "$VSCTL" -s "$TMP/$A.sock" --json show | grep -q unresolved &&
				! "$VSCTL" -s "$TMP/$B.sock" --json show | grep -q unresolved; then
				break
			fi
			sleep 0.1
		done
	fi
}

measure() { # label
	local out
	out=$(ip netns exec "$G" "$VSGEN" --tx gA --rx gB --cpu 0 --size "$SIZE" \
		--seconds "$SECONDS_" --warmup "$WARMUP" --json --quiet 2>"$TMP/gen.err") ||
		die "vsgen failed: $(cat "$TMP/gen.err")"
	echo "$out" >>"$TMP/$1.json"
	printf '%-10s offered %8.3f Mpps  received %8.3f Mpps  loss %6.2f%%\n' "$1" \
		"$(jq -r .tx_mpps <<<"$out")" "$(jq -r .rx_mpps <<<"$out")" \
		"$(jq -r .loss_pct <<<"$out")"
}

echo "vxlan_bench: $SIZE-byte frames, $RUNS run(s) of $SECONDS_ s per row, vswitchd PMDs on CPU 1, vsgen on CPU 0"
for ((r = 0; r < RUNS; r++)); do
	for row in plain vxlan; do
		setup "$row"
		measure "$row"
	done
done
cleanup
median() { jq -s 'map(.rx_mpps) | sort | .[(length - 1) / 2 | floor]' "$TMP/$1.json"; }
mp=$(median plain) mv=$(median vxlan)
printf 'median received: plain L2 %.3f Mpps, vxlan %.3f Mpps: vxlan = %.0f%% of plain L2\n' \
	"$mp" "$mv" "$(jq -n "$mv / $mp * 100")"
