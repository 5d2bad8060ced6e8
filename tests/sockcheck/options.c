// SPDX-License-Identifier: GPL-2.0
/*
 * sockcheck, socket options: timeouts, buffers, keepalive, linger, TCP_MAXSEG,
 * TCP_INFO, TCP_CONGESTION, IP_TTL/IP_TOS/IP_RECVERR.
 */
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

/*
 * TCP_MAXSEG: 536 before a connection has an MSS, Linux's bounds (88 ..
 * 32767, 0 for none), and set before connect it caps the MSS of both ends
 * (the SYN, or a listener's SYN-ACK, announces it); data still flows.
 * Without it, a loopback connection's is large: lwipk's 65000, Linux's
 * 32741 on a fresh connection (its lo sends up to 65483, bounded by half
 * the peer's largest window so far).
 */
static int t_tcp_maxseg(void)
{
	int p1, p2, l1 = listener(&p1), l2 = listener(&p2);
	int c1 = sock(SOCK_STREAM), c2 = sock(SOCK_STREAM), s1, s2, c, s, m;
	struct sockaddr_in a1 = lo(p1), a2 = lo(p2);
	static char buf[64 * 1024], in[64 * 1024];

	CHECK(l1 >= 0 && l2 >= 0 && c1 >= 0 && c2 >= 0, "setup: %s", E);
	CHECK(getint(c1, IPPROTO_TCP, TCP_MAXSEG) == 536, "default %d",
	      getint(c1, IPPROTO_TCP, TCP_MAXSEG));
	CHECK(setint(c1, IPPROTO_TCP, TCP_MAXSEG, 87) < 0 && errno == EINVAL,
	      "87: %s", E);
	CHECK(setint(c1, IPPROTO_TCP, TCP_MAXSEG, 32768) < 0 && errno == EINVAL,
	      "32768: %s", E);
	CHECK(setint(c1, IPPROTO_TCP, TCP_MAXSEG, -1) < 0 && errno == EINVAL,
	      "-1: %s", E);
	CHECK(setsockopt(c1, IPPROTO_TCP, TCP_MAXSEG, "", 1) < 0 && errno == EINVAL,
	      "short optlen: %s", E);
	CHECK(!setint(c1, IPPROTO_TCP, TCP_MAXSEG, 0), "0: %s", E);
	CHECK(!setint(c1, IPPROTO_TCP, TCP_MAXSEG, 1000), "1000: %s", E);
	CHECK(getint(c1, IPPROTO_TCP, TCP_MAXSEG) == 1000, "reads %d",
	      getint(c1, IPPROTO_TCP, TCP_MAXSEG));
	CHECK(!setint(l2, IPPROTO_TCP, TCP_MAXSEG, 1200), "listener: %s", E);
	CHECK(getint(l2, IPPROTO_TCP, TCP_MAXSEG) == 1200, "listener reads %d",
	      getint(l2, IPPROTO_TCP, TCP_MAXSEG));
	CHECK(!connect(c1, (struct sockaddr *)&a1, sizeof(a1)), "connect: %s", E);
	CHECK(!connect(c2, (struct sockaddr *)&a2, sizeof(a2)), "connect: %s", E);
	s1 = accept(l1, NULL, NULL);
	s2 = accept(l2, NULL, NULL);
	CHECK(s1 >= 0 && s2 >= 0, "accept: %s", E);
	diag("MSS: client 1000 -> %d/%d, listener 1200 -> %d/%d",
	     getint(c1, IPPROTO_TCP, TCP_MAXSEG), getint(s1, IPPROTO_TCP, TCP_MAXSEG),
	     getint(c2, IPPROTO_TCP, TCP_MAXSEG), getint(s2, IPPROTO_TCP, TCP_MAXSEG));
	m = getint(c1, IPPROTO_TCP, TCP_MAXSEG);
	CHECK(m >= 500 && m <= 1000, "client's MSS %d with TCP_MAXSEG 1000", m);
	m = getint(s1, IPPROTO_TCP, TCP_MAXSEG);
	CHECK(m >= 500 && m <= 1000, "its peer's MSS %d (SYN announced 1000)", m);
	m = getint(s2, IPPROTO_TCP, TCP_MAXSEG);
	CHECK(m >= 500 && m <= 1200, "accepted MSS %d with TCP_MAXSEG 1200", m);
	m = getint(c2, IPPROTO_TCP, TCP_MAXSEG);
	CHECK(m >= 500 && m <= 1200, "client's MSS %d (SYN-ACK announced 1200)", m);
	CHECK(!pair(&c, &s), "pair: %s", E);
	m = getint(c, IPPROTO_TCP, TCP_MAXSEG);
	CHECK(m > 1200, "MSS without TCP_MAXSEG %d", m);
	/* over loopback, segments far above the wire's, as Linux's lo sends */
	CHECK(m > 30000 && getint(s, IPPROTO_TCP, TCP_MAXSEG) > 30000,
	      "loopback MSS %d/%d", m, getint(s, IPPROTO_TCP, TCP_MAXSEG));
	close(c);
	close(s);
	for (m = 0; m < (int)sizeof(buf); m++)
		buf[m] = pattern(m);
	CHECK(write_full(c1, buf, sizeof(buf)) == sizeof(buf), "send: %s", E);
	CHECK(read_full(s1, in, sizeof(in)) == sizeof(in) && !memcmp(buf, in, sizeof(in)),
	      "64 KiB in segments of 1000: %s", E);
	close(s1);
	close(s2);
	close(c1);
	close(c2);
	close(l1);
	close(l2);
	return 0;
}

