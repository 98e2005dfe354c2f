// SPDX-License-Identifier: Apache-2.0
// vsctl: command-line client of vswitchd (see docs/control-protocol.md).
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <getopt.h>
#include <math.h> // isfinite (a macro: no libm needed)
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <vs/ctl_proto.h>

#include "client.h"
#include "print.h"
#include "print_svc.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

#define DEFAULT_TIMEOUT_MS 10000
#define MAX_TIMEOUT_S 2000000 // keeps milliseconds well inside an int
#define HELP_HINT "Try 'vsctl --help' for more information."

// ---- building params -----------------------------------------------------

// Builds a method's params from the command's arguments. Returns 0, or -1
// with a one-line usage error in 'err'.
typedef int builder(char **args, int n, json_t *params, char *err, size_t errsize);

__attribute__((format(printf, 3, 4))) static int usage_err(char *err, size_t errsize,
							   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
	return -1;
}

static int set_string(json_t *obj, const char *key, const char *value, char *err, size_t errsize)
{
	json_t *s = json_string(value);

	if (!s)
		return usage_err(err, errsize, "argument is not valid UTF-8: %s", value);
	if (json_object_set_new(obj, key, s) != 0)
		return usage_err(err, errsize, "out of memory");
	return 0;
}

// An option value: an integer when it is all digits (and fits), else a
// string, as the protocol accepts both for every option.
static json_t *option_value(const char *s)
{
	size_t digits = strspn(s, "0123456789");

	if (digits > 0 && s[digits] == '\0') {
		long long v;

		errno = 0;
		v = strtoll(s, NULL, 10);
		if (errno == 0)
			return json_integer(v);
	}
	return json_string(s);
}

// Adds "key=value" to 'options'; the key "type" goes to 'params' instead
// when 'type_ok'.
static int add_option(json_t *params, json_t *options, const char *arg, bool type_ok, char *err,
		      size_t errsize)
{
	const char *eq = strchr(arg, '=');
	json_t *dst = options, *value;
	char key[128];

	if (!eq || eq == arg)
		return usage_err(err, errsize, "malformed option '%s' (expected key=value)", arg);
	if ((size_t)(eq - arg) >= sizeof key)
		return usage_err(err, errsize, "option name too long: %s", arg);
	memcpy(key, arg, (size_t)(eq - arg));
	key[eq - arg] = '\0';

	if (type_ok && !strcmp(key, "type")) {
		dst = params;
		value = json_string(eq + 1);
	} else {
		value = option_value(eq + 1);
	}
	if (json_object_get(dst, key)) {
		json_decref(value);
		return usage_err(err, errsize, "option '%s' given more than once", key);
	}
	if (!value || json_object_set_new(dst, key, value) != 0)
		return usage_err(err, errsize, "argument is not valid UTF-8: %s", arg);
	return 0;
}

// Parses args[0..n) as key=value into params["options"] (omitted if n == 0).
static int add_options(json_t *params, char **args, int n, bool type_ok, char *err, size_t errsize)
{
	json_t *options = json_object();

	if (!options)
		return usage_err(err, errsize, "out of memory");
	for (int i = 0; i < n; i++) {
		if (add_option(params, options, args[i], type_ok, err, errsize) != 0) {
			json_decref(options);
			return -1;
		}
	}
	if (json_object_size(options) == 0) {
		json_decref(options);
		return 0;
	}
	if (json_object_set_new(params, "options", options) != 0)
		return usage_err(err, errsize, "out of memory");
	return 0;
}

// Sets params[keys[i]] = args[i] for each of the NULL-terminated 'keys'
// that has an argument.
static int set_strings(json_t *params, char **args, int n, const char *const *keys, char *err,
		       size_t errsize)
{
	for (int i = 0; keys[i] && i < n; i++)
		if (set_string(params, keys[i], args[i], err, errsize) != 0)
			return -1;
	return 0;
}

#define STRINGS_BUILDER(NAME, ...)                                                                 \
	static int NAME(char **args, int n, json_t *params, char *err, size_t errsize)             \
	{                                                                                          \
		static const char *const keys[] = {__VA_ARGS__, NULL};                             \
		return set_strings(params, args, n, keys, err, errsize);                           \
	}

STRINGS_BUILDER(build_bridge, "bridge")
STRINGS_BUILDER(build_bridge_port, "bridge", "port")
STRINGS_BUILDER(build_fdb_add, "bridge", "mac", "port")
STRINGS_BUILDER(build_fdb_del, "bridge", "mac")
STRINGS_BUILDER(build_port, "port")

