// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vs/log.h>

int vs_log_level = VS_LOG_INFO;

static const char *const level_names[] = {
	[VS_LOG_ERR] = "err",	    [VS_LOG_WARN] = "warn",   [VS_LOG_NOTICE] = "notice",
	[VS_LOG_INFO] = "info",	    [VS_LOG_DEBUG] = "debug",
};

int vs_log_level_parse(const char *s)
{
	for (int l = VS_LOG_ERR; l <= VS_LOG_DEBUG; l++)
		if (strcmp(s, level_names[l]) == 0)
			return l;
	if (strcmp(s, "error") == 0)
		return VS_LOG_ERR;
	if (strcmp(s, "warning") == 0)
		return VS_LOG_WARN;
	if (s[0] >= '3' && s[0] <= '7' && s[1] == '\0')
		return s[0] - '0';
	return -1;
}

const char *vs_log_level_name(int level)
{
	if (level < VS_LOG_ERR || level > VS_LOG_DEBUG)
		return "?";
	return level_names[level];
}

void vs_log_write(int level, const char *module, const char *fmt, ...)
{
	char msg[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	// One fprintf per line so that lines from several threads do not interleave.
	fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ <%d>%s %s: %s\n", tm.tm_year + 1900,
		tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
		level, vs_log_level_name(level), module, msg);
	errno = saved;
}

int vs_log_rl_allow(struct vs_log_rl *rl)
{
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (uint64_t)ts.tv_sec;
	if (now - rl->window_start >= 20) {
		rl->window_start = now;
		rl->count = 0;
	}
	if (rl->count >= 5) {
		rl->suppressed++;
		return 0;
	}
	rl->count++;
	return 1;
}
