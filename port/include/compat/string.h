/* SPDX-License-Identifier: GPL-2.0 */
/* lwIP includes <string.h>; in the kernel that is <linux/string.h>. */
#ifndef LWIPK_COMPAT_STRING_H
#define LWIPK_COMPAT_STRING_H
#include <linux/string.h>
#endif