/* TCP_INFO's state and what a short buffer gets (a prefix, as Linux). */
static int tcp_info_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0xff, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) || len != sizeof(ti))
		return -1;
	return ti.tcpi_state;
}

/*
 * TCP_INFO: Linux's struct tcp_info, its states (TCP_CLOSE, TCP_LISTEN,
 * TCP_ESTABLISHED, TCP_CLOSE_WAIT), MSS as TCP_MAXSEG, Linux's RTO, a window,
 * bytes received and acknowledged; a short optlen copies a prefix.
 */
static int t_tcp_info(void)
{
	int port, l = listener(&port), u = sock(SOCK_STREAM), c, s, i;
	static char buf[10000];
	struct tcp_info ti;
	socklen_t len;
	unsigned char st = 0xff;

	CHECK(l >= 0 && u >= 0, "setup: %s", E);
	CHECK(tcp_info_state(u) == 7, "unconnected state %d", tcp_info_state(u));
	CHECK(tcp_info_state(l) == 10, "listener state %d", tcp_info_state(l));
	close(l);
	close(u);
	CHECK(!pair(&c, &s), "pair: %s", E);
	CHECK(tcp_info_state(c) == 1 && tcp_info_state(s) == 1, "established %d %d",
	      tcp_info_state(c), tcp_info_state(s));
	CHECK(write_full(c, buf, sizeof(buf)) == sizeof(buf), "send: %s", E);
	CHECK(read_full(s, buf, sizeof(buf)) == sizeof(buf), "recv: %s", E);
	for (i = 0; i < 100; i++) {
		len = sizeof(ti);
		CHECK(!getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len), "%s", E);
		if (ti.tcpi_bytes_acked == sizeof(buf) + 1)
			break;
		usleep(20000);
	}
	diag("client: rto %u mss %u/%u cwnd %u ssthresh %u rtt %u/%u acked %llu",
	     ti.tcpi_rto, ti.tcpi_snd_mss, ti.tcpi_rcv_mss, ti.tcpi_snd_cwnd,
	     ti.tcpi_snd_ssthresh, ti.tcpi_rtt, ti.tcpi_rttvar,
	     (unsigned long long)ti.tcpi_bytes_acked);
	CHECK(len == sizeof(ti), "optlen %u", len);
	/* Linux counts the SYN as acknowledged */
	CHECK(ti.tcpi_bytes_acked == sizeof(buf) + 1, "bytes_acked %llu",
	      (unsigned long long)ti.tcpi_bytes_acked);
	CHECK((int)ti.tcpi_snd_mss == getint(c, IPPROTO_TCP, TCP_MAXSEG),
	      "snd_mss %u, TCP_MAXSEG %d", ti.tcpi_snd_mss,
	      getint(c, IPPROTO_TCP, TCP_MAXSEG));
	/* Linux's RTO on loopback: 200 ms plus the RTT (lwIP's: rounded up to
	 * its 50 ms ticks, one more; a slow kernel's RTT may be tens of ms),
	 * from an RTT timed finer than lwIP's ticks: the mean deviation of
	 * loopback RTTs is well under 50 ms. */
	CHECK(ti.tcpi_rto >= 200000 && ti.tcpi_rto <= 400000, "rto %u us", ti.tcpi_rto);
	CHECK(ti.tcpi_rttvar < 50000, "rttvar %u us", ti.tcpi_rttvar);
	CHECK(ti.tcpi_snd_cwnd >= 1, "snd_cwnd %u", ti.tcpi_snd_cwnd);
	CHECK(ti.tcpi_snd_wnd > 0, "snd_wnd %u", ti.tcpi_snd_wnd);
	CHECK(ti.tcpi_retransmits == 0, "retransmits %u", ti.tcpi_retransmits);
	len = sizeof(ti);
	CHECK(!getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &len), "%s", E);
	CHECK(ti.tcpi_bytes_received == sizeof(buf), "bytes_received %llu",
	      (unsigned long long)ti.tcpi_bytes_received);
	len = 1;
	CHECK(!getsockopt(s, IPPROTO_TCP, TCP_INFO, &st, &len) && len == 1 && st == 1,
	      "optlen 1: %u, state %u: %s", len, st, E);
	close(c);
	CHECK(recv(s, buf, 1, 0) == 0, "no EOF: %s", E);
	CHECK(tcp_info_state(s) == 8, "after the peer's FIN %d", tcp_info_state(s));
	close(s);
	return 0;
}

