// SPDX-License-Identifier: GPL-2.0
/* sockcheck, socket options: timeouts, buffers, keepalive, linger. */
#include "sockcheck.h"

static int t_sockopts(void)
{
	int fd = sock(SOCK_STREAM), u = sock(SOCK_DGRAM), v = -1, one = 1;
	socklen_t len = sizeof(v);
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 }, tv2;

	CHECK(!getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) && v == SOCK_STREAM,
	      "SO_TYPE %d: %s", v, E);
	len = sizeof(v);
	CHECK(!getsockopt(u, SOL_SOCKET, SO_TYPE, &v, &len) && v == SOCK_DGRAM,
	      "SO_TYPE %d: %s", v, E);
	CHECK(!setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), "%s", E);
	len = sizeof(v);
	CHECK(!getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) && v == 1,
	      "TCP_NODELAY %d: %s", v, E);
	CHECK(!setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)), "%s", E);
	len = sizeof(v);
	CHECK(!getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, &len) && v == 1,
	      "SO_KEEPALIVE %d: %s", v, E);
	CHECK(!setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), "%s", E);
	len = sizeof(tv2);
	CHECK(!getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv2, &len) &&
	      tv2.tv_usec == 200000, "SO_RCVTIMEO: %s", E);
	CHECK(setsockopt(fd, IPPROTO_TCP, 9999, &one, sizeof(one)) < 0 &&
	      errno == ENOPROTOOPT, "IPPROTO_TCP 9999: %s", E);
	CHECK(setsockopt(fd, SOL_SOCKET, 9999, &one, sizeof(one)) < 0 &&
	      errno == ENOPROTOOPT, "SOL_SOCKET 9999: %s", E);
	len = sizeof(v);
	CHECK(getsockopt(fd, IPPROTO_TCP, 9999, &v, &len) < 0 && errno == ENOPROTOOPT,
	      "get IPPROTO_TCP 9999: %s", E);
	close(fd);
	close(u);
	return 0;
}

static int t_so_rcvtimeo(void)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	struct timespec t0, t1;
	long ms;
	int c, s;
	char b;

	CHECK(!pair(&c, &s), "pair: %s", E);
	CHECK(!setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), "%s", E);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(recv(s, &b, 1, 0) < 0 && errno == EAGAIN, "recv: %s", E);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(ms >= 150 && ms < 2000, "waited %ld ms", ms);
	close(c);
	close(s);
	return 0;
}

static int t_so_linger_zero_rst(void)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int c, s;
	char b;

	CHECK(!pair(&c, &s), "pair: %s", E);
	CHECK(!setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), "%s", E);
	close(c);
	CHECK(recv(s, &b, 1, 0) < 0 && errno == ECONNRESET, "recv: %s", E);
	CHECK(recv(s, &b, 1, 0) == 0, "second recv: %s", E);
	close(s);
	return 0;
}

/*
 * Linux: a blocking send that times out returns what it queued, else
 * EAGAIN; either only after the timeout.
 */
static int t_so_sndtimeo(void)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	static char buf[64 * 1024];
	struct timespec t0;
	long ms = 0;
	ssize_t n = sizeof(buf);
	int c, s, i;

	CHECK(!pair(&c, &s), "pair: %s", E);
	CHECK(!setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), "%s", E);
	for (i = 0; i < 1000 && n == (ssize_t)sizeof(buf); i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		n = send(c, buf, sizeof(buf), 0);
		ms = elapsed_ms(&t0);
	}
	CHECK(n < (ssize_t)sizeof(buf), "64 MiB sent to a peer that never reads");
	CHECK(n >= 0 || errno == EAGAIN, "send %zd: %s", n, E);
	CHECK(ms >= 150 && ms < 3000, "send %d (%zd) returned after %ld ms", i, n, ms);
	close(c);
	close(s);
	return 0;
}

