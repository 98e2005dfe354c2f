#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Kernel pktgen (the pktgen module, /proc/net/pktgen) as the generator for a device under
# test on a real NIC: the same UDP frames as perf/fwd_bench.sh (198.18.0.1 -> 198.19.0.1,
# UDP 1024+ -> 9). Count what arrives on the sink side with its NIC counters
# (ip -s link show DEV, or ethtool -S DEV) before and after. See docs/performance.md.
#
#   perf/configs/kernel-pktgen.sh -i DEV -m DST_MAC [-s SIZE] [-n COUNT] [-r PPS]
#                                 [-f FLOWS] [-t THREADS] [-c FIRST_CPU]
#
#   -i DEV      interface that sends into the device under test
#   -m DST_MAC  destination MAC (the sink's, or any the device forwards to the sink)
#   -s SIZE     Ethernet frame size with FCS, 64..1518 (default 64)
#   -n COUNT    frames per thread, 0 = until Ctrl-C (default 10000000)
#   -r PPS      rate per thread, 0 = as fast as possible (default 0)
#   -f FLOWS    UDP source ports 1024..1024+FLOWS-1 (default 1)
#   -t THREADS  pktgen kernel threads, one per CPU and tx queue (default 1)
#   -c CPU      first CPU of the threads (default 0)
# Needs root and the pktgen module (modprobe pktgen; not available on every kernel).
set -eu
dev="" dst_mac="" size=64 count=10000000 rate=0 flows=1 threads=1 cpu0=0
usage() { sed -n '8,19p' "$0" | sed 's/^# \{0,1\}//'; }
while getopts "i:m:s:n:r:f:t:c:h" o; do
	case $o in
	i) dev=$OPTARG ;; m) dst_mac=$OPTARG ;; s) size=$OPTARG ;; n) count=$OPTARG ;;
	r) rate=$OPTARG ;; f) flows=$OPTARG ;; t) threads=$OPTARG ;; c) cpu0=$OPTARG ;;
	h) usage; exit 0 ;; *) usage >&2; exit 2 ;;
	esac
done
[ -n "$dev" ] && [ -n "$dst_mac" ] || { usage >&2; exit 2; }
[ "$size" -ge 64 ] && [ "$size" -le 1518 ] || { echo "size must be 64..1518" >&2; exit 2; }
[ -d /proc/net/pktgen ] || modprobe pktgen ||
	{ echo "no kernel pktgen (modprobe pktgen failed)" >&2; exit 1; }

pg() { # FILE COMMAND: write a pktgen command and check its result
	echo "$2" >"/proc/net/pktgen/$1"
	if grep -q '^Result: ERROR' "/proc/net/pktgen/$1" 2>/dev/null; then
		echo "pktgen: '$2' on $1: $(grep '^Result:' "/proc/net/pktgen/$1")" >&2
		exit 1
	fi
}

pg pgctrl reset
for ((t = 0; t < threads; t++)); do
	cpu=$((cpu0 + t)) name="$dev@$t"
	pg "kpktgend_$cpu" rem_device_all
	pg "kpktgend_$cpu" "add_device $name"
	pg "$name" "count $count"
	pg "$name" "pkt_size $((size - 4))" # pktgen's size excludes the FCS
	pg "$name" "clone_skb 1000"           # send each skb 1000 times: cheap frames
	pg "$name" "burst 32"
	pg "$name" "queue_map_min $t"
	pg "$name" "queue_map_max $t"
	pg "$name" "dst_mac $dst_mac"
	pg "$name" "dst_min 198.19.0.1"
	pg "$name" "dst_max 198.19.0.1"
	pg "$name" "src_min 198.18.0.1"
	pg "$name" "src_max 198.18.0.1"
	pg "$name" "udp_dst_min 9"
	pg "$name" "udp_dst_max 9"
	pg "$name" "udp_src_min 1024"
	pg "$name" "udp_src_max $((1024 + flows - 1))"
	[ "$rate" -gt 0 ] && pg "$name" "ratep $rate"
done
echo "kernel pktgen: $threads thread(s) on $dev from CPU $cpu0, $size-byte frames to $dst_mac;" \
	"Ctrl-C stops it. Per-thread results: /proc/net/pktgen/$dev@N"
trap 'echo stop >/proc/net/pktgen/pgctrl' INT TERM
echo start >/proc/net/pktgen/pgctrl || true
for ((t = 0; t < threads; t++)); do
	grep -A2 '^Result' "/proc/net/pktgen/$dev@$t" || true
done
