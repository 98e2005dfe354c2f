// SPDX-License-Identifier: Apache-2.0
// State names of the DPDK environment, shared by the builds with and without DPDK.
#include "dpdk.h"

const char *vs_dpdk_state_name(enum vs_dpdk_state st)
{
	switch (st) {
	case VS_DPDK_OFF:
		return "not initialised (no --dpdk)";
	case VS_DPDK_RUNNING:
		return "running";
	case VS_DPDK_FAILED:
		return "failed";
	case VS_DPDK_NOT_BUILT:
		return "built without DPDK";
	}
	return "unknown";
}
