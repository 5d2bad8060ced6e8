/* SPDX-License-Identifier: GPL-2.0 */
/* lwIP includes <stdio.h> for snprintf(); the kernel has its own. */
#ifndef LWIPK_COMPAT_STDIO_H
#define LWIPK_COMPAT_STDIO_H
#include <linux/kernel.h>
#endif
