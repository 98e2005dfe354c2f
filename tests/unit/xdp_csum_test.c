// SPDX-License-Identifier: Apache-2.0
// The XDP fast path's checksum completion (pmd/bpf/xsk_redirect.bpf.c, csum_fix), run in
// the kernel with BPF_PROG_TEST_RUN: partial TCP/UDP checksums (IPv4, IPv6, every payload
// length parity, random addresses and payloads) must come out exactly as userspace's
// vswitch/dp/csum.c completes them, and frames with complete checksums (also those whose
// checksum happens to look partial) must come out unchanged, in single-buffer frames and in
// multi-buffer (jumbo) frames whose segment goes on in frags. The program is vswitchd's
// embedded one, its maps set up as the control thread would for one fast-path bridge.
// Needs root (loading BPF): exits 77 (skip) without it.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <vs/mac.h>

#include "csum_helpers.h"
#include "pmd/bpf/xsk_fastpath.h"
#include "pmd/xdp_fastpath.h"

extern const unsigned char vs_xsk_redirect_obj[];
extern const size_t vs_xsk_redirect_obj_len;

static struct bpf_object *obj;
static int prog_fd;

static void put_mac(int fd, uint64_t mac, uint16_t port, uint16_t flags)
{
	struct vs_fp_key k = {.bridge = 0};
	struct vs_fp_val v = {.port = port, .flags = flags, .ifindex = 1, .max_len = 16000};

	vs_mac_to_bytes(mac, k.mac);
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
}

static int setup(void **state)
{
	struct vs_fp_port *cfg;
	uint32_t key = 1, lo = 1;
	struct bpf_map *bss;

	(void)state;
	obj = bpf_object__open_mem(vs_xsk_redirect_obj, vs_xsk_redirect_obj_len, NULL);
	assert_non_null(obj);
	vs_xdp_fastpath_prepare(obj);
	assert_int_equal(bpf_object__load(obj), 0);
	prog_fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "vs_xsk_redirect"));
	assert_true(prog_fd >= 0);
	// Port 0 (ingress) and port 1 (egress, the loopback device) of bridge 0.
	put_mac(bpf_map__fd(bpf_object__find_map_by_name(obj, "vs_fp_fdb")), SRC, 0, 0);
	put_mac(bpf_map__fd(bpf_object__find_map_by_name(obj, "vs_fp_fdb")), DST, 1,
		VS_FP_F_EGRESS | VS_FP_F_SG);
	assert_int_equal(
		bpf_map_update_elem(bpf_map__fd(bpf_object__find_map_by_name(obj, "vs_fp_tx")),
				    &key, &lo, BPF_ANY),
		0);
	bss = bpf_object__find_map_by_name(obj, ".bss");
	assert_non_null(bss);
	cfg = mmap(NULL, sizeof(*cfg), PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(bss), 0);
	assert_true(cfg != MAP_FAILED);
	cfg->bridge = 0;
	cfg->port = 0;
	cfg->enabled = 1;
	munmap(cfg, sizeof(*cfg));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	bpf_object__close(obj);
	return 0;
}

// Runs the program on 'len' bytes of 'in'; the frame as it leaves goes to 'res'. Returns
// the XDP action.
static uint32_t xdp_run(const uint8_t *in, uint32_t len, uint8_t *res)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = len, .data_out = res,
		    .data_size_out = PB_MAX, .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(prog_fd, &o), 0);
	assert_int_equal(o.data_size_out, len);
	return o.retval;
}

static uint8_t xdp_out[PB_MAX];

static void check_one(const struct spec *s, int partial, int looks_partial)
{
	struct pb b;
	uint32_t len = build(&b, s);
	char what[96];

	snprintf(what, sizeof(what), "%s %s payload %u%s", s->v6 ? "IPv6" : "IPv4",
		 s->proto == PB_IPPROTO_TCP ? "TCP" : "UDP", s->payload,
		 partial	 ? " partial"
		 : looks_partial ? " complete, looks partial"
				 : " complete");
	if (looks_partial)
		force_sum_zero(&b, linux_partial(&b));
	if (partial)
		make_partial(&b);
	if (xdp_run(b.buf, len, xdp_out) != XDP_REDIRECT)
		fail_msg("%s: not forwarded by the fast path", what);
	run(b.buf, len, 0); // userspace's answer, in 'out'
	if (memcmp(xdp_out, out, len) != 0)
		fail_msg("%s: XDP and userspace disagree", what);
	if (!partial && memcmp(xdp_out, b.buf, len) != 0)
		fail_msg("%s: a complete frame was changed", what);
	memcpy(b.buf, xdp_out, len);
	if (!l4_csum_ok(&b))
		fail_msg("%s: checksum wrong after the fast path", what);
}

