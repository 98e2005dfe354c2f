// SPDX-License-Identifier: Apache-2.0
// Control protocol methods (docs/control-protocol.md): one request in, one response out.
#pragma once

#include <jansson.h>
#include <stddef.h>

#include "switch.h"

// Handles one request line (JSON text, no newline needed) and returns the response object
// (never NULL unless out of memory). Nothing changes when the response is an error.
// Called from: control thread.
json_t *vs_ctl_handle(struct vs_switch *sw, const char *req, size_t len);

// The error response for a request that never reached a method (e.g. too large).
json_t *vs_ctl_error(json_t *id, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
