// SPDX-License-Identifier: Apache-2.0
#include <vs/drops.h>

const char *const vs_drop_names[VS_DROP_MAX] = {
	[VS_DROP_NONE] = "none",
#define VS_DROP_NAME_(e, s) [VS_DROP_##e] = s,
	VS_DROP_REASONS(VS_DROP_NAME_)
#undef VS_DROP_NAME_
};
