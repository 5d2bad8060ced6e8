// SPDX-License-Identifier: GPL-2.0
/*
 * afprobe: make one socket and say what the kernel gave, for lwiprun's
 * tests (which family a socket() call really got).
 *
 *	afprobe inet|inet6 [stream|dgram|raw]
 *
 * Prints "domain N" (SO_DOMAIN of the new socket: 22 when lwiprun turned it
 * into an lwip socket) and exits 0, or prints the error and exits with errno.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	int family = AF_INET, type = SOCK_STREAM, protocol = 0;
	int domain = -1;
	socklen_t len = sizeof(domain);

	if (argc > 1 && !strcmp(argv[1], "inet6"))
		family = AF_INET6;
	if (argc > 2 && !strcmp(argv[2], "dgram"))
		type = SOCK_DGRAM;
	if (argc > 2 && !strcmp(argv[2], "raw"))
		type = SOCK_RAW, protocol = IPPROTO_ICMP;
	int fd = socket(family, type, protocol);
	if (fd < 0) {
		int err = errno;

		printf("error %s\n", strerror(err));
		return err;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0) {
		perror("afprobe: SO_DOMAIN");
		return 1;
	}
	printf("domain %d\n", domain);
	return 0;
}