/*
 * TCP_CONGESTION: Linux's default (net.ipv4.tcp_congestion_control), lwIP's
 * "reno"; "reno" may be set on both, an unknown name is ENOENT, an empty
 * option EINVAL, and a short buffer gets a prefix.
 */
static int t_tcp_congestion(void)
{
	int fd = sock(SOCK_STREAM);
	char name[32], want[32] = "reno";
	socklen_t len = sizeof(name);
	FILE *f;

	CHECK(fd >= 0, "socket: %s", E);
	if (family == AF_INET) {
		f = fopen("/proc/sys/net/ipv4/tcp_congestion_control", "r");
		CHECK(f && fscanf(f, "%31s", want) == 1, "sysctl: %s", E);
		fclose(f);
	}
	memset(name, 0, sizeof(name));
	CHECK(!getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len), "%s", E);
	CHECK(len == 16 && !strcmp(name, want), "default \"%s\" (%u), want \"%s\"",
	      name, len, want);
	CHECK(!setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "reno", 4), "reno: %s", E);
	len = sizeof(name);
	memset(name, 0, sizeof(name));
	CHECK(!getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len) &&
	      !strcmp(name, "reno"), "after set: \"%s\": %s", name, E);
	CHECK(setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "nosuchcc", 8) < 0 &&
	      errno == ENOENT, "nosuchcc: %s", E);
	CHECK(setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "reno", 0) < 0 &&
	      errno == EINVAL, "optlen 0: %s", E);
	len = 2;
	memset(name, 0, sizeof(name));
	CHECK(!getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len) && len == 2 &&
	      !strcmp(name, "re"), "optlen 2: \"%s\" (%u): %s", name, len, E);
	close(fd);
	return 0;
}

/* One-byte getsockopt of a SOL_IP option: Linux stores a byte. */
static int getbyte(int fd, int name)
{
	unsigned char v = 0;
	socklen_t len = 1;

	if (getsockopt(fd, IPPROTO_IP, name, &v, &len) || len != 1)
		return -1;
	return v;
}

/*
 * IP_TTL (default 64, 1..255, -1 back to the default), IP_TOS (TCP keeps
 * the ECN bits to itself, UDP does not; one-byte values), IP_RECVERR (read
 * back; MSG_ERRQUEUE finds nothing).
 */
