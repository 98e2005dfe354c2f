// SPDX-License-Identifier: Apache-2.0
// vsctl: printing of the service methods' results (list-services, conntrack-show).
#pragma once

#include "print.h"

int print_list_services(const json_t *result, FILE *out, char *err, size_t errsize);
int print_conntrack_show(const json_t *result, FILE *out, char *err, size_t errsize);
int print_flushed(const json_t *result, FILE *out, char *err, size_t errsize);
int print_added(const json_t *result, FILE *out, char *err, size_t errsize);
