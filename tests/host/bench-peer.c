// SPDX-License-Identifier: GPL-2.0
/*
 * bench-peer: the host side of "make bench", on Linux's own sockets.
 *
 * Every mode speaks on standard input/output, so QEMU's
 * guestfwd=tcp:10.0.2.100:PORT-cmd:bench-peer MODE runs one per guest
 * connection, with no host TCP port at all (stdin, stdout and stderr are
 * then one socket to the guest: nothing may be printed on stderr).
 *
 *   bench-peer sink       read until EOF, discard; then answer "N\n" with
 *                         the byte count, so the guest knows all arrived
 *   bench-peer source     write a pattern until the guest goes away
 *   bench-peer rr         echo whatever arrives (1-byte request/response)
 *
 * Every mode exits after --timeout S seconds (default 120) regardless.
 * With --listen ADDR PORT (the tap variant, in a network namespace) it is
 * a TCP server instead: each connection is served by a child running MODE
 * on it, until --timeout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK (1 << 16)

static char buf[CHUNK];

static int write_full(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w <= 0)
			return -1;
		p += w;
		len -= w;
	}
	return 0;
}

static int sink(void)
{
	unsigned long long total = 0;
	char line[32];
	ssize_t n;

	while ((n = read(0, buf, sizeof(buf))) > 0)
		total += n;
	snprintf(line, sizeof(line), "%llu\n", total);
	return write_full(1, line, strlen(line)) ? 1 : 0;
}

static int source(void)
{
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = 'a' + i % 26;
	while (write_full(1, buf, sizeof(buf)) == 0)
		;
	return 0;
}

static int rr(void)
{
	ssize_t n;

	while ((n = read(0, buf, sizeof(buf))) > 0)
		if (write_full(1, buf, n))
			return 1;
	return 0;
}

static int run(const char *mode)
{
	if (!strcmp(mode, "sink"))
		return sink();
	if (!strcmp(mode, "source"))
		return source();
	if (!strcmp(mode, "rr"))
		return rr();
	return 2;
}

/* Serve MODE to every connection to ADDR:PORT, one child each. */
static int serve(const char *mode, const char *addr, int port, int timeout)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), c, one = 1;

	if (fd < 0 || inet_pton(AF_INET, addr, &a.sin_addr) != 1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 16)) {
		perror("bench-peer: listen");
		return 1;
	}
	signal(SIGCHLD, SIG_IGN);	/* children reap themselves */
	for (;;) {
		c = accept(fd, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("bench-peer: accept");
			return 1;
		}
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		switch (fork()) {
		case 0:
			close(fd);
			alarm(timeout);
			if (dup2(c, 0) < 0 || dup2(c, 1) < 0)
				_exit(1);
			close(c);
			_exit(run(mode));
		case -1:
			perror("bench-peer: fork");
			break;
		}
		close(c);
	}
}

int main(int argc, char **argv)
{
	const char *laddr = NULL;
	int timeout = 120, lport = 0, i;

	for (i = 2; i + 1 < argc; i++) {
		if (!strcmp(argv[i], "--timeout")) {
			timeout = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--listen") && i + 2 < argc) {
			laddr = argv[++i];
			lport = atoi(argv[++i]);
		}
	}
	alarm(timeout);
	signal(SIGPIPE, SIG_DFL);
	if (argc < 2 || (strcmp(argv[1], "sink") && strcmp(argv[1], "source") &&
			  strcmp(argv[1], "rr")))
		goto usage;
	if (laddr)
		return serve(argv[1], laddr, lport, timeout);
	return run(argv[1]);
usage:
	fprintf(stderr, "usage: bench-peer sink|source|rr [--timeout S] [--listen ADDR PORT]\n");
	return 2;
}
