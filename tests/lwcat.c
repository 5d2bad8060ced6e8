// SPDX-License-Identifier: GPL-2.0
/*
 * lwcat: a tiny netcat for lwIP sockets (or Linux's, --family inet), for
 * bulk transfers in the NIC tests.
 *
 *   lwcat send ADDR PORT [OPTIONS]   stdin -> a connection; the peer's answer -> stdout
 *   lwcat get ADDR PORT [OPTIONS]    a connection -> stdout
 *   lwcat recv ADDR PORT [OPTIONS]   one accepted connection -> stdout
 *   lwcat udp ADDR PORT TEXT [OPTIONS]   TEXT as one datagram
 * OPTIONS: --family inet|lwip, --deadline S (the whole transfer: then
 *   SIGALRM, without SA_RESTART and again every second, ends blocked
 *   calls), --idle S (SO_RCVTIMEO and SO_SNDTIMEO: S seconds without
 *   progress is an error).
 *
 * send connects, copies standard input, shuts down its side and copies
 * what the peer sends until it closes; get connects and copies; recv
 * listens on ADDR:PORT, says "lwcat: listening" on stderr, accepts one
 * connection and copies it. On standard error: "lwcat: N bytes in S s,
 * longest stall L s" (the longest time without a byte copied, from the
 * start), or on an error "lwcat: error after N bytes in S s: REASON
 * (longest stall L s)", and then the
 * connection is reset (SO_LINGER 0), not left to linger. Exit status 0
 * only if everything was copied. send also reports its TCP_INFO once it
 * has written everything (before its FIN): "lwcat: tcp_info rtt R ms
 * rttvar V ms rto T ms cwnd C ssthresh S|inf" (segments).
 */
#define _GNU_SOURCE	/* struct tcp_info */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <lwipk/af_lwip.h>

static long long bytes;
static double last_progress, longest_stall;	/* s since t0; the longest gap */
static struct timespec t0;
static volatile sig_atomic_t expired;

static const char *opt(int argc, char **argv, const char *name, const char *def)
{
	int i;

	for (i = 4; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return def;
}

static double elapsed(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
}

/* The end: report, and reset the connection on an error. */
static int done(int fd, const char *what)
{
	struct linger l = { 1, 0 };

	if (!what) {
		fprintf(stderr, "lwcat: %lld bytes in %.3f s, longest stall %.3f s\n",
			bytes, elapsed(), longest_stall);
		return 0;
	}
	if (elapsed() - last_progress > longest_stall)
		longest_stall = elapsed() - last_progress;	/* up to the error */
	fprintf(stderr, "lwcat: error after %lld bytes in %.3f s: %s: %s (longest stall %.3f s)\n",
		bytes, elapsed(), what, errno == EINTR ? "deadline" : strerror(errno),
		longest_stall);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		close(fd);
	}
	return 1;
}

/* The sender's view of the path once everything is written. */
static void report_tcp_info(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	char ssthresh[16] = "inf";

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len)) {
		fprintf(stderr, "lwcat: tcp_info: %s\n", strerror(errno));
		return;
	}
	if (ti.tcpi_snd_ssthresh < 0x7fffffff)	/* TCP_INFINITE_SSTHRESH */
		snprintf(ssthresh, sizeof(ssthresh), "%u", ti.tcpi_snd_ssthresh);
	fprintf(stderr, "lwcat: tcp_info rtt %.1f ms rttvar %.1f ms rto %u ms cwnd %u ssthresh %s\n",
		ti.tcpi_rtt / 1e3, ti.tcpi_rttvar / 1e3, ti.tcpi_rto / 1000,
		ti.tcpi_snd_cwnd, ssthresh);
}

static int copy(int in, int out, int count)
{
	static char buf[1 << 16];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0) {
		ssize_t off = 0;

		while (off < n) {
			ssize_t w = write(out, buf + off, n - off);

			if (w <= 0 || expired) {
				errno = w < 0 ? errno : EINTR;
				return -1;
			}
			off += w;
			if (count) {
				double now = elapsed();

				bytes += w;
				if (now - last_progress > longest_stall)
					longest_stall = now - last_progress;
				last_progress = now;
			}
		}
	}
	if (expired)
		errno = EINTR;
	return n < 0 || expired ? -1 : 0;
}

/* The deadline: every call from now on fails (a call that had made some
 * progress returns it, not EINTR: the next one is interrupted too). */
static void on_alarm(int sig)
{
	(void)sig;
	expired = 1;
	alarm(1);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct sigaction act = { .sa_handler = on_alarm };
	struct timeval idle = { 0, 0 };
	int family = lwip_family(), fd, conn, one = 1, type = SOCK_STREAM;

	if (!strcmp(opt(argc, argv, "--family", "lwip"), "inet"))
		family = AF_INET;
	if (argc < 4 || inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1 ||
	    (!strcmp(argv[1], "udp") && argc < 5)) {
		fprintf(stderr, "usage: lwcat send|get|recv ADDR PORT [--family inet|lwip] "
			"[--deadline S] [--idle S]\n       lwcat udp ADDR PORT TEXT [--family ...]\n");
		return 2;
	}
	sa.sin_port = htons(atoi(argv[3]));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sigaction(SIGALRM, &act, NULL);		/* no SA_RESTART */
	signal(SIGPIPE, SIG_IGN);
	alarm(atoi(opt(argc, argv, "--deadline", "0")));
	idle.tv_sec = atoi(opt(argc, argv, "--idle", "0"));
	if (!strcmp(argv[1], "udp"))
		type = SOCK_DGRAM;
	fd = socket(family, type, 0);
	if (fd < 0)
		return done(-1, "socket");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof(idle));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &idle, sizeof(idle));
	if (type == SOCK_DGRAM) {
		if (sendto(fd, argv[4], strlen(argv[4]), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			return done(fd, "sendto");
		return 0;
	}
	if (!strcmp(argv[1], "send") || !strcmp(argv[1], "get")) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return done(fd, "connect");
		if (argv[1][0] == 's') {
			if (copy(0, fd, 1))
				return done(fd, "send");
			report_tcp_info(fd);
			if (shutdown(fd, SHUT_WR))
				return done(fd, "send");
		}
		/* send: until the peer has everything and closes */
		if (copy(fd, 1, argv[1][0] == 'g'))
			return done(fd, "receive");
		return done(-1, NULL);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1))
		return done(fd, "listen");
	fprintf(stderr, "lwcat: listening\n");
	conn = accept(fd, NULL, NULL);
	if (conn < 0)
		return done(fd, "accept");
	if (copy(conn, 1, 1))
		return done(conn, "receive");
	return done(-1, NULL);
}
