// SPDX-License-Identifier: Apache-2.0
// The shared maps of the XDP fast path and the writes into them (control thread only).
#include "xdp_fastpath.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <vs/log.h>
#include <vs/mac.h>

#include "afxdp.h"
#include "netdev.h"
#include "bpf/xsk_fastpath.h"
#include "port.h"
#include "veth_peer.h"
#include "xdp_features.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

VS_LOG_MODULE("xdp-fastpath");

static struct {
	bool tried, ok;
	int fdb_fd, tx_fd, ctr_fd;
	int n_cpus;
} fp = {.fdb_fd = -1, .tx_fd = -1, .ctr_fd = -1};

static void maps_create(void)
{
	fp.tried = true;
	fp.n_cpus = libbpf_num_possible_cpus();
	fp.fdb_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "vs_fp_fdb", sizeof(struct vs_fp_key),
				   sizeof(struct vs_fp_val), VS_FP_FDB_ENTRIES, NULL);
	fp.tx_fd = bpf_map_create(BPF_MAP_TYPE_DEVMAP, "vs_fp_tx", sizeof(uint32_t),
				  sizeof(uint32_t), VS_FP_MAX_PORTS, NULL);
	fp.ctr_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "vs_fp_ctrs", sizeof(uint32_t),
				   sizeof(struct vs_fp_ctr), VS_FP_MAX_PORTS, NULL);
	fp.ok = fp.n_cpus > 0 && fp.fdb_fd >= 0 && fp.tx_fd >= 0 && fp.ctr_fd >= 0;
	if (!fp.ok)
		VS_LOG(WARN, "cannot create the XDP fast path maps (%s): fastpath=xdp unavailable",
		       strerror(errno));
}

void vs_xdp_fastpath_prepare(struct bpf_object *obj)
{
	static const char *const names[] = {"vs_fp_fdb", "vs_fp_tx", "vs_fp_ctrs"};
	int fds[3];

	if (!fp.tried)
		maps_create();
	if (!fp.ok)
		return;
	fds[0] = fp.fdb_fd;
	fds[1] = fp.tx_fd;
	fds[2] = fp.ctr_fd;
	for (int i = 0; i < 3; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, names[i]);

		if (map == NULL || bpf_map__reuse_fd(map, fds[i]) < 0) {
			VS_LOG(WARN, "cannot share the fast path map %s: fastpath=xdp unavailable",
			       names[i]);
			fp.ok = false;
			return;
		}
	}
}

static void port_state(struct vs_port *port, struct vs_fp_port_state *st)
{
	struct vs_veth_peer peer;
	int ifindex = 0, mtu = 0;
	uint64_t xf = 0;
	bool sg = false;

	memset(st, 0, sizeof(*st));
	if (!fp.ok || vs_afxdp_fp_cfg(port, &ifindex) == NULL)
		return;
	st->capable = true;
	st->ifindex = (uint32_t)ifindex;
	if (vs_veth_peer(port->name, &peer) < 0 || !peer.is_veth || !peer.napi ||
	    vs_netdev_mtu(port->name, &mtu) < 0)
		return;
	// The kernel must also list the device as a redirect target: a veth's xdp-features
	// are computed when something changes, and GRO turned on in a peer that was down at
	// the time leaves them without ndo-xmit (the kernel would drop every frame redirected
	// to it). Multi-buffer frames need ndo-xmit-sg. Kernels before 6.3 cannot tell: the
	// peer's NAPI decides there, and multi-buffer frames go through userspace.
	if (vs_xdp_features(ifindex, &xf) == 0) {
		if (!(xf & VS_XDP_ACT_NDO_XMIT))
			return;
		sg = (xf & VS_XDP_ACT_NDO_XMIT_SG) != 0;
	}
	// A frame must fit the MTU of the device (xdp_ok_fwd_dev) and of its peer
	// (veth_xdp_xmit); VLAN-tagged frames never take the fast path.
	st->max_len = (uint32_t)(peer.mtu < mtu ? peer.mtu : mtu) + 14;
	st->egress = true;
	st->sg = sg;
}

