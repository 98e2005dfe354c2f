// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the service stage (vswitch/dp/svc.c) with its connection table
// (vswitch/dp/conntrack.c) on arbitrary frames. A bridge of three ports holds four
// services on VIP 198.18.5.100: web (tcp/80, two backends, one of them with a MAC still
// unknown), dns (udp/53), empty (tcp/81, no backends) and sticky (tcp/82, client-ip
// affinity); the connection table has 64 records, so that it fills up, and every 256
// inputs the harness removes every record and recycles them, as the control thread does.
//
// The first input byte picks the ingress port (low two bits) and whether the harness
// repairs the IPv4 header and TCP/UDP checksums (bit 2), so the fuzzer gets frames with
// valid checksums half of the time. The rest is the frame, copied into an allocation of
// exactly its size, so that AddressSanitizer sees any access past it. Checked: the frame
// never grows; a frame that entered with valid IPv4 and TCP/UDP checksums and leaves as
// IPv4 (translated, or answered with a RST) still has valid ones.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <vs/drops.h>
#include <vs/mac.h>

#include "vswitch/dp/csum.h"
#include "vswitch/dp/maglev.h"
#include "vswitch/dp/parse.h"
#include "vswitch/dp/pmd.h"
#include "vswitch/dp/svc.h"

#define VIP 0xc6120564u
#define B1 0xc612050bu
#define B2 0xc612050cu
#define MAC_B1 0x0200000000b1ULL

static struct vs_conf *conf;
static struct vs_dp_bridge *br;
static struct vs_svc_br *sb;
static struct vs_pmd *pmd;
static unsigned inputs;

static struct vs_svc *svc(uint32_t id, uint16_t port, uint8_t proto, uint8_t aff, uint32_t n,
			  const struct vs_svc_backend *b)
{
	struct vs_svc *s = calloc(1, sizeof(*s));
	uint64_t keys[4];

	if (s == NULL)
		abort();
	*s = (struct vs_svc){.id = id,
			     .vip = VIP,
			     .vport = port,
			     .proto = proto,
			     .affinity = aff,
			     .affinity_timeout = 60,
			     .n_backends = n};
	s->backends = calloc(n + 1, sizeof(*b));
	if (s->backends == NULL)
		abort();
	if (n)
		memcpy(s->backends, b, n * sizeof(*b));
	if (n) {
		s->m = vs_maglev_size(n, 0);
		s->table = calloc(s->m, sizeof(*s->table));
		for (uint32_t i = 0; i < n; i++)
			keys[i] = (uint64_t)b[i].ip << 16 | b[i].port;
		if (s->table == NULL || vs_maglev_build(keys, n, s->m, s->table) < 0)
			abort();
	}
	return s;
}

static void put(const struct vs_svc **vtab, uint32_t mask, const struct vs_svc *s)
{
	uint32_t i = vs_svc_vhash(s->vip, s->vport, s->proto) & mask;

	while (vtab[i])
		i = (i + 1) & mask;
	vtab[i] = s;
}