static void test_completes_like_userspace(void **state)
{
	static const uint32_t payloads[] = {0,	  1,	2,    3,    4,	  5,	6,
					    7,	  17,	511,  512,  513,  1000, 1399,
					    1400, 1442, 1443, 1458, 1472, 1480};

	(void)state;
	for (int v6 = 0; v6 < 2; v6++)
		for (int p = 0; p < 2; p++)
			for (size_t i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++)
				for (int r = 0; r < 4; r++) {
					struct spec s = {.v6 = v6,
							 .proto = protos[p],
							 .payload = payloads[i],
							 .random = 1};

					if (payloads[i] + 62 > 1514 && v6)
						continue;
					check_one(&s, 1, 0);
					check_one(&s, 0, 0);
					if (payloads[i] >= 2) // room for the word it adjusts
						check_one(&s, 0, 1);
				}
}

// Multi-buffer frames (jumbo MTU): BPF_PROG_TEST_RUN of an "xdp.frags" program puts what
// does not fit one page's linear part (about 3.5 KiB) in frags, as veth does with a large
// frame. The checksum is summed across the linear part and the frags (every length parity,
// segments ending just before, in and just after a 256-byte chunk of the program's loop);
// the result must again be exactly userspace's.
static void test_multi_buffer_like_userspace(void **state)
{
	static const uint32_t payloads[] = {3400, 3500, 3600, 3700, 3701, 3702, 3703, 4000,
					    4095, 4096, 4097, 5000, 6143, 6144, 6145, 7777,
					    8000, 8192, 8193, 8940, 8941, 8960, 8972};

	(void)state;
	for (int v6 = 0; v6 < 2; v6++)
		for (int p = 0; p < 2; p++)
			for (size_t i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++)
				for (int r = 0; r < 2; r++) {
					struct spec s = {.v6 = v6,
							 .proto = protos[p],
							 .payload = payloads[i],
							 .random = 1};

					if (payloads[i] + (v6 ? 62u : 42u) +
						    (protos[p] == PB_IPPROTO_TCP ? 12u : 0u) >
					    9014)
						continue; // larger than an MTU 9000 frame
					check_one(&s, 1, 0);
					check_one(&s, 0, 0);
					check_one(&s, 0, 1);
				}
}

// A multi-buffer frame larger than the egress port accepts, or to a port whose device does
// not take multi-buffer redirects (no VS_FP_F_SG), is not forwarded by XDP.
static void test_multi_buffer_too_large(void **state)
{
	struct spec s = {.v6 = 0, .proto = PB_IPPROTO_UDP, .payload = 8000, .random = 1};
	int fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "vs_fp_fdb"));
	struct vs_fp_key k = {.bridge = 0};
	struct vs_fp_val v = {
		.port = 1, .flags = VS_FP_F_EGRESS | VS_FP_F_SG, .ifindex = 1, .max_len = 1514};
	struct pb b;
	uint32_t len = build(&b, &s);

	(void)state;
	vs_mac_to_bytes(DST, k.mac);
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	assert_int_not_equal(xdp_run(b.buf, len, xdp_out), XDP_REDIRECT);
	v.max_len = len;
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	assert_int_equal(xdp_run(b.buf, len, xdp_out), XDP_REDIRECT);
	v.flags = VS_FP_F_EGRESS;
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	assert_int_not_equal(xdp_run(b.buf, len, xdp_out), XDP_REDIRECT);
	len = pb_simple(&b, DST, SRC, 1400); // a single-buffer frame still goes
	assert_int_equal(xdp_run(b.buf, len, xdp_out), XDP_REDIRECT);
	v.flags = VS_FP_F_EGRESS | VS_FP_F_SG;
	v.max_len = 16000;
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
}

static void test_not_forwarded_without_known_macs(void **state)
{
	struct pb b;
	uint32_t len;

	(void)state;
	// An unknown source (learning belongs to userspace): to the AF_XDP socket, i.e. not
	// XDP_REDIRECT by the fast path (the socket's map is empty here: XDP_PASS).
	pb_init(&b);
	len = pb_simple(&b, DST, 0x0200000000ccULL, 64);
	assert_int_not_equal(xdp_run(b.buf, len, xdp_out), XDP_REDIRECT);
	// Broadcast.
	len = pb_simple(&b, 0xffffffffffffULL, SRC, 64);
	assert_int_not_equal(xdp_run(b.buf, len, xdp_out), XDP_REDIRECT);
	// Known unicast.
	len = pb_simple(&b, DST, SRC, 64);
	assert_int_equal(xdp_run(b.buf, len, xdp_out), XDP_REDIRECT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_completes_like_userspace),
		cmocka_unit_test(test_not_forwarded_without_known_macs),
		cmocka_unit_test(test_multi_buffer_like_userspace),
		cmocka_unit_test(test_multi_buffer_too_large),
	};

	if (geteuid() != 0) {
		printf("xdp_csum_test: SKIP: needs root (BPF)\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