/*
 * SO_SNDBUF/SO_RCVBUF: Linux doubles the value asked for, and the bytes a
 * sender can park in the two buffers while the receiver reads nothing
 * follow them: far below what the defaults allow. The data must still
 * all arrive, in order, once the receiver reads.
 */
#define SMALLBUF	8192

static int t_so_sndbuf_rcvbuf(void)
{
	int port, l = listener(&port), c = sock(SOCK_STREAM), s, i, r;
	struct sockaddr_in a = lo(port);
	static char buf[64 * 1024], in[64 * 1024];
	long queued, got = 0;
	ssize_t n;

	CHECK(l >= 0 && c >= 0, "setup: %s", E);
	CHECK(!setint(l, SOL_SOCKET, SO_RCVBUF, SMALLBUF), "SO_RCVBUF: %s", E);
	CHECK(!setint(c, SOL_SOCKET, SO_SNDBUF, SMALLBUF), "SO_SNDBUF: %s", E);
	CHECK(getint(l, SOL_SOCKET, SO_RCVBUF) == 2 * SMALLBUF, "SO_RCVBUF reads %d",
	      getint(l, SOL_SOCKET, SO_RCVBUF));
	CHECK(getint(c, SOL_SOCKET, SO_SNDBUF) == 2 * SMALLBUF, "SO_SNDBUF reads %d",
	      getint(c, SOL_SOCKET, SO_SNDBUF));
	CHECK(!connect(c, (struct sockaddr *)&a, sizeof(a)), "connect: %s", E);
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", E);
	CHECK(getint(s, SOL_SOCKET, SO_RCVBUF) == 2 * SMALLBUF,
	      "accepted SO_RCVBUF reads %d", getint(s, SOL_SOCKET, SO_RCVBUF));
	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = pattern(i);
	queued = fill_nonblock(c, buf, sizeof(buf));
	r = pollone(c, POLLOUT, 0);
	CHECK(!ioctl(c, SIOCOUTQ, &i), "SIOCOUTQ: %s", E);
	diag("%ld bytes taken, %d of them in the send buffer", queued, i);
	CHECK(queued > 0 && queued <= 8 * 2 * SMALLBUF,
	      "%ld bytes queued with both buffers at %d", queued, SMALLBUF);
	CHECK(!(r & POLLOUT), "POLLOUT with full buffers: 0x%x", r);
	while (got < queued) {
		n = recv(s, in, sizeof(in), 0);
		CHECK(n > 0, "recv after %ld of %ld: %s", got, queued, E);
		for (i = 0; i < n; i++)
			CHECK((uint8_t)in[i] == pattern((got + i) % sizeof(buf)),
			      "byte %ld differs", got + i);
		got += n;
	}
	CHECK(pollone(c, POLLOUT, WAIT_MS) & POLLOUT, "no POLLOUT once read");
	close(c);
	CHECK(recv(s, in, sizeof(in), 0) == 0, "no EOF: %s", E);
	close(s);
	close(l);
	return 0;
}

/*
 * TCP_KEEPIDLE/TCP_KEEPINTVL/TCP_KEEPCNT: Linux's defaults and bounds, and
 * accept() hands a listener's on.
 */
