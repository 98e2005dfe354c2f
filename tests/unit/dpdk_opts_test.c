// SPDX-License-Identifier: Apache-2.0
// Unit tests of the DPDK port options and EAL command line (pmd/dpdk_opts.c), and of the
// driver of a vswitchd built without DPDK (pmd/dpdk_off.c).
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pmd/dpdk.h"
#include "pmd/dpdk_opts.h"

static char err[512];

static int parse(struct vs_dpdk_opts *o, size_t n, const struct vs_opt *opts)
{
	err[0] = '\0';
	return vs_dpdk_opts_parse("d0", opts, n, o, err, sizeof(err));
}

static void test_defaults(void **state)
{
	const struct vs_opt opts[] = {{"devargs", "net_tap0,iface=tap1"}};
	struct vs_dpdk_opts o;

	(void)state;
	assert_int_equal(parse(&o, 1, opts), 0);
	assert_string_equal(o.devargs, "net_tap0,iface=tap1");
	assert_string_equal(o.dev_name, "net_tap0");
	assert_int_equal(o.n_rxq, 1);
	assert_int_equal(o.n_txq, 1);
	assert_int_equal(o.rxq_size, VS_DPDK_DEFAULT_DESC);
	assert_int_equal(o.txq_size, VS_DPDK_DEFAULT_DESC);
	assert_int_equal(o.mtu, 0);
}

static void test_all_options(void **state)
{
	const struct vs_opt opts[] = {
		{"n_rxq", "4"},	     {"devargs", "0000:01:00.0"}, {"n_txq", "2"},
		{"rxq_size", "512"}, {"txq_size", "4096"},	  {"mtu", "9000"},
	};
	struct vs_dpdk_opts o;

	(void)state;
	assert_int_equal(parse(&o, 6, opts), 0);
	assert_string_equal(o.dev_name, "0000:01:00.0");
	assert_int_equal(o.n_rxq, 4);
	assert_int_equal(o.n_txq, 2);
	assert_int_equal(o.rxq_size, 512);
	assert_int_equal(o.txq_size, 4096);
	assert_int_equal(o.mtu, 9000);
}

// Each bad option is refused with a message naming it.
static void test_bad(void **state)
{
	static const struct {
		struct vs_opt opt;
		const char *msg;
	} cases[] = {
		{{"n_rxq", "0"}, "d0: invalid n_rxq '0' (1-16)"},
		{{"n_rxq", "17"}, "d0: invalid n_rxq '17' (1-16)"},
		{{"n_txq", "-1"}, "d0: invalid n_txq '-1' (1-16)"},
		{{"n_txq", "2x"}, "d0: invalid n_txq '2x' (1-16)"},
		{{"rxq_size", "1000"}, "d0: invalid rxq_size '1000' (64-16384, a power of 2)"},
		{{"txq_size", "32"}, "d0: invalid txq_size '32' (64-16384, a power of 2)"},
		{{"txq_size", "32768"}, "d0: invalid txq_size '32768' (64-16384, a power of 2)"},
		{{"mtu", "67"}, "d0: invalid mtu '67' (68-9600)"},
		{{"mtu", ""}, "d0: invalid mtu '' (68-9600)"},
		{{"mtu", " 1500"}, "d0: invalid mtu ' 1500' (68-9600)"},
		{{"queues", "2"}, "d0: unknown option 'queues' for a dpdk port"},
		{{"devargs", ""}, "d0: devargs must be 1-255 characters"},
		{{"devargs", ",iface=x"}, "d0: invalid devargs ',iface=x'"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vs_opt opts[2] = {{"devargs", "net_tap0"}, cases[i].opt};
		struct vs_dpdk_opts o;

		assert_int_equal(parse(&o, 2, opts), -EINVAL);
		if (strstr(err, cases[i].msg) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].msg);
	}
}

static void test_devargs_required(void **state)
{
	const struct vs_opt opts[] = {{"mtu", "1500"}};
	struct vs_dpdk_opts o;

	(void)state;
	assert_int_equal(parse(&o, 1, opts), -EINVAL);
	assert_non_null(strstr(err, "d0: a dpdk port needs devargs=DEVICE"));
	assert_int_equal(parse(&o, 0, NULL), -EINVAL);
}

