// SPDX-License-Identifier: Apache-2.0
// Internals shared by cp/service.c (the model, connection table maintenance,
// publication), cp/service_parse.c (parsing and building one service) and
// cp/service_ctl.c (the control protocol methods). Control thread only.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "service.h"

struct vs_switch;

#define ERR(code, ...) (snprintf(err, errlen, __VA_ARGS__), -(code))

// A small u64 -> u32 counting map (linear probing, backward-shift deletion); key 0 is
// never stored.
struct smap {
	uint64_t *k; // 0: empty
	uint32_t *v;
	uint32_t mask, n;
};

uint32_t *smap_get(const struct smap *m, uint64_t k);
// Adds 1 to the count of 'k' (inserting it). 0 or -ENOMEM.
int smap_add(struct smap *m, uint64_t k);
void smap_free(struct smap *m);

struct vs_services {
	struct vs_svc_br *dp;
	struct vs_svc **svcs;
	uint32_t n, cap;
	uint32_t next_id;
	uint32_t ct_size, tcp_timeout, udp_timeout;
	struct smap vipport; // vipkey() -> 1
	struct smap vips;    // VIP -> services using it
	struct smap bips;    // backend address -> backends using it
	uint32_t last_scan;
};

struct vs_ct_timeouts services_timeouts(const struct vs_services *s);

// What services_ct_scan() does with a record.
enum ct_action { CT_KEEP, CT_REMOVE, CT_DOOM };
typedef enum ct_action (*ct_pred)(const struct vs_ct_conn *c, const void *arg);
// Applies 'pred' to every record in use; removes or dooms (reset on next packet) as told,
// recycles removed records after a grace period. Returns the number removed or doomed.
uint32_t services_ct_scan(struct vs_switch *sw, struct vs_ct *ct, ct_pred pred, const void *arg);
// Records of service *(const uint32_t *)arg: remove.
enum ct_action services_pred_svc(const struct vs_ct_conn *c, const void *arg);
// Every record: remove.
enum ct_action services_pred_all(const struct vs_ct_conn *c, const void *arg);
struct services_gone_arg {
	uint32_t id;
	const struct smap *keep; // (ip << 16 | port) + 1 of the remaining backends
};
// Connections of service 'id' to a backend not in 'keep': TCP doomed, others removed.
enum ct_action services_pred_gone(const struct vs_ct_conn *c, const void *arg);

// Publishes the model to the datapath (creating its state on first use) and frees the
// 'n_retired' services in 'retired' after the grace period. 0 or -ENOMEM.
int services_publish(struct vs_switch *sw, struct vs_services *s, struct vs_svc **retired,
		     uint32_t n_retired);
// The model's indexes (vipport, vips, bips) of one service.
void services_index_del(struct vs_services *s, const struct vs_svc *v);
int services_index_add(struct vs_services *s, const struct vs_svc *v);
int services_index_rebuild(struct vs_services *s);
void services_fmt_ip(uint32_t ip, char *buf, size_t len);
void services_fmt_ep(uint32_t ip, uint16_t port, char *buf, size_t len);
// Index of service 'name' in s->svcs, or -1.
int services_find(const struct vs_services *s, const char *name);
// Checks service 'v' against the model (which must not hold it). 0 or -errno + 'err'.
int services_check(const struct vs_services *s, const struct vs_svc *v, char *err, size_t errlen);

// A service as given by a client: the options present.
struct svc_spec {
	const char *name;
	bool has_vip, has_proto, has_backends, has_aff, has_aff_to;
	uint32_t vip;
	uint16_t vport;
	uint8_t proto, affinity;
	uint32_t aff_to;
	uint32_t n;
	struct vs_svc_backend *backends;
};

// Parses add-service/set-service options into 'sp' (sp->backends is allocated).
int services_parse_spec(json_t *opts, struct svc_spec *sp, char *err, size_t errlen);
// Builds the service object (Maglev table included) for 'sp' over 'base' (NULL: new).
struct vs_svc *services_make(const struct svc_spec *sp, const struct vs_svc *base, uint32_t id,
			     char *err, size_t errlen);
void services_free_svc(struct vs_svc *v);
// 1-63 characters of [A-Za-z0-9_.-].
bool services_valid_name(const char *name);
// Adds one service to the model (not published). On failure the caller rolls back.
int services_add_one(struct vs_services *s, const char *name, json_t *opts, char *err,
		     size_t errlen);
// Removes services added after the first 'n' and rebuilds the indexes.
void services_rollback(struct vs_services *s, uint32_t n);
