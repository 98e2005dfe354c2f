// SPDX-License-Identifier: Apache-2.0
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <vs/ctl_proto.h>
#include <vs/log.h>

#include "handlers.h"

VS_LOG_MODULE("server");

#define MAX_CLIENTS 64
#define HOUSEKEEPING_MS 5

struct client {
	int fd;
	size_t len;	  // request bytes in buf
	char *out;	  // the reply being written, NULL if none
	size_t out_len;	  // its length (0: no reply pending)
	size_t out_off;	  // bytes of it already written
	uint64_t last_ms; // last time bytes moved either way
	char buf[VS_CTL_MAX_REQUEST];
};

struct vs_server {
	int fd;
	int epfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct client *clients[MAX_CLIENTS];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int mkdir_p(const char *dir)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int vs_server_open(struct vs_server **out, const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct epoll_event ev = {.events = EPOLLIN};
	struct vs_server *srv;
	char dir[PATH_MAX];
	int fd, ret;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	ret = mkdir_p(dirname(dir));
	if (ret < 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		// A daemon still answering there keeps it; a file nobody listens on is stale.
		int probe;

		if (errno != EADDRINUSE)
			goto err;
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
			close(probe);
			close(fd);
			return -EADDRINUSE;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);
		if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
			goto err;
	}
	if (chmod(path, 0660) < 0 || listen(fd, 16) < 0)
		goto err;
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		goto err;
	srv->fd = fd;
	snprintf(srv->path, sizeof(srv->path), "%s", path);
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	ev.data.fd = fd;
	if (srv->epfd < 0 || epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		ret = -errno;
		vs_server_close(srv);
		return ret;
	}
	*out = srv;
	return 0;
err:
	ret = -errno;
	close(fd);
	return ret;
}

static void client_drop(struct vs_server *srv, int slot, const char *why)
{
	struct client *c = srv->clients[slot];

	VS_LOG(DEBUG, "client %d: %s", c->fd, why);
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	free(c);
	srv->clients[slot] = NULL;
}

// Waits for requests, or, while a reply is still being written, for room to write it.
static int client_watch(struct vs_server *srv, struct client *c)
{
	struct epoll_event ev = {
		// Not EPOLLRDHUP while writing: a half-closed client would wake us in a loop.
		.events = c->out_len ? EPOLLOUT : EPOLLIN | EPOLLRDHUP,
		.data.fd = c->fd,
	};

	return epoll_ctl(srv->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void client_accept(struct vs_server *srv)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP};
	struct client *c;
	int fd, slot;

	fd = accept4(srv->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (slot = 0; slot < MAX_CLIENTS && srv->clients[slot] != NULL; slot++)
		;
	if (slot == MAX_CLIENTS) {
		VS_LOG_RL(WARN, "too many control clients (%d), refusing one", MAX_CLIENTS);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->last_ms = now_ms();
	srv->clients[slot] = c;
	ev.data.fd = fd;
	if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		client_drop(srv, slot, "epoll failed");
}

// Writes what it can of the pending reply without blocking. Returns -1 if the client is gone.
static int client_flush(struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		c->out_off += (size_t)n;
		c->last_ms = now_ms();
	}
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	return 0;
}

// Queues one reply line and starts writing it. Returns -1 if the client is gone.
static int reply(struct client *c, json_t *resp)
{
	char *text = resp ? json_dumps(resp, JSON_COMPACT) : NULL;
	size_t len;

	json_decref(resp);
	if (text == NULL)
		return -1;
	len = strlen(text);
	text[len] = '\n'; // json_dumps() allocated the NUL: room for the newline
	c->out = text;
	c->out_len = len + 1;
	c->out_off = 0;
	return client_flush(c);
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

// Answers the complete request lines buffered, one at a time: a reply that cannot be written
// at once is finished before the next request is read (a client that does not read its
// replies holds up only itself). Returns -1 if the client was dropped.
static int client_process(struct vs_server *srv, int slot, struct vs_switch *sw)
{
	struct client *c = srv->clients[slot];
	char *nl;

	while (c->out_len == 0 && (nl = memchr(c->buf, '\n', c->len)) != NULL) {
		size_t line = (size_t)(nl - c->buf);
		json_t *resp = blank(c->buf, line) ? NULL : vs_ctl_handle(sw, c->buf, line);

		memmove(c->buf, nl + 1, c->len - line - 1);
		c->len -= line + 1;
		if (resp != NULL && reply(c, resp) < 0) {
			client_drop(srv, slot, "cannot send reply");
			return -1;
		}
	}
	if (c->out_len == 0 && c->len == sizeof(c->buf)) {
		reply(c, vs_ctl_error(NULL, "too-large", "request exceeds %d bytes",
				      VS_CTL_MAX_REQUEST));
		client_drop(srv, slot, "request too large");
		return -1;
	}
	if (client_watch(srv, c) < 0) {
		client_drop(srv, slot, "epoll failed");
		return -1;
	}
	return 0;
}

static void client_read(struct vs_server *srv, int slot, struct vs_switch *sw)
{
	struct client *c = srv->clients[slot];
	ssize_t n;

	n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_drop(srv, slot, c->len ? "disconnected mid-request" : "disconnected");
		return;
	}
	c->len += (size_t)n;
	c->last_ms = now_ms();
	client_process(srv, slot, sw);
}

static void client_write(struct vs_server *srv, int slot, struct vs_switch *sw)
{
	if (client_flush(srv->clients[slot]) < 0) {
		client_drop(srv, slot, "cannot send reply");
		return;
	}
	client_process(srv, slot, sw);
}

static void expire_clients(struct vs_server *srv)
{
	uint64_t now = now_ms();

	for (int i = 0; i < MAX_CLIENTS; i++)
		if (srv->clients[i] != NULL && now - srv->clients[i]->last_ms > VS_CTL_IDLE_TIMEOUT_MS)
			client_drop(srv, i, "idle timeout");
}

int vs_server_run(struct vs_server *srv, struct vs_switch *sw, int signal_fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = signal_fd};
	uint64_t last_expire = now_ms();

	if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, signal_fd, &ev) < 0)
		return -errno;
	for (;;) {
		struct epoll_event evs[16];
		int n = epoll_wait(srv->epfd, evs, 16, HOUSEKEEPING_MS);

		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == signal_fd) {
				struct signalfd_siginfo si;

				if (read(signal_fd, &si, sizeof(si)) == sizeof(si) &&
				    (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT))
					return (int)si.ssi_signo;
			} else if (fd == srv->fd) {
				client_accept(srv);
			} else {
				for (int s = 0; s < MAX_CLIENTS; s++) {
					if (srv->clients[s] == NULL || srv->clients[s]->fd != fd)
						continue;
					if (srv->clients[s]->out_len)
						client_write(srv, s, sw);
					else
						client_read(srv, s, sw);
					break;
				}
			}
		}
		vs_switch_housekeeping(sw);
		if (now_ms() - last_expire >= 1000) {
			expire_clients(srv);
			last_expire = now_ms();
		}
	}
}

void vs_server_close(struct vs_server *srv)
{
	if (srv == NULL)
		return;
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (srv->clients[i] != NULL)
			client_drop(srv, i, "shutdown");
	if (srv->epfd >= 0)
		close(srv->epfd);
	close(srv->fd);
	unlink(srv->path);
	free(srv);
}
