// SPDX-License-Identifier: Apache-2.0
// Logging to stderr with syslog-style levels.
//
// Each .c file names its module once with VS_LOG_MODULE("fdb"); then logs with
// VS_LOG(WARN, "format", ...) (no trailing newline). The fast path (vswitch/dp)
// must only use VS_LOG_RL, which allows a few messages per interval per call site.
#pragma once

#include <stdint.h>
#include <vs/compiler.h>

enum vs_log_level {
	VS_LOG_ERR = 3,
	VS_LOG_WARN = 4,
	VS_LOG_NOTICE = 5,
	VS_LOG_INFO = 6,
	VS_LOG_DEBUG = 7,
};

extern int vs_log_level;

// Parses "err|warn|notice|info|debug" (or a number 3-7). Returns -1 if invalid.
int vs_log_level_parse(const char *s);
const char *vs_log_level_name(int level);

void vs_log_write(int level, const char *module, const char *fmt, ...) VS_PRINTF(3, 4);

// Returns 1 when a rate-limited message may be printed now (5 per 20 s per site).
struct vs_log_rl {
	uint64_t window_start;
	uint32_t count;
	uint32_t suppressed;
};
int vs_log_rl_allow(struct vs_log_rl *rl);

#define VS_LOG_MODULE(name) static const char *const vs_log_module_ VS_UNUSED = name

#define VS_LOG(lvl, fmt, ...)                                                                      \
	do {                                                                                       \
		if (VS_LOG_##lvl <= vs_log_level)                                                  \
			vs_log_write(VS_LOG_##lvl, vs_log_module_, fmt, ##__VA_ARGS__);            \
	} while (0)

#define VS_LOG_RL(lvl, fmt, ...)                                                                   \
	do {                                                                                       \
		static struct vs_log_rl rl_;                                                       \
		if (VS_LOG_##lvl <= vs_log_level && vs_log_rl_allow(&rl_))                         \
			vs_log_write(VS_LOG_##lvl, vs_log_module_, fmt, ##__VA_ARGS__);            \
	} while (0)
