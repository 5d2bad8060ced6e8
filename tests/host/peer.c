// SPDX-License-Identifier: GPL-2.0
/*
 * peer: the host side of the NIC tests, on Linux's own sockets.
 *
 *   peer echo [--count N] [--timeout S]
 *   peer echo-stdio [--timeout S]
 *
 * echo listens on 127.0.0.1 at a port the kernel picks, prints that port on
 * stdout (one line), then echoes N connections (default 1), one after the
 * other, each until the client closes. echo-stdio echoes its standard input
 * to its standard output until EOF: QEMU's guestfwd=...-cmd:peer echo-stdio
 * runs one per guest connection, with no host port at all. Both always exit
 * within S seconds (default 300), so a stuck test cannot leave them behind.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int listen_loopback(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 16) || getsockname(fd, (struct sockaddr *)&sa, &len)) {
		perror("peer: listen");
		exit(1);
	}
	printf("%u\n", ntohs(sa.sin_port));
	fflush(stdout);
	return fd;
}

static long echo(int in, int out)
{
	static char buf[1 << 16];
	long total = 0;
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0) {
		ssize_t off = 0;

		while (off < n) {
			ssize_t w = write(out, buf + off, n - off);

			if (w < 0)
				return -1;
			off += w;
		}
		total += n;
	}
	return n < 0 ? -1 : total;
}

int main(int argc, char **argv)
{
	int count = 1, timeout = 300, i, lfd;

	if (argc < 2 || (strcmp(argv[1], "echo") && strcmp(argv[1], "echo-stdio"))) {
		fprintf(stderr, "usage: peer echo [--count N] [--timeout S]\n"
			"       peer echo-stdio [--timeout S]\n");
		return 2;
	}
	for (i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--count"))
			count = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--timeout"))
			timeout = atoi(argv[i + 1]);
	}
	alarm(timeout);
	if (!strcmp(argv[1], "echo-stdio"))
		return echo(0, 1) < 0;
	lfd = listen_loopback();
	for (i = 0; i < count; i++) {
		int fd = accept(lfd, NULL, NULL);
		long n;

		if (fd < 0) {
			perror("peer: accept");
			return 1;
		}
		n = echo(fd, fd);
		close(fd);
		fprintf(stderr, "peer: connection %d: %ld bytes echoed\n", i + 1, n);
		if (n < 0)
			return 1;
	}
	return 0;
}
