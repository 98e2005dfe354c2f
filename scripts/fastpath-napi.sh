#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# scripts/fastpath-napi.sh [--rt-priority N] DEV CPUS [NETNS]
#
# The recommended host-side setup of an AF_XDP port of a fastpath=xdp bridge
# (docs/xdp-fastpath.md, "Where the fast path runs"): switches threaded NAPI on for the
# veth DEV (in namespace NETNS, default: the current one), pins its NAPI thread(s) to
# CPUS (a list such as 1, 0,1 or 2-3: vswitchd's PMD CPUs) and runs them SCHED_FIFO at
# priority N (default 1; 0 leaves them SCHED_OTHER).
#
# Why: the fast path is the XDP program, which runs in the NAPI poll of the host-side veth.
# A veth's NAPI is scheduled by the sender's transmit, so without this the XDP program,
# the copy veth makes of every frame, the checksum completion and the receiving
# container's GRO all run in softirq on the sending application's CPU, and vswitchd's CPUs
# stay idle (measured: CPU 0 100% busy, CPU 1 3%). Threaded NAPI moves that work into a
# kernel thread, pinned here to the switch's CPUs, as RPS steers the Linux bridge's work
# to them in perf/tcp_bench.sh.
#
# Why SCHED_FIFO: in softirq, NAPI work preempts every task on its CPU; as an ordinary
# thread it waits behind them, and the sender then overruns veth's 256-frame ring (drops,
# TCP retransmits). Measured with other work on the PMD CPU: 5.3-5.8 Gbit/s with
# priority 1 against 2.7-3.3 without (MTU 1500). The thread sleeps when there is no
# work; under permanent overload the kernel's RT throttling still leaves 5% of the CPU
# to other tasks (vswitchd's PMD thread), much as softirq work would.
#
# Run it after vswitchd has attached the port (`vsctl add-port`): threaded NAPI switched
# on before the AF_XDP program is attached can leave the socket without frames
# (/work/shared/docs/environment-notes.md). The port's program then redirects as before;
# frames for the AF_XDP socket also go through the NAPI thread.
#
# The NAPI threads are found by name (napi/DEV-ID, as the kernel names them): the threads
# that appear when threaded NAPI is switched on. Prints one line saying what it set.
# Needs root. Exit 1 with a message on error; `threaded` is then set back as it was.
set -u

die() {
	echo "fastpath-napi.sh: $*" >&2
	exit 1
}

prio=1
if [ "${1:-}" = --rt-priority ]; then
	if [ $# -lt 2 ] || ! [[ $2 =~ ^[0-9]+$ ]] || [ "$2" -gt 99 ]; then
		die "--rt-priority needs a priority 0-99 (0: SCHED_OTHER)"
	fi
	prio=$2
	shift 2
fi
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	die "usage: fastpath-napi.sh [--rt-priority N] DEV CPUS [NETNS]"
fi
dev=$1 cpus=$2 ns=${3:-}
pre=()
[ -n "$ns" ] && pre=(ip netns exec "$ns")

if ! command -v chrt >/dev/null || ! command -v taskset >/dev/null; then
	die "needs chrt and taskset (util-linux)"
fi
[[ $cpus =~ ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ ]] || die "bad CPU list: $cpus"
"${pre[@]}" test -e "/sys/class/net/$dev/threaded" ||
	die "no device $dev${ns:+ in $ns} (or its kernel has no threaded NAPI)"
ip ${ns:+-n "$ns"} -d link show dev "$dev" 2>/dev/null | grep -q 'prog/xdp' ||
	die "$dev has no XDP program attached: add it to vswitchd first (vsctl add-port)"

# napi_threads: "PID COMM" of the kernel's NAPI threads of devices named like DEV (the
# name in comm is cut to 15 characters, so the list may hold other devices' threads too).
napi_threads() {
	local want="napi/$dev-" p c
	want=${want:0:15}
	for p in /proc/[0-9]*; do
		c=$(cat "$p/comm" 2>/dev/null) || continue
		[ "${c:0:${#want}}" = "$want" ] && echo "${p#/proc/} $c"
	done | sort
}

cur=$("${pre[@]}" cat "/sys/class/net/$dev/threaded") || die "cannot read $dev/threaded"
# Already threaded: switch it off first, so that its threads are created anew below and
# can be told from other devices' threads of a similar name.
if [ "$cur" != 0 ]; then
	"${pre[@]}" sh -c "echo 0 > /sys/class/net/$dev/threaded" ||
		die "cannot switch threaded NAPI off for $dev"
fi
before=$(napi_threads)
"${pre[@]}" sh -c "echo 1 > /sys/class/net/$dev/threaded" ||
	die "cannot switch threaded NAPI on for $dev"
# The threads are created by the write; take those that appeared.
pids=$(comm -13 <(echo "$before") <(napi_threads) | awk '{ print $1 }')
[ -n "$pids" ] || {
	"${pre[@]}" sh -c "echo $cur > /sys/class/net/$dev/threaded"
	die "no NAPI thread of $dev found"
}
for p in $pids; do
	out=$(taskset -pc "$cpus" "$p" 2>&1) || {
		"${pre[@]}" sh -c "echo $cur > /sys/class/net/$dev/threaded"
		die "cannot pin NAPI thread $p of $dev to CPUs $cpus: $out"
	}
	if [ "$prio" -gt 0 ]; then
		out=$(chrt -f -p "$prio" "$p" 2>&1) || {
			"${pre[@]}" sh -c "echo $cur > /sys/class/net/$dev/threaded"
			die "cannot make NAPI thread $p of $dev SCHED_FIFO $prio: $out"
		}
	fi
done
sched="SCHED_OTHER"
[ "$prio" -gt 0 ] && sched="SCHED_FIFO $prio"
echo "$dev: threaded NAPI on, thread(s) $(tr "\n" " " <<<"$pids" | sed "s/ $//") pinned to CPUs $cpus, $sched"
