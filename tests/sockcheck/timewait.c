// SPDX-License-Identifier: GPL-2.0
/*
 * sockcheck, TIME_WAIT under an open socket: a socket that shut down its
 * sending side and then got the peer's FIN sits in TIME_WAIT while the
 * program still holds it. lwIP frees TIME_WAIT PCBs on its own (2 MSL,
 * lwip.ko's tw_max trim, tcp_abort()); the socket must let go of the PCB
 * first, so that what it does afterwards (getsockname, SIOCOUTQ, linger,
 * close) touches neither freed memory nor a connection that took the
 * PCB's place. Each case ends by checking such a newer connection.
 */
#include "sockcheck.h"

#define PARAM_DIR	"/sys/module/lwip/parameters/"
#define TW_WAIT_MS	10000

/* lwip.ko's parameter @name now (-1 when unreadable), set to @v if v >= 0. */
static long lwip_param(const char *name, long v)
{
	char path[128];
	long old = -1;
	FILE *f;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	f = fopen(path, "re");
	if (f && fscanf(f, "%ld", &old) != 1)
		old = -1;
	if (f)
		fclose(f);
	if (v < 0 || old < 0)
		return old;
	f = fopen(path, "we");
	if (!f || fprintf(f, "%ld\n", v) < 0)
		old = -1;
	if (f && fclose(f))
		old = -1;
	return old;
}

/*
 * A client in TIME_WAIT that its program still holds: shut down for
 * writing, the peer read EOF and closed, the client read the peer's FIN.
 * Its local port in *port.
 */
static int half_closed_time_wait(int *fd, int *port)
{
	char b;
	int s;

	CHECK(!pair(fd, &s), "pair: %s", E);
	*port = local_port(*fd);
	CHECK(*port > 0, "getsockname: %s", E);
	CHECK(!shutdown(*fd, SHUT_WR), "shutdown: %s", E);
	CHECK(recv(s, &b, 1, 0) == 0, "the peer did not read EOF: %s", E);
	close(s);
	CHECK(pollone(*fd, POLLIN, WAIT_MS) & POLLIN, "no FIN from the peer");
	CHECK(recv(*fd, &b, 1, 0) == 0, "recv after the peer's FIN: %s", E);
	return 0;
}

/* Connect and close @n connections, the client first (its end in TIME_WAIT). */
static int churn(int n)
{
	int c, s;

	while (n-- > 0) {
		CHECK(!pair(&c, &s), "pair: %s", E);
		close(c);
		close(s);
	}
	return 0;
}

/* Wait until lwIP holds at most @n connections in TIME_WAIT. */
static int time_wait_down_to(long n)
{
	struct timespec t0;
	long tw;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((tw = lwip_time_wait()) > n && elapsed_ms(&t0) < TW_WAIT_MS)
		usleep(20 * 1000);
	CHECK(tw >= 0 && tw <= n, "%ld connections still in TIME_WAIT, want <= %ld", tw, n);
	return 0;
}

/*
 * The socket whose PCB lwIP let go: its name is still the one it had,
 * nothing is queued, and closing it leaves a connection made afterwards
 * (which may sit in the PCB's old memory) as it was.
 */
static int detached_then_close(int fd, int port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int c, s, outq = -1;
	char b[4];

	CHECK(!pair(&c, &s), "pair: %s", E);
	CHECK(!getsockname(fd, (struct sockaddr *)&a, &len), "getsockname: %s", E);
	CHECK(ntohs(a.sin_port) == port && a.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	      "getsockname says %s:%d, was 127.0.0.1:%d", inet_ntoa(a.sin_addr),
	      ntohs(a.sin_port), port);
	CHECK(!ioctl(fd, SIOCOUTQ, &outq) && outq == 0, "SIOCOUTQ %d: %s", outq, E);
	CHECK(send(fd, "x", 1, MSG_NOSIGNAL) < 0 && errno == EPIPE, "send: %s", E);
	CHECK(!close(fd), "close: %s", E);
	CHECK(send(c, "live", 4, MSG_NOSIGNAL) == 4, "the newer connection: send: %s", E);
	CHECK(read_full(s, b, 4) == 4 && !memcmp(b, "live", 4),
	      "the newer connection: recv: %s", E);
	CHECK(send(s, "back", 4, MSG_NOSIGNAL) == 4, "the newer connection: reply: %s", E);
	CHECK(read_full(c, b, 4) == 4 && !memcmp(b, "back", 4),
	      "the newer connection: recv reply: %s", E);
	close(c);
	close(s);
	return 0;
}

/* (a) lwip.ko's tw_max trim frees the held socket's PCB (tw_max=1). */
static int t_time_wait_trimmed(void)
{
	long old = -1;
	int fd, port, r = -1;

	if (half_closed_time_wait(&fd, &port))
		return -1;
	if (family != AF_INET) {
		old = lwip_param("tw_max", 1);
		CHECK(old >= 0, "tw_max: %s", E);
		if (churn(2) || time_wait_down_to(1))
			goto restore;
	}
	r = detached_then_close(fd, port);
restore:
	if (old >= 0)
		lwip_param("tw_max", old);
	return r;
}

/* (b) SO_LINGER {1, 0} on the held TIME_WAIT socket, then close(). */
static int t_time_wait_linger_zero(void)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd, port;

	if (half_closed_time_wait(&fd, &port))
		return -1;
	CHECK(!setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), "SO_LINGER: %s", E);
	return detached_then_close(fd, port);
}

/* (c) 2 MSL pass (msl_ms=250, no tw_max): lwIP's own timer frees the PCB. */
static int t_time_wait_expired(void)
{
	long old_max = -1, old_msl = -1;
	int fd, port, r = -1;

	if (family != AF_INET) {
		old_msl = lwip_param("msl_ms", 250);
		CHECK(old_msl >= 0, "msl_ms: %s", E);
		old_max = lwip_param("tw_max", 0);
		if (old_max < 0)
			goto restore;
	}
	if (half_closed_time_wait(&fd, &port))
		goto restore;
	if (family != AF_INET && time_wait_down_to(0))
		goto restore;
	r = detached_then_close(fd, port);
restore:
	if (old_max >= 0)
		lwip_param("tw_max", old_max);
	if (old_msl >= 0)
		lwip_param("msl_ms", old_msl);
	return r;
}

const struct sc_case sc_timewait_cases[] = {
	{ "time_wait_held_trimmed", t_time_wait_trimmed },
	{ "time_wait_held_linger_zero", t_time_wait_linger_zero },
	{ "time_wait_held_expired", t_time_wait_expired },
	{ NULL, NULL }
};
