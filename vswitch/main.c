// SPDX-License-Identifier: Apache-2.0
// vswitchd: the poll-mode switch daemon. The main thread is the control thread
// (control socket, configuration, MAC learning and ageing); PMD threads forward.
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <vs/ctl_proto.h>
#include <vs/log.h>

#include "../pmd/afxdp.h"
#include "../pmd/dpdk.h"
#include "cp/fastpath.h"
#include "cp/server.h"
#include "cp/switch.h"
#include "cp/vxlan.h"
#include "dp/conf.h"

VS_LOG_MODULE("main");

struct args {
	int adaptive;	  // --pmd-idle adaptive
	uint32_t idle_us; // --pmd-idle-us
	const char *socket;
	const char *pidfile;
	int cpus[VS_MAX_PMDS];
	int n_cpus;
	int detach;
	const char *dpdk; // --dpdk "EAL ARGS", NULL if not given
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vswitchd [OPTIONS]\n"
		"  -s, --socket PATH      control socket (default %s)\n"
		"  -c, --pmd-cpus LIST    CPUs for PMD threads, one thread each, e.g. 1 or 0,1\n"
		"                         or 0-3 (default: the last CPU this process may run on)\n"
		"  -l, --log-level LEVEL  err, warn, notice, info (default) or debug\n"
		"  -i, --pmd-idle MODE    busy (default): PMD threads always poll; adaptive:\n"
		"                         they sleep in poll() after --pmd-idle-us without traffic\n"
		"      --pmd-idle-us US   idle time before an adaptive PMD thread sleeps (200)\n"
		"  -d, --detach           run in the background once ready\n"
		"  -p, --pidfile FILE     write the daemon's pid to FILE\n"
		"      --dpdk \"EAL ARGS\" initialise DPDK with these EAL arguments (e.g.\n"
		"                         \"--no-huge -m 512 --no-pci\"), for ports of type dpdk\n"
		"  -V, --version          print the version\n"
		"  -h, --help             this help\n",
		VS_CTL_DEFAULT_SOCKET);
}

static int default_cpu(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return -1;
	for (int c = CPU_SETSIZE - 1; c >= 0; c--)
		if (CPU_ISSET(c, &set))
			return c;
	return -1;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"pmd-cpus", required_argument, NULL, 'c'},
		{"log-level", required_argument, NULL, 'l'},
		{"detach", no_argument, NULL, 'd'},
		{"pmd-idle", required_argument, NULL, 'i'},
		{"pmd-idle-us", required_argument, NULL, 'u'},
		{"pidfile", required_argument, NULL, 'p'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{"dpdk", required_argument, NULL, 'D'},
		{0},
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->socket = VS_CTL_DEFAULT_SOCKET;
	int adaptive = 0;
	long idle_us = 200;
	char err[256];
	char *end;

	while ((c = getopt_long(argc, argv, "s:c:l:dp:i:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (strcmp(optarg, "busy") != 0 && strcmp(optarg, "adaptive") != 0) {
				fprintf(stderr,
					"vswitchd: invalid --pmd-idle '%s' (busy or adaptive)\n",
					optarg);
				return -1;
			}
			adaptive = strcmp(optarg, "adaptive") == 0;
			break;
		case 'u':
			errno = 0;
			idle_us = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || idle_us < 1 || idle_us > 10000000) {
				fprintf(stderr,
					"vswitchd: invalid --pmd-idle-us '%s' (1-10000000)\n",
					optarg);
				return -1;
			}
			break;
		case 's':
			a->socket = optarg;
			break;
		case 'c':
			a->n_cpus = vs_cpu_list_parse(optarg, a->cpus, err, sizeof(err));
			if (a->n_cpus < 0) {
				fprintf(stderr, "vswitchd: --pmd-cpus: %s\n", err);
				return -1;
			}
			break;
		case 'l':
			vs_log_level = vs_log_level_parse(optarg);
			if (vs_log_level < 0) {
				fprintf(stderr, "vswitchd: invalid --log-level '%s'\n", optarg);
				return -1;
			}
			break;
		case 'd':
			a->detach = 1;
			break;
		case 'D':
			a->dpdk = optarg;
			break;
		case 'p':
			a->pidfile = optarg;
			break;
		case 'V':
			printf("vswitchd %s\n", VS_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	a->adaptive = adaptive;
	a->idle_us = (uint32_t)idle_us;
	if (optind < argc) {
		fprintf(stderr, "vswitchd: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (a->n_cpus == 0) {
		a->cpus[0] = default_cpu();
		a->n_cpus = 1;
	}
	return 0;
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "we");

	if (f == NULL)
		return -errno;
	fprintf(f, "%d\n", getpid());
	return fclose(f) == 0 ? 0 : -errno;
}

// Forks; the parent waits until the child reports readiness (or failure) on a pipe.
static int daemonize(int *ready_fd)
{
	int fds[2];
	pid_t pid;
	char st = 1;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(fds[1]);
		if (read(fds[0], &st, 1) != 1)
			st = 1;
		_exit(st);
	}
	close(fds[0]);
	setsid();
	*ready_fd = fds[1];
	return 0;
}

static void report_ready(int *ready_fd, char status)
{
	if (*ready_fd < 0)
		return;
	if (write(*ready_fd, &status, 1) != 1)
		VS_LOG(WARN, "cannot report readiness to the parent");
	close(*ready_fd);
	*ready_fd = -1;
	if (status == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			close(null);
		}
	}
}

