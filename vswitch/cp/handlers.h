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

// Option 'key' of a request's params as a string in 'buf': JSON strings and integers are both
// accepted. 0, or -EINVAL with a message in 'err'.
int vs_ctl_opt_str(const char *key, json_t *v, char *buf, size_t len, char *err, size_t errlen);
