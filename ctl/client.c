// SPDX-License-Identifier: Apache-2.0
// vsctl: unix socket transport for the vswitchd control protocol.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <vs/ctl_proto.h>

#define READ_CHUNK (64 * 1024)

// Copies 'src' into 'dst' as a single line: control characters become
// spaces, and truncation never splits a UTF-8 sequence.
static void copy_line(char *dst, size_t size, const char *src)
{
	size_t i = 0;

	if (size == 0)
		return;
	while (*src) {
		unsigned char ch = (unsigned char)*src;
		size_t n = ch < 0x80 ? 1 : ch >= 0xf0 ? 4 : ch >= 0xe0 ? 3 : 2;

		if (i + n >= size)
			break;
		for (size_t k = 0; k < n && *src; k++) {
			ch = (unsigned char)*src++;
			dst[i++] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
		}
	}
	dst[i] = '\0';
}

__attribute__((format(printf, 2, 3))) static void set_err(struct vs_client *c, const char *fmt, ...)
{
	char tmp[sizeof c->err];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	copy_line(c->err, sizeof c->err, tmp);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	// CLOCK_MONOTONIC cannot fail on Linux; fall back to 0 regardless.
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// Milliseconds left before the deadline: -1 if there is none, else >= 0.
static int64_t remaining_ms(const struct vs_client *c)
{
	int64_t left;

	if (c->deadline_ms < 0)
		return -1;
	left = c->deadline_ms - now_ms();
	return left > 0 ? left : 0;
}

static void set_timeout_err(struct vs_client *c, const char *what)
{
	if (c->timeout_ms % 1000 == 0)
		set_err(c, "timed out after %lld s %s", c->timeout_ms / 1000, what);
	else
		set_err(c, "timed out after %.3f s %s", (double)c->timeout_ms / 1000.0, what);
}

// Waits until 'fd' is ready for 'events'. Returns 0 when ready (or on a
// condition the next read/write will report), -1 when the deadline passed.
static int wait_fd(struct vs_client *c, short events)
{
	for (;;) {
		struct pollfd pfd = {.fd = c->fd, .events = events};
		int64_t left = remaining_ms(c);
		int rc;

		if (left == 0)
			return -1;
		rc = poll(&pfd, 1, left < 0 ? -1 : left > 1000000 ? 1000000 : (int)left);
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR && errno != EAGAIN)
			return 0; // let the I/O call report the problem
	}
}

int vs_client_open(struct vs_client *c, const char *path, long long timeout_ms)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int flags;

	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->next_id = 1;
	c->timeout_ms = timeout_ms;
	c->deadline_ms = timeout_ms > 0 ? now_ms() + timeout_ms : -1;

	if (strlen(path) >= sizeof sun.sun_path) {
		set_err(c, "cannot connect to %s: socket path too long (max %zu bytes)", path,
			sizeof sun.sun_path - 1);
		return VS_CLIENT_FAILED;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);

	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		set_err(c, "cannot create socket: %s", strerror(errno));
		return VS_CLIENT_FAILED;
	}

	// A unix stream connect() blocks while the listen backlog is full;
	// SO_SNDTIMEO bounds that wait on Linux.
	if (c->deadline_ms >= 0) {
		int64_t left = remaining_ms(c);
		struct timeval tv = {.tv_sec = left / 1000, .tv_usec = (left % 1000) * 1000};

		if (left == 0)
			tv.tv_usec = 1000;
		if (setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0) {
			set_err(c, "cannot set socket timeout: %s", strerror(errno));
			return VS_CLIENT_FAILED;
		}
	}
	while (connect(c->fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		int err = errno;

		if (err == EISCONN)
			break;
		if (err == EINTR && remaining_ms(c) != 0)
			continue;
		if (err == EINTR || err == EAGAIN || err == EINPROGRESS || err == ETIMEDOUT) {
			char what[sizeof sun.sun_path + 32];

			snprintf(what, sizeof what, "connecting to %s", path);
			set_timeout_err(c, what);
			return VS_CLIENT_FAILED;
		}
		set_err(c, "cannot connect to %s: %s%s", path, strerror(err),
			err == ENOENT || err == ECONNREFUSED ? " (is vswitchd running?)" : "");
		return VS_CLIENT_FAILED;
	}

	flags = fcntl(c->fd, F_GETFL);
	if (flags < 0 || fcntl(c->fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		set_err(c, "cannot make socket non-blocking: %s", strerror(errno));
		return VS_CLIENT_FAILED;
	}
	return VS_CLIENT_OK;
}

// Writes all of 'data'. Returns 0, -1 on timeout, or a positive errno.
static int send_all(struct vs_client *c, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);

		if (n > 0) {
			data += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(c, POLLOUT) < 0)
				return -1;
		} else {
			return n < 0 ? errno : EPIPE;
		}
	}
	return 0;
}