static int build_bridge_options(char **args, int n, json_t *params, char *err, size_t errsize)
{
	if (build_bridge(args, 1, params, err, errsize) != 0)
		return -1;
	return add_options(params, args + 1, n - 1, false, err, errsize);
}

static int build_options(char **args, int n, json_t *params, char *err, size_t errsize)
{
	return add_options(params, args, n, false, err, errsize);
}

static int build_add_port(char **args, int n, json_t *params, char *err, size_t errsize)
{
	if (build_bridge_port(args, 2, params, err, errsize) != 0)
		return -1;
	return add_options(params, args + 2, n - 2, true, err, errsize);
}

static int build_set_port(char **args, int n, json_t *params, char *err, size_t errsize)
{
	if (build_bridge_port(args, 2, params, err, errsize) != 0)
		return -1;
	return add_options(params, args + 2, n - 2, false, err, errsize);
}

STRINGS_BUILDER(build_bridge_service, "bridge", "service")

static int build_service_options(char **args, int n, json_t *params, char *err, size_t errsize)
{
	if (build_bridge_service(args, 2, params, err, errsize) != 0)
		return -1;
	return add_options(params, args + 2, n - 2, false, err, errsize);
}

// conntrack-show BR [--service NAME]
static int build_conntrack_show(char **args, int n, json_t *params, char *err, size_t errsize)
{
	if (build_bridge(args, 1, params, err, errsize) != 0)
		return -1;
	if (n == 1)
		return 0;
	if (n != 3 || strcmp(args[1], "--service") != 0)
		return usage_err(err, errsize, "expected BR [--service NAME]");
	return set_string(params, "service", args[2], err, errsize);
}

// load-services BR FILE: the daemon reads FILE, so it gets an absolute path.
static int build_load_services(char **args, int n, json_t *params, char *err, size_t errsize)
{
	char *path;
	int ret;

	(void)n;
	if (build_bridge(args, 1, params, err, errsize) != 0)
		return -1;
	path = realpath(args[1], NULL);
	if (path == NULL)
		return usage_err(err, errsize, "cannot read %s: %s", args[1], strerror(errno));
	ret = set_string(params, "file", path, err, errsize);
	free(path);
	return ret;
}

// ---- the command table ---------------------------------------------------

struct command {
	const char *name; // also the protocol method
	int min_args;
	int max_args;	  // -1: unlimited
	const char *args; // argument synopsis
	const char *help;
	builder *build;	   // NULL: no params
	vs_printer *print; // NULL: prints nothing on success
};

