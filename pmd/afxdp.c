// SPDX-License-Identifier: Apache-2.0
// AF_XDP port driver (libxdp sockets): one AF_XDP socket with its own UMEM per queue.
// Internals and the design of the UMEM and multi-buffer receive: pmd/afxdp_int.h.
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <vs/log.h>

#include "afxdp.h"
#include "afxdp_int.h"
#include "netdev.h"
#include "port.h"
#include "xdp_fastpath.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "bpf/xsk_fastpath.h"

VS_LOG_MODULE("afxdp");

static void afxdp_close(struct vs_port *port)
{
	struct afxdp_port *ap = port->priv;

	if (ap == NULL)
		return;
	if (ap->sg) {
		uint64_t multi = 0, copied = 0;

		for (uint16_t i = 0; i < ap->n_queues; i++) {
			if (ap->q[i] == NULL)
				continue;
			multi += ap->q[i]->rx_multi;
			copied += ap->q[i]->rx_gathered;
		}
		VS_LOG(INFO, "%s: %llu multi-descriptor frames received, %llu of them copied (%s "
		       "UMEM chunks)", port->name, (unsigned long long)multi,
		       (unsigned long long)copied, ap->unaligned ? "unaligned" : "aligned");
	}
	vs_afxdp_close_queues(ap);
	vs_afxdp_prog_detach(ap);
	if (ap->fp_cfg != NULL)
		munmap(ap->fp_cfg, sizeof(struct vs_fp_port));
	bpf_object__close(ap->obj);
	free(ap);
	port->priv = NULL;
}

// xdp-filter=all|vxlan, vxlan-ip=A.B.C.D, vxlan-port=N (set by vxlan underlays).
static int parse_filter_opt(struct afxdp_port *f, const struct vs_opt *opt, char *err,
			    size_t errlen)
{
	struct in_addr a;
	char *end;
	long v;

	if (strcmp(opt->key, "xdp-filter") == 0) {
		if (strcmp(opt->val, "all") && strcmp(opt->val, "vxlan")) {
			snprintf(err, errlen, "invalid xdp-filter '%s' (all or vxlan)", opt->val);
			return -EINVAL;
		}
		f->vxlan_filter = strcmp(opt->val, "vxlan") == 0;
		return 1;
	}
	if (strcmp(opt->key, "vxlan-ip") == 0) {
		if (inet_pton(AF_INET, opt->val, &a) != 1) {
			snprintf(err, errlen, "invalid vxlan-ip '%s'", opt->val);
			return -EINVAL;
		}
		f->vtep_ip = a.s_addr;
		return 1;
	}
	if (strcmp(opt->key, "vxlan-port") == 0) {
		errno = 0;
		v = strtol(opt->val, &end, 10);
		if (errno || *end || end == opt->val || v < 1 || v > 65535) {
			snprintf(err, errlen, "invalid vxlan-port '%s' (1-65535)", opt->val);
			return -EINVAL;
		}
		f->vtep_port = (uint16_t)v;
		return 1;
	}
	return 0;
}

static int parse_opts(const struct vs_opt *opts, size_t n_opts, const char **mode, long *queues,
		      long *busy_us, struct afxdp_port *filter, char *err, size_t errlen)
{
	for (size_t i = 0; i < n_opts; i++) {
		int f = parse_filter_opt(filter, &opts[i], err, errlen);

		if (f < 0)
			return f;
		if (f > 0)
			continue;
		if (strcmp(opts[i].key, "busy-poll") == 0) {
			char *end;

			errno = 0;
			*busy_us = strtol(opts[i].val, &end, 10);
			if (errno || *end || end == opts[i].val || *busy_us < 0 || *busy_us > 1000) {
				snprintf(err, errlen,
					 "invalid busy-poll '%s' (microseconds, 0-1000; 0 = off)",
					 opts[i].val);
				return -EINVAL;
			}
			continue;
		}
		if (strcmp(opts[i].key, "xdp-mode") == 0) {
			*mode = opts[i].val;
			if (strcmp(*mode, "auto") && strcmp(*mode, "native") &&
			    strcmp(*mode, "generic")) {
				snprintf(err, errlen,
					 "invalid xdp-mode '%s' (expected auto, native or generic)",
					 *mode);
				return -EINVAL;
			}
		} else if (strcmp(opts[i].key, "queues") == 0) {
			char *end;

			errno = 0;
			*queues = strtol(opts[i].val, &end, 10);
			if (errno || *end || end == opts[i].val || *queues < 1 ||
			    *queues > VS_AFXDP_MAX_QUEUES) {
				snprintf(err, errlen, "invalid queues '%s' (expected 1-%d)",
					 opts[i].val, VS_AFXDP_MAX_QUEUES);
				return -EINVAL;
			}
		} else {
			snprintf(err, errlen, "unknown option for afxdp port: %s", opts[i].key);
			return -EINVAL;
		}
	}
	return 0;
}

