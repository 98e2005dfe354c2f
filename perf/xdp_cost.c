// SPDX-License-Identifier: Apache-2.0
// xdp_cost: the kernel time of vswitchd's XDP program (pmd/bpf/xsk_redirect.bpf.c) per
// frame the fast path forwards, measured with BPF_PROG_TEST_RUN: IPv4/TCP frames of the
// given payload sizes, with a partial checksum (the program completes it, as for a
// container at its default offloads) and with a complete one (left as it is). Frames
// beyond about 3.5 KiB are multi-buffer, as veth hands them over at MTU 9000.
//
// Each frame is run once per BPF_PROG_TEST_RUN call (a repeat would run later rounds on
// the frame the first one completed), 4001 times; the kernel's own timing of the program
// run (duration) is reported as median and 10th percentile in ns. Needs root.
//
//   build/perf/xdp_cost [PAYLOAD...]     (default: 18 1460 3000 8960)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <vs/mac.h>

#include "pktbuild.h"
#include "pmd/bpf/xsk_fastpath.h"
#include "pmd/xdp_fastpath.h"

extern const unsigned char vs_xsk_redirect_obj[];
extern const size_t vs_xsk_redirect_obj_len;

#define DST 0x0200000000aaULL
#define SRC 0x0200000000bbULL
#define RUNS 4001

static int put_mac(struct bpf_object *obj, uint64_t mac, uint16_t port, uint16_t flags)
{
	int fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "vs_fp_fdb"));
	struct vs_fp_key k = {.bridge = 0};
	struct vs_fp_val v = {.port = port, .flags = flags, .ifindex = 1, .max_len = 16000};

	vs_mac_to_bytes(mac, k.mac);
	return bpf_map_update_elem(fd, &k, &v, BPF_ANY);
}

// Loads the program with one fast-path bridge: port 0 (ingress, SRC) and port 1 (egress,
// DST, the loopback device). Returns its fd or -1.
static int load(struct bpf_object **objp)
{
	struct bpf_object *obj;
	struct vs_fp_port *cfg;
	uint32_t key = 1, lo = 1;
	int fd;

	obj = bpf_object__open_mem(vs_xsk_redirect_obj, vs_xsk_redirect_obj_len, NULL);
	if (obj == NULL)
		return -1;
	vs_xdp_fastpath_prepare(obj);
	if (bpf_object__load(obj) < 0 || put_mac(obj, SRC, 0, 0) < 0 ||
	    put_mac(obj, DST, 1, VS_FP_F_EGRESS | VS_FP_F_SG) < 0 ||
	    bpf_map_update_elem(bpf_map__fd(bpf_object__find_map_by_name(obj, "vs_fp_tx")),
				&key, &lo, BPF_ANY) < 0)
		return -1;
	cfg = mmap(NULL, sizeof(*cfg), PROT_READ | PROT_WRITE, MAP_SHARED,
		   bpf_map__fd(bpf_object__find_map_by_name(obj, ".bss")), 0);
	if (cfg == MAP_FAILED)
		return -1;
	cfg->enabled = 1;
	munmap(cfg, sizeof(*cfg));
	fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "vs_xsk_redirect"));
	*objp = obj;
	return fd;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

// Median and 10th percentile of the program's run time on 'frame'; -1 on error.
static int measure(int prog, const uint8_t *frame, uint32_t len, uint32_t *med, uint32_t *p10)
{
	static uint32_t d[RUNS];
	static uint8_t out[PB_MAX];

	for (int r = 0; r < RUNS; r++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len,
			    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

		if (bpf_prog_test_run_opts(prog, &o) < 0) {
			perror("xdp_cost: BPF_PROG_TEST_RUN");
			return -1;
		}
		if (o.retval != XDP_REDIRECT) {
			fprintf(stderr, "xdp_cost: a %u-byte frame was not forwarded (action %u)\n",
				len, o.retval);
			return -1;
		}
		d[r] = o.duration;
	}
	qsort(d, RUNS, sizeof(d[0]), cmp_u32);
	*med = d[RUNS / 2];
	*p10 = d[RUNS / 10];
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const defaults[] = {"18", "1460", "3000", "8960"};
	const char *const *sizes = (const char *const *)argv + 1;
	int n = argc - 1, prog;
	struct bpf_object *obj = NULL;

	if (n == 0) {
		sizes = defaults;
		n = 4;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "xdp_cost: needs root (BPF)\n");
		return 1;
	}
	prog = load(&obj);
	if (prog < 0) {
		fprintf(stderr, "xdp_cost: cannot load the XDP program\n");
		return 1;
	}
	printf("| frame bytes | partial checksum: median ns | p10 ns | complete checksum: median ns | p10 ns |\n");
	printf("|---:|---:|---:|---:|---:|\n");
	for (int i = 0; i < n; i++) {
		char *end;
		long payload = strtol(sizes[i], &end, 10);
		uint32_t len, l4, sum = 0, med[2], p10[2];
		struct pb b;

		if (*end || payload < 0 || payload > 16000 - 54) {
			fprintf(stderr, "xdp_cost: bad payload size '%s' (0..15946)\n", sizes[i]);
			return 1;
		}
		pb_init(&b);
		pb_eth(&b, DST, SRC, PB_ETH_P_IPV4);
		pb_ipv4(&b, 0xc6120001, 0xc6120002, PB_IPPROTO_TCP);
		pb_tcp(&b, 40000, 5201);
		pb_payload(&b, (uint32_t)payload);
		srand(1);
		for (uint32_t j = b.len - (uint32_t)payload; j < b.len; j++)
			b.buf[j] = (uint8_t)rand();
		len = pb_finish(&b);
		if (measure(prog, b.buf, len, &med[1], &p10[1]) < 0)
			return 1;
		// The partial checksum a Linux sender leaves: the folded pseudo-header sum.
		l4 = len - (uint32_t)b.tcp_off;
		for (int j = 26; j < 34; j += 2)
			sum += (uint32_t)b.buf[j] << 8 | b.buf[j + 1];
		sum += PB_IPPROTO_TCP + l4;
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		b.buf[b.tcp_off + 16] = (uint8_t)(sum >> 8);
		b.buf[b.tcp_off + 17] = (uint8_t)sum;
		if (measure(prog, b.buf, len, &med[0], &p10[0]) < 0)
			return 1;
		printf("| %u | %u | %u | %u | %u |\n", len, med[0], p10[0], med[1], p10[1]);
	}
	bpf_object__close(obj);
	return 0;
}
