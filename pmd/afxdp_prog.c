// SPDX-License-Identifier: Apache-2.0
// AF_XDP port driver: the XDP program (pmd/bpf/xsk_redirect.bpf.c or, with xdp-filter=vxlan,
// pmd/bpf/xsk_vxlan.bpf.c, both embedded in the binary): load, attach, detach, and the
// fast-path configuration in its .bss. See pmd/afxdp_int.h.
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vs/log.h>

#include "afxdp.h"
#include "afxdp_int.h"
#include "port.h"
#include "xdp_fastpath.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "bpf/xsk_fastpath.h"

// pmd/bpf/xsk_redirect.bpf.c, compiled and embedded at build time.
extern const unsigned char vs_xsk_redirect_obj[];
extern const size_t vs_xsk_redirect_obj_len;
// pmd/bpf/xsk_vxlan.bpf.c, likewise.
extern const unsigned char vs_xsk_vxlan_obj[];
extern const size_t vs_xsk_vxlan_obj_len;

VS_LOG_MODULE("afxdp");

int vs_afxdp_libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	if (level == LIBXDP_DEBUG && vs_log_level < VS_LOG_DEBUG)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	if (n > 0 && msg[n - 1] == '\n')
		msg[n - 1] = '\0';
	// libxdp warns when it falls back from its dispatcher; that is expected without bpffs.
	VS_LOG(DEBUG, "libxdp: %s", msg);
	return 0;
}

void vs_afxdp_prog_detach(struct afxdp_port *ap)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = ap->prog_fd);

	// Only if it is still ours: never remove a program someone else attached since.
	bpf_xdp_detach(ap->ifindex, ap->xdp_flags, &opts);
}

int vs_afxdp_prog_load(struct vs_port *port, struct afxdp_port *ap, char *err, size_t errlen)
{
	const char *prog_name = ap->vxlan_filter ? "vs_xsk_vxlan" : "vs_xsk_redirect";
	struct bpf_program *prog;
	struct bpf_map *map;
	int ret;

	if (ap->vxlan_filter)
		ap->obj = bpf_object__open_mem(vs_xsk_vxlan_obj, vs_xsk_vxlan_obj_len, NULL);
	else
		ap->obj = bpf_object__open_mem(vs_xsk_redirect_obj, vs_xsk_redirect_obj_len, NULL);
	if (ap->obj != NULL && !ap->vxlan_filter)
		vs_xdp_fastpath_prepare(ap->obj); // the fast path's shared maps
	if (ap->obj == NULL) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot open the XDP program: %s", port->name,
			 strerror(-ret));
		return ret;
	}
	ret = bpf_object__load(ap->obj);
	prog = bpf_object__find_program_by_name(ap->obj, prog_name);
	map = bpf_object__find_map_by_name(ap->obj, "vs_xsks");
	if (ret < 0 || prog == NULL || map == NULL) {
		ret = ret < 0 ? ret : -ENOENT;
		snprintf(err, errlen, "%s: cannot load the XDP program: %s", port->name,
			 strerror(-ret));
		bpf_object__close(ap->obj);
		ap->obj = NULL;
		return ret;
	}
	ap->prog_fd = bpf_program__fd(prog);
	ap->xsks_fd = bpf_map__fd(map);
	if (!ap->vxlan_filter) {
		// The program's .bss, mapped shared: the fast-path configuration it reads.
		struct bpf_map *bss = bpf_object__find_map_by_name(ap->obj, ".bss");
		void *m = bss ? mmap(NULL, sizeof(struct vs_fp_port), PROT_READ | PROT_WRITE,
				     MAP_SHARED, bpf_map__fd(bss), 0)
			      : MAP_FAILED;

		ap->fp_cfg = m == MAP_FAILED ? NULL : m;
	}
	if (ap->vxlan_filter) {
		struct {
			uint32_t ip;
			uint16_t port;
			uint16_t pad;
		} vtep = {.ip = ap->vtep_ip, .port = htons(ap->vtep_port)};
		uint32_t key = 0;

		map = bpf_object__find_map_by_name(ap->obj, "vs_vtep");
		ret = map ? bpf_map_update_elem(bpf_map__fd(map), &key, &vtep, BPF_ANY) : -ENOENT;
		if (ret < 0) {
			ret = -errno;
			snprintf(err, errlen, "%s: cannot configure the XDP filter: %s",
				 port->name, strerror(-ret));
			bpf_object__close(ap->obj);
			ap->obj = NULL;
			return ret;
		}
	}
	return 0;
}


// Attaches the program in the mode of 'ap->xdp_flags' and opens the sockets, with
// multi-buffer if the kernel binds it.
int vs_afxdp_attach_mode(struct vs_port *port, struct afxdp_port *ap, char *err, size_t errlen)
{
	int ret = bpf_xdp_attach(ap->ifindex, ap->prog_fd,
				 ap->xdp_flags | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);

	if (ret < 0) {
		snprintf(err, errlen, "%s: cannot attach XDP program (%s mode): %s", port->name,
			 vs_afxdp_mode_name(ap->xdp_flags), strerror(-ret));
		return ret;
	}
	ap->sg = true;
	ap->unaligned = true;
	ret = vs_afxdp_open_queues(port, ap, err, errlen);
	if (ret == -EINVAL || ret == -EOPNOTSUPP) {
		VS_LOG(INFO, "%s: unaligned UMEM chunks refused (%s); multi-descriptor frames "
		       "will be copied", port->name, strerror(-ret));
		ap->unaligned = false;
		ret = vs_afxdp_open_queues(port, ap, err, errlen);
	}
	if (ret == -EINVAL || ret == -EOPNOTSUPP) {
		VS_LOG(INFO, "%s: AF_XDP multi-buffer refused (%s); frames limited to %d bytes",
		       port->name, strerror(-ret), VS_AFXDP_MAX_FRAME_1BUF);
		ap->sg = false;
		ret = vs_afxdp_open_queues(port, ap, err, errlen);
	}
	if (ret < 0)
		vs_afxdp_prog_detach(ap);
	return ret;
}

// The name of the BPF program 'id', or "" if it cannot be read.
void vs_afxdp_prog_name(uint32_t id, char *name, size_t len)
{
	struct bpf_prog_info info = {0};
	uint32_t info_len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return;
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len) == 0)
		snprintf(name, len, "%s", info.name);
	close(fd);
}

struct vs_fp_port *vs_afxdp_fp_cfg(struct vs_port *port, int *ifindex)
{
	struct afxdp_port *ap = port->priv;

	// Native XDP only: in generic mode the frame is an skb whose offload state (e.g. a
	// partial checksum) a redirect would carry along after the program changed the frame.
	if (port->ops != &vs_afxdp_ops || ap == NULL || !(ap->xdp_flags & XDP_FLAGS_DRV_MODE))
		return NULL;
	*ifindex = ap->ifindex;
	return ap->fp_cfg;
}