// The headroom every received frame has (port->rx_headroom, see VS_AFXDP_HEADROOM): all of
// the chunk's in an aligned UMEM; in an unaligned one what the longest frame of 'mtu' leaves
// free of the previous chunk's data room, if that is worth promising.
static uint16_t rx_headroom(const struct afxdp_port *ap, int mtu)
{
	int left = (int)VS_AFXDP_RX_STRIDE - (mtu + VS_AFXDP_L2_OVERHEAD);

	if (!ap->unaligned)
		return VS_AFXDP_HEADROOM;
	if (!(ap->xdp_flags & XDP_FLAGS_DRV_MODE) || mtu <= 0 || left < 64)
		return 0;
	return (uint16_t)(left < VS_AFXDP_HEADROOM ? left : VS_AFXDP_HEADROOM);
}

static int afxdp_open(struct vs_port *port, const struct vs_opt *opts, size_t n_opts, char *err,
		      size_t errlen)
{
	const char *mode = "auto";
	struct afxdp_port *ap, filter = {0};
	long queues = 1, busy_us = 0;
	uint32_t prog_id = 0, max_frame;
	int ifindex, dev_queues, mtu = 0, ret;

	ret = parse_opts(opts, n_opts, &mode, &queues, &busy_us, &filter, err, errlen);
	if (ret < 0)
		return ret;
	if (filter.vxlan_filter && (filter.vtep_ip == 0 || filter.vtep_port == 0)) {
		snprintf(err, errlen, "xdp-filter=vxlan needs vxlan-ip and vxlan-port");
		return -EINVAL;
	}
	ifindex = vs_netdev_ifindex(port->name);
	if (ifindex <= 0) {
		snprintf(err, errlen, "no such network device: %s", port->name);
		return -ENODEV;
	}
	dev_queues = vs_netdev_rx_queues(port->name);
	if (dev_queues > 0 && queues > dev_queues) {
		snprintf(err, errlen, "%s has %d rx queue%s, cannot use queues=%ld", port->name,
			 dev_queues, dev_queues == 1 ? "" : "s", queues);
		return -EINVAL;
	}
	if (bpf_xdp_query_id(ifindex, 0, &prog_id) == 0 && prog_id != 0) {
		char name[BPF_OBJ_NAME_LEN] = "";

		vs_afxdp_prog_name(prog_id, name, sizeof(name));
		if (strcmp(name, "vs_xsk_redirect") == 0 || strcmp(name, "vs_xsk_vxlan") == 0)
			snprintf(err, errlen,
				 "%s already has vswitchd's XDP program attached (id %u): another "
				 "vswitchd uses it, or one was killed without cleaning up (then "
				 "remove it with 'ip link set dev %s xdp off')",
				 port->name, prog_id, port->name);
		else
			snprintf(err, errlen,
				 "%s already has an XDP program attached (id %u%s%s); vswitchd will "
				 "not replace it",
				 port->name, prog_id, name[0] ? ", " : "", name);
		return -EBUSY;
	}
	vs_netdev_mtu(port->name, &mtu);
	ap = calloc(1, sizeof(*ap));
	if (ap == NULL) {
		snprintf(err, errlen, "%s: out of memory", port->name);
		return -ENOMEM;
	}
	libxdp_set_print(vs_afxdp_libxdp_print);
	ap->ifindex = ifindex;
	ap->n_queues = (uint16_t)queues;
	ap->busy_poll_us = (uint32_t)busy_us;
	ap->prog_fd = ap->xsks_fd = -1;
	ap->vxlan_filter = filter.vxlan_filter;
	ap->vtep_ip = filter.vtep_ip;
	ap->vtep_port = filter.vtep_port;
	ret = vs_afxdp_prog_load(port, ap, err, errlen);
	if (ret < 0)
		goto err;
	ap->xdp_flags = strcmp(mode, "generic") == 0 ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	ret = vs_afxdp_attach_mode(port, ap, err, errlen);
	// Fall back only when the driver cannot do native XDP, not when something is busy.
	if (ret < 0 && ret != -EBUSY && strcmp(mode, "auto") == 0) {
		VS_LOG(INFO, "%s: native XDP failed (%s), falling back to generic", port->name, err);
		ap->xdp_flags = XDP_FLAGS_SKB_MODE;
		ret = vs_afxdp_attach_mode(port, ap, err, errlen);
	}
	if (ret < 0)
		goto err;
	max_frame = ap->sg ? VS_AFXDP_MAX_FRAME : VS_AFXDP_MAX_FRAME_1BUF;
	if (mtu + VS_AFXDP_L2_OVERHEAD > (int)max_frame) {
		snprintf(err, errlen,
			 "%s: MTU %d is too large: frames are limited to %u bytes%s (MTU %u)",
			 port->name, mtu, max_frame,
			 ap->sg ? "" : " without AF_XDP multi-buffer (kernel 6.6+)",
			 max_frame - VS_AFXDP_L2_OVERHEAD);
		vs_afxdp_close_queues(ap);
		vs_afxdp_prog_detach(ap);
		ret = -EINVAL;
		goto err;
	}
	port->priv = ap;
	port->n_rxq = ap->n_queues;
	port->n_txq = ap->n_queues;
	port->max_frame = max_frame;
	port->rx_headroom = rx_headroom(ap, mtu);
	for (uint16_t i = 0; i < ap->n_queues; i++)
		ap->q[i]->hr_limit = ap->unaligned && port->rx_headroom
					     ? (uint32_t)(VS_AFXDP_RX_STRIDE - port->rx_headroom)
					     : UINT32_MAX;
	vs_port_set_opt(port, "xdp-mode", "%s", vs_afxdp_mode_name(ap->xdp_flags));
	vs_port_set_opt(port, "queues", "%u", ap->n_queues);
	vs_port_set_opt(port, "multi-buffer", "%s", ap->sg ? "on" : "off");
	vs_port_set_opt(port, "max-frame", "%u", max_frame);
	if (ap->busy_poll_us)
		vs_port_set_opt(port, "busy-poll", "%u", ap->busy_poll_us);
	if (ap->vxlan_filter)
		vs_port_set_opt(port, "xdp-filter", "vxlan");
	if (ap->xdp_flags & XDP_FLAGS_SKB_MODE)
		VS_LOG(WARN,
		       "%s: generic XDP does not see frames the kernel aggregated (TSO/GSO/GRO): "
		       "turn off tso and gso on the sending peer, or use xdp-mode=native",
		       port->name);
	VS_LOG(INFO, "%s: AF_XDP port open, ifindex %d, %u queue(s), %s XDP, frames up to %u bytes",
	       port->name, ifindex, ap->n_queues, vs_afxdp_mode_name(ap->xdp_flags), max_frame);
	return 0;
err:
	if (ap->fp_cfg != NULL)
		munmap(ap->fp_cfg, sizeof(struct vs_fp_port));
	bpf_object__close(ap->obj);
	free(ap);
	return ret;
}

const struct vs_port_ops vs_afxdp_ops = {
	.type = "afxdp",
	.open = afxdp_open,
	.close = afxdp_close,
	.rx_burst = vs_afxdp_rx_burst,
	.rx_done = vs_afxdp_rx_done,
	.tx_burst = vs_afxdp_tx_burst,
	.tx_flush = vs_afxdp_tx_flush,
	.rx_fd = vs_afxdp_rx_fd,
	.driver_drops = vs_afxdp_driver_drops,
};
