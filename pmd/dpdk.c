// SPDX-License-Identifier: Apache-2.0
// DPDK port driver (type "dpdk") and the EAL around it. See pmd/dpdk.h and docs/dpdk.md.
//
// Buffers: every received frame is an mbuf; pkt->buf holds its pointer. mbufs come from
// pools shared per (NUMA node, data room) that live as long as the process, so an mbuf
// received on one port can wait in another port's tx ring after its own port is gone. A
// pool's data room fits the largest frame of its ports (MTU + 22), so frames are never
// split across segments on receive; a driver that still chains segments gets them gathered
// into the first one, and a frame larger than the port's largest frame is dropped and counted
// as rx-too-big.
//
// Transmit: a frame that arrived on a dpdk port leaves in the same mbuf, with one more
// reference for each egress port (flooding shares the mbuf; nothing is copied). A frame
// from any other port (AF_XDP UMEM, ...) is copied once into an mbuf of the egress port's
// pool. The PMD threads are registered with the EAL (rte_thread_register) so they have
// mempool caches.
//
// Internals and the other files of the driver: pmd/dpdk_int.h.
#include "dpdk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vs/log.h>

#include "dpdk_int.h"
#include "dpdk_opts.h"

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

VS_LOG_MODULE("dpdk");

#define ERR(code, ...) (snprintf(err, errlen, __VA_ARGS__), -(code))

// Starts keeping the driver's error messages for the next step of dpdk_open().
static void capture_start(void)
{
	vs_dpdk_g.captured[0] = '\0';
	vs_dpdk_g.capture = true;
}

// Why a step failed with 'ret': errno's text, and what the driver logged meanwhile.
static const char *reason(int ret, char *buf, size_t len)
{
	if (vs_dpdk_g.captured[0])
		snprintf(buf, len, "%s (%s)", rte_strerror(-ret), vs_dpdk_g.captured);
	else
		snprintf(buf, len, "%s", rte_strerror(-ret));
	return buf;
}

// The ethdev port of a probed device: by its name, else by matching the devargs.
static int find_port(const struct vs_dpdk_opts *o, uint16_t *out)
{
	struct rte_dev_iterator it;
	uint16_t pid;
	bool found = false;

	if (rte_eth_dev_get_port_by_name(o->dev_name, out) == 0)
		return 0;
	RTE_ETH_FOREACH_MATCHING_DEV(pid, o->devargs, &it)
	{
		if (!found)
			*out = pid;
		found = true;
	}
	return found ? 0 : -ENODEV;
}

// Removes the device of a closed port unless another ethdev port still uses it.
static void remove_device(struct rte_device *dev, const char *name)
{
	uint16_t pid;
	int ret;

	RTE_ETH_FOREACH_DEV_OF(pid, dev)
	return;
	ret = rte_dev_remove(dev);
	if (ret < 0)
		VS_LOG(WARN, "%s: cannot remove device: %s", name, rte_strerror(-ret));
}

// Removes the device 'dev_name' that has no ethernet port to find it by (e.g. a crypto
// vdev): a virtual device, else a PCI one.
static void remove_by_name(const char *dev_name, const char *name)
{
	int ret = rte_eal_hotplug_remove("vdev", dev_name);

	if (ret < 0)
		ret = rte_eal_hotplug_remove("pci", dev_name);
	if (ret < 0)
		VS_LOG(WARN, "%s: cannot remove device %s: %s", name, dev_name, rte_strerror(-ret));
}

