// SPDX-License-Identifier: GPL-2.0
/*
 * peer: the host side of the NIC tests, on Linux's own sockets.
 *
 *   peer echo [--addr A] [--port P] [--count N] [--timeout S]
 *   peer echo-stdio [--timeout S]
 *   peer client ADDR PORT BYTES [--timeout S]
 *   peer relay ADDR PORT [--timeout S]
 *   peer chat ADDR PORT LINE EXPECT [--timeout S]
 *   peer sink FILE [--timeout S]
 *   peer source-stdio BYTES [--timeout S]
 *   peer freeport [N]
 *   peer qmp SOCKET JSON
 *
 * echo listens on A (default 127.0.0.1) at port P (default: one the kernel
 * picks, printed on stdout) and echoes N connections (default 1), one after
 * the other, each until the client closes. echo-stdio echoes standard input
 * to standard output until EOF: QEMU's guestfwd=...-cmd:peer echo-stdio runs
 * one per guest connection, with no host port at all. client connects to an
 * echo server (retrying while it is not up yet), sends BYTES of a pattern
 * in 64 KiB pieces, reads each back and compares; exit status 0 only if all
 * came back intact. relay connects to ADDR:PORT and joins that connection
 * to its standard input and output: QEMU's guestfwd=...-cmd:peer relay ...
 * reaches a server on the host's loopback, one relay per guest connection,
 * connected when the guest connects. chat connects to ADDR:PORT (a telnet
 * server, say), sends LINE and a newline, reads until EXPECT appears in what
 * comes back (printed on stdout, non-printable bytes as '.'), then sends
 * "exit" and a newline and closes: exit status 0 only if EXPECT came. sink
 * copies standard input into FILE (a guestfwd cmd: receiver for bulk data). source-stdio writes BYTES of
 * the pattern tests/pull.c checks (byte at offset o is o % 251) to standard
 * output and exits (a guestfwd cmd: sender for bulk data). freeport prints N (default 1) different TCP
 * ports free on 127.0.0.1 right now, on one line, for hostfwds. qmp sends one command
 * (JSON) to QEMU's QMP unix socket SOCKET and exits 0 if QEMU answers
 * "return". Every mode exits within S seconds
 * (default 300), so a
 * stuck test cannot leave it behind.
 */
#define _GNU_SOURCE	/* memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
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

/* Shuttle stdin -> fd and fd -> stdout until both directions have ended. */
static int relay(int argc, char **argv)
{
	struct sockaddr_in sa;
	struct pollfd p[2];
	static char buf[CHUNK];
	int fd, open_in = 1, open_sock = 1;

	if (argc < 4) {
		fprintf(stderr, "usage: peer relay ADDR PORT\n");
		return 2;
	}
	sa = addr_of(argv[2], argv[3]);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("peer: relay connect");
		return 1;
	}
	while (open_in || open_sock) {
		ssize_t n;

		p[0] = (struct pollfd){ .fd = open_in ? 0 : -1, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = open_sock ? fd : -1, .events = POLLIN };
		if (poll(p, 2, -1) < 0)
			return 1;
		if (p[0].revents) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0) {
				open_in = 0;
				shutdown(fd, SHUT_WR);
			} else if (write(fd, buf, n) != n) {
				return 1;
			}
		}
		if (p[1].revents) {
			n = read(fd, buf, sizeof(buf));
			if (n <= 0) {
				/* QEMU's guestfwd gives us one socket as stdin and
				 * stdout: half-close it so the guest sees the FIN.
				 */
				open_sock = 0;
				if (shutdown(1, SHUT_WR) && errno == ENOTSOCK)
					close(1);
			} else if (write(1, buf, n) != n) {
				return 1;
			}
		}
	}
	return 0;
}

/* Send a line, read until EXPECT shows up in the answer: a telnet client. */
static int chat(int argc, char **argv)
{
	static char buf[CHUNK];
	struct sockaddr_in sa;
	size_t got = 0, i;
	int fd;

	if (argc < 6) {
		fprintf(stderr, "usage: peer chat ADDR PORT LINE EXPECT\n");
		return 2;
	}
	sa = addr_of(argv[2], argv[3]);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    dprintf(fd, "%s\n", argv[4]) < 0) {
		perror("peer: chat");
		return 1;
	}
	while (!memmem(buf, got, argv[5], strlen(argv[5]))) {
		ssize_t n = read(fd, buf + got, sizeof(buf) - 1 - got);

		if (n <= 0) {
			fprintf(stderr, "peer: chat: the connection ended first\n");
			break;
		}
		for (i = got; i < got + n; i++)
			putchar(buf[i] == '\n' || (buf[i] >= ' ' && buf[i] < 127) ? buf[i] : '.');
		got += n;
		if (got == sizeof(buf) - 1) {
			fprintf(stderr, "peer: chat: %zu bytes and no match\n", got);
			break;
		}
	}
	putchar('\n');
	if (!memmem(buf, got, argv[5], strlen(argv[5])))
		return 1;
	dprintf(fd, "exit\n");
	return close(fd);
}

