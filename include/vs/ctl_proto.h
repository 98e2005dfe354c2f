// SPDX-License-Identifier: Apache-2.0
// Constants shared by vswitchd's control server and its clients (vsctl).
// The protocol itself is described in docs/control-protocol.md.
#pragma once

#define VS_VERSION "0.1.0"
#define VS_CTL_PROTOCOL 1
#define VS_CTL_DEFAULT_SOCKET "/run/vswitch/vswitchd.sock"
#define VS_CTL_MAX_REQUEST (64 * 1024) // bytes per request line, newline included
#define VS_CTL_IDLE_TIMEOUT_MS 10000   // a client silent this long is dropped
