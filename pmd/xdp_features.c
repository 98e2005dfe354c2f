// SPDX-License-Identifier: Apache-2.0
// The XDP features the kernel lists for a device (the "netdev" generic netlink family,
// NETDEV_CMD_DEV_GET, kernel 6.3+): what `ip link`/ynl show as xdp-features.
#include "xdp_features.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

// From linux/netdev.h of kernels >= 6.3 (Debian 12's headers predate it).
#define VS_NETDEV_FAMILY_NAME "netdev"
#define VS_NETDEV_FAMILY_VERSION 1
#define VS_NETDEV_CMD_DEV_GET 1
#define VS_NETDEV_A_DEV_IFINDEX 1
#define VS_NETDEV_A_DEV_XDP_FEATURES 3

#define BUF 4096

struct req {
	struct nlmsghdr nh;
	struct genlmsghdr g;
	char attrs[64];
};

static void put_attr(struct req *r, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

// Sends 'r' and calls 'attr' for each attribute of the answer. Returns 0 or -errno.
static int transact(int fd, struct req *r, void (*attr)(const struct nlattr *, void *), void *arg)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	char buf[BUF];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	int n, len;

	if (sendto(fd, r, r->nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	n = (int)recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	if (!NLMSG_OK(nh, (unsigned)n))
		return -EIO;
	if (nh->nlmsg_type == NLMSG_ERROR) {
		int err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;

		return err < 0 ? err : -EIO;
	}
	len = (int)nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	if (len < 0)
		return -EIO;
	for (struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(nh) + GENL_HDRLEN);
	     len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len), a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
		attr(a, arg);
	return 0;
}

static void family_id_attr(const struct nlattr *a, void *arg)
{
	if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID && a->nla_len >= NLA_HDRLEN + 2)
		memcpy(arg, (const char *)a + NLA_HDRLEN, 2);
}

static void features_attr(const struct nlattr *a, void *arg)
{
	uint64_t *out = arg;

	if ((a->nla_type & NLA_TYPE_MASK) == VS_NETDEV_A_DEV_XDP_FEATURES &&
	    a->nla_len >= NLA_HDRLEN + 8) {
		memcpy(out, (const char *)a + NLA_HDRLEN, 8);
		out[1] = 1; // found
	}
}

int vs_xdp_features(int ifindex, uint64_t *features)
{
	static uint16_t family; // 0: not resolved yet
	struct req r;
	uint64_t res[2] = {0, 0};
	uint32_t idx = (uint32_t)ifindex;
	int fd, ret;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	if (family == 0) {
		uint16_t id = 0;

		memset(&r, 0, sizeof(r));
		r.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
		r.nh.nlmsg_type = GENL_ID_CTRL;
		r.nh.nlmsg_flags = NLM_F_REQUEST;
		r.g.cmd = CTRL_CMD_GETFAMILY;
		r.g.version = 1;
		put_attr(&r, CTRL_ATTR_FAMILY_NAME, VS_NETDEV_FAMILY_NAME,
			 sizeof(VS_NETDEV_FAMILY_NAME));
		ret = transact(fd, &r, family_id_attr, &id);
		if (ret < 0 || id == 0) {
			close(fd);
			return ret < 0 ? ret : -ENOENT;
		}
		family = id;
	}
	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r.nh.nlmsg_type = family;
	r.nh.nlmsg_flags = NLM_F_REQUEST;
	r.g.cmd = VS_NETDEV_CMD_DEV_GET;
	r.g.version = VS_NETDEV_FAMILY_VERSION;
	put_attr(&r, VS_NETDEV_A_DEV_IFINDEX, &idx, sizeof(idx));
	ret = transact(fd, &r, features_attr, res);
	close(fd);
	if (ret < 0)
		return ret;
	if (!res[1])
		return -ENOENT;
	*features = res[0];
	return 0;
}
