// SPDX-License-Identifier: Apache-2.0
// Next hops of remote VTEPs from the kernel (rtnetlink, in vswitchd's network namespace):
// the route to the VTEP gives the gateway (or the VTEP itself when it is on-link), the
// neighbour table its MAC. A missing, failed or stale entry is handed to the kernel to
// (re)resolve with NTF_USE, as if traffic had used it: it sends the ARP requests, and a
// later call finds the answer. Control thread only; requests time out after 500 ms.
#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vs/log.h>
#include <vs/mac.h>

#include "../../pmd/netdev.h"
#include "vxlan.h"

VS_LOG_MODULE("vxlan");

#define NL_BUF 8192

static int nl_fd = -1;
static uint32_t nl_seq;

static int nl_open(void)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	struct timeval tv = {.tv_sec = 0, .tv_usec = 500000};

	if (nl_fd >= 0)
		return 0;
	nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl_fd < 0)
		return -errno;
	if (bind(nl_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(nl_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		int e = errno;

		close(nl_fd);
		nl_fd = -1;
		return -e;
	}
	return 0;
}

static void nl_reset(void)
{
	if (nl_fd >= 0)
		close(nl_fd);
	nl_fd = -1;
}

static void add_attr(struct nlmsghdr *n, size_t max, uint16_t type, const void *data, uint16_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	if (NLMSG_ALIGN(n->nlmsg_len) + RTA_SPACE(len) > max)
		return;
	rta->rta_type = type;
	rta->rta_len = (uint16_t)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	n->nlmsg_len = (uint32_t)(NLMSG_ALIGN(n->nlmsg_len) + RTA_SPACE(len));
}

// Sends 'req' and waits for its answer: returns the answer (in 'buf') or NULL with '*ret' set
// to -errno (0 for a plain acknowledgement).
static struct nlmsghdr *nl_call(struct nlmsghdr *req, uint8_t *buf, int *ret)
{
	*ret = nl_open();
	if (*ret < 0)
		return NULL;
	req->nlmsg_seq = ++nl_seq;
	if (send(nl_fd, req, req->nlmsg_len, 0) < 0) {
		*ret = -errno;
		nl_reset();
		return NULL;
	}
	for (;;) {
		ssize_t n = recv(nl_fd, buf, NL_BUF, 0);
		struct nlmsghdr *h;

		if (n < 0) {
			*ret = errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
			nl_reset(); // a late answer must not be taken for the next one
			return NULL;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (uint32_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != req->nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				*ret = e->error;
				return NULL;
			}
			*ret = 0;
			return h;
		}
	}
}

#define NL_FAMILY_HDR 32 // room for the family header of a request (rtmsg, ndmsg)
_Static_assert(sizeof(struct rtmsg) <= NL_FAMILY_HDR && sizeof(struct ndmsg) <= NL_FAMILY_HDR,
	       "NL_FAMILY_HDR too small");

// Sends a request 'type' ('flags') made of the family header 'fam' ('fam_len' bytes) and the
// IPv4 address 'ip' (network order) as attribute 'ip_attr', and waits for its answer: see
// nl_call.
static struct nlmsghdr *nl_call_ip(uint16_t type, uint16_t flags, const void *fam, size_t fam_len,
				   uint16_t ip_attr, uint32_t ip, uint8_t *buf, int *ret)
{
	struct {
		struct nlmsghdr n;
		char fam[NL_FAMILY_HDR];
		char attrs[64];
	} req = {0};

	req.n.nlmsg_len = NLMSG_LENGTH(fam_len);
	req.n.nlmsg_type = type;
	req.n.nlmsg_flags = flags;
	memcpy(NLMSG_DATA(&req.n), fam, fam_len);
	add_attr(&req.n, sizeof(req), ip_attr, &ip, 4);
	return nl_call(&req.n, buf, ret);
}

// The next hop towards 'ip' (network order) and the device the route leaves by.
static int route_get(uint32_t ip, uint32_t *nexthop, int *oif)
{
	const struct rtmsg rq = {.rtm_family = AF_INET, .rtm_dst_len = 32};
	uint8_t buf[NL_BUF] __attribute__((aligned(4)));
	struct nlmsghdr *h;
	struct rtattr *rta;
	struct rtmsg *r;
	int ret, len;

	h = nl_call_ip(RTM_GETROUTE, NLM_F_REQUEST, &rq, sizeof(rq), RTA_DST, ip, buf, &ret);
	if (h == NULL)
		return ret < 0 ? ret : -EPROTO;
	if (h->nlmsg_type != RTM_NEWROUTE)
		return -EPROTO;
	r = NLMSG_DATA(h);
	if (r->rtm_type != RTN_UNICAST)
		return -ENETUNREACH;
	*nexthop = ip;
	*oif = 0;
	len = (int)RTM_PAYLOAD(h);
	for (rta = RTM_RTA(r); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == RTA_GATEWAY && RTA_PAYLOAD(rta) == 4)
			memcpy(nexthop, RTA_DATA(rta), 4);
		else if (rta->rta_type == RTA_OIF && RTA_PAYLOAD(rta) == 4)
			memcpy(oif, RTA_DATA(rta), 4);
	}
	return 0;
}

