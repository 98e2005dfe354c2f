// SPDX-License-Identifier: Apache-2.0
// Ethernet MAC addresses as 48-bit integers (network byte order folded into the
// low 48 bits: 02:00:00:00:00:01 is 0x020000000001).
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define VS_MAC_STRLEN 18 // "xx:xx:xx:xx:xx:xx" + NUL

static inline uint64_t vs_mac_from_bytes(const uint8_t *b)
{
	return ((uint64_t)b[0] << 40) | ((uint64_t)b[1] << 32) | ((uint64_t)b[2] << 24) |
	       ((uint64_t)b[3] << 16) | ((uint64_t)b[4] << 8) | (uint64_t)b[5];
}

static inline void vs_mac_to_bytes(uint64_t mac, uint8_t *b)
{
	for (int i = 5; i >= 0; i--) {
		b[i] = mac & 0xff;
		mac >>= 8;
	}
}

// Group bit: broadcast and multicast.
static inline bool vs_mac_is_multicast(uint64_t mac)
{
	return (mac >> 40) & 1;
}

// 802.1D reserved link-local group addresses 01:80:c2:00:00:00-0f, never forwarded.
static inline bool vs_mac_is_link_local(uint64_t mac)
{
	return (mac & ~0xfULL) == 0x0180c2000000ULL;
}

// Parses "xx:xx:xx:xx:xx:xx" (hex digits, either case). Returns 0 or -EINVAL.
int vs_mac_parse(const char *s, uint64_t *mac);
void vs_mac_format(uint64_t mac, char out[VS_MAC_STRLEN]);
