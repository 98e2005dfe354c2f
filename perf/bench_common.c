// SPDX-License-Identifier: Apache-2.0
// Helpers of the pipeline_bench sources: see bench_common.h.
#include "bench_common.h"

#include <stdlib.h>
#include <string.h>

void bench_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void bench_put_mac(uint8_t *p, uint64_t mac)
{
	for (int i = 5; i >= 0; i--, mac >>= 8)
		p[i] = (uint8_t)mac;
}

uint32_t bench_csum_acc(uint32_t sum, const uint8_t *p, uint32_t len)
{
	for (uint32_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t bench_csum_finish(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void bench_udp_frame(uint8_t *f, uint16_t len, uint64_t dst, uint64_t src)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	uint16_t ip_len = len - 14, udp_len = ip_len - 20, c;
	uint32_t sum;

	memset(f, 0, len);
	bench_put_mac(f, dst);
	bench_put_mac(f + 6, src);
	bench_put16(f + 12, 0x0800);
	ip[0] = 0x45;
	bench_put16(ip + 2, ip_len);
	bench_put16(ip + 6, 0x4000); // DF
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, (const uint8_t[]){10, 0, 0, 1, 10, 0, 0, 2}, 8);
	bench_put16(ip + 10, bench_csum_finish(bench_csum_acc(0, ip, 20)));
	bench_put16(udp, 1024);
	bench_put16(udp + 2, 1025);
	bench_put16(udp + 4, udp_len);
	for (uint16_t i = 8; i < udp_len; i++)
		udp[i] = (uint8_t)i;
	sum = bench_csum_acc(0, ip + 12, 8) + 17 + udp_len;
	c = bench_csum_finish(bench_csum_acc(sum, udp, udp_len));
	bench_put16(udp + 6, c ? c : 0xffff);
}

uint64_t bench_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(v[0]), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
