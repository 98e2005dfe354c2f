// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdio.h>
#include <vs/mac.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int vs_mac_parse(const char *s, uint64_t *mac)
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		v = (v << 8) | (uint64_t)(hi << 4 | lo);
		s += 2;
		if (i < 5) {
			if (*s != ':')
				return -EINVAL;
			s++;
		}
	}
	if (*s != '\0')
		return -EINVAL;
	*mac = v;
	return 0;
}

void vs_mac_format(uint64_t mac, char out[VS_MAC_STRLEN])
{
	uint8_t b[6];

	vs_mac_to_bytes(mac, b);
	snprintf(out, VS_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
		 b[5]);
}
