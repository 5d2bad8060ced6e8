/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lwipk: the protocol family of lwIP sockets (lwip_sock.ko), for programs.
 *
 *	int fd = socket(lwip_family(), SOCK_STREAM, 0);
 *
 * Addresses are struct sockaddr_in; sin_family may be AF_INET or the
 * lwip family, and the kernel reports AF_INET.
 */
#ifndef LWIPK_AF_LWIP_H
#define LWIPK_AF_LWIP_H

#include <stdio.h>

/* lwip_sock.ko's default: AF_SNA's number, a family Linux never had. */
#define AF_LWIP		22
#define PF_LWIP		AF_LWIP

#define LWIP_FAMILY_PARAM	"/sys/module/lwip_sock/parameters/family"

/*
 * lwip_family() - the family lwip_sock.ko was loaded with (its "family"
 * parameter), or AF_LWIP when that cannot be read.
 */
static inline int lwip_family(void)
{
	FILE *f = fopen(LWIP_FAMILY_PARAM, "re");
	int family;

	if (!f)
		return AF_LWIP;
	if (fscanf(f, "%d", &family) != 1 || family <= 0)
		family = AF_LWIP;
	fclose(f);
	return family;
}

#endif /* LWIPK_AF_LWIP_H */
