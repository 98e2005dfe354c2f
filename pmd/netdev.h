// SPDX-License-Identifier: Apache-2.0
// Facts about Linux network devices, read from the kernel (control thread only).
#pragma once

#include <stdint.h>

// Returns the ifindex of 'name', or 0 if there is no such device.
int vs_netdev_ifindex(const char *name);
// Number of rx queues of 'name' (from sysfs), or -1 if unknown.
int vs_netdev_rx_queues(const char *name);
// MAC address, MTU and operational state ("up", "down", "absent", ...). Return 0 or -errno.
int vs_netdev_mac(const char *name, uint64_t *mac);
int vs_netdev_mtu(const char *name, int *mtu);
void vs_netdev_operstate(const char *name, char *out, int outlen);
