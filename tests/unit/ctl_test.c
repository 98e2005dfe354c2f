// SPDX-License-Identifier: Apache-2.0
// Unit tests of the control protocol (vswitch/cp/handlers.c, query.c) through vs_ctl_handle(),
// with in-memory ports. Every failing request is checked to leave the configuration unchanged.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>
#include <vs/ctl_proto.h>
#include <vs/drops.h>
#include <vs/log.h>

#include "swfix.h"
#include "vswitch/cp/handlers.h"

#define INVALID "invalid-params"
// A request of 'method' with params '{p}', written with ' for " (see handle()).
#define M(method, p) "{'method':'" method "','params':{" p "}}"

static json_t *last; // the last response, released by the next request

static int setup(void **state)
{
	(void)state;
	swfix_setup(VS_LOG_WARN);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(last);
	last = NULL;
	swfix_teardown();
	return 0;
}

// Requests are written with ' for " to keep them readable; this sends the real JSON.
static json_t *handle(const char *text)
{
	char buf[4096];
	size_t n = strlen(text);
	json_t *r;

	assert_true(n < sizeof(buf));
	for (size_t i = 0; i <= n; i++)
		buf[i] = text[i] == '\'' ? '"' : text[i];
	r = vs_ctl_handle(&sw, buf, n);
	assert_non_null(r);
	return r;
}

// Member 'k' of object 'o' as an integer / a string.
#define I(o, k) json_integer_value(json_object_get(o, k))
#define S(o, k) (json_string_value(json_object_get(o, k)) ?: "(not a string)")
#define G json_object_get
#define AT json_array_get
#define N json_array_size

static json_t *vreq(const char *fmt, va_list ap)
{
	char buf[4096];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	json_decref(last);
	last = handle(buf);
	return last;
}

// Sends a request that must succeed; returns its result object.
static json_t *ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *ok(const char *fmt, ...)
{
	json_t *r, *res;
	va_list ap;

	va_start(ap, fmt);
	r = vreq(fmt, ap);
	va_end(ap);
	res = G(r, "result");
	if (G(r, "error") != NULL || !json_is_object(res)) {
		char *s = json_dumps(r, 0);

		fail_msg("request failed: %s", s);
	}
	return res;
}