static int dpdk_open(struct vs_port *port, const struct vs_opt *opts, size_t n_opts, char *err,
		     size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct dpdk_port *dp;
	uint16_t pid, rxd, txd, mtu;
	bool probed = false, configured = false, have_pid = false;
	uint32_t data_room, overhead, max_mtu;
	char why[600];
	int ret, socket;

	if (vs_dpdk_g.state == VS_DPDK_OFF)
		return ERR(EINVAL,
			   "%s: DPDK is not initialised: start vswitchd with --dpdk \"EAL ARGS\" "
			   "(e.g. --dpdk \"--no-huge -m 512 --no-pci\"; see docs/dpdk.md)",
			   port->name);
	if (vs_dpdk_g.state != VS_DPDK_RUNNING)
		return ERR(EINVAL,
			   "%s: DPDK is not initialised: %s; restart vswitchd with working --dpdk "
			   "arguments",
			   port->name, vs_dpdk_g.error);
	dp = calloc(1, sizeof(*dp));
	if (dp == NULL)
		return ERR(ENOMEM, "%s: out of memory", port->name);
	ret = vs_dpdk_opts_parse(port->name, opts, n_opts, &dp->o, err, errlen);
	if (ret < 0)
		goto err;
	for (unsigned i = 0; i < VS_MAX_PORTS; i++) {
		const struct dpdk_port *other = vs_dpdk_g.ports[i] ? vs_dpdk_g.ports[i]->priv : NULL;

		if (other != NULL && strcmp(other->o.dev_name, dp->o.dev_name) == 0) {
			ret = ERR(EBUSY, "%s: device %s is already port %s", port->name,
				  dp->o.dev_name, vs_dpdk_g.ports[i]->name);
			goto err;
		}
	}
	capture_start();
	ret = rte_dev_probe(dp->o.devargs);
	vs_dpdk_g.capture = false;
	if (ret < 0 && ret != -EEXIST) {
		ret = ERR(EINVAL, "%s: cannot probe device '%s': %s", port->name, dp->o.devargs,
			  vs_dpdk_g.captured[0] ? vs_dpdk_g.captured
					: "no such device, or no driver of that name (see "
					  "vswitchd's log)");
		goto err;
	}
	probed = ret == 0;
	if (find_port(&dp->o, &pid) < 0) {
		ret = ERR(ENODEV, "%s: device '%s' has no ethernet port", port->name,
			  dp->o.devargs);
		goto err_remove;
	}
	dp->port_id = pid;
	have_pid = true;
	ret = rte_eth_dev_info_get(pid, &info);
	if (ret < 0) {
		ret = ERR(EIO, "%s: cannot query device %s: %s", port->name, dp->o.dev_name,
			  rte_strerror(-ret));
		goto err_remove;
	}
	dp->dev = info.device;
	snprintf(dp->driver, sizeof(dp->driver), "%s", info.driver_name);
	dp->gate = strcmp(info.driver_name, "net_memif") == 0;
	if (dp->o.n_rxq > info.max_rx_queues || dp->o.n_txq > info.max_tx_queues) {
		ret = ERR(EINVAL, "%s: %s (%s) has at most %u rx and %u tx queues", port->name,
			  dp->o.dev_name, info.driver_name, info.max_rx_queues, info.max_tx_queues);
		goto err_remove;
	}
	if (dp->o.mtu) {
		mtu = (uint16_t)dp->o.mtu;
	} else if (rte_eth_dev_get_mtu(pid, &mtu) < 0) {
		mtu = RTE_ETHER_MTU;
	}
	// As ethdev checks it: the largest frame the device receives bounds the MTU.
	overhead = info.max_mtu != UINT16_MAX && info.max_rx_pktlen > info.max_mtu
			   ? info.max_rx_pktlen - info.max_mtu
			   : RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
	max_mtu = info.max_rx_pktlen > overhead ? info.max_rx_pktlen - overhead : 0;
	if (max_mtu > info.max_mtu)
		max_mtu = info.max_mtu;
	if (mtu < info.min_mtu || mtu > max_mtu) {
		ret = ERR(EINVAL,
			  "%s: mtu %u is out of the range of %s (%u-%u: frames up to %u bytes)",
			  port->name, mtu, info.driver_name, info.min_mtu, max_mtu,
			  info.max_rx_pktlen);
		goto err_remove;
	}
	memset(&conf, 0, sizeof(conf));
	conf.rxmode.mtu = mtu;
	if (dp->o.n_rxq > 1 && (info.flow_type_rss_offloads & RSS_HF)) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads & RSS_HF;
		dp->rss = true;
	}
	capture_start();
	ret = rte_eth_dev_configure(pid, dp->o.n_rxq, dp->o.n_txq, &conf);
	if (ret < 0) {
		ret = ERR(EINVAL, "%s: cannot configure %s with %u rx / %u tx queues, mtu %u: %s",
			  port->name, dp->o.dev_name, dp->o.n_rxq, dp->o.n_txq, mtu,
			  reason(ret, why, sizeof(why)));
		goto err_remove;
	}
	configured = true;
	rxd = dp->o.rxq_size;
	txd = dp->o.txq_size;
	rte_eth_dev_adjust_nb_rx_tx_desc(pid, &rxd, &txd);
	socket = rte_eth_dev_socket_id(pid);
	port->numa_node = socket >= 0 ? socket : -1;
	if (socket < 0)
		socket = (int)rte_socket_id();
	data_room = RTE_MBUF_DEFAULT_DATAROOM;
	while (data_room < (uint32_t)mtu + L2_OVERHEAD)
		data_room += 1024;
	dp->need = (uint32_t)dp->o.n_rxq * rxd + (uint32_t)dp->o.n_txq * txd;
	dp->pool = vs_dpdk_pool_get(socket, data_room, dp->need, err, errlen);
	if (dp->pool == NULL) {
		snprintf(why, sizeof(why), "%s", err);
		ret = ERR(ENOMEM, "%s: %s", port->name, why);
		goto err_remove;
	}
	dp->pool->reserved += dp->need;
	dp->pool->ports++;
	capture_start();
	for (uint16_t q = 0; q < dp->o.n_rxq; q++) {
		ret = rte_eth_rx_queue_setup(pid, q, rxd, (unsigned)socket, NULL, dp->pool->mp);
		if (ret < 0) {
			ret = ERR(EINVAL, "%s: cannot set up rx queue %u (%u descriptors): %s",
				  port->name, q, rxd, reason(ret, why, sizeof(why)));
			goto err_pool;
		}
	}
	for (uint16_t q = 0; q < dp->o.n_txq; q++) {
		ret = rte_eth_tx_queue_setup(pid, q, txd, (unsigned)socket, NULL);
		if (ret < 0) {
			ret = ERR(EINVAL, "%s: cannot set up tx queue %u (%u descriptors): %s",
				  port->name, q, txd, reason(ret, why, sizeof(why)));
			goto err_pool;
		}
	}
	ret = rte_eth_dev_start(pid);
	if (ret < 0) {
		ret = ERR(EIO, "%s: cannot start %s: %s", port->name, dp->o.dev_name,
			  reason(ret, why, sizeof(why)));
		goto err_pool;
	}
	vs_dpdk_g.capture = false;
	// A bridge port receives frames for every MAC.
	ret = rte_eth_promiscuous_enable(pid);
	if (ret < 0 && ret != -ENOTSUP)
		VS_LOG(WARN, "%s: cannot enable promiscuous mode: %s", port->name,
		       rte_strerror(-ret));
	for (unsigned i = 0; i < VS_MAX_PORTS; i++)
		if (vs_dpdk_g.ports[i] == NULL) {
			vs_dpdk_g.ports[i] = port;
			break;
		}
	port->priv = dp;
	port->n_rxq = dp->o.n_rxq;
	port->n_txq = dp->o.n_txq;
	port->max_frame = (uint32_t)mtu + L2_OVERHEAD;
	// memif descriptors carry no offload flags: a peer cannot hand over a frame with a
	// partial checksum, so the pipeline's checksum completion has nothing to do.
	port->rx_csum_full = dp->gate;
	// Receive mbufs start RTE_PKTMBUF_HEADROOM into their buffer (rte_pktmbuf_reset());
	// vs_dpdk_rx_burst() withdraws the promise if a device hands over one that does not.
	port->rx_headroom = RTE_PKTMBUF_HEADROOM;
	vs_port_set_opt(port, "n_rxq", "%u", dp->o.n_rxq);
	vs_port_set_opt(port, "n_txq", "%u", dp->o.n_txq);
	vs_port_set_opt(port, "rxq_size", "%u", rxd);
	vs_port_set_opt(port, "txq_size", "%u", txd);
	vs_port_set_opt(port, "mtu", "%u", mtu);
	vs_port_set_opt(port, "rss", "%s", dp->rss ? "on" : "off");
	VS_LOG(INFO,
	       "%s: %s (%s), ethdev port %u, NUMA node %d, %u rx / %u tx queues, mtu %u, pool %s",
	       port->name, dp->o.devargs, info.driver_name, pid, port->numa_node, dp->o.n_rxq,
	       dp->o.n_txq, mtu, dp->pool->mp->name);
	return 0;

