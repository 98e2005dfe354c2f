// SPDX-License-Identifier: Apache-2.0
// AF_XDP port driver, type "afxdp". Options: xdp-mode=auto|native|generic, queues=N.
#pragma once

#include "port.h"

extern const struct vs_port_ops vs_afxdp_ops;

struct vs_fp_port;
// The XDP fast-path configuration of 'port''s program (pmd/bpf/xsk_fastpath.h), or NULL if
// 'port' is not an AF_XDP port with the fast-path program in native mode; '*ifindex' gets
// its device.
// Called from: control thread.
struct vs_fp_port *vs_afxdp_fp_cfg(struct vs_port *port, int *ifindex);
