// SPDX-License-Identifier: Apache-2.0
// AF_XDP port driver, type "afxdp". Options: xdp-mode=auto|native|generic, queues=N.
#pragma once

#include "port.h"

extern const struct vs_port_ops vs_afxdp_ops;
