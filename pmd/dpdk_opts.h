// SPDX-License-Identifier: Apache-2.0
// Parsing for DPDK ports and the EAL command line; no DPDK dependency, so that it is unit
// tested and shared by the builds with and without DPDK.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "port.h"

#define VS_DPDK_DEVARGS_MAX 256
#define VS_DPDK_MAX_QUEUES 16 // n_rxq, n_txq
#define VS_DPDK_MIN_DESC 64   // rxq_size, txq_size
#define VS_DPDK_MAX_DESC 16384
#define VS_DPDK_DEFAULT_DESC 1024
#define VS_DPDK_MIN_MTU 68
#define VS_DPDK_MAX_MTU 9600
#define VS_DPDK_EAL_MAX_ARGS 64

// Options of "add-port BR NAME type=dpdk devargs=... [n_rxq=N] [n_txq=N] [rxq_size=N]
// [txq_size=N] [mtu=N]".
struct vs_dpdk_opts {
	char devargs[VS_DPDK_DEVARGS_MAX];  // "0000:01:00.0", "net_tap0,iface=tap1", ...
	char dev_name[VS_DPDK_DEVARGS_MAX]; // devargs up to the first ',' ("net_tap0")
	uint16_t n_rxq;			    // default 1
	uint16_t n_txq;			    // default 1
	uint16_t rxq_size;		    // descriptors per queue, default 1024
	uint16_t txq_size;
	uint32_t mtu; // 0: leave the device's MTU
};

// Parses and checks 'opts'. Returns 0, or -EINVAL with a one-line reason in 'err' naming the
// port 'port'.
int vs_dpdk_opts_parse(const char *port, const struct vs_opt *opts, size_t n_opts,
		       struct vs_dpdk_opts *out, char *err, size_t errlen);

// Builds the EAL's argv from the --dpdk command line 'line': words split at blanks, '...'
// and "..." group words. argv[0] is "vswitchd". Adds "-l LCORE" ('main_lcore', the control
// thread's CPU) unless -l, -c or --lcores is given, and "--file-prefix vswitchd" unless
// --file-prefix or --in-memory is. The words are stored in 'buf'. Returns argc, or -EINVAL
// with a reason in 'err' (unbalanced quote, too many words, --help, which would exit).
int vs_dpdk_eal_argv(const char *line, int main_lcore, char *buf, size_t buflen, char **argv,
		     int max, char *err, size_t errlen);
