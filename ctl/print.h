// SPDX-License-Identifier: Apache-2.0
// vsctl: human-readable printing of control protocol results.
#pragma once

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

// A printer writes 'result' (the "result" object of a response) to 'out'.
// Returns 0, or -1 with a one-line description in 'err' when the result
// does not have the documented shape. Scalar fields that are missing or of
// an unexpected type are printed as "-" rather than treated as errors.
typedef int vs_printer(const json_t *result, FILE *out, char *err, size_t errsize);

int print_list_br(const json_t *result, FILE *out, char *err, size_t errsize);
int print_list_ports(const json_t *result, FILE *out, char *err, size_t errsize);
int print_show(const json_t *result, FILE *out, char *err, size_t errsize);
int print_fdb_show(const json_t *result, FILE *out, char *err, size_t errsize);
int print_port_stats(const json_t *result, FILE *out, char *err, size_t errsize);
int print_pmd_stats(const json_t *result, FILE *out, char *err, size_t errsize);
int print_version(const json_t *result, FILE *out, char *err, size_t errsize);

// Prints 'result' as indented JSON with sorted keys, plus a newline.
int print_json(const json_t *result, FILE *out, char *err, size_t errsize);