static int t_keepalive_timing(void)
{
	int port, l = listener(&port), c = sock(SOCK_STREAM), s;
	struct sockaddr_in a = lo(port);

	CHECK(l >= 0 && c >= 0, "setup: %s", E);
	CHECK(getint(c, IPPROTO_TCP, TCP_KEEPIDLE) == 7200 &&
	      getint(c, IPPROTO_TCP, TCP_KEEPINTVL) == 75 &&
	      getint(c, IPPROTO_TCP, TCP_KEEPCNT) == 9, "defaults %d %d %d",
	      getint(c, IPPROTO_TCP, TCP_KEEPIDLE),
	      getint(c, IPPROTO_TCP, TCP_KEEPINTVL),
	      getint(c, IPPROTO_TCP, TCP_KEEPCNT));
	CHECK(setint(c, IPPROTO_TCP, TCP_KEEPIDLE, 0) < 0 && errno == EINVAL,
	      "KEEPIDLE 0: %s", E);
	CHECK(setint(c, IPPROTO_TCP, TCP_KEEPIDLE, 32768) < 0 && errno == EINVAL,
	      "KEEPIDLE 32768: %s", E);
	CHECK(setint(c, IPPROTO_TCP, TCP_KEEPINTVL, -1) < 0 && errno == EINVAL,
	      "KEEPINTVL -1: %s", E);
	CHECK(setint(c, IPPROTO_TCP, TCP_KEEPCNT, 128) < 0 && errno == EINVAL,
	      "KEEPCNT 128: %s", E);
	CHECK(setsockopt(c, IPPROTO_TCP, TCP_KEEPCNT, "", 1) < 0 && errno == EINVAL,
	      "short optlen: %s", E);
	CHECK(!setint(l, IPPROTO_TCP, TCP_KEEPIDLE, 30) &&
	      !setint(l, IPPROTO_TCP, TCP_KEEPINTVL, 5) &&
	      !setint(l, IPPROTO_TCP, TCP_KEEPCNT, 3), "set: %s", E);
	CHECK(!setint(c, IPPROTO_TCP, TCP_KEEPIDLE, 32767), "set: %s", E);
	CHECK(!connect(c, (struct sockaddr *)&a, sizeof(a)), "connect: %s", E);
	CHECK(getint(c, IPPROTO_TCP, TCP_KEEPIDLE) == 32767, "client KEEPIDLE %d",
	      getint(c, IPPROTO_TCP, TCP_KEEPIDLE));
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", E);
	CHECK(getint(s, IPPROTO_TCP, TCP_KEEPIDLE) == 30 &&
	      getint(s, IPPROTO_TCP, TCP_KEEPINTVL) == 5 &&
	      getint(s, IPPROTO_TCP, TCP_KEEPCNT) == 3, "accepted %d %d %d",
	      getint(s, IPPROTO_TCP, TCP_KEEPIDLE),
	      getint(s, IPPROTO_TCP, TCP_KEEPINTVL),
	      getint(s, IPPROTO_TCP, TCP_KEEPCNT));
	close(s);
	close(c);
	close(l);
	return 0;
}

/*
 * connect() whose SYNs go unanswered (the listener's backlog is full)
 * fails with ETIMEDOUT after TCP_SYNCNT retries, blocking or not; each
 * SYN resent counts as a retransmission timeout.
 */
static int t_connect_etimedout(void)
{
	int port, l = listener(&port), c[2], fd, nb, i, err = 0;
	struct sockaddr_in a = lo(port);
	socklen_t len = sizeof(err);
	struct timespec t0;
	long ms, rto0 = rto_count(), rto1;

	CHECK(rto0 >= 0, "no retransmission timeout count");
	CHECK(l >= 0 && !listen(l, 0), "listen: %s", E);
	c[0] = connect_nb(port);
	CHECK(c[0] >= 0 && pollone(c[0], POLLOUT, WAIT_MS) == POLLOUT,
	      "first connect: %s", E);
	CHECK(getint(l, IPPROTO_TCP, TCP_SYNCNT) == 6, "TCP_SYNCNT default %d",
	      getint(l, IPPROTO_TCP, TCP_SYNCNT));
	fd = sock(SOCK_STREAM);
	nb = sock(SOCK_STREAM);
	CHECK(fd >= 0 && nb >= 0, "socket: %s", E);
	CHECK(setint(fd, IPPROTO_TCP, TCP_SYNCNT, 0) < 0 && errno == EINVAL,
	      "TCP_SYNCNT 0: %s", E);
	CHECK(!setint(fd, IPPROTO_TCP, TCP_SYNCNT, 1) &&
	      !setint(nb, IPPROTO_TCP, TCP_SYNCNT, 1), "TCP_SYNCNT: %s", E);
	CHECK(getint(fd, IPPROTO_TCP, TCP_SYNCNT) == 1, "TCP_SYNCNT reads %d",
	      getint(fd, IPPROTO_TCP, TCP_SYNCNT));
	CHECK(!fcntl(nb, F_SETFL, O_NONBLOCK), "fcntl: %s", E);
	CHECK(connect(nb, (struct sockaddr *)&a, sizeof(a)) < 0 &&
	      errno == EINPROGRESS, "non-blocking connect: %s", E);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 &&
	      errno == ETIMEDOUT, "blocking connect: %s", E);
	ms = elapsed_ms(&t0);
	CHECK(ms >= 500 && ms < 20000, "ETIMEDOUT after %ld ms", ms);
	i = pollone(nb, POLLOUT, WAIT_MS);
	CHECK(i & (POLLERR | POLLHUP), "non-blocking connect: poll 0x%x", i);
	CHECK(!getsockopt(nb, SOL_SOCKET, SO_ERROR, &err, &len) && err == ETIMEDOUT,
	      "SO_ERROR %d", err);
	rto1 = rto_count();
	CHECK(rto1 >= rto0 + 2, "retransmission timeouts %ld -> %ld for two SYNs resent",
	      rto0, rto1);
	close(fd);
	close(nb);
	close(c[0]);
	close(l);
	return 0;
}