int main(int argc, char **argv)
{
	static struct vs_switch sw;
	struct vs_server *srv = NULL;
	int ready_fd = -1, sfd, ret, sig;
	char err[256];
	struct args a;
	sigset_t mask;

	if (parse_args(argc, argv, &a) < 0)
		return 2;
	if (a.detach && daemonize(&ready_fd) < 0) {
		fprintf(stderr, "vswitchd: cannot detach: %s\n", strerror(errno));
		return 1;
	}
	// Signals go to the control thread's signalfd; PMD threads inherit the blocked mask.
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);

	vs_port_driver_register(&vs_afxdp_ops);
	vs_fastpath_set_ops(&vs_xdp_fastpath_ops); // fastpath=xdp bridges (cp/fastpath.h)
	vs_port_driver_register(&vs_dpdk_ops);
	// Before the PMD threads start: they register with the EAL. A failure leaves AF_XDP
	// ports working; dpdk ports then report why DPDK is not available.
	if (a.dpdk != NULL && vs_dpdk_init(a.dpdk, err, sizeof(err)) < 0)
		VS_LOG(ERR, "%s; ports of type dpdk are unavailable", err);
	vs_port_driver_register(&vs_vxlan_ops);
	vs_switch_init(&sw);
	ret = vs_server_open(&srv, a.socket);
	if (ret < 0) {
		VS_LOG(ERR, "control socket %s: %s", a.socket,
		       ret == -EADDRINUSE ? "another vswitchd is running there" : strerror(-ret));
		report_ready(&ready_fd, 1);
		return 1;
	}
	sw.pmd_adaptive = a.adaptive;
	sw.pmd_idle_us = a.idle_us;
	if (vs_switch_set_pmds(&sw, a.cpus, a.n_cpus, err, sizeof(err)) < 0) {
		VS_LOG(ERR, "%s", err);
		vs_switch_stop_pmds(&sw);
		vs_server_close(srv);
		report_ready(&ready_fd, 1);
		return 1;
	}
	if (a.pidfile != NULL && (ret = write_pidfile(a.pidfile)) < 0)
		VS_LOG(WARN, "cannot write pidfile %s: %s", a.pidfile, strerror(-ret));
	VS_LOG(NOTICE, "vswitchd %s ready on %s, %u PMD thread(s)", VS_VERSION, a.socket,
	       sw.n_pmds);
	report_ready(&ready_fd, 0);

	sig = vs_server_run(srv, &sw, sfd);
	if (sig < 0)
		VS_LOG(ERR, "control loop failed: %s; shutting down", strerror(-sig));
	else
		VS_LOG(NOTICE, "%s received, shutting down", strsignal(sig));
	vs_switch_clear(&sw);
	vs_switch_stop_pmds(&sw);
	vs_conf_free(vs_conf_publish(NULL));
	vs_dpdk_fini();
	vs_server_close(srv);
	if (a.pidfile != NULL)
		unlink(a.pidfile);
	close(sfd);
	VS_LOG(NOTICE, "stopped");
	return 0;
}
