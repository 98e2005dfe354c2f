// SPDX-License-Identifier: Apache-2.0
// vsctl: human-readable printing of control protocol results.
#include "print.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include <vs/ctl_proto.h>

#define SCALAR_MAX 256

__attribute__((format(printf, 3, 4))) static int malformed(char *err, size_t errsize,
							   const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(err, errsize, "unexpected response from vswitchd: %s", what);
	return -1;
}

// Copies 's' into 'buf' (SCALAR_MAX bytes) with control characters
// replaced, so that server-supplied text cannot garble the terminal.
static const char *clean(const char *s, char *buf)
{
	size_t i;

	for (i = 0; s[i] && i < SCALAR_MAX - 1; i++) {
		unsigned char ch = (unsigned char)s[i];
		buf[i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	buf[i] = '\0';
	return buf;
}

// Formats a scalar JSON value for display into 'buf' (SCALAR_MAX bytes):
// strings cleaned, numbers and booleans in their JSON spelling, anything
// else (missing, null, array, object) as "-".
static const char *scalar(const json_t *v, char *buf)
{
	if (json_is_string(v)) {
		clean(json_string_value(v), buf);
	} else if (json_is_integer(v)) {
		snprintf(buf, SCALAR_MAX, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	} else if (json_is_real(v)) {
		snprintf(buf, SCALAR_MAX, "%g", json_real_value(v));
	} else if (json_is_boolean(v)) {
		snprintf(buf, SCALAR_MAX, "%s", json_is_true(v) ? "true" : "false");
	} else {
		snprintf(buf, SCALAR_MAX, "-");
	}
	return buf;
}

static const char *field(const json_t *obj, const char *key, char *buf)
{
	return scalar(json_object_get(obj, key), buf);
}

static bool is_scalar(const json_t *v)
{
	return json_is_string(v) || json_is_number(v) || json_is_boolean(v);
}

// Gets the array 'key' of 'obj' whose elements all have type 'type'.
static const json_t *get_array(const json_t *obj, const char *key, json_type type, char *err,
			       size_t errsize)
{
	const json_t *arr = json_object_get(obj, key), *elem;
	size_t i;

	if (!json_is_array(arr)) {
		malformed(err, errsize, "\"%s\" is %s", key, arr ? "not an array" : "missing");
		return NULL;
	}
	json_array_foreach (arr, i, elem) {
		if (json_typeof(elem) != type) {
			malformed(err, errsize, "element %zu of \"%s\" is not %s", i, key,
				  type == JSON_STRING ? "a string" : "an object");
			return NULL;
		}
	}
	return arr;
}

static int print_names(const json_t *result, const char *key, FILE *out, char *err, size_t errsize)
{
	const json_t *names = get_array(result, key, JSON_STRING, err, errsize);
	const json_t *name;
	char buf[SCALAR_MAX];
	size_t i;

	if (!names)
		return -1;
	json_array_foreach (names, i, name)
		fprintf(out, "%s\n", scalar(name, buf));
	return 0;
}

int print_list_br(const json_t *result, FILE *out, char *err, size_t errsize)
{
	return print_names(result, "bridges", out, err, errsize);
}

int print_list_ports(const json_t *result, FILE *out, char *err, size_t errsize)
{
	return print_names(result, "ports", out, err, errsize);
}

int print_version(const json_t *result, FILE *out, char *err, size_t errsize)
{
	char v[SCALAR_MAX], p[SCALAR_MAX];

	(void)err;
	(void)errsize;
	fprintf(out, "vsctl %s\n", VS_VERSION);
	fprintf(out, "vswitchd %s (protocol %s)\n", field(result, "version", v),
		field(result, "protocol", p));
	return 0;
}

// ---- show ----------------------------------------------------------------

static bool in_list(const char *key, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(key, *list))
			return true;
	return false;
}

// Prints "key: value" for a scalar, or one such line per scalar member of
// an object (e.g. a port's "options"). Arrays are not printed.
static void print_member(FILE *out, int indent, const char *key, const json_t *v)
{
	char kbuf[SCALAR_MAX], vbuf[SCALAR_MAX];
	const char *k;
	const json_t *sub;

	if (json_is_object(v)) {
		json_object_foreach ((json_t *)v, k, sub)
			if (is_scalar(sub))
				print_member(out, indent, k, sub);
	} else if (is_scalar(v)) {
		fprintf(out, "%*s%s: %s\n", indent, "", clean(key, kbuf), scalar(v, vbuf));
	}
}

// Prints the members named in 'order' first, in that order, then every
// other member except those in 'skip', in the server's order.
static void print_fields(FILE *out, int indent, const json_t *obj, const char *const *order,
			 const char *const *skip)
{
	const char *key;
	const json_t *v;

	for (const char *const *k = order; *k; k++)
		print_member(out, indent, *k, json_object_get(obj, *k));
	json_object_foreach ((json_t *)obj, key, v)
		if (!in_list(key, order) && !in_list(key, skip))
			print_member(out, indent, key, v);
}

// A vxlan port's remote VTEPs, on one line: "remotes: IP (next-hop MAC), ...".
static void print_remotes(FILE *out, const json_t *port)
{
	const json_t *remotes = json_object_get(port, "remotes"), *r;
	char ip[SCALAR_MAX], mac[SCALAR_MAX];
	size_t i;

	if (!json_is_array(remotes))
		return;
	fprintf(out, "        remotes:");
	json_array_foreach ((json_t *)remotes, i, r)
		fprintf(out, "%s %s (%s)", i ? "," : "", field(r, "ip", ip),
			field(r, "next-hop-mac", mac));
	fputc('\n', out);
}

int print_show(const json_t *result, FILE *out, char *err, size_t errsize)
{
	static const char *const br_order[] = {"type", "mac-aging", "mac-table-size", "mac-count",
					       NULL};
	static const char *const br_skip[] = {"name", "ports", NULL};
	static const char *const port_order[] = {"type", "ifindex", "options", "mac",
						 "mtu",	 "link",    NULL};
	static const char *const port_skip[] = {"name", NULL};
	const json_t *pmds, *bridges, *pmd, *br, *ports, *port;
	char a[SCALAR_MAX], b[SCALAR_MAX], c[SCALAR_MAX];
	size_t i, j;

	if (!(pmds = get_array(result, "pmd", JSON_OBJECT, err, errsize)) ||
	    !(bridges = get_array(result, "bridges", JSON_OBJECT, err, errsize)))
		return -1;
	json_array_foreach (bridges, i, br)
		if (!get_array(br, "ports", JSON_OBJECT, err, errsize))
			return -1;

	fprintf(out, "vswitchd %s\n", field(result, "version", a));
	if (json_is_object(json_object_get(result, "dpdk"))) {
		const json_t *d = json_object_get(result, "dpdk");

		fprintf(out, "dpdk: %s\n", field(d, "state", a));
		print_fields(out, 4, d, (const char *const[]){"version", "eal-args", NULL},
			     (const char *const[]){"state", NULL});
	}
	fprintf(out, "pmd threads: %zu\n", json_array_size(pmds));
	json_array_foreach (pmds, i, pmd)
		fprintf(out, "    pmd %s: cpu %s, idle %s\n", field(pmd, "id", a), field(pmd, "cpu", b),
			field(pmd, "idle", c));
	json_array_foreach (bridges, i, br) {
		fprintf(out, "Bridge %s\n", field(br, "name", a));
		print_fields(out, 4, br, br_order, br_skip);
		ports = json_object_get(br, "ports");
		json_array_foreach (ports, j, port) {
			fprintf(out, "    Port %s\n", field(port, "name", a));
			print_fields(out, 8, port, port_order, port_skip);
			print_remotes(out, port);
		}
	}
	return 0;
}

// ---- fdb-show ------------------------------------------------------------

int print_fdb_show(const json_t *result, FILE *out, char *err, size_t errsize)
{
	const json_t *entries, *e;
	char port[SCALAR_MAX], mac[SCALAR_MAX], type[SCALAR_MAX], age[SCALAR_MAX];
	char vtep[SCALAR_MAX];
	bool vteps = false; // a "vtep" column when some entry sits behind a remote VTEP
	int width = 8;
	size_t i;

	if (!(entries = get_array(result, "entries", JSON_OBJECT, err, errsize)))
		return -1;
	json_array_foreach (entries, i, e) {
		int len = (int)strlen(field(e, "port", port));
		if (len > width)
			width = len;
		vteps |= json_object_get(e, "vtep") != NULL;
	}
	if (json_object_get(result, "parent") != NULL) { // a macvlan bridge: its children
		fprintf(out, " %-*s %-17s  %s\n", width, "port", "mac", "mac-source");
		json_array_foreach (entries, i, e)
			fprintf(out, " %-*s %-17s  %s\n", width, field(e, "port", port),
				field(e, "mac", mac), field(e, "type", type));
		fprintf(out, "%s children (%s with a MAC), parent %s, mode %s\n",
			field(result, "children", port), field(result, "count", mac),
			field(result, "parent", type), field(result, "mode", age));
		return 0;
	}

	if (vteps) {
		fprintf(out, " %-*s %-17s  %-7s  %-5s  %s\n", width, "port", "mac", "type", "age",
			"vtep");
		json_array_foreach (entries, i, e)
			fprintf(out, " %-*s %-17s  %-7s  %-5s  %s\n", width, field(e, "port", port),
				field(e, "mac", mac), field(e, "type", type), field(e, "age", age),
				field(e, "vtep", vtep));
	} else {
		fprintf(out, " %-*s %-17s  %-7s  %s\n", width, "port", "mac", "type", "age");
		json_array_foreach (entries, i, e)
			fprintf(out, " %-*s %-17s  %-7s  %s\n", width, field(e, "port", port),
				field(e, "mac", mac), field(e, "type", type),
				field(e, "age", age));
	}
	fprintf(out, "%s entries (limit %s), learn-table-full: %s\n", field(result, "count", port),
		field(result, "limit", mac), field(result, "learn-table-full", type));
	return 0;
}

// ---- port-stats ----------------------------------------------------------

enum { COL_NAME, COL_BRIDGE, COL_RXP, COL_RXB, COL_TXP, COL_TXB, COL_DROP, N_COLS };

static const struct {
	const char *key; // member of a port object
	const char *header;
	bool numeric; // right-aligned
} columns[N_COLS] = {
	[COL_NAME] = {"name", "port", false},		[COL_BRIDGE] = {"bridge", "bridge", false},
	[COL_RXP] = {"rx-packets", "rx-packets", true}, [COL_RXB] = {"rx-bytes", "rx-bytes", true},
	[COL_TXP] = {"tx-packets", "tx-packets", true}, [COL_TXB] = {"tx-bytes", "tx-bytes", true},
	[COL_DROP] = {"dropped", "drops", true},
};

static void print_row(FILE *out, const int *width, const char *const *cells)
{
	for (int c = 0; c < N_COLS; c++) {
		const char *sep = c ? "  " : "";

		if (columns[c].numeric)
			fprintf(out, "%s%*s", sep, width[c], cells[c]);
		else if (c == N_COLS - 1)
			fprintf(out, "%s%s", sep, cells[c]);
		else
			fprintf(out, "%s%-*s", sep, width[c], cells[c]);
	}
	fputc('\n', out);
}

static bool is_zero(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) == 0;
}

int print_port_stats(const json_t *result, FILE *out, char *err, size_t errsize)
{
	const json_t *ports, *port, *drops, *count;
	char cellbuf[N_COLS][SCALAR_MAX];
	const char *cells[N_COLS];
	int width[N_COLS];
	const char *reason;
	size_t i;

	if (!(ports = get_array(result, "ports", JSON_OBJECT, err, errsize)))
		return -1;
	json_array_foreach (ports, i, port) {
		drops = json_object_get(port, "drops");
		if (drops && !json_is_object(drops))
			return malformed(err, errsize, "\"drops\" of port %zu is not an object", i);
	}

	for (int c = 0; c < N_COLS; c++) {
		cells[c] = columns[c].header;
		width[c] = (int)strlen(columns[c].header);
	}
	json_array_foreach (ports, i, port) {
		for (int c = 0; c < N_COLS; c++) {
			int len = (int)strlen(field(port, columns[c].key, cellbuf[c]));
			if (len > width[c])
				width[c] = len;
		}
	}

	print_row(out, width, cells);
	json_array_foreach (ports, i, port) {
		for (int c = 0; c < N_COLS; c++)
			cells[c] = field(port, columns[c].key, cellbuf[c]);
		print_row(out, width, cells);

		drops = json_object_get(port, "drops");
		json_object_foreach ((json_t *)drops, reason, count)
			if (!is_zero(count) && is_scalar(count))
				fprintf(out, "  drop %s: %s\n", clean(reason, cellbuf[0]),
					scalar(count, cellbuf[1]));
		// Frames the XDP fast path forwarded (already in the columns), non-zero ones.
		json_object_foreach ((json_t *)json_object_get(port, "fastpath"), reason, count)
			if (!is_zero(count) && is_scalar(count))
				fprintf(out, "  fastpath %s: %s\n", clean(reason, cellbuf[0]),
					scalar(count, cellbuf[1]));
		// Statistics of the device itself (dpdk ports: link, xstats), non-zero ones.
		json_object_foreach ((json_t *)json_object_get(port, "device"), reason, count)
			if (!is_zero(count) && is_scalar(count))
				fprintf(out, "  device %s: %s\n", clean(reason, cellbuf[0]),
					scalar(count, cellbuf[1]));
	}
	return 0;
}

// ---- pmd-stats -------------------------------------------------------------

int print_pmd_stats(const json_t *result, FILE *out, char *err, size_t errsize)
{
	const json_t *pmds, *pmd, *rxqs, *rxq;
	char buf[6][SCALAR_MAX];
	size_t i, j;

	if (!(pmds = get_array(result, "pmds", JSON_OBJECT, err, errsize)))
		return -1;
	json_array_foreach (pmds, i, pmd) {
		rxqs = json_object_get(pmd, "rxqs");
		if (rxqs && !json_is_array(rxqs))
			return malformed(err, errsize, "\"rxqs\" of pmd %zu is not an array", i);
	}
	json_array_foreach (pmds, i, pmd) {
		double cpp = json_number_value(json_object_get(pmd, "cycles-per-packet"));
		double burst = json_number_value(json_object_get(pmd, "avg-burst"));
		double busy = json_number_value(json_object_get(pmd, "busy-percent"));

		fprintf(out, "pmd %s (cpu %s, idle %s, %s sleeps):\n",
			scalar(json_object_get(pmd, "id"), buf[0]),
			scalar(json_object_get(pmd, "cpu"), buf[1]),
			scalar(json_object_get(pmd, "idle"), buf[2]),
			scalar(json_object_get(pmd, "sleeps"), buf[3]));
		if (json_is_integer(json_object_get(pmd, "numa")))
			fprintf(out, "    numa node: %s\n", field(pmd, "numa", buf[0]));
		fprintf(out, "    rx packets: %s, rx bursts: %s, avg burst: %.1f\n",
			scalar(json_object_get(pmd, "rx-packets"), buf[2]),
			scalar(json_object_get(pmd, "rx-bursts"), buf[3]), burst);
		fprintf(out, "    processing cycles/packet: %.1f, busy: %.1f%% of cycles\n", cpp,
			busy);
		fprintf(out, "    rx queues:");
		rxqs = json_object_get(pmd, "rxqs");
		if (json_array_size(rxqs) == 0)
			fprintf(out, " none");
		json_array_foreach ((json_t *)rxqs, j, rxq)
			fprintf(out, " %s:%s%s%s", scalar(json_object_get(rxq, "port"), buf[0]),
				scalar(json_object_get(rxq, "queue"), buf[1]),
				json_integer_value(json_object_get(rxq, "numa")) >= 0 ? "@numa" : "",
				json_integer_value(json_object_get(rxq, "numa")) >= 0
					? scalar(json_object_get(rxq, "numa"), buf[2])
					: "");
		fputc('\n', out);
	}
	// DPDK mbuf pools: where they are and how full.
	if (json_array_size(json_object_get(result, "mempools")) > 0) {
		const json_t *mp;

		fprintf(out, "dpdk mbuf pools:\n");
		json_array_foreach ((json_t *)json_object_get(result, "mempools"), j, mp)
			fprintf(out, "    %s: numa node %s, %s mbufs of %s bytes, %s in use, %s port(s)\n",
				field(mp, "name", buf[0]), field(mp, "numa", buf[1]),
				field(mp, "size", buf[2]), field(mp, "data-room", buf[3]),
				field(mp, "in-use", buf[4]), field(mp, "ports", buf[5]));
	}
	return 0;
}

// ---- --json --------------------------------------------------------------

int print_json(const json_t *result, FILE *out, char *err, size_t errsize)
{
	if (json_dumpf(result, out, JSON_INDENT(2) | JSON_SORT_KEYS) != 0) {
		snprintf(err, errsize, "cannot format the result as JSON");
		return -1;
	}
	fputc('\n', out);
	return 0;
}
