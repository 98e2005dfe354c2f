// SPDX-License-Identifier: Apache-2.0
#include "netdev.h"

#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vs/mac.h>

int vs_netdev_ifindex(const char *name)
{
	return (int)if_nametoindex(name);
}

int vs_netdev_rx_queues(const char *name)
{
	char path[128];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", name);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "rx-", 3) == 0)
			n++;
	closedir(d);
	return n > 0 ? n : -1;
}

static int ifreq_ioctl(const char *name, unsigned long req, struct ifreq *ifr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (fd < 0)
		return -errno;
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	if (ioctl(fd, req, ifr) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int vs_netdev_mac(const char *name, uint64_t *mac)
{
	struct ifreq ifr;
	int ret = ifreq_ioctl(name, SIOCGIFHWADDR, &ifr);

	if (ret == 0)
		*mac = vs_mac_from_bytes((const uint8_t *)ifr.ifr_hwaddr.sa_data);
	return ret;
}

int vs_netdev_mtu(const char *name, int *mtu)
{
	struct ifreq ifr;
	int ret = ifreq_ioctl(name, SIOCGIFMTU, &ifr);

	if (ret == 0)
		*mtu = ifr.ifr_mtu;
	return ret;
}

void vs_netdev_operstate(const char *name, char *out, int outlen)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/operstate", name);
	f = fopen(path, "re");
	if (f == NULL) {
		snprintf(out, (size_t)outlen, "absent");
		return;
	}
	if (fgets(out, outlen, f) == NULL)
		snprintf(out, (size_t)outlen, "unknown");
	out[strcspn(out, "\n")] = '\0';
	fclose(f);
}