static void init(void)
{
	static const struct vs_svc_backend web[] = {{B1, 8080}, {B2, 8080}}, dns[] = {{B1, 5353}};
	struct vs_svc_snap *snap;
	struct vs_neigh_tab *nt;

	if (conf != NULL)
		return;
	conf = calloc(1, sizeof(*conf));
	br = calloc(1, sizeof(*br) + 3 * sizeof(br->ports[0]));
	sb = aligned_alloc(64, (sizeof(*sb) + 63) & ~(size_t)63);
	pmd = calloc(1, sizeof(*pmd));
	snap = calloc(1, sizeof(*snap));
	nt = calloc(1, sizeof(*nt) + 16 * sizeof(nt->ent[0]));
	if (!conf || !br || !sb || !pmd || !snap || !nt)
		abort();
	memset(sb, 0, sizeof(*sb));
	pmd->learn = calloc(1, sizeof(*pmd->learn));
	br->fdb = vs_fdb_create(64);
	sb->ct = vs_ct_create(64);
	if (!pmd->learn || !br->fdb || !sb->ct || vs_fdb_add_static(br->fdb, MAC_B1, 1) < 0)
		abort();
	br->n_ports = 3;
	for (uint16_t p = 0; p < 3; p++) {
		br->ports[p] = p;
		conf->bridge_of[p] = br;
	}
	br->svc = sb;
	sb->mac = 0x027600000001ULL;
	nt->mask = 15;
	nt->ent[vs_svc_ihash(B1) & 15] = (struct vs_neigh){.ip = B1, .mac = MAC_B1};
	nt->ent[(vs_svc_ihash(B2) & 15) == (vs_svc_ihash(B1) & 15) ? (vs_svc_ihash(B2) + 1) & 15
								   : vs_svc_ihash(B2) & 15] =
		(struct vs_neigh){.ip = B2};
	sb->neigh = nt;
	snap->n_svc = 4;
	snap->vmask = 15;
	snap->vtab = calloc(16, sizeof(*snap->vtab));
	snap->imask = 15;
	snap->vips = calloc(16, sizeof(*snap->vips));
	if (!snap->vtab || !snap->vips)
		abort();
	put(snap->vtab, 15, svc(1, 80, 6, VS_SVC_AFFINITY_NONE, 2, web));
	put(snap->vtab, 15, svc(2, 53, 17, VS_SVC_AFFINITY_NONE, 1, dns));
	put(snap->vtab, 15, svc(3, 81, 6, VS_SVC_AFFINITY_NONE, 0, NULL));
	put(snap->vtab, 15, svc(4, 82, 6, VS_SVC_AFFINITY_CLIENT_IP, 2, web));
	snap->vips[vs_svc_ihash(VIP) & 15] = VIP;
	sb->snap = snap;
	pmd->now_s = 1000;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t sum(const uint8_t *p, uint32_t len, uint32_t s)
{
	return vs_csum_fold(vs_csum_add(s, p, len));
}

// Offsets of a plain (unfragmented) IPv4 TCP/UDP frame: 0 if it is not one.
static uint32_t l4_of(const uint8_t *f, uint32_t len, uint32_t l3, uint32_t *l4len)
{
	const uint8_t *ip = f + l3;
	uint32_t ihl, tot;

	if (len < l3 + 20 || (ip[0] >> 4) != 4 || (ip[0] & 15) < 5)
		return 0;
	ihl = (uint32_t)(ip[0] & 15) * 4;
	tot = rd16(ip + 2);
	if (tot < ihl + 8 || l3 + tot > len || (rd16(ip + 6) & 0x3fff) ||
	    (ip[9] != 6 && ip[9] != 17) || (ip[9] == 6 && tot < ihl + 20))
		return 0;
	*l4len = tot - ihl;
	return l3 + ihl;
}

static uint32_t pseudo(const uint8_t *ip, uint32_t l4len)
{
	return vs_csum_add(0, ip + 12, 8) + ip[9] + l4len;
}

// Whether the IPv4 header and (when present) the TCP/UDP checksum verify.
static int csums_ok(const uint8_t *f, uint32_t len, uint32_t l3)
{
	uint32_t l4len, l4 = l4_of(f, len, l3, &l4len);
	const uint8_t *ip = f + l3;

	if (l4 == 0)
		return 0;
	if (sum(ip, (uint32_t)(ip[0] & 15) * 4, 0) != 0xffff)
		return 0;
	if (ip[9] == 17 && rd16(f + l4 + 6) == 0)
		return 1;
	return sum(f + l4, l4len, pseudo(ip, l4len)) == 0xffff;
}

static void repair(uint8_t *f, uint32_t len, uint32_t l3)
{
	uint32_t l4len, l4 = l4_of(f, len, l3, &l4len), ck;
	uint8_t *ip = f + l3;
	uint16_t c;

	if (l4 == 0)
		return;
	ip[10] = ip[11] = 0;
	c = (uint16_t)~sum(ip, (uint32_t)(ip[0] & 15) * 4, 0);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	ck = l4 + (ip[9] == 6 ? 16 : 6);
	f[ck] = f[ck + 1] = 0;
	c = (uint16_t)~sum(f + l4, l4len, pseudo(ip, l4len));
	if (ip[9] == 17 && c == 0)
		c = 0xffff;
	f[ck] = (uint8_t)(c >> 8);
	f[ck + 1] = (uint8_t)c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vs_pkt *pkt;
	uint8_t *f;
	uint32_t len;
	int valid;

	init();
	if (size < 1 || size > 9000)
		return 0;
	len = (uint32_t)(size - 1);
	f = malloc(len ? len : 1);
	if (f == NULL)
		abort();
	memcpy(f, data + 1, len);
	pkt = &pmd->pkts[0];
	*pkt = (struct vs_pkt){.data = f,
			       .len = len,
			       .in_port = (uint16_t)(data[0] & 3) % 3,
			       .out_port = VS_PORT_NONE};
	vs_parse_one(pkt);
	if (pkt->drop == VS_DROP_NONE && pkt->ethertype == 0x0800 && (data[0] & 4))
		repair(f, len, pkt->l3_off);
	valid = pkt->drop == VS_DROP_NONE && pkt->ethertype == 0x0800 &&
		csums_ok(f, len, pkt->l3_off);
	vs_svc_burst(pmd, conf, pmd->pkts, 1);
	if (pkt->len > len)
		abort();
	if (valid && pkt->drop == VS_DROP_NONE && pkt->ethertype == 0x0800 &&
	    !csums_ok(f, pkt->len, pkt->l3_off))
		abort();
	free(f);
	// Drain learning requests; every 256 inputs, empty and recycle the table.
	while (pmd->learn->head != pmd->learn->tail)
		pmd->learn->head++;
	if (++inputs % 256 == 0) {
		for (uint32_t i = 0; i < vs_ct_extent(sb->ct); i++)
			vs_ct_remove(sb->ct, i);
		vs_ct_reclaim(sb->ct, 1);
	}
	return 0;
}