static void test_devargs_too_long(void **state)
{
	char big[VS_DPDK_DEVARGS_MAX + 1];
	struct vs_opt opts[] = {{"devargs", big}};
	struct vs_dpdk_opts o;

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(parse(&o, 1, opts), -EINVAL);
	big[VS_DPDK_DEVARGS_MAX - 1] = '\0'; // 255 characters fit
	assert_int_equal(parse(&o, 1, opts), 0);
}

static int eal(const char *line, int lcore, char **argv)
{
	static char buf[1024];

	err[0] = '\0';
	return vs_dpdk_eal_argv(line, lcore, buf, sizeof(buf), argv, 16, err, sizeof(err));
}

static void assert_argv(char **argv, int argc, const char *const *want)
{
	int i;

	for (i = 0; want[i] != NULL; i++) {
		assert_true(i < argc);
		assert_string_equal(argv[i], want[i]);
	}
	assert_int_equal(argc, i);
	assert_null(argv[argc]);
}

static void test_eal_defaults(void **state)
{
	static const char *const want[] = {"vswitchd", "--no-huge", "-m", "512",
					   "--no-pci", "-l",	    "3",  "--file-prefix",
					   "vswitchd", NULL};
	char *argv[16];

	(void)state;
	assert_argv(argv, eal("  --no-huge -m 512\t--no-pci ", 3, argv), want);
}

static void test_eal_given(void **state)
{
	static const char *const want1[] = {"vswitchd", "--lcores=0@1", "--file-prefix=x", NULL};
	static const char *const want2[] = {"vswitchd", "-l0", "--in-memory", NULL};
	static const char *const want3[] = {"vswitchd", "-c", "3", "--file-prefix", "p", NULL};
	char *argv[16];

	(void)state;
	assert_argv(argv, eal("--lcores=0@1 --file-prefix=x", 0, argv), want1);
	assert_argv(argv, eal("-l0 --in-memory", 0, argv), want2);
	assert_argv(argv, eal("-c 3 --file-prefix p", 0, argv), want3);
}

static void test_eal_quotes(void **state)
{
	static const char *const want[] = {
		"vswitchd",    "--vdev",	"net_memif0,socket=/a b/m.sock",
		"--log-level", "lib.eal:debug", "-l",
		"0",	       "--file-prefix", "vswitchd",
		NULL};
	char *argv[16];

	(void)state;
	assert_argv(argv,
		    eal("--vdev 'net_memif0,socket=/a b/m.sock' --log-level \"lib.eal\":debug", 0,
			argv),
		    want);
}

static void test_eal_bad(void **state)
{
	char *argv[16];

	(void)state;
	assert_int_equal(eal("--vdev 'net_tap0", 0, argv), -EINVAL);
	assert_non_null(strstr(err, "unbalanced '"));
	assert_int_equal(eal("--no-pci --help", 0, argv), -EINVAL);
	assert_non_null(strstr(err, "--help"));
	assert_int_equal(eal("-h", 0, argv), -EINVAL);
	assert_int_equal(eal("a b c d e f g h i j k l m n o", 0, argv), -EINVAL);
	assert_non_null(strstr(err, "too many EAL arguments"));
}

// Built without DPDK: --dpdk and type=dpdk say so.

static void test_not_built(void **state)
{
	struct vs_port port = {.name = "dpdk0"};
	const struct vs_opt opts[] = {{"devargs", "net_tap0"}};

	(void)state;
	assert_int_equal(vs_dpdk_state(), VS_DPDK_OFF);
	assert_int_equal(vs_dpdk_ops.open(&port, opts, 1, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "dpdk0: type dpdk: vswitchd was built without DPDK (rebuild with "
				 "meson -Ddpdk=enabled)");
	assert_int_equal(vs_dpdk_init("--no-huge", err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "--dpdk: vswitchd was built without DPDK"));
	assert_int_equal(vs_dpdk_state(), VS_DPDK_NOT_BUILT);
	assert_string_equal(vs_dpdk_state_name(vs_dpdk_state()), "built without DPDK");
	assert_int_equal(vs_dpdk_pools(NULL, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_options),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_devargs_required),
		cmocka_unit_test(test_devargs_too_long),
		cmocka_unit_test(test_eal_defaults),
		cmocka_unit_test(test_eal_given),
		cmocka_unit_test(test_eal_quotes),
		cmocka_unit_test(test_eal_bad),
		cmocka_unit_test(test_not_built),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
