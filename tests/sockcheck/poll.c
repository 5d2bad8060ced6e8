// SPDX-License-Identifier: GPL-2.0
/* sockcheck, readiness: poll and epoll, level and edge. */
#include "sockcheck.h"

static int t_poll_bits(void)
{
	int c, s, r, port, l, c2;
	struct sockaddr_in a;
	char b;

	CHECK(!pair(&c, &s), "pair: %s", E);
	r = pollone(c, POLLIN | POLLOUT | POLLRDHUP, 0);
	CHECK(r == POLLOUT, "idle: 0x%x", r);
	CHECK(send(s, "x", 1, 0) == 1, "send: %s", E);
	r = pollone(c, POLLIN, 5000);
	CHECK(r == POLLIN, "data: 0x%x", r);
	CHECK(recv(c, &b, 1, 0) == 1, "recv: %s", E);
	close(s);
	r = pollone(c, POLLIN | POLLRDHUP, 5000);
	CHECK(r == (POLLIN | POLLRDHUP), "peer closed: 0x%x", r);
	close(c);

	l = listener(&port);
	a = lo(port);
	r = pollone(l, POLLIN, 0);
	CHECK(r == 0, "idle listener: 0x%x", r);
	c2 = sock(SOCK_STREAM);
	CHECK(!connect(c2, (struct sockaddr *)&a, sizeof(a)), "connect: %s", E);
	r = pollone(l, POLLIN, 5000);
	CHECK(r == POLLIN, "listener: 0x%x", r);
	close(c2);
	close(l);
	return 0;
}

static int t_epoll_level(void)
{
	int c, s, ep, r;
	char b;

	CHECK(!pair(&c, &s), "pair: %s", E);
	ep = epwatch(c, EPOLLIN | EPOLLOUT | EPOLLRDHUP);
	CHECK(ep >= 0, "epoll: %s", E);
	r = epwait(ep, 0);
	CHECK(r == EPOLLOUT, "idle: 0x%x", r);
	r = epwait(ep, 0);
	CHECK(r == EPOLLOUT, "idle again (level): 0x%x", r);
	CHECK(send(s, "x", 1, 0) == 1, "send: %s", E);
	CHECK(!wait_inq(c, 1), "data did not arrive");
	r = epwait(ep, 0);
	CHECK(r == (EPOLLIN | EPOLLOUT), "data: 0x%x", r);
	r = epwait(ep, 0);
	CHECK(r == (EPOLLIN | EPOLLOUT), "data unread (level): 0x%x", r);
	CHECK(recv(c, &b, 1, 0) == 1 && b == 'x', "recv: %s", E);
	r = epwait(ep, 0);
	CHECK(r == EPOLLOUT, "data read: 0x%x", r);
	close(ep);
	close(c);
	close(s);
	return 0;
}

static int t_epoll_edge(void)
{
	int c, s, ep, r;
	char b[2];

	CHECK(!pair(&c, &s), "pair: %s", E);
	ep = epwatch(c, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
	CHECK(ep >= 0, "epoll: %s", E);
	r = epwait(ep, 0);
	CHECK(r == EPOLLOUT, "first report: 0x%x", r);
	r = epwait(ep, 0);
	CHECK(r == 0, "no new edge: 0x%x", r);
	CHECK(send(s, "x", 1, 0) == 1, "send: %s", E);
	r = epwait(ep, WAIT_MS);
	CHECK(r & EPOLLIN, "data edge: 0x%x", r);
	r = epwait(ep, 0);
	CHECK(r == 0, "unread data, no new edge: 0x%x", r);
	CHECK(send(s, "y", 1, 0) == 1, "send: %s", E);
	r = epwait(ep, WAIT_MS);
	CHECK(r & EPOLLIN, "second data edge: 0x%x", r);
	CHECK(recv(c, b, 2, 0) == 2 && !memcmp(b, "xy", 2), "recv: %s", E);
	close(s);
	r = epwait(ep, WAIT_MS);
	CHECK(r & EPOLLRDHUP, "FIN edge: 0x%x", r);
	close(ep);
	close(c);
	return 0;
}

/* The peer's FIN is reported while its data still waits to be read. */
static int t_epoll_rdhup_buffered(void)
{
	struct timespec t0;
	char buf[16];
	int c, s, ep, r = 0;

	CHECK(!pair(&c, &s), "pair: %s", E);
	ep = epwatch(c, EPOLLIN | EPOLLRDHUP);
	CHECK(ep >= 0, "epoll: %s", E);
	CHECK(send(s, "data", 4, 0) == 4, "send: %s", E);
	CHECK(!shutdown(s, SHUT_WR), "shutdown: %s", E);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!(r & EPOLLRDHUP) && elapsed_ms(&t0) < WAIT_MS)
		r = epwait(ep, 100);
	CHECK(r == (EPOLLIN | EPOLLRDHUP), "FIN behind unread data: 0x%x", r);
	CHECK(recv(c, buf, sizeof(buf), 0) == 4 && !memcmp(buf, "data", 4), "recv: %s", E);
	CHECK(recv(c, buf, sizeof(buf), 0) == 0, "EOF: %s", E);
	close(ep);
	close(c);
	close(s);
	return 0;
}

static int t_epoll_reset(void)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int c, s, ep, r, err = 0;
	socklen_t len = sizeof(err);
	char b;

	CHECK(!pair(&c, &s), "pair: %s", E);
	ep = epwatch(s, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
	CHECK(ep >= 0, "epoll: %s", E);
	CHECK(epwait(ep, 0) == EPOLLOUT, "first report");
	CHECK(!setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), "%s", E);
	close(c);
	r = epwait(ep, WAIT_MS);
	CHECK(r == (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLERR | EPOLLHUP), "reset: 0x%x", r);
	CHECK(!getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) && err == ECONNRESET,
	      "SO_ERROR %d", err);
	CHECK(recv(s, &b, 1, 0) == 0, "recv after SO_ERROR: %s", E);
	close(ep);
	close(s);
	return 0;
}

const struct sc_case sc_poll_cases[] = {
	{ "poll_bits", t_poll_bits },
	{ "epoll_level_triggered", t_epoll_level },
	{ "epoll_edge_triggered", t_epoll_edge },
	{ "epoll_rdhup_with_unread_data", t_epoll_rdhup_buffered },
	{ "epoll_err_hup_after_reset", t_epoll_reset },
	{ NULL, NULL }
};
