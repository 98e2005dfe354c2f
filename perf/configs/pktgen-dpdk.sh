#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Starts DPDK Pktgen on two NIC ports (generator on port 0, sink on port 1) with the
# command file pktgen-dpdk.pkt. For machines with real NICs; see docs/performance.md.
#
#   perf/configs/pktgen-dpdk.sh 0000:3b:00.0 0000:3b:00.1 [CORES]
#
# CORES: 5 CPUs for Pktgen (1 display + rx/tx of each port), default 1-5; keep them
# away from the device under test's cores and on the NICs' NUMA node. Needs hugepages
# (e.g. echo 1024 > /proc/sys/vm/nr_hugepages) and the NICs bound to vfio-pci
# (dpdk-devbind.py -b vfio-pci PCI). Pktgen is not packaged in Debian 12: build it from
# https://github.com/pktgen/Pktgen-DPDK against the installed DPDK.
set -eu
[ $# -ge 2 ] || { sed -n '3,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
pci0=$1 pci1=$2 cores=${3:-1-5}
first=${cores%%-*}
here=$(cd "$(dirname "$0")" && pwd)
command -v pktgen >/dev/null || { echo "pktgen not found (build Pktgen-DPDK)" >&2; exit 1; }
# Display on the first core; port 0 rx/tx on the next two, port 1 rx/tx on the two after.
exec pktgen -l "$cores" -n 4 -a "$pci0" -a "$pci1" --file-prefix pktgen -- -P -T \
	-m "[$((first + 1)):$((first + 2))].0, [$((first + 3)):$((first + 4))].1" \
	-f "$here/pktgen-dpdk.pkt"