// Everything a client can read back (show has the port lists), as one string.
static char *snapshot(void)
{
	json_t *all = json_object(), *names, *r, *v;
	size_t i;
	char *s;

	r = handle("{'method':'list-br'}");
	names = G(G(r, "result"), "bridges");
	json_object_set(all, "list-br", names);
	json_array_foreach (names, i, v) {
		char q[128], key[64];
		json_t *x;

		snprintf(q, sizeof(q), M("fdb-show", "'bridge':'%s'"), json_string_value(v));
		x = handle(q);
		snprintf(key, sizeof(key), "fdb-%s", json_string_value(v));
		json_object_set_new(all, key, x);
	}
	json_decref(r);
	json_object_set_new(all, "show", handle("{'method':'show'}"));
	json_object_set_new(all, "stats", handle("{'method':'port-stats'}"));
	s = json_dumps(all, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(all);
	assert_non_null(s);
	return s;
}

// Sends a request that must fail with 'code' (and message 'msg' unless NULL) and change
// nothing. Returns the response.
static json_t *err(const char *code, const char *msg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static json_t *err(const char *code, const char *msg, const char *fmt, ...)
{
	char *before = snapshot(), *after;
	json_t *r, *e;
	va_list ap;

	va_start(ap, fmt);
	r = vreq(fmt, ap);
	va_end(ap);
	e = G(r, "error");
	if (e == NULL || G(r, "result") != NULL || !G(r, "id")) {
		char *s = json_dumps(r, 0);

		fail_msg("expected error %s, got %s", code, s);
	}
	assert_string_equal(S(e, "code"), code);
	assert_true(json_is_string(G(e, "message")));
	if (msg != NULL)
		assert_string_equal(S(e, "message"), msg);
	after = snapshot();
	assert_string_equal(before, after);
	free(before);
	free(after);
	return r;
}

// br0 with p1, p2; br1 with q1.
static void two_bridges(void)
{
	ok(M("add-br", "'bridge':'br0'"));
	ok(M("add-br", "'bridge':'br1'"));
	ok(M("add-port", "'bridge':'br0','port':'p1','type':'mem'"));
	ok(M("add-port", "'bridge':'br0','port':'p2','type':'mem'"));
	ok(M("add-port", "'bridge':'br1','port':'q1','type':'mem'"));
}

static void test_parse_error(void **state)
{
	static const char *const bad[] = {
		"",
		"{",
		"not json",
		"{'method':'version'",
		"[1,2]",
		"'str'",
		"42",
		"null",
		"{'method':'version'} x",
		"{'id':1,'id':2,'method':'version'}",
	};

	(void)state;
	two_bridges();
	for (unsigned i = 0; i < VS_ARRAY_SIZE(bad); i++) {
		json_t *r = err("parse-error", NULL, "%s", bad[i]);

		assert_true(json_is_null(G(r, "id")));
	}
	err("parse-error", "request must be a JSON object", "[{'method':'version'}]");
}

static void test_invalid_request(void **state)
{
	static const char *const bad_id[] = {"true", "1.5", "{}", "[1]"};
	json_t *r;

	(void)state;
	two_bridges();
	r = err("invalid-request", "'method' must be a string", "{'id':3}");
	assert_int_equal(I(r, "id"), 3);
	err("invalid-request", "'method' must be a string", "{'id':3,'method':5}");
	err("invalid-request", "'method' must be a string", "{'method':null}");
	err("invalid-request", "'method' must be a string", "{'method':['show']}");
	err("invalid-request", "'method' must be a string", "{}");
	r = err("invalid-request", "'params' must be an object",
		"{'id':'x','method':'add-br','params':['br5']}");
	assert_string_equal(S(r, "id"), "x");
	err("invalid-request", "'params' must be an object", "{'method':'add-br','params':'br5'}");
	err("invalid-request", "'params' must be an object", "{'method':'list-br','params':5}");
	for (unsigned i = 0; i < VS_ARRAY_SIZE(bad_id); i++) {
		r = err("invalid-request", "'id' must be an integer or a string",
			"{'id':%s,'method':'version'}", bad_id[i]);
		assert_true(json_is_null(G(r, "id")));
	}
	// null params and null id are fine.
	ok("{'id':null,'method':'list-br','params':null}");
	assert_true(json_is_null(G(last, "id")));
}

static void test_unknown_method(void **state)
{
	json_t *r;

	(void)state;
	two_bridges();
	r = err("unknown-method", "unknown method 'nope'", "{'id':9,'method':'nope'}");
	assert_int_equal(I(r, "id"), 9);
	r = err("unknown-method", "unknown method 'Version'", "{'id':'abc','method':'Version'}");
	assert_string_equal(S(r, "id"), "abc");
	err("unknown-method", "unknown method ''", "{'method':''}");
}

static void test_version(void **state)
{
	json_t *res;

	(void)state;
	res = ok("{'id':1,'method':'version'}");
	assert_string_equal(S(res, "version"), VS_VERSION);
	assert_int_equal(I(res, "protocol"), VS_CTL_PROTOCOL);
	assert_int_equal(I(last, "id"), 1);
	ok("{'id':'s','method':'version','params':{}}");
	assert_string_equal(S(last, "id"), "s");
	ok("{'method':'version'}");
	assert_true(json_is_null(G(last, "id")));
	err(INVALID, "unknown parameter 'x'", M("version", "'x':1"));
}

static void test_param_types(void **state)
{
	static const char *const bad_opt[] = {"true", "null", "1.5", "{}", "[60]"};

	(void)state;
	two_bridges();
	err(INVALID, "parameter 'bridge' must be a string", M("add-br", "'bridge':5"));
	err(INVALID, "missing parameter 'bridge'", M("add-br", ""));
	err(INVALID, "missing parameter 'bridge'", "{'method':'add-br'}");
	err(INVALID, "parameter 'options' must be an object",
	    M("add-br", "'bridge':'br5','options':'x'"));
	err(INVALID, "parameter 'options' must be an object",
	    M("add-port", "'bridge':'br0','port':'p5','type':'mem','options':[]"));
	for (unsigned i = 0; i < VS_ARRAY_SIZE(bad_opt); i++) {
		err(INVALID, "option 'mac-aging' must be a string or an integer",
		    M("add-br", "'bridge':'br5','options':{'mac-aging':%s}"), bad_opt[i]);
		err(INVALID, "option 'tx-ring' must be a string or an integer",
		    M("add-port",
		      "'bridge':'br0','port':'p5','type':'mem','options':{'tx-ring':%s}"),
		    bad_opt[i]);
	}
	err(INVALID, "parameter 'port' must be a string",
	    M("add-port", "'bridge':'br0','port':1,'type':'mem'"));
	err(INVALID, "parameter 'type' must be a string",
	    M("add-port", "'bridge':'br0','port':'p5','type':2"));
	err(INVALID, "missing parameter 'port'", M("del-port", "'bridge':'br0'"));
	err(INVALID, "parameter 'mac' must be a string",
	    M("fdb-add", "'bridge':'br0','mac':1,'port':'p1'"));
	err(INVALID, "parameter 'port' must be a string", M("port-stats", "'port':['p1']"));
	err(INVALID, "parameter 'bridge' must be a string", M("list-ports", "'bridge':null"));
	err(INVALID, "parameter 'bridge' must be a string", M("del-br", "'bridge':true"));
}

static void test_unknown_params(void **state)
{
	(void)state;
	two_bridges();
	err(INVALID, "unknown parameter 'foo'", M("add-br", "'bridge':'br5','foo':1"));
	err(INVALID, "unknown parameter 'a'", M("list-br", "'a':1"));
	err(INVALID, "unknown parameter 'x'", M("show", "'x':null"));
	err(INVALID, "unknown parameter 'mac'",
	    M("del-port", "'bridge':'br0','port':'p1','mac':'x'"));
	err(INVALID, "unknown parameter 'port'", M("fdb-flush", "'bridge':'br0','port':'p1'"));
	err(INVALID, "unknown bridge option: foo",
	    M("add-br", "'bridge':'br5','options':{'foo':1}"));
	err(INVALID, "unknown option for mem port: bar",
	    M("add-port", "'bridge':'br0','port':'p5','type':'mem','options':{'bar':1}"));
}

static void test_add_br(void **state)
{
	json_t *res, *brs;

	(void)state;
	ok(M("add-br", "'bridge':'br0'"));
	err("exists", "bridge br0 already exists", M("add-br", "'bridge':'br0'"));
	err("exists", "bridge br0 already exists",
	    M("add-br", "'bridge':'br0','options':{'mac-aging':60}"));
	// Options as integers and as strings are the same.
	ok(M("add-br", "'bridge':'br1','options':{'mac-aging':60,'mac-table-size':1024}"));
	ok(M("add-br", "'bridge':'br2','options':{'mac-aging':'60','mac-table-size':'1024'}"));
	res = ok("{'method':'show'}");
	brs = G(res, "bridges");
	assert_int_equal(N(brs), 3);
	assert_int_equal(I(AT(brs, 0), "mac-aging"), VS_DEFAULT_MAC_AGING);
	assert_int_equal(I(AT(brs, 0), "mac-table-size"), VS_DEFAULT_MAC_TABLE_SIZE);
	for (size_t i = 1; i < 3; i++) {
		json_t *b = AT(brs, i);

		assert_int_equal(I(b, "mac-aging"), 60);
		assert_int_equal(I(b, "mac-table-size"), 1024);
	}
	assert_int_equal(vs_switch_bridge(&sw, "br2")->fdb->limit, 1024);
}

static void test_bridge_names(void **state)
{
	static const char *const bad[] = {"",	  "a234567890123456", "br/0",	 "br 0",
					  "br:0", "br\\'0",	      "\\u00e9", "br\\n"};
	char msg[128];

	(void)state;
	ok(M("add-br", "'bridge':'br0'"));
	for (unsigned i = 0; i < VS_ARRAY_SIZE(bad); i++)
		err(INVALID, NULL, M("add-br", "'bridge':'%s'"), bad[i]);
	snprintf(msg, sizeof(msg),
		 "invalid bridge name 'br 0' (1-%d characters of A-Z a-z 0-9 _ . -)", VS_NAME_MAX);
	err(INVALID, msg, M("add-br", "'bridge':'br 0'"));
	ok(M("add-br", "'bridge':'a23456789012345'"));
	ok(M("add-br", "'bridge':'A.b_c-9'"));
	ok("{'method':'list-br'}");
	assert_int_equal(N(G(G(last, "result"), "bridges")), 3);
}

static void test_bridge_option_range(void **state)
{
	static const char *const bad_aging[] = {
		"9",	 "1000001",    "0",	"-1",	      "'-1'",
		"'abc'", "''",	       "'10x'", "4294967296", "'99999999999999999999'",
		"' '",	 "-4294967295"};
	static const char *const bad_size[] = {"15", "1048577", "0", "'0x100'", "-16"};
	static const char *const good[] = {"'mac-aging':10", "'mac-aging':1000000",
					   "'mac-table-size':16", "'mac-table-size':1048576"};

	(void)state;
	ok(M("add-br", "'bridge':'br0'"));
	for (unsigned i = 0; i < VS_ARRAY_SIZE(bad_aging); i++) {
		err(INVALID, NULL, M("add-br", "'bridge':'br5','options':{'mac-aging':%s}"),
		    bad_aging[i]);
		err(INVALID, NULL, M("set-bridge", "'bridge':'br0','options':{'mac-aging':%s}"),
		    bad_aging[i]);
	}
	err(INVALID, "mac-aging must be between 10 and 1000000 seconds",
	    M("add-br", "'bridge':'br5','options':{'mac-aging':9}"));
	for (unsigned i = 0; i < VS_ARRAY_SIZE(bad_size); i++)
		err(INVALID, NULL, M("add-br", "'bridge':'br5','options':{'mac-table-size':%s}"),
		    bad_size[i]);
	err(INVALID, "mac-table-size must be between 16 and 1048576",
	    M("set-bridge", "'bridge':'br0','options':{'mac-table-size':15}"));
	// One bad option spoils the request: the good one is not applied either.
	err(INVALID, NULL,
	    M("set-bridge", "'bridge':'br0','options':{'mac-aging':60,'mac-table-size':1}"));
	for (unsigned i = 0; i < VS_ARRAY_SIZE(good); i++)
		ok(M("add-br", "'bridge':'ok%u','options':{%s}"), i, good[i]);
}

static void test_set_bridge(void **state)
{
	json_t *b;

	(void)state;
	two_bridges();
	err(INVALID, "set-bridge needs at least one option", M("set-bridge", "'bridge':'br0'"));
	err(INVALID, "set-bridge needs at least one option",
	    M("set-bridge", "'bridge':'br0','options':{}"));
	err("not-found", "bridge br9 does not exist",
	    M("set-bridge", "'bridge':'br9','options':{'mac-aging':60}"));
	for (int i = 0; i < 20; i++)
		ok(M("fdb-add", "'bridge':'br0','mac':'02:00:00:00:01:%02x','port':'p1'"), i);
	err(INVALID,
	    "mac-table-size 16 is smaller than the 20 entries in the MAC table of br0 (flush it "
	    "first)",
	    M("set-bridge", "'bridge':'br0','options':{'mac-table-size':16,'mac-aging':30}"));
	ok(M("set-bridge", "'bridge':'br0','options':{'mac-table-size':20,'mac-aging':'30'}"));
	b = AT(G(ok("{'method':'show'}"), "bridges"), 0);
	assert_string_equal(S(b, "name"), "br0");
	assert_int_equal(I(b, "mac-aging"), 30);
	assert_int_equal(I(b, "mac-table-size"), 20);
	assert_int_equal(I(b, "mac-count"), 20);
	// An option not given is left as it is.
	ok(M("set-bridge", "'bridge':'br1','options':{'mac-table-size':64}"));
	ok(M("set-bridge", "'bridge':'br1','options':{'mac-aging':20}"));
	ok(M("set-bridge", "'bridge':'br1','options':{'mac-table-size':'64'}"));
	b = AT(G(ok("{'method':'show'}"), "bridges"), 1);
	assert_string_equal(S(b, "name"), "br1");
	assert_int_equal(I(b, "mac-aging"), 20);
	assert_int_equal(I(b, "mac-table-size"), 64);
	assert_int_equal(vs_switch_bridge(&sw, "br1")->fdb->limit, 64);
	err("resource", "MAC table of br0 is full (20 entries)",
	    M("fdb-add", "'bridge':'br0','mac':'02:00:00:00:02:00','port':'p1'"));
	// Replacing an existing entry still works when full.
	ok(M("fdb-add", "'bridge':'br0','mac':'02:00:00:00:01:00','port':'p2'"));
}

#define ADD_PORT M("add-port", "'bridge':'%s','port':'%s','type':'%s'")

static void test_add_port(void **state)
{
	json_t *port;

	(void)state;
	two_bridges();
	err("not-found", "bridge br9 does not exist", ADD_PORT, "br9", "p5", "mem");
	err("exists", "port p1 is already on br0", ADD_PORT, "br0", "p1", "mem");
	err("exists", "port p1 is already on br0", ADD_PORT, "br1", "p1", "mem");
	err("exists", "port q1 is already on br1", ADD_PORT, "br0", "q1", "mem");
	err(INVALID, "unknown port type: foo", ADD_PORT, "br0", "p5", "foo");
	// The default type, afxdp, is not registered in this test.
	err(INVALID, "unknown port type: afxdp", M("add-port", "'bridge':'br0','port':'p5'"));
	err(INVALID, "invalid port name ''", ADD_PORT, "br0", "", "mem");
	err(INVALID, NULL, ADD_PORT, "br0", "p234567890123456", "mem");
	err(INVALID, NULL, ADD_PORT, "br0", "a/b", "mem");
	err(INVALID, "invalid option for mem port: tx-ring",
	    M("add-port", "'bridge':'br0','port':'p5','type':'mem','options':{'tx-ring':0}"));
	err(INVALID, "invalid option for mem port: max-frame",
	    M("add-port", "'bridge':'br0','port':'p5','type':'mem','options':{'max-frame':'big'}"));
	err(INVALID, "too many options (at most 8)",
	    M("add-port", "'bridge':'br0','port':'p5','type':'mem','options':{'a':1,'b':1,'c':1,'d'"
			  ":1,'e':1,'f':1,'g':1,'h':1,'i':1}"));
	// Options as integers or strings.
	ok(M("add-port",
	     "'bridge':'br0','port':'p5','type':'mem','options':{'tx-ring':8,'max-frame':'1500'}"));
	ok(M("add-port", "'bridge':'br1','port':'q5','type':'mem','options':{'tx-ring':'8'}"));
	assert_int_equal(sw.ports[vs_switch_port_id(&sw, "p5")]->max_frame, 1500);
	port = AT(G(AT(G(ok("{'method':'show'}"), "bridges"), 0), "ports"), 2);
	assert_string_equal(S(port, "name"), "p5");
	assert_string_equal(S(port, "type"), "mem");
	assert_string_equal(S(G(port, "options"), "tx-ring"), "8");
}

static void test_del_port(void **state)
{
	json_t *ports;

	(void)state;
	two_bridges();
	err("not-found", "port p9 is not on br0", M("del-port", "'bridge':'br0','port':'p9'"));
	err("not-found", "port q1 is not on br0", M("del-port", "'bridge':'br0','port':'q1'"));
	err("not-found", "bridge br9 does not exist", M("del-port", "'bridge':'br9','port':'p1'"));
	ok(M("del-port", "'bridge':'br0','port':'p1'"));
	ports = G(ok(M("list-ports", "'bridge':'br0'")), "ports");
	assert_int_equal(N(ports), 1);
	assert_string_equal(json_string_value(AT(ports, 0)), "p2");
	err("not-found", "port p1 is not on br0", M("del-port", "'bridge':'br0','port':'p1'"));
	err("not-found", "port p1 does not exist", M("port-stats", "'port':'p1'"));
	// The name is free again.
	ok(ADD_PORT, "br1", "p1", "mem");
}

static void test_del_br(void **state)
{
	(void)state;
	two_bridges();
	err("not-found", "bridge br9 does not exist", M("del-br", "'bridge':'br9'"));
	ok(M("del-br", "'bridge':'br0'"));
	assert_int_equal(N(G(ok("{'method':'list-br'}"), "bridges")), 1);
	err("not-found", "port p1 does not exist", M("port-stats", "'port':'p1'"));
	err("not-found", "bridge br0 does not exist", M("list-ports", "'bridge':'br0'"));
	ok(ADD_PORT, "br1", "p1", "mem");
	ok(M("add-br", "'bridge':'br0'"));
}

#define FDB_ADD M("fdb-add", "'bridge':'%s','mac':'%s','port':'%s'")

static void test_fdb_add_del(void **state)
{
	static const char *const bad_mac[] = {"zz",
					      "",
					      "02:00:00:00:00",
					      "02:00:00:00:00:001",
					      "02-00-00-00-00-01",
					      "02:00:00:00:00:0g",
					      "2:0:0:0:0:1",
					      "02:00:00:00:00:01 ",
					      "02:00:00:00:00:01:"};
	static const char *const not_unicast[] = {"01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff",
						  "00:00:00:00:00:00", "33:33:00:00:00:01"};
	char msg[128];
	json_t *res, *e;

	(void)state;
	two_bridges();
	err(INVALID, "invalid MAC address: zz", FDB_ADD, "br0", "zz", "p1");
	for (unsigned i = 0; i < VS_ARRAY_SIZE(bad_mac); i++)
		err(INVALID, NULL, FDB_ADD, "br0", bad_mac[i], "p1");
	for (unsigned i = 0; i < VS_ARRAY_SIZE(not_unicast); i++) {
		snprintf(msg, sizeof(msg), "MAC address %s is not a unicast address",
			 not_unicast[i]);
		err(INVALID, msg, FDB_ADD, "br0", not_unicast[i], "p1");
	}
	err("not-found", "port p9 is not on br0", FDB_ADD, "br0", "02:00:00:00:00:09", "p9");
	err("not-found", "port q1 is not on br0", FDB_ADD, "br0", "02:00:00:00:00:09", "q1");
	err("not-found", "bridge br9 does not exist", FDB_ADD, "br9", "02:00:00:00:00:09", "p1");

	ok(FDB_ADD, "br0", "02:00:00:00:00:09", "p2");
	ok(FDB_ADD, "br0", "02:00:00:00:00:0A", "p1"); // upper case accepted, shown lower case
	res = ok(M("fdb-show", "'bridge':'br0'"));
	assert_int_equal(I(res, "count"), 2);
	assert_int_equal(I(res, "limit"), VS_DEFAULT_MAC_TABLE_SIZE);
	assert_int_equal(I(res, "learn-table-full"), 0);
	// Sorted by port name: p1 first.
	e = AT(G(res, "entries"), 0);
	assert_string_equal(S(e, "mac"), "02:00:00:00:00:0a");
	assert_string_equal(S(e, "port"), "p1");
	assert_string_equal(S(e, "type"), "static");
	assert_int_equal(I(e, "age"), 0);
	e = AT(G(res, "entries"), 1);
	assert_string_equal(S(e, "mac"), "02:00:00:00:00:09");
	assert_string_equal(S(e, "port"), "p2");

	// fdb-flush removes only dynamic entries.
	res = ok(M("fdb-flush", "'bridge':'br0'"));
	assert_int_equal(I(res, "flushed"), 0);
	err("not-found", "bridge br9 does not exist", M("fdb-flush", "'bridge':'br9'"));

	err("not-found", "MAC 02:00:00:00:00:07 is not in the MAC table of br0",
	    M("fdb-del", "'bridge':'br0','mac':'02:00:00:00:00:07'"));
	err("not-found", "MAC 02:00:00:00:00:09 is not in the MAC table of br1",
	    M("fdb-del", "'bridge':'br1','mac':'02:00:00:00:00:09'"));
	err(INVALID, "invalid MAC address: zz", M("fdb-del", "'bridge':'br0','mac':'zz'"));
	err("not-found", "bridge br9 does not exist",
	    M("fdb-del", "'bridge':'br9','mac':'02:00:00:00:00:09'"));
	ok(M("fdb-del", "'bridge':'br0','mac':'02:00:00:00:00:09'"));
	err("not-found", "MAC 02:00:00:00:00:09 is not in the MAC table of br0",
	    M("fdb-del", "'bridge':'br0','mac':'02:00:00:00:00:09'"));
	res = ok(M("fdb-show", "'bridge':'br0'"));
	assert_int_equal(I(res, "count"), 1);
	err("not-found", "bridge br9 does not exist", M("fdb-show", "'bridge':'br9'"));
}

static void test_lists_sorted(void **state)
{
	static const char *const brs[] = {"zeta", "alpha", "mid", "Beta"};
	static const char *const ports[] = {"p3", "p1", "a0", "p2"};
	static const char *const brs_sorted[] = {"Beta", "alpha", "mid", "zeta"};
	static const char *const ports_sorted[] = {"a0", "p1", "p2", "p3"};
	json_t *a, *show;

	(void)state;
	assert_int_equal(N(G(ok("{'method':'list-br'}"), "bridges")), 0);
	for (unsigned i = 0; i < 4; i++)
		ok(M("add-br", "'bridge':'%s'"), brs[i]);
	for (unsigned i = 0; i < 4; i++)
		ok(ADD_PORT, "mid", ports[i], "mem");
	a = G(ok("{'method':'list-br'}"), "bridges");
	for (unsigned i = 0; i < 4; i++)
		assert_string_equal(json_string_value(AT(a, i)), brs_sorted[i]);
	a = G(ok(M("list-ports", "'bridge':'mid'")), "ports");
	assert_int_equal(N(a), 4);
	for (unsigned i = 0; i < 4; i++)
		assert_string_equal(json_string_value(AT(a, i)), ports_sorted[i]);
	show = ok("{'method':'show'}");
	a = G(show, "bridges");
	for (unsigned i = 0; i < 4; i++)
		assert_string_equal(S(AT(a, i), "name"), brs_sorted[i]);
	a = G(AT(a, 2), "ports");
	for (unsigned i = 0; i < 4; i++)
		assert_string_equal(S(AT(a, i), "name"), ports_sorted[i]);
	a = G(ok("{'method':'port-stats'}"), "ports");
	for (unsigned i = 0; i < 4; i++)
		assert_string_equal(S(AT(a, i), "name"), ports_sorted[i]);
}

static void test_show(void **state)
{
	json_t *res, *pm, *b, *p;

	(void)state;
	res = ok("{'method':'show'}");
	assert_int_equal(N(G(res, "bridges")), 0);
	two_bridges();
	res = ok("{'method':'show'}");
	assert_string_equal(S(res, "version"), VS_VERSION);
	pm = G(res, "pmd");
	assert_int_equal(N(pm), 1);
	assert_int_equal(I(AT(pm, 0), "id"), 0);
	assert_int_equal(I(AT(pm, 0), "cpu"), -1);
	assert_int_equal(N(G(res, "bridges")), 2);
	b = AT(G(res, "bridges"), 0);
	assert_int_equal(json_object_size(b), 6);
	assert_string_equal(S(b, "name"), "br0");
	assert_string_equal(S(b, "type"), "learning");
	assert_int_equal(I(b, "mac-aging"), VS_DEFAULT_MAC_AGING);
	assert_int_equal(I(b, "mac-table-size"), VS_DEFAULT_MAC_TABLE_SIZE);
	assert_int_equal(I(b, "mac-count"), 0);
	assert_int_equal(N(G(b, "ports")), 2);
	p = AT(G(b, "ports"), 1);
	assert_string_equal(S(p, "name"), "p2");
	assert_string_equal(S(p, "type"), "mem");
	assert_true(json_is_integer(G(p, "ifindex")));
	assert_true(json_is_string(G(p, "link")));
	assert_true(json_is_object(G(p, "options")));
	assert_string_equal(S(G(p, "options"), "tx-ring"), "1024");
	b = AT(G(res, "bridges"), 1);
	assert_string_equal(S(b, "name"), "br1");
	assert_int_equal(N(G(b, "ports")), 1);
}

static void test_port_stats(void **state)
{
	json_t *a, *s, *drops;
	struct pb b;

	(void)state;
	two_bridges();
	err("not-found", "port p9 does not exist", M("port-stats", "'port':'p9'"));
	a = G(ok("{'method':'port-stats'}"), "ports");
	assert_int_equal(N(a), 3);
	s = AT(a, 2);
	assert_string_equal(S(s, "name"), "q1");
	assert_string_equal(S(s, "bridge"), "br1");

	// A valid frame and a malformed one from p1.
	pb_simple(&b, PB_BROADCAST, pb_mac(1), 100);
	assert_int_equal(vs_mem_inject(sw.ports[vs_switch_port_id(&sw, "p1")], b.buf, 100), 0);
	assert_int_equal(vs_mem_inject(sw.ports[vs_switch_port_id(&sw, "p1")], b.buf, 10), 0);
	assert_int_equal(vs_pmd_poll_once(pmd, vs_conf_current()), 2);

	a = G(ok(M("port-stats", "'port':'p1'")), "ports");
	assert_int_equal(N(a), 1);
	s = AT(a, 0);
	assert_string_equal(S(s, "name"), "p1");
	assert_string_equal(S(s, "bridge"), "br0");
	assert_int_equal(I(s, "rx-packets"), 2);
	assert_int_equal(I(s, "rx-bytes"), 110);
	assert_int_equal(I(s, "tx-packets"), 0);
	assert_int_equal(I(s, "dropped"), 1);
	drops = G(s, "drops");
	assert_int_equal(json_object_size(drops), VS_DROP_MAX - 1);
	for (int d = 1; d < VS_DROP_MAX; d++)
		assert_int_equal(json_integer_value(G(drops, vs_drop_names[d])),
				 d == VS_DROP_MALFORMED);

	s = AT(G(ok(M("port-stats", "'port':'p2'")), "ports"), 0);
	assert_int_equal(I(s, "tx-packets"), 1);
	assert_int_equal(I(s, "tx-bytes"), 100);
	assert_int_equal(I(s, "dropped"), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_parse_error), T(test_invalid_request), T(test_unknown_method),
		T(test_version),     T(test_param_types),     T(test_unknown_params),
		T(test_add_br),	     T(test_bridge_names),    T(test_bridge_option_range),
		T(test_set_bridge),  T(test_add_port),	      T(test_del_port),
		T(test_del_br),	     T(test_fdb_add_del),     T(test_lists_sorted),
		T(test_show),	     T(test_port_stats),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
