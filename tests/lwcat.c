// SPDX-License-Identifier: GPL-2.0
/*
 * lwcat: a tiny netcat for lwIP sockets (or Linux's, --family inet), for
 * bulk transfers in the NIC tests.
 *
 *   lwcat send ADDR PORT [--family inet|lwip]   stdin -> a connection
 *   lwcat recv ADDR PORT [--family inet|lwip]   one accepted connection -> stdout
 *
 * send connects, copies standard input, shuts down its side and waits for
 * the peer to close; recv listens on ADDR:PORT, says "lwcat: listening" on
 * stderr, accepts one connection and copies it to standard output. Exit
 * status 0 only if everything was copied.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <lwipk/af_lwip.h>

static int copy(int in, int out)
{
	static char buf[1 << 16];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0) {
		ssize_t off = 0;

		while (off < n) {
			ssize_t w = write(out, buf + off, n - off);

			if (w <= 0)
				return -1;
			off += w;
		}
	}
	return n < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int family = lwip_family(), fd, conn, one = 1;
	char drain[256];

	if (argc >= 6 && !strcmp(argv[4], "--family"))
		family = !strcmp(argv[5], "inet") ? AF_INET : lwip_family();
	if (argc < 4 || inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1) {
		fprintf(stderr, "usage: lwcat send|recv ADDR PORT [--family inet|lwip]\n");
		return 2;
	}
	sa.sin_port = htons(atoi(argv[3]));
	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0) {
		perror("lwcat: socket");
		return 1;
	}
	if (!strcmp(argv[1], "send")) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			perror("lwcat: connect");
			return 1;
		}
		if (copy(0, fd) || shutdown(fd, SHUT_WR)) {
			perror("lwcat: send");
			return 1;
		}
		while (read(fd, drain, sizeof(drain)) > 0)
			;	/* until the peer has everything and closes */
		return 0;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)) {
		perror("lwcat: listen");
		return 1;
	}
	fprintf(stderr, "lwcat: listening\n");
	conn = accept(fd, NULL, NULL);
	if (conn < 0 || copy(conn, 1)) {
		perror("lwcat: recv");
		return 1;
	}
	return 0;
}