// Reads until a complete line is buffered; stores its length (without the
// newline) in '*line_len'. Returns VS_CLIENT_OK or VS_CLIENT_FAILED.
static int read_line(struct vs_client *c, size_t *line_len)
{
	size_t scanned = 0;

	for (;;) {
		char *nl =
			c->len > scanned ? memchr(c->buf + scanned, '\n', c->len - scanned) : NULL;
		ssize_t n;

		if (nl) {
			*line_len = (size_t)(nl - c->buf);
			return VS_CLIENT_OK;
		}
		scanned = c->len;
		if (c->len >= VS_CLIENT_MAX_RESPONSE) {
			set_err(c, "response from vswitchd exceeds the %d MiB limit",
				VS_CLIENT_MAX_RESPONSE / (1024 * 1024));
			return VS_CLIENT_FAILED;
		}
		if (c->cap - c->len < READ_CHUNK && c->cap < VS_CLIENT_MAX_RESPONSE) {
			size_t cap = c->cap ? c->cap * 2 : 2 * READ_CHUNK;
			char *buf;

			if (cap > VS_CLIENT_MAX_RESPONSE)
				cap = VS_CLIENT_MAX_RESPONSE;
			buf = realloc(c->buf, cap);
			if (!buf) {
				set_err(c, "out of memory reading the response");
				return VS_CLIENT_FAILED;
			}
			c->buf = buf;
			c->cap = cap;
		}

		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n > 0) {
			c->len += (size_t)n;
		} else if (n == 0) {
			set_err(c, "vswitchd closed the connection %s",
				c->len ? "in the middle of a response" : "without responding");
			return VS_CLIENT_FAILED;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (wait_fd(c, POLLIN) < 0) {
				set_timeout_err(c, "waiting for a response from vswitchd");
				return VS_CLIENT_FAILED;
			}
		} else if (errno != EINTR) {
			set_err(c, "cannot read from vswitchd: %s", strerror(errno));
			return VS_CLIENT_FAILED;
		}
	}
}

int vs_client_transact(struct vs_client *c, const char *method, json_t *params, json_t **response)
{
	json_t *req = json_object(), *resp;
	json_error_t jerr;
	char *line = NULL;
	size_t len, line_len;
	int rc = VS_CLIENT_FAILED, send_err;

	*response = NULL;
	if (c->fd < 0) {
		set_err(c, "not connected to vswitchd");
		goto out;
	}
	if (!req || json_object_set_new(req, "id", json_integer(c->next_id)) != 0 ||
	    json_object_set_new(req, "method", json_string(method)) != 0 ||
	    json_object_set_new(req, "params", params ? json_incref(params) : json_object()) != 0 ||
	    !(line = json_dumps(req, JSON_COMPACT))) {
		set_err(c, "cannot encode the request for %s", method);
		goto out;
	}
	c->next_id++;
	len = strlen(line);
	if (len + 1 > VS_CTL_MAX_REQUEST) {
		set_err(c, "request too large (%zu bytes, the limit is %d)", len + 1,
			VS_CTL_MAX_REQUEST);
		goto out;
	}

	send_err = send_all(c, line, len);
	if (send_err == 0)
		send_err = send_all(c, "\n", 1);
	if (send_err < 0) {
		set_timeout_err(c, "sending the request to vswitchd");
		goto out;
	}
	// Even if sending failed, the server may have answered (e.g. an error
	// before closing): prefer its response over our write error, but only
	// if it has already arrived.
	if (send_err > 0)
		c->deadline_ms = now_ms();
	if (read_line(c, &line_len) != VS_CLIENT_OK) {
		if (send_err > 0)
			set_err(c, "cannot send the request to vswitchd: %s", strerror(send_err));
		goto out;
	}

	resp = json_loadb(c->buf, line_len, 0, &jerr);
	c->len -= line_len + 1;
	memmove(c->buf, c->buf + line_len + 1, c->len);
	if (!resp) {
		set_err(c, "invalid JSON from vswitchd: %s (column %d)", jerr.text, jerr.column);
		goto out;
	}
	if (!json_is_object(resp)) {
		json_decref(resp);
		set_err(c, "invalid response from vswitchd: not a JSON object");
		goto out;
	}
	*response = resp;
	rc = VS_CLIENT_OK;
out:
	free(line);
	json_decref(req);
	return rc;
}

int vs_client_call(struct vs_client *c, const char *method, json_t *params, json_t **result)
{
	json_t *resp, *id, *res, *error;
	long long sent_id = c->next_id;
	int rc = VS_CLIENT_FAILED;

	*result = NULL;
	if (vs_client_transact(c, method, params, &resp) != VS_CLIENT_OK)
		return VS_CLIENT_FAILED;

	id = json_object_get(resp, "id");
	res = json_object_get(resp, "result");
	error = json_object_get(resp, "error");
	if (res && error) {
		set_err(c, "invalid response from vswitchd: both result and error");
	} else if (error) {
		json_t *msg = json_object_get(error, "message");
		json_t *code = json_object_get(error, "code");

		if (!json_is_object(error)) {
			set_err(c, "invalid response from vswitchd: error is not an object");
		} else if (!json_is_null(id) &&
			   (!json_is_integer(id) || json_integer_value(id) != sent_id)) {
			set_err(c, "invalid response from vswitchd: unexpected id");
		} else {
			const char *m = json_string_value(msg);
			const char *k = json_string_value(code);

			copy_line(c->code, sizeof c->code, k ? k : "");
			if (m && *m)
				copy_line(c->err, sizeof c->err, m);
			else
				set_err(c, "vswitchd reported an error (%s)", k ? k : "no code");
			rc = VS_CLIENT_REJECTED;
		}
	} else if (res) {
		if (!json_is_integer(id) || json_integer_value(id) != sent_id) {
			set_err(c, "invalid response from vswitchd: unexpected id");
		} else if (!json_is_object(res)) {
			set_err(c, "invalid response from vswitchd: result is not an object");
		} else {
			*result = json_incref(res);
			rc = VS_CLIENT_OK;
		}
	} else {
		set_err(c, "invalid response from vswitchd: no result or error");
	}
	json_decref(resp);
	return rc;
}

void vs_client_close(struct vs_client *c)
{
	if (c->fd >= 0) {
		// close() may report EINTR, but the descriptor is released anyway.
		close(c->fd);
		c->fd = -1;
	}
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
}
