/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lwIP compiler/platform abstraction for the Linux kernel.
 *
 * lwIP sees kernel types, kernel byte order, kernel printk and a random
 * number generator; nothing from a C library.
 */
#ifndef LWIPK_ARCH_CC_H
#define LWIPK_ARCH_CC_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/stddef.h>
#include <linux/random.h>
#include <linux/bug.h>
#include <asm/byteorder.h>

/* No C library: lwIP takes its types and helpers from here. */
#define LWIP_NO_STDDEF_H	1
#define LWIP_NO_STDINT_H	1
#define LWIP_NO_INTTYPES_H	1
#define LWIP_NO_LIMITS_H	1
#define LWIP_NO_CTYPE_H		1
#define LWIP_NO_UNISTD_H	1

typedef u8 u8_t;
typedef s8 s8_t;
typedef u16 u16_t;
typedef s16 s16_t;
typedef u32 u32_t;
typedef s32 s32_t;
typedef u64 u64_t;
typedef s64 s64_t;
typedef uintptr_t mem_ptr_t;

#define X8_F	"02x"
#define U16_F	"hu"
#define S16_F	"hd"
#define X16_F	"hx"
#define U32_F	"u"
#define S32_F	"d"
#define X32_F	"x"
#define SZT_F	"zu"

#ifdef __LITTLE_ENDIAN
#define BYTE_ORDER LITTLE_ENDIAN
#else
#define BYTE_ORDER BIG_ENDIAN
#endif
#ifndef LITTLE_ENDIAN
#define LITTLE_ENDIAN 1234
#endif
#ifndef BIG_ENDIAN
#define BIG_ENDIAN 4321
#endif

/* The kernel has htons() and friends; lwIP must not define them again. */
#define LWIP_DONT_PROVIDE_BYTEORDER_FUNCTIONS 1

/* Let lwIP use the kernel's (often arch-optimised) byte swapping. */
#define lwip_htons(x)	((u16_t)cpu_to_be16(x))
#define lwip_htonl(x)	((u32_t)cpu_to_be32(x))

/*
 * An lwIP assertion is a kernel WARN: loud (the test harness fails on it),
 * never fatal, and once per site, so that nothing a peer sends can flood
 * the log with them.
 */
#define LWIP_PLATFORM_ASSERT(msg) \
	WARN_ONCE(1, "lwip: assertion \"%s\" failed at %s:%d\n", msg, __FILE__, __LINE__)

void lwipk_diag(const char *fmt, ...) __printf(1, 2);
#define LWIP_PLATFORM_DIAG(x)	(lwipk_diag x)

#define LWIP_RAND()		((u32_t)get_random_u32())

#define LWIP_ERR_T		int

/* Kernel memcpy/memset are fine; say so instead of lwIP's byte loops. */
#define SMEMCPY(dst, src, len)	memcpy(dst, src, len)
#define MEMCPY(dst, src, len)	memcpy(dst, src, len)

#endif /* LWIPK_ARCH_CC_H */