err_pool:
	vs_dpdk_g.capture = false;
	dp->pool->reserved -= dp->need;
	dp->pool->ports--;
err_remove:
	vs_dpdk_g.capture = false;
	// A device this call probed goes away again; one that was there before stays.
	if (probed) {
		if (have_pid)
			rte_eth_dev_close(pid);
		if (dp->dev != NULL)
			remove_device(dp->dev, port->name);
		else
			remove_by_name(dp->o.dev_name, port->name);
	} else if (configured) {
		rte_eth_dev_close(pid);
	}
err:
	free(dp);
	return ret;
}

static void dpdk_close(struct vs_port *port)
{
	struct dpdk_port *dp = port->priv;
	int ret;

	if (dp == NULL)
		return;
	for (unsigned i = 0; i < VS_MAX_PORTS; i++)
		if (vs_dpdk_g.ports[i] == port)
			vs_dpdk_g.ports[i] = NULL;
	ret = rte_eth_dev_stop(dp->port_id);
	if (ret < 0)
		VS_LOG(WARN, "%s: cannot stop: %s", port->name, rte_strerror(-ret));
	rte_eth_dev_close(dp->port_id);
	remove_device(dp->dev, port->name);
	dp->pool->reserved -= dp->need;
	dp->pool->ports--;
	VS_LOG(INFO, "%s: closed and removed %s", port->name, dp->o.devargs);
	free(dp);
	port->priv = NULL;
}

const struct vs_port_ops vs_dpdk_ops = {
	.type = "dpdk",
	.open = dpdk_open,
	.close = dpdk_close,
	.rx_burst = vs_dpdk_rx_burst,
	.rx_done = vs_dpdk_rx_done,
	.tx_burst = vs_dpdk_tx_burst,
	.tx_rx_burst = vs_dpdk_tx_rx_burst,
	.driver_drops = vs_dpdk_driver_drops,
	.show_info = vs_dpdk_show_info,
	.stats_info = vs_dpdk_stats_info,
	.thread_init = vs_dpdk_thread_init,
	.thread_exit = vs_dpdk_thread_exit,
};
