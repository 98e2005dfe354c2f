// SPDX-License-Identifier: Apache-2.0
#include "conf.h"

#include <stdlib.h>

#include "macvlan.h"

static struct vs_conf *current; // cp: rw (release), dp: ro (acquire)

const struct vs_conf *vs_conf_current(void)
{
	return __atomic_load_n(&current, __ATOMIC_ACQUIRE);
}

struct vs_conf *vs_conf_publish(struct vs_conf *conf)
{
	return __atomic_exchange_n(&current, conf, __ATOMIC_ACQ_REL);
}

void vs_conf_free(struct vs_conf *conf)
{
	if (conf == NULL)
		return;
	for (uint16_t i = 0; i < conf->n_bridges; i++) {
		vs_macvlan_dp_free(conf->bridges[i]->mv);
		free(conf->bridges[i]);
	}
	free(conf->bridges);
	free(conf->vxlan);
	for (unsigned p = 0; p < VS_MAX_PMDS; p++) {
		free(conf->pmd[p].rxq);
		free(conf->pmd[p].txport);
	}
	free(conf);
}
