// SPDX-License-Identifier: Apache-2.0
// The peer of a veth: found with RTM_GETLINK (IFLA_LINK, IFLA_LINK_NETNSID); when it is in
// another network namespace, that namespace is found among /run/netns/* and the
// namespaces of running processes (RTM_GETNSID with NETNSA_FD gives each one's id as seen
// from here), and a short-lived thread enters it with setns() to read the peer's flags,
// MTU and GRO state with ioctls.
#include "veth_peer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NL_BUF 8192

// Sends one request and reads its answer into 'buf'. Returns the answer's length or -errno.
static int nl_request(void *req, size_t len, char *buf, size_t buflen)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), n;

	if (fd < 0)
		return -errno;
	if (sendto(fd, req, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	n = (int)recv(fd, buf, buflen, 0);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

struct link_facts {
	int link;    // peer ifindex (IFLA_LINK), 0 if none
	int netnsid; // IFLA_LINK_NETNSID, -1 if the peer is in this namespace
	bool veth;   // IFLA_INFO_KIND "veth"
};

static int get_link(const char *name, struct link_facts *f)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		char attrs[64];
	} req = {0};
	char buf[NL_BUF];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct rtattr *rta;
	int n, len;

	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.ifi.ifi_family = AF_UNSPEC;
	rta = (struct rtattr *)req.attrs;
	rta->rta_type = IFLA_IFNAME;
	rta->rta_len = (unsigned short)RTA_LENGTH(strlen(name) + 1);
	memcpy(RTA_DATA(rta), name, strlen(name) + 1);
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi)) + RTA_ALIGN(rta->rta_len);
	n = nl_request(&req, req.nh.nlmsg_len, buf, sizeof(buf));
	if (n < 0)
		return n;
	if (!NLMSG_OK(nh, (unsigned)n))
		return -EIO;
	if (nh->nlmsg_type == NLMSG_ERROR)
		return ((struct nlmsgerr *)NLMSG_DATA(nh))->error < 0
			       ? ((struct nlmsgerr *)NLMSG_DATA(nh))->error
			       : -EIO;
	if (nh->nlmsg_type != RTM_NEWLINK)
		return -EIO;
	f->link = 0;
	f->netnsid = -1;
	f->veth = false;
	len = (int)IFLA_PAYLOAD(nh);
	for (rta = IFLA_RTA(NLMSG_DATA(nh)); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFLA_LINK)
			f->link = *(int *)RTA_DATA(rta);
		else if (rta->rta_type == IFLA_LINK_NETNSID)
			f->netnsid = *(int *)RTA_DATA(rta);
		else if (rta->rta_type == IFLA_LINKINFO) {
			int l2 = (int)RTA_PAYLOAD(rta);

			for (struct rtattr *a = RTA_DATA(rta); RTA_OK(a, l2); a = RTA_NEXT(a, l2))
				if (a->rta_type == IFLA_INFO_KIND &&
				    strcmp((const char *)RTA_DATA(a), "veth") == 0)
					f->veth = true;
		}
	}
	return 0;
}

// The id this namespace gives the namespace of 'nsfd', or -1.
static int nsid_of(int nsfd)
{
	struct {
		struct nlmsghdr nh;
		struct rtgenmsg g;
		char pad[3];
		struct rtattr rta;
		uint32_t fd;
	} req = {0};
	char buf[NL_BUF];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct rtattr *rta;
	int n, len;

	req.nh.nlmsg_type = RTM_GETNSID;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_len = sizeof(req);
	req.g.rtgen_family = AF_UNSPEC;
	req.rta.rta_type = NETNSA_FD;
	req.rta.rta_len = RTA_LENGTH(sizeof(uint32_t));
	req.fd = (uint32_t)nsfd;
	n = nl_request(&req, sizeof(req), buf, sizeof(buf));
	if (n < 0 || !NLMSG_OK(nh, (unsigned)n) || nh->nlmsg_type != RTM_NEWNSID)
		return -1;
	len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof(struct rtgenmsg)));
	rta = (struct rtattr *)((char *)NLMSG_DATA(nh) + NLMSG_ALIGN(sizeof(struct rtgenmsg)));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == NETNSA_NSID)
			return *(int *)RTA_DATA(rta);
	return -1;
}

// The path that last matched each namespace id (a cache: checked again before use).
#define NS_CACHE 64
static struct {
	int nsid;
	char path[300];
} ns_cache[NS_CACHE];
static unsigned ns_cache_next;
// Ids whose namespace a scan did not find, and when: not scanned again for NS_RETRY_S.
#define NS_RETRY_S 10
static struct {
	int nsid;
	time_t when;
} ns_miss[NS_CACHE];
static unsigned ns_miss_next;

