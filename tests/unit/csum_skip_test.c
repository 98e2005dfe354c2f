// SPDX-License-Identifier: Apache-2.0
// The pipeline's checksum completion and a port's rx_csum_full flag (pmd/port.h): a port
// whose frames cannot carry partial checksums (DPDK memif) skips the stage, every other
// port keeps it. Frames go through the real pipeline (swfix: mem ports, one PMD polled by
// hand); a partial checksum is what a Linux sender under CHECKSUM_PARTIAL leaves in the
// field (csum_helpers.h).
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <vs/log.h>

#include "pktbuild.h"
#include "pmd/port.h"
#include "swfix.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

// The IPv4 pseudo-header sum of the UDP frame 'f' (pktbuild's layout), folded, not inverted:
// what a Linux sender under CHECKSUM_PARTIAL leaves in the checksum field.
static uint16_t pseudo(const struct pb *b, const uint8_t *f)
{
	const uint8_t *ip = f + b->ip_off;
	uint32_t udp_len = get16(f + b->udp_off + 4);

	return pb_csum_fold(ip + 12, 8, 17 + udp_len);
}

// 1 if the UDP checksum of frame 'f' verifies.
static int udp_ok(const struct pb *b, const uint8_t *f)
{
	uint32_t udp_len = get16(f + b->udp_off + 4);

	return pb_csum_fold(f + b->udp_off, udp_len, pseudo(b, f)) == 0xffff;
}

static int setup(void **state)
{
	(void)state;
	swfix_setup(VS_LOG_WARN);
	add_br("br0");
	for (int i = 1; i <= 2; i++) {
		char name[8], err[256];
		struct vs_opt none;

		snprintf(name, sizeof(name), "p%d", i);
		assert_int_equal(
			vs_switch_add_port(&sw, "br0", name, "mem", &none, 0, err, sizeof(err)), 0);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	swfix_teardown();
	return 0;
}

// Sends a UDP frame with a partial checksum in on p1; returns the checksum field of the copy
// p2 sent and whether that copy's L4 checksum verifies.
static uint16_t send_partial(struct pb *b, int *ok)
{
	const uint8_t *out;
	uint16_t p;
	uint32_t len;

	pb_simple(b, pb_mac(2), pb_mac(1), 90);
	p = pseudo(b, b->buf);
	b->buf[b->udp_off + 6] = (uint8_t)(p >> 8);
	b->buf[b->udp_off + 7] = (uint8_t)p;
	assert_false(udp_ok(b, b->buf));
	clear_tx();
	assert_int_equal(vs_mem_inject(P("p1"), b->buf, b->len), 0);
	assert_int_equal(run(), 1);
	assert_int_equal(ntx("p2"), 1);
	out = vs_mem_tx_frame(P("p2"), 0, &len);
	assert_non_null(out);
	assert_int_equal(len, b->len);
	*ok = udp_ok(b, out);
	return get16(out + b->udp_off + 6);
}

static uint64_t completed(const char *port)
{
	struct vs_port_counters c;

	vs_port_counters_sum(P(port), &c);
	return c.rx_csum_completed;
}

// An ordinary port completes the partial checksum and counts it.
static void test_completed_by_default(void **state)
{
	struct pb b;
	int ok;

	(void)state;
	assert_false(P("p1")->rx_csum_full);
	send_partial(&b, &ok);
	assert_true(ok);
	assert_int_equal(completed("p1"), 1);
}

// A port that says its frames are complete: the frame leaves as it came, nothing counted.
static void test_skipped_when_rx_csum_full(void **state)
{
	struct pb b;
	uint16_t check;
	int ok;

	(void)state;
	P("p1")->rx_csum_full = true;
	check = send_partial(&b, &ok);
	assert_false(ok);
	assert_int_equal(check, get16(b.buf + b.udp_off + 6));
	assert_int_equal(completed("p1"), 0);
	// With the flag cleared again, the same frame is completed.
	P("p1")->rx_csum_full = false;
	send_partial(&b, &ok);
	assert_true(ok);
	assert_int_equal(completed("p1"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_completed_by_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skipped_when_rx_csum_full, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