static int sink(int argc, char **argv)
{
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: peer sink FILE\n");
		return 2;
	}
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror("peer: sink");
		return 1;
	}
	return echo(0, fd) < 0 || close(fd);
}

/* BYTES of the pattern o % 251 to standard output: what tests/pull.c checks. */
static int source(int argc, char **argv)
{
	static unsigned char buf[251 * 256];
	long left, off = 0;
	size_t i;

	if (argc < 3) {
		fprintf(stderr, "usage: peer source-stdio BYTES\n");
		return 2;
	}
	left = atol(argv[2]);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = i % 251;
	while (left > 0) {
		/* buf starts at a multiple of 251: so does every write's offset */
		size_t n = left < (long)sizeof(buf) ? (size_t)left : sizeof(buf);
		ssize_t w = write(1, buf + off, n - off);

		if (w < 0) {
			perror("peer: source");
			return 1;
		}
		off += w;
		if ((size_t)off == n) {
			left -= n;
			off = 0;
		}
	}
	return 0;
}

/*
 * N ports (default 1) free on 127.0.0.1, on one line: all bound at once,
 * so they differ (separate runs may well get the same port twice).
 */
static int freeport(int argc, char **argv)
{
	int i, n = argc > 2 ? atoi(argv[2]) : 1, fd[16];
	struct sockaddr_in sa;
	socklen_t len;

	if (n < 1 || n > 16) {
		fprintf(stderr, "peer: freeport: 1 to 16 ports\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		sa = addr_of("127.0.0.1", "0");
		len = sizeof(sa);
		fd[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (fd[i] < 0 || bind(fd[i], (struct sockaddr *)&sa, sizeof(sa)) ||
		    getsockname(fd[i], (struct sockaddr *)&sa, &len)) {
			perror("peer: freeport");
			return 1;
		}
		printf("%u%c", ntohs(sa.sin_port), i == n - 1 ? '\n' : ' ');
	}
	while (n--)
		close(fd[n]);
	return 0;
}

/* Read one QMP reply line (greeting, capabilities or command result). */
static int qmp_line(FILE *f, const char *want)
{
	char line[4096];

	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "\"event\""))
			continue;	/* asynchronous events come in between */
		return strstr(line, want) ? 0 : -1;
	}
	return -1;
}

static int qmp(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	FILE *f;

	if (argc < 4 || strlen(argv[2]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: peer qmp SOCKET JSON\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[2]);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("peer: qmp connect");
		return 1;
	}
	f = fdopen(fd, "r+");
	if (!f || qmp_line(f, "\"QMP\"") ||
	    fprintf(f, "{\"execute\":\"qmp_capabilities\"}\n") < 0 || fflush(f) ||
	    qmp_line(f, "\"return\"") || fprintf(f, "%s\n", argv[3]) < 0 || fflush(f) ||
	    qmp_line(f, "\"return\"")) {
		fprintf(stderr, "peer: qmp command failed: %s\n", argv[3]);
		return 1;
	}
	fclose(f);
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
	if (!strcmp(mode, "relay"))
		return relay(argc, argv);
	if (!strcmp(mode, "chat"))
		return chat(argc, argv);
	if (!strcmp(mode, "sink"))
		return sink(argc, argv);
	if (!strcmp(mode, "source-stdio"))
		return source(argc, argv);
	if (!strcmp(mode, "freeport"))
		return freeport(argc, argv);
	if (!strcmp(mode, "qmp"))
		return qmp(argc, argv);
	fprintf(stderr, "usage: peer echo [--addr A] [--port P] [--count N] [--timeout S]\n"
		"       peer echo-stdio [--timeout S]\n"
		"       peer client ADDR PORT BYTES [--timeout S]\n"
		"       peer relay ADDR PORT [--timeout S]\n"
		"       peer chat ADDR PORT LINE EXPECT [--timeout S]\n"
		"       peer sink FILE [--timeout S]\n"
		"       peer source-stdio BYTES [--timeout S]\n"
		"       peer freeport [N]\n"
		"       peer qmp SOCKET JSON\n");
	return 2;
}