// The neighbour entry of 'ip' (network order) on 'ifindex': its state and MAC.
static int neigh_get(int ifindex, uint32_t ip, uint16_t *state, uint64_t *mac)
{
	const struct ndmsg rq = {.ndm_family = AF_INET, .ndm_ifindex = ifindex};
	uint8_t buf[NL_BUF] __attribute__((aligned(4)));
	struct nlmsghdr *h;
	struct rtattr *rta;
	struct ndmsg *nd;
	int ret, len;

	h = nl_call_ip(RTM_GETNEIGH, NLM_F_REQUEST, &rq, sizeof(rq), NDA_DST, ip, buf, &ret);
	if (h == NULL)
		return ret < 0 ? ret : -EPROTO;
	if (h->nlmsg_type != RTM_NEWNEIGH)
		return -EPROTO;
	nd = NLMSG_DATA(h);
	*state = nd->ndm_state;
	*mac = 0;
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*nd)));
	for (rta = (struct rtattr *)((char *)nd + NLMSG_ALIGN(sizeof(*nd))); RTA_OK(rta, len);
	     rta = RTA_NEXT(rta, len))
		if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) == 6)
			*mac = vs_mac_from_bytes(RTA_DATA(rta));
	return 0;
}

// Asks the kernel to resolve (or re-confirm) 'ip' on 'ifindex', as traffic would.
static int neigh_use(int ifindex, uint32_t ip)
{
	const struct ndmsg rq = {
		.ndm_family = AF_INET,
		.ndm_ifindex = ifindex,
		.ndm_state = NUD_NONE,
		.ndm_flags = NTF_USE,
	};
	uint8_t buf[NL_BUF] __attribute__((aligned(4)));
	int ret;

	nl_call_ip(RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK, &rq, sizeof(rq), NDA_DST,
		   ip, buf, &ret);
	return ret;
}

static int kernel_neigh(const char *dev, uint32_t ip_host, uint64_t *mac)
{
	uint32_t ip = htonl(ip_host), nh;
	int ifindex = (int)if_nametoindex(dev), oif, ret;
	uint16_t state = 0;
	char ipb[INET_ADDRSTRLEN], nhb[INET_ADDRSTRLEN], oifb[IF_NAMESIZE] = "?";

	if (ifindex == 0)
		return -ENODEV;
	ret = route_get(ip, &nh, &oif);
	inet_ntop(AF_INET, &ip, ipb, sizeof(ipb));
	if (ret < 0) {
		VS_LOG_RL(WARN, "no route to remote VTEP %s: %s", ipb, strerror(-ret));
		return ret;
	}
	if (oif != ifindex) {
		if_indextoname((unsigned)oif, oifb);
		VS_LOG_RL(WARN, "the route to remote VTEP %s leaves by %s, not by the underlay %s",
			  ipb, oifb, dev);
		return -ENETUNREACH;
	}
	ret = neigh_get(ifindex, nh, &state, mac);
	if (ret == 0 &&
	    (state &
	     (NUD_REACHABLE | NUD_PERMANENT | NUD_NOARP | NUD_DELAY | NUD_PROBE | NUD_STALE)) &&
	    *mac != 0) {
		// A stale entry is still right most of the time; have the kernel re-confirm it.
		if (state & NUD_STALE)
			neigh_use(ifindex, nh);
		return 0;
	}
	ret = neigh_use(ifindex, nh);
	if (ret < 0) {
		inet_ntop(AF_INET, &nh, nhb, sizeof(nhb));
		VS_LOG_RL(WARN, "cannot have the kernel resolve %s on %s: %s", nhb, dev,
			  strerror(-ret));
	}
	*mac = 0;
	return -EAGAIN;
}

const struct vs_vxlan_resolver vs_vxlan_kernel_resolver = {
	.dev_mac = vs_netdev_mac,
	.dev_mtu = vs_netdev_mtu,
	.neigh = kernel_neigh,
};