static int t_ip_ttl_tos_recverr(void)
{
	int t = sock(SOCK_STREAM), u = sock(SOCK_DGRAM), v;
	unsigned char b = 0x20;
	char c;

	CHECK(t >= 0 && u >= 0, "socket: %s", E);
	CHECK(getint(t, IPPROTO_IP, IP_TTL) == 64 && getint(u, IPPROTO_IP, IP_TTL) == 64,
	      "default TTL %d %d", getint(t, IPPROTO_IP, IP_TTL),
	      getint(u, IPPROTO_IP, IP_TTL));
	CHECK(setint(t, IPPROTO_IP, IP_TTL, 0) < 0 && errno == EINVAL, "TTL 0: %s", E);
	CHECK(setint(t, IPPROTO_IP, IP_TTL, 256) < 0 && errno == EINVAL, "TTL 256: %s", E);
	CHECK(setint(t, IPPROTO_IP, IP_TTL, -2) < 0 && errno == EINVAL, "TTL -2: %s", E);
	CHECK(setsockopt(t, IPPROTO_IP, IP_TTL, &b, 0) < 0 && errno == EINVAL,
	      "TTL optlen 0: %s", E);
	CHECK(!setint(t, IPPROTO_IP, IP_TTL, 33), "TTL 33: %s", E);
	CHECK(getint(t, IPPROTO_IP, IP_TTL) == 33 && getbyte(t, IP_TTL) == 33,
	      "TTL reads %d", getint(t, IPPROTO_IP, IP_TTL));
	CHECK(!setint(t, IPPROTO_IP, IP_TTL, -1) && getint(t, IPPROTO_IP, IP_TTL) == 64,
	      "TTL -1 reads %d: %s", getint(t, IPPROTO_IP, IP_TTL), E);
	CHECK(!setsockopt(u, IPPROTO_IP, IP_TTL, &b, 1) &&
	      getint(u, IPPROTO_IP, IP_TTL) == 0x20, "one-byte TTL reads %d: %s",
	      getint(u, IPPROTO_IP, IP_TTL), E);
	CHECK(getint(t, IPPROTO_IP, IP_TOS) == 0, "default TOS %d",
	      getint(t, IPPROTO_IP, IP_TOS));
	CHECK(!setint(t, IPPROTO_IP, IP_TOS, 0x13) && getint(t, IPPROTO_IP, IP_TOS) == 0x10,
	      "TCP TOS 0x13 reads %#x: %s", getint(t, IPPROTO_IP, IP_TOS), E);
	CHECK(!setint(u, IPPROTO_IP, IP_TOS, 0x13) && getint(u, IPPROTO_IP, IP_TOS) == 0x13,
	      "UDP TOS 0x13 reads %#x: %s", getint(u, IPPROTO_IP, IP_TOS), E);
	CHECK(getbyte(u, IP_TOS) == 0x13, "one-byte TOS %d", getbyte(u, IP_TOS));
	CHECK(getint(u, IPPROTO_IP, IP_RECVERR) == 0, "RECVERR default %d",
	      getint(u, IPPROTO_IP, IP_RECVERR));
	CHECK(!setint(u, IPPROTO_IP, IP_RECVERR, 5) && getint(u, IPPROTO_IP, IP_RECVERR) == 1,
	      "RECVERR reads %d: %s", getint(u, IPPROTO_IP, IP_RECVERR), E);
	CHECK(recv(u, &c, 1, MSG_ERRQUEUE) < 0 && errno == EAGAIN, "MSG_ERRQUEUE: %s", E);
	v = getint(u, IPPROTO_IP, 9999);
	CHECK(v == -1 && errno == ENOPROTOOPT, "IPPROTO_IP 9999: %s", E);
	CHECK(setint(u, IPPROTO_UDP + 1000, IP_TTL, 1) < 0, "level 1017 accepted");
	close(t);
	close(u);
	return 0;
}

/*
 * SO_REUSEPORT: on Linux two UDP sockets with it share a port. lwIP has no
 * port sharing with load distribution, and Linux's generic SOL_SOCKET code
 * refuses SO_REUSEPORT for families other than its own (EOPNOTSUPP, the
 * option reading 0): the lwip family keeps that answer, and a second bind
 * to the port fails as without the option.
 */
static int t_so_reuseport(void)
{
	int u = sock(SOCK_DGRAM), v = sock(SOCK_DGRAM), one = 1, r;
	struct sockaddr_in a = lo(0);

	CHECK(u >= 0 && v >= 0, "socket: %s", E);
	r = setsockopt(u, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (family == AF_INET)
		CHECK(!r && getint(u, SOL_SOCKET, SO_REUSEPORT) == 1, "set: %s", E);
	else
		CHECK(r < 0 && errno == EOPNOTSUPP && !getint(u, SOL_SOCKET, SO_REUSEPORT),
		      "lwip: set %d: %s", r, E);
	setsockopt(v, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	CHECK(!bind(u, (struct sockaddr *)&a, sizeof(a)), "bind: %s", E);
	a = lo(local_port(u));
	r = bind(v, (struct sockaddr *)&a, sizeof(a));
	if (family == AF_INET)
		CHECK(!r, "second bind: %s", E);
	else
		CHECK(r < 0 && errno == EADDRINUSE, "lwip: second bind %d: %s", r, E);
	close(u);
	close(v);
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
	{ "tcp_maxseg", t_tcp_maxseg },
	{ "tcp_info", t_tcp_info },
	{ "tcp_congestion", t_tcp_congestion },
	{ "ip_ttl_tos_recverr", t_ip_ttl_tos_recverr },
	{ "so_reuseport", t_so_reuseport },
	{ NULL, NULL }
};
