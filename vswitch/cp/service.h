// SPDX-License-Identifier: Apache-2.0
// Services of the bridges (VIP -> backends load balancing) as the control thread keeps
// them, and their publication to the datapath (dp/svc.h, dp/conntrack.h).
//
// Every change is validated completely first and changes nothing on failure. A change
// builds a new immutable snapshot of the bridge's services (sharing the unchanged
// per-service objects and their Maglev tables), publishes it, waits for a grace period
// and frees what the old snapshot alone used. All functions run on the control thread.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../dp/svc.h"

struct vs_switch;
struct vs_bridge;
struct vs_bridge_opts;

#define VS_DEFAULT_CT_SIZE 1000000
#define VS_DEFAULT_CT_TCP_TIMEOUT 86400
#define VS_DEFAULT_CT_UDP_TIMEOUT 30
#define VS_DEFAULT_AFFINITY_TIMEOUT 10800
#define VS_SVC_NAME_MAX 63

struct vs_services;

// The model of one bridge's services, created with the bridge. NULL + errno on failure.
struct vs_services *vs_services_create(void);
// Frees everything; the bridge must be unpublished and a grace period over.
void vs_services_destroy(struct vs_services *s);
// What the bridge's datapath snapshot points to (NULL while it never had a service).
struct vs_svc_br *vs_services_dp(const struct vs_services *s);

// Validates the conntrack-* bridge options in 'o'. Returns 0 or -EINVAL with 'err' set.
int vs_services_check_opts(const struct vs_bridge_opts *o, char *err, size_t errlen);
// Applies them (a new conntrack-size empties the connection table). 0 or -errno.
int vs_services_set_opts(struct vs_services *s, const struct vs_bridge_opts *o, char *err,
			 size_t errlen);
// Adds the bridge's conntrack options to a JSON object (for show).
void vs_services_opts_json(const struct vs_services *s, json_t *obj);
// Expires connections once a second, recycles removed records. Call often.
void vs_services_housekeeping(struct vs_switch *sw, struct vs_services *s, uint32_t now);

// The control protocol methods add-service, del-service, set-service, list-services,
// conntrack-show, conntrack-flush and load-services. Each returns 0 with 'result' filled,
// or -1 with '*code' (a protocol error code) and 'msg' set.
int vs_service_method(struct vs_switch *sw, const char *method, json_t *params, json_t *result,
		      const char **code, char *msg, size_t msglen);
