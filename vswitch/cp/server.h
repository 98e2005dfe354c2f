// SPDX-License-Identifier: Apache-2.0
// The control socket: a unix stream socket speaking newline-delimited JSON
// (docs/control-protocol.md), served by the control thread's event loop.
#pragma once

#include "switch.h"

struct vs_server;

// Creates the socket at 'path' (creating its directory, mode 0660). Fails with -EADDRINUSE
// if another daemon answers there; a stale socket file is replaced.
int vs_server_open(struct vs_server **out, const char *path);
// Serves clients and runs switch housekeeping until SIGTERM or SIGINT arrives on
// 'signal_fd' (a signalfd). Returns the signal number.
int vs_server_run(struct vs_server *srv, struct vs_switch *sw, int signal_fd);
// Closes every client and removes the socket file.
void vs_server_close(struct vs_server *srv);
