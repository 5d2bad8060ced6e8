/* SPDX-License-Identifier: GPL-2.0 */
/* lwIP includes <stdlib.h> for atoi() (netif_find() parses "en0"). */
#ifndef LWIPK_COMPAT_STDLIB_H
#define LWIPK_COMPAT_STDLIB_H
#include <linux/kernel.h>

/* The leading decimal digits of @s, like the C library's (no sign needed). */
static inline int atoi(const char *s)
{
	int n = 0;

	while (*s >= '0' && *s <= '9')
		n = n * 10 + (*s++ - '0');
	return n;
}
#endif