static const struct command commands[] = {
	{"add-br", 1, -1, "BR [key=value ...]",
	 "create a bridge (mac-aging=SECS, mac-table-size=N, fastpath=xdp|off)", build_bridge_options, NULL},
	{"del-br", 1, 1, "BR", "delete a bridge and all its ports", build_bridge, NULL},
	{"list-br", 0, 0, "", "print the bridge names, one per line", NULL, print_list_br},
	{"set-bridge", 2, -1, "BR key=value [key=value ...]", "change bridge options",
	 build_bridge_options, NULL},
	{"add-port", 2, -1, "BR PORT [type=TYPE] [key=value ...]",
	 "add a port (afxdp: xdp-mode=auto|native|generic, queues=N; vxlan: vni=N local_ip=IP "
	 "remote_ip=IP[,IP...] [dst_port=N] [underlay=DEV] [ttl=N] [udp_csum=BOOL])",
	 build_add_port, NULL},
	{"del-port", 2, 2, "BR PORT", "remove a port from a bridge", build_bridge_port, NULL},
	{"list-ports", 1, 1, "BR", "print the port names of BR, one per line", build_bridge,
	 print_list_ports},
	{"show", 0, 0, "", "print an overview of the switch configuration", NULL, print_show},
	{"fdb-show", 1, 1, "BR", "print the MAC learning table of BR", build_bridge,
	 print_fdb_show},
	{"fdb-flush", 1, 1, "BR", "remove the dynamic MAC entries of BR", build_bridge, NULL},
	{"fdb-add", 3, 3, "BR MAC PORT", "add a static MAC entry", build_fdb_add, NULL},
	{"fdb-del", 2, 2, "BR MAC", "remove a MAC entry", build_fdb_del, NULL},
	{"port-stats", 0, 1, "[PORT]", "print port counters (all ports by default)", build_port,
	 print_port_stats},
	{"set", 1, -1, "key=value [key=value ...]",
	 "change daemon settings (pmd-cpus=LIST, pmd-idle=busy|adaptive, pmd-idle-us=N)",
	 build_options, NULL},
	{"pmd-stats", 0, 0, "", "print PMD thread activity and the rx queues each polls", NULL,
	 print_pmd_stats},
	{"version", 0, 0, "", "print the versions of vsctl and vswitchd", NULL, print_version},
	{"set-port", 3, -1, "BR PORT key=value [key=value ...]",
	 "change port options at run time (macvlan child: mac=MAC; macvlan bridges: see "
	 "add-br BR type=macvlan parent=PORT [mode=bridge|private|vepa|passthru]; vxlan: "
	 "remote_ip=IP[,IP...], ttl=N, udp_csum=BOOL)",
	 build_set_port, NULL},
	{"add-service", 3, -1, "BR NAME vip=A.B.C.D:PORT backends=A.B.C.D:PORT,... [key=value ...]",
	 "add a load-balanced service (proto=tcp|udp, affinity=none|client-ip, "
	 "affinity_timeout=SECS)",
	 build_service_options, NULL},
	{"del-service", 2, 2, "BR NAME", "remove a service and its connections",
	 build_bridge_service, NULL},
	{"set-service", 3, -1, "BR NAME key=value ...",
	 "change a service (backends=..., affinity=..., vip=..., proto=...)",
	 build_service_options, NULL},
	{"list-services", 0, 1, "[BR]", "print the services (of BR)", build_bridge,
	 print_list_services},
	{"conntrack-show", 1, 3, "BR [--service NAME]", "print the tracked service connections",
	 build_conntrack_show, print_conntrack_show},
	{"conntrack-flush", 1, 1, "BR", "remove every tracked connection of BR", build_bridge,
	 print_flushed},
	{"load-services", 2, 2, "BR FILE",
	 "add the services of FILE at once, one per line: NAME key=value ...",
	 build_load_services, print_added},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

// ---- usage and errors ----------------------------------------------------

static void print_help(void)
{
	printf("Usage: vsctl [OPTIONS] COMMAND [ARGS...]\n"
	       "Configure and inspect vswitchd.\n\nCommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		printf("  %s%s%s\n      %s\n", commands[i].name, *commands[i].args ? " " : "",
		       commands[i].args, commands[i].help);
	printf("\nOptions:\n"
	       "  -s, --socket PATH     control socket of vswitchd (default:\n"
	       "                        $VSCTL_SOCKET, else %s)\n"
	       "  -j, --json            print the result as JSON\n"
	       "  -t, --timeout SECS    give up after SECS seconds (default %d;"
	       " 0: never)\n"
	       "  -V, --version         print the version of vsctl and exit\n"
	       "  -h, --help            print this help and exit\n"
	       "\nExit status: 0 on success, 1 on failure, 2 on a usage error.\n",
	       VS_CTL_DEFAULT_SOCKET, DEFAULT_TIMEOUT_MS / 1000);
}

__attribute__((format(printf, 2, 3))) static int usage_error(const char *hint, const char *fmt, ...)
{
	va_list ap;

	fputs("vsctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s\n", hint);
	return EXIT_USAGE;
}

__attribute__((format(printf, 1, 2))) static int failure(const char *fmt, ...)
{
	va_list ap;

	fputs("vsctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

// Parses a --timeout value in seconds into milliseconds; -1 if invalid.
static long long parse_timeout(const char *s)
{
	char *end;
	double secs;

	errno = 0;
	secs = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(secs) || secs < 0 || secs > MAX_TIMEOUT_S)
		return -1;
	if (secs > 0 && secs < 0.001)
		return 1;
	return (long long)(secs * 1000 + 0.5);
}

static const char *cmd_usage(const struct command *cmd, char *buf, size_t size)
{
	snprintf(buf, size, "Usage: vsctl %s%s%s", cmd->name, *cmd->args ? " " : "", cmd->args);
	return buf;
}

// ---- main ----------------------------------------------------------------

static int run(const struct command *cmd, char **args, int n, const char *socket_path,
	       long long timeout_ms, bool json)
{
	char usage[160], err[1024];
	struct vs_client client;
	json_t *params = json_object(), *result = NULL;
	int rc = EXIT_FAIL;

	if (!params)
		return failure("out of memory");
	if (cmd->build && cmd->build(args, n, params, err, sizeof err) != 0) {
		json_decref(params);
		return usage_error(cmd_usage(cmd, usage, sizeof usage), "%s", err);
	}

	if (vs_client_open(&client, socket_path, timeout_ms) != VS_CLIENT_OK ||
	    vs_client_call(&client, cmd->name, params, &result) != VS_CLIENT_OK) {
		failure("%s", client.err);
	} else if (json) {
		rc = print_json(result, stdout, err, sizeof err) ? failure("%s", err) : EXIT_OK;
	} else if (cmd->print) {
		rc = cmd->print(result, stdout, err, sizeof err) ? failure("%s", err) : EXIT_OK;
	} else {
		rc = EXIT_OK;
	}
	vs_client_close(&client);
	json_decref(result);
	json_decref(params);
	return rc;
}

int main(int argc, char *argv[])
{
	static const struct option long_opts[] = {
		{"socket", required_argument, NULL, 's'},  {"json", no_argument, NULL, 'j'},
		{"timeout", required_argument, NULL, 't'}, {"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},	   {NULL, 0, NULL, 0},
	};
	const char *socket_path = NULL;
	long long timeout_ms = DEFAULT_TIMEOUT_MS;
	bool json = false;
	const struct command *cmd;
	char usage[160];
	int opt, n, rc;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:s:jt:Vh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (!*optarg)
				return usage_error(HELP_HINT, "the socket path is empty");
			socket_path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 't':
			timeout_ms = parse_timeout(optarg);
			if (timeout_ms < 0)
				return usage_error(HELP_HINT,
						   "invalid timeout '%s' (expected "
						   "seconds, 0 to %d)",
						   optarg, MAX_TIMEOUT_S);
			break;
		case 'V':
			printf("vsctl %s\n", VS_VERSION);
			return fflush(stdout) || ferror(stdout)
				       ? failure("cannot write output: %s", strerror(errno))
				       : EXIT_OK;
		case 'h':
			print_help();
			return fflush(stdout) || ferror(stdout)
				       ? failure("cannot write output: %s", strerror(errno))
				       : EXIT_OK;
		case ':':
			return usage_error(HELP_HINT, "option '%s' requires an argument",
					   argv[optind - 1]);
		default:
			if (optopt == 0) // an unknown long option
				return usage_error(HELP_HINT, "unknown option '%s'",
						   argv[optind - 1]);
			if (!strchr("sjtVh", optopt))
				return usage_error(HELP_HINT, "unknown option '-%c'", optopt);
			return usage_error(HELP_HINT, "option '%s' takes no argument",
					   argv[optind - 1]);
		}
	}
	if (!socket_path) {
		socket_path = getenv("VSCTL_SOCKET");
		if (!socket_path || !*socket_path)
			socket_path = VS_CTL_DEFAULT_SOCKET;
	}

	if (optind >= argc)
		return usage_error(HELP_HINT, "missing command");
	cmd = find_command(argv[optind]);
	if (!cmd)
		return usage_error(HELP_HINT, "unknown command '%s'", argv[optind]);

	n = argc - optind - 1;
	if (n < cmd->min_args || (cmd->max_args >= 0 && n > cmd->max_args)) {
		bool dash = false;

		for (int i = optind + 1; i < argc; i++)
			dash |= argv[i][0] == '-';
		cmd_usage(cmd, usage, sizeof usage);
		if (dash && n > cmd->min_args)
			snprintf(usage + strlen(usage), sizeof usage - strlen(usage),
				 " (options go before the command)");
		if (cmd->max_args == 0)
			return usage_error(usage, "'%s' takes no arguments", cmd->name);
		if (cmd->min_args == cmd->max_args)
			return usage_error(usage, "'%s' takes exactly %d argument%s", cmd->name,
					   cmd->min_args, cmd->min_args == 1 ? "" : "s");
		if (n < cmd->min_args)
			return usage_error(usage, "'%s' needs at least %d argument%s", cmd->name,
					   cmd->min_args, cmd->min_args == 1 ? "" : "s");
		return usage_error(usage, "'%s' takes at most %d argument%s", cmd->name,
				   cmd->max_args, cmd->max_args == 1 ? "" : "s");
	}

	rc = run(cmd, argv + optind + 1, n, socket_path, timeout_ms, json);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (rc == EXIT_OK)
			rc = failure("cannot write output: %s", strerror(errno));
	}
	return rc;
}