static int try_path(const char *path, int nsid)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (nsid_of(fd) == nsid)
		return fd;
	close(fd);
	return -1;
}

static int scan_dir(const char *dir, const char *suffix, int nsid, char *found, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int fd = -1;

	if (d == NULL)
		return -1;
	while (fd < 0 && (e = readdir(d)) != NULL) {
		char path[300];

		if (e->d_name[0] == '.' ||
		    (suffix[0] && (e->d_name[0] < '0' || e->d_name[0] > '9')))
			continue;
		snprintf(path, sizeof(path), "%s/%s%s", dir, e->d_name, suffix);
		fd = try_path(path, nsid);
		if (fd >= 0)
			snprintf(found, len, "%s", path);
	}
	closedir(d);
	return fd;
}

// Opens the network namespace this namespace calls 'nsid'. Returns an fd or -1.
static int open_nsid(int nsid)
{
	char found[300];
	int fd;

	for (unsigned i = 0; i < NS_CACHE; i++) {
		if (ns_cache[i].path[0] && ns_cache[i].nsid == nsid) {
			fd = try_path(ns_cache[i].path, nsid);
			if (fd >= 0)
				return fd;
			ns_cache[i].path[0] = '\0';
		}
	}
	for (unsigned i = 0; i < NS_CACHE; i++)
		if (ns_miss[i].when && ns_miss[i].nsid == nsid &&
		    time(NULL) - ns_miss[i].when < NS_RETRY_S)
			return -1;
	fd = scan_dir("/run/netns", "", nsid, found, sizeof(found));
	if (fd < 0)
		fd = scan_dir("/proc", "/ns/net", nsid, found, sizeof(found));
	if (fd < 0) {
		unsigned i = ns_miss_next++ % NS_CACHE;

		ns_miss[i].nsid = nsid;
		ns_miss[i].when = time(NULL);
	}
	if (fd >= 0) {
		unsigned i = ns_cache_next++ % NS_CACHE;

		ns_cache[i].nsid = nsid;
		snprintf(ns_cache[i].path, sizeof(ns_cache[i].path), "%s", found);
	}
	return fd;
}

struct peer_query {
	int nsfd; // -1: this namespace
	int ifindex;
	struct vs_veth_peer *out;
	int ret;
};

static void *query_peer(void *arg)
{
	struct peer_query *q = arg;
	struct ethtool_value gro = {.cmd = ETHTOOL_GGRO};
	struct ifreq ifr = {0};
	int fd;

	if (q->nsfd >= 0 && setns(q->nsfd, CLONE_NEWNET) < 0) {
		q->ret = -errno;
		return NULL;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		q->ret = -errno;
		return NULL;
	}
	ifr.ifr_ifindex = q->ifindex;
	if (ioctl(fd, SIOCGIFNAME, &ifr) < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		q->ret = -errno;
		close(fd);
		return NULL;
	}
	q->out->napi = (ifr.ifr_flags & IFF_UP) != 0;
	if (ioctl(fd, SIOCGIFMTU, &ifr) < 0) {
		q->ret = -errno;
		q->out->napi = false;
		close(fd);
		return NULL;
	}
	q->out->mtu = ifr.ifr_mtu;
	ifr.ifr_data = (void *)&gro;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) {
		q->ret = -errno;
		q->out->napi = false;
		close(fd);
		return NULL;
	}
	q->out->napi = q->out->napi && gro.data;
	q->ret = 0;
	close(fd);
	return NULL;
}

int vs_veth_peer(const char *name, struct vs_veth_peer *out)
{
	struct link_facts f;
	struct peer_query q = {.nsfd = -1, .out = out, .ret = 0};
	pthread_t t;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = get_link(name, &f);
	if (ret < 0)
		return ret;
	if (!f.veth || f.link <= 0)
		return 0;
	out->is_veth = true;
	q.ifindex = f.link;
	if (f.netnsid < 0) {
		query_peer(&q);
		return q.ret;
	}
	q.nsfd = open_nsid(f.netnsid);
	if (q.nsfd < 0)
		return -ENOENT;
	// setns() changes the calling thread's namespace: do it in a thread of its own.
	ret = pthread_create(&t, NULL, query_peer, &q);
	if (ret == 0)
		pthread_join(t, NULL);
	else
		q.ret = -ret;
	close(q.nsfd);
	if (q.ret < 0)
		out->napi = false;
	return q.ret;
}