/*
 * SO_LINGER with a time: close() waits while the peer's window keeps the
 * data queued, returns 0 when the time is up, and the data still arrives
 * in full after it, then EOF.
 */
static int t_so_linger_timeout(void)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 1 };
	int c, s, i;
	static char buf[64 * 1024], in[64 * 1024];
	struct timespec t0;
	long queued, got = 0, ms;
	ssize_t n;

	CHECK(!pair(&c, &s), "pair: %s", E);
	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = pattern(i);
	queued = fill_nonblock(c, buf, sizeof(buf));
	CHECK(queued > 0, "fill: %s", E);
	CHECK(!fcntl(c, F_SETFL, 0), "fcntl: %s", E);
	CHECK(!setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), "%s", E);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(!close(c), "close: %s", E);
	ms = elapsed_ms(&t0);
	CHECK(ms >= 900 && ms < 10000, "close took %ld ms", ms);
	while ((n = recv(s, in, sizeof(in), 0)) > 0) {
		for (i = 0; i < n; i++)
			CHECK((uint8_t)in[i] == pattern((got + i) % sizeof(buf)),
			      "byte %ld differs", got + i);
		got += n;
	}
	CHECK(n == 0 && got == queued, "got %ld of %ld, then %zd: %s", got, queued, n, E);
	close(s);
	return 0;
}

/* SO_LINGER with a time and nothing in flight: close() returns at once. */
static int t_so_linger_flushed(void)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 5 };
	struct timespec t0;
	int c, s;
	char b[8];

	CHECK(!pair(&c, &s), "pair: %s", E);
	CHECK(!setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), "%s", E);
	CHECK(send(c, "bye", 3, 0) == 3, "send: %s", E);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(!close(c), "close: %s", E);
	CHECK(elapsed_ms(&t0) < 2000, "close took %ld ms", elapsed_ms(&t0));
	CHECK(read_full(s, b, sizeof(b)) == 3 && !memcmp(b, "bye", 3), "read: %s", E);
	close(s);
	return 0;
}

const struct sc_case sc_options_cases[] = {
	{ "sockopts", t_sockopts },
	{ "so_rcvtimeo", t_so_rcvtimeo },
	{ "so_linger_zero_rst", t_so_linger_zero_rst },
	{ "so_sndtimeo", t_so_sndtimeo },
	{ "so_sndbuf_so_rcvbuf_bound_queue", t_so_sndbuf_rcvbuf },
	{ "keepalive_timing_options", t_keepalive_timing },
	{ "connect_etimedout_syncnt", t_connect_etimedout },
	{ "so_linger_timeout", t_so_linger_timeout },
	{ "so_linger_flushed", t_so_linger_flushed },
	{ NULL, NULL }
};
