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
 */
#include <arpa/inet.h>
#include <netinet/in.h>
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

int main(int argc, char **argv)
{
	int timeout = 120, i;

	for (i = 2; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--timeout"))
			timeout = atoi(argv[i + 1]);
	alarm(timeout);
	signal(SIGPIPE, SIG_DFL);
	if (argc < 2)
		goto usage;
	if (!strcmp(argv[1], "sink"))
		return sink();
	if (!strcmp(argv[1], "source"))
		return source();
	if (!strcmp(argv[1], "rr"))
		return rr();
usage:
	fprintf(stderr, "usage: bench-peer sink|source|rr [--timeout S]\n");
	return 2;
}
