/* SPDX-License-Identifier: GPL-2.0 */
/* lwIP includes <stdlib.h> for atoi() (netif_find() parses "en0"). */
#ifndef LWIPK_COMPAT_STDLIB_H
#define LWIPK_COMPAT_STDLIB_H
#include <linux/kernel.h>

static inline int atoi(const char *s)
{
	return (int)simple_strtol(s, NULL, 10);
}
#endif