static int port_set(struct vs_port *port, uint16_t bridge, bool ingress, bool egress)
{
	struct vs_fp_port *cfg;
	uint32_t key = port->id;
	int ifindex = 0;

	if (!fp.ok)
		return -ENODEV;
	cfg = vs_afxdp_fp_cfg(port, &ifindex);
	if (cfg == NULL)
		return -ENODEV;
	// The devmap slot first, so that no program forwards to a port it was just taken from.
	if (egress) {
		uint32_t val = (uint32_t)ifindex;

		if (bpf_map_update_elem(fp.tx_fd, &key, &val, BPF_ANY) < 0)
			return -errno;
	} else {
		bpf_map_delete_elem(fp.tx_fd, &key);
	}
	__atomic_store_n(&cfg->bridge, bridge, __ATOMIC_RELAXED);
	__atomic_store_n(&cfg->port, port->id, __ATOMIC_RELAXED);
	__atomic_store_n(&cfg->enabled, ingress ? 1u : 0u, __ATOMIC_RELEASE);
	return 0;
}

static void port_clear(uint16_t id)
{
	uint32_t key = id;
	struct vs_fp_ctr zero[fp.n_cpus > 0 ? fp.n_cpus : 1];

	if (!fp.ok)
		return;
	bpf_map_delete_elem(fp.tx_fd, &key);
	memset(zero, 0, sizeof(zero));
	bpf_map_update_elem(fp.ctr_fd, &key, zero, BPF_ANY);
}

static void make_key(struct vs_fp_key *k, uint16_t bridge, uint64_t mac)
{
	memset(k, 0, sizeof(*k));
	k->bridge = bridge;
	vs_mac_to_bytes(mac, k->mac);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); // bpf_ktime_get_ns()'s clock
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int fdb_put(uint16_t bridge, uint64_t mac, uint16_t port, const struct vs_fp_port_state *st)
{
	struct vs_fp_key k;
	struct vs_fp_val v = {0}, old;

	if (!fp.ok)
		return -ENODEV;
	make_key(&k, bridge, mac);
	v.port = port;
	v.flags = (uint16_t)((st->egress ? VS_FP_F_EGRESS : 0) | (st->sg ? VS_FP_F_SG : 0));
	v.ifindex = st->ifindex;
	v.max_len = st->max_len;
	// Keep the last-seen time of an entry that stays on its port.
	if (bpf_map_lookup_elem(fp.fdb_fd, &k, &old) == 0 && old.port == port)
		v.seen_ns = old.seen_ns;
	if (bpf_map_update_elem(fp.fdb_fd, &k, &v, BPF_ANY) < 0)
		return -errno;
	return 0;
}

static int fdb_del(uint16_t bridge, uint64_t mac)
{
	struct vs_fp_key k;

	if (!fp.ok)
		return -ENODEV;
	make_key(&k, bridge, mac);
	if (bpf_map_delete_elem(fp.fdb_fd, &k) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static int64_t fdb_idle_ns(uint16_t bridge, uint64_t mac)
{
	struct vs_fp_key k;
	struct vs_fp_val v;
	uint64_t now;

	if (!fp.ok)
		return -1;
	make_key(&k, bridge, mac);
	if (bpf_map_lookup_elem(fp.fdb_fd, &k, &v) < 0 || v.seen_ns == 0)
		return -1;
	now = mono_ns();
	return now > v.seen_ns ? (int64_t)(now - v.seen_ns) : 0;
}

static void port_ctrs(uint16_t id, struct vs_fp_ctrs *out)
{
	uint32_t key = id;
	struct vs_fp_ctr per[fp.n_cpus > 0 ? fp.n_cpus : 1];

	memset(out, 0, sizeof(*out));
	if (!fp.ok || bpf_map_lookup_elem(fp.ctr_fd, &key, per) < 0)
		return;
	for (int c = 0; c < fp.n_cpus; c++) {
		out->rx_packets += per[c].rx_packets;
		out->rx_bytes += per[c].rx_bytes;
		out->tx_packets += per[c].tx_packets;
		out->tx_bytes += per[c].tx_bytes;
		out->rx_csum += per[c].rx_csum;
	}
}

static int64_t tx_dropped(struct vs_port *port)
{
	char path[96], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/tx_dropped", port->name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

const struct vs_fastpath_ops vs_xdp_fastpath_ops = {
	.port_state = port_state,
	.port_set = port_set,
	.port_clear = port_clear,
	.fdb_put = fdb_put,
	.fdb_del = fdb_del,
	.fdb_idle_ns = fdb_idle_ns,
	.port_ctrs = port_ctrs,
	.tx_dropped = tx_dropped,
};
