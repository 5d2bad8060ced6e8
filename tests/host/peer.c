// SPDX-License-Identifier: GPL-2.0
/*
 * peer: the host side of the NIC tests, on Linux's own sockets.
 *
 *   peer echo [--addr A] [--port P] [--count N] [--timeout S]
 *   peer echo-stdio [--timeout S]
 *   peer client ADDR PORT BYTES [--timeout S]
 *
 * echo listens on A (default 127.0.0.1) at port P (default: one the kernel
 * picks, printed on stdout) and echoes N connections (default 1), one after
 * the other, each until the client closes. echo-stdio echoes standard input
 * to standard output until EOF: QEMU's guestfwd=...-cmd:peer echo-stdio runs
 * one per guest connection, with no host port at all. client connects to an
 * echo server (retrying while it is not up yet), sends BYTES of a pattern
 * in 64 KiB pieces, reads each back and compares; exit status 0 only if all
 * came back intact. Every mode exits within S seconds (default 300), so a
 * stuck test cannot leave it behind.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1 << 16)

static const char *opt(int argc, char **argv, const char *name, const char *def)
{
	int i;

	for (i = 2; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return def;
}

static struct sockaddr_in addr_of(const char *ip, const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };

	sa.sin_port = htons(atoi(port));
	if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
		fprintf(stderr, "peer: bad address %s\n", ip);
		exit(2);
	}
	return sa;
}

static long echo(int in, int out)
{
	static char buf[CHUNK];
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

static int serve(int argc, char **argv)
{
	struct sockaddr_in sa = addr_of(opt(argc, argv, "--addr", "127.0.0.1"),
					opt(argc, argv, "--port", "0"));
	int count = atoi(opt(argc, argv, "--count", "1")), one = 1, i;
	socklen_t len = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);

	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 16) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len)) {
		perror("peer: listen");
		return 1;
	}
	printf("%u\n", ntohs(sa.sin_port));
	fflush(stdout);
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

static int read_full(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n <= 0)
			return -1;
		got += n;
	}
	return 0;
}

static int client(int argc, char **argv)
{
	static char out[CHUNK], in[CHUNK];
	struct sockaddr_in sa;
	long total, sent, i;
	int fd = -1;

	if (argc < 5) {
		fprintf(stderr, "usage: peer client ADDR PORT BYTES\n");
		return 2;
	}
	sa = addr_of(argv[2], argv[3]);
	total = atol(argv[4]);
	for (;;) {	/* the server may not be listening yet: alarm() bounds this */
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd >= 0 && !connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			break;
		if (errno != ECONNREFUSED && errno != ETIMEDOUT && errno != EHOSTUNREACH) {
			perror("peer: connect");
			return 1;
		}
		close(fd);
		nanosleep(&(struct timespec){ .tv_nsec = 200000000 }, NULL);
	}
	for (sent = 0; sent < total; sent += CHUNK) {
		for (i = 0; i < CHUNK; i++)
			out[i] = (char)((sent + i) * 13 + ((sent + i) >> 16));
		if (write(fd, out, CHUNK) != CHUNK || read_full(fd, in, CHUNK)) {
			fprintf(stderr, "peer: transfer failed after %ld bytes\n", sent);
			return 1;
		}
		if (memcmp(in, out, CHUNK)) {
			fprintf(stderr, "peer: data differs in the chunk at %ld\n", sent);
			return 1;
		}
	}
	close(fd);
	fprintf(stderr, "peer: %ld bytes echoed intact\n", total);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	alarm(atoi(opt(argc, argv, "--timeout", "300")));
	if (!strcmp(mode, "echo"))
		return serve(argc, argv);
	if (!strcmp(mode, "echo-stdio"))
		return echo(0, 1) < 0;
	if (!strcmp(mode, "client"))
		return client(argc, argv);
	fprintf(stderr, "usage: peer echo [--addr A] [--port P] [--count N] [--timeout S]\n"
		"       peer echo-stdio [--timeout S]\n"
		"       peer client ADDR PORT BYTES [--timeout S]\n");
	return 2;
}
