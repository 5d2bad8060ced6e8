// SPDX-License-Identifier: GPL-2.0
/*
 * sockcheck: socket conformance of lwip_sock.ko against Linux's own stack.
 *
 *   sockcheck [--family inet|lwip] [--case SUBSTRING]
 *
 * --case runs only the cases whose names contain SUBSTRING.
 * Prints KTAP; every case runs in a child process with a time limit and
 * passes only when the result is what Linux (--family inet) does. The
 * exit status is non-zero when a case failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lwipk/af_lwip.h>

#ifndef SIOCOUTQ
#define SIOCOUTQ	TIOCOUTQ
#endif

#define CASE_TIMEOUT	60	/* seconds */
#define BIG		(4 << 20)
#define NCONN		200
#define CONN_BYTES	(64 * 1024)

static int family;

static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

#define CHECK(cond, ...) do {						\
		if (!(cond)) {						\
			diag("%s:%d: %s", __func__, __LINE__, #cond);	\
			diag(__VA_ARGS__);				\
			return -1;					\
		}							\
	} while (0)

/* errno of the last call, for diagnostics */
#define E strerror(errno)

static struct sockaddr_in lo(int port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int sock(int type)
{
	return socket(family, type, 0);
}

static int local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len))
		return -1;
	return ntohs(a.sin_port);
}

/* A TCP listener on 127.0.0.1 at an ephemeral port. */
static int listener(int *port)
{
	struct sockaddr_in a = lo(0);
	int fd = sock(SOCK_STREAM);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 256)) {
		close(fd);
		return -1;
	}
	*port = local_port(fd);
	return fd;
}

/* A connected TCP pair: *c the client, *s the accepted end. */
static int pair(int *c, int *s)
{
	struct sockaddr_in a;
	int l, port;

	l = listener(&port);
	if (l < 0)
		return -1;
	a = lo(port);
	*c = sock(SOCK_STREAM);
	if (*c < 0 || connect(*c, (struct sockaddr *)&a, sizeof(a))) {
		close(l);
		return -1;
	}
	*s = accept(l, NULL, NULL);
	close(l);
	return *s < 0 ? -1 : 0;
}

/* A port nobody listens on: bound once, then closed. */
static int closed_port(void)
{
	struct sockaddr_in a = lo(0);
	int fd = sock(SOCK_STREAM), port;

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	port = local_port(fd);
	close(fd);
	return port;
}

static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = recv(fd, (char *)buf + got, len - got, 0);
		if (n <= 0)
			return n < 0 ? -1 : (ssize_t)got;
		got += n;
	}
	return got;
}

static ssize_t write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = send(fd, (const char *)buf + done, len - done, MSG_NOSIGNAL);
		if (n < 0)
			return -1;
		done += n;
	}
	return done;
}

static int pollone(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (poll(&p, 1, ms) < 0)
		return -1;
	return p.revents;
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 7 + (i >> 13));
}

/* --- the cases --------------------------------------------------------- */

static int t_bind_ephemeral(void)
{
	struct sockaddr_in a = lo(0), b;
	socklen_t len = sizeof(b);
	int fd = sock(SOCK_STREAM);

	CHECK(fd >= 0, "socket: %s", E);
	CHECK(!bind(fd, (struct sockaddr *)&a, sizeof(a)), "bind: %s", E);
	CHECK(!getsockname(fd, (struct sockaddr *)&b, &len), "getsockname: %s", E);
	CHECK(len == sizeof(b), "len %u", len);
	CHECK(b.sin_family == AF_INET, "family %d", b.sin_family);
	CHECK(b.sin_port != 0, "port 0");
	CHECK(b.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "addr %x", b.sin_addr.s_addr);
	close(fd);
	return 0;
}

static int t_bind_eaddrinuse(void)
{
	int port, l = listener(&port), fd = sock(SOCK_STREAM);
	struct sockaddr_in a = lo(port);

	CHECK(l >= 0 && fd >= 0, "setup: %s", E);
	CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EADDRINUSE,
	      "bind: %s", E);
	close(fd);
	close(l);
	return 0;
}

static int t_bind_eaddrnotavail(void)
{
	struct sockaddr_in a = lo(0);
	int fd = sock(SOCK_STREAM);

	a.sin_addr.s_addr = htonl(0x0a090909);	/* 10.9.9.9: not ours */
	CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EADDRNOTAVAIL,
	      "bind: %s", E);
	close(fd);
	return 0;
}

static int t_accept_inherits_options(void)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 }, tv2;
	int port, l = listener(&port), c = sock(SOCK_STREAM), s, one = 1, v = 0;
	struct sockaddr_in a = lo(port);
	socklen_t len = sizeof(tv2);
	char b;

	CHECK(!setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), "%s", E);
	CHECK(!setsockopt(l, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)), "%s", E);
	CHECK(!connect(c, (struct sockaddr *)&a, sizeof(a)), "connect: %s", E);
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", E);
	CHECK(!getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv2, &len) &&
	      tv2.tv_usec == 200000, "SO_RCVTIMEO not inherited");
	len = sizeof(v);
	CHECK(!getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, &len) && v == 1,
	      "SO_KEEPALIVE not inherited");
	CHECK(recv(s, &b, 1, 0) < 0 && errno == EAGAIN, "recv: %s", E);
	close(s);
	close(c);
	close(l);
	return 0;
}

static int t_bind_twice_einval(void)
{
	struct sockaddr_in a = lo(0);
	int fd = sock(SOCK_STREAM);

	CHECK(!bind(fd, (struct sockaddr *)&a, sizeof(a)), "bind: %s", E);
	CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EINVAL,
	      "second bind: %s", E);
	close(fd);
	return 0;
}

static int t_short_addrlen_einval(void)
{
	struct sockaddr_in a = lo(0);
	int fd = sock(SOCK_STREAM);

	CHECK(bind(fd, (struct sockaddr *)&a, 8) < 0 && errno == EINVAL, "bind: %s", E);
	CHECK(connect(fd, (struct sockaddr *)&a, 8) < 0 && errno == EINVAL,
	      "connect: %s", E);
	close(fd);
	return 0;
}

static int t_reuseaddr_time_wait(void)
{
	struct sockaddr_in a = lo(0);
	int port, l = sock(SOCK_STREAM), c, s, one = 1, fd;

	CHECK(l >= 0, "socket: %s", E);
	CHECK(!setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), "%s", E);
	CHECK(!bind(l, (struct sockaddr *)&a, sizeof(a)) && !listen(l, 1), "listen: %s", E);
	port = local_port(l);
	a = lo(port);
	c = sock(SOCK_STREAM);
	CHECK(!connect(c, (struct sockaddr *)&a, sizeof(a)), "connect: %s", E);
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", E);
	close(s);		/* the server closes first: TIME_WAIT on port */
	usleep(100000);
	close(c);
	close(l);
	usleep(100000);
	fd = sock(SOCK_STREAM);
	CHECK(!setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), "%s", E);
	CHECK(!bind(fd, (struct sockaddr *)&a, sizeof(a)), "bind with SO_REUSEADDR: %s", E);
	CHECK(!listen(fd, 1), "listen: %s", E);
	close(fd);
	return 0;
}

static int t_connect_refused(void)
{
	struct sockaddr_in a = lo(closed_port());
	int fd = sock(SOCK_STREAM);

	CHECK(connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 &&
	      errno == ECONNREFUSED, "connect: %s", E);
	close(fd);
	return 0;
}

static int t_nonblocking_connect(void)
{
	int port, l = listener(&port), fd = sock(SOCK_STREAM), err = -1, r;
	struct sockaddr_in a = lo(port), b;
	socklen_t len = sizeof(err), blen = sizeof(b);

	CHECK(l >= 0 && fd >= 0, "setup: %s", E);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	CHECK(connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 &&
	      errno == EINPROGRESS, "connect: %s", E);
	r = pollone(fd, POLLOUT, 5000);
	CHECK(r & POLLOUT, "poll 0x%x", r);
	CHECK(!getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len), "%s", E);
	CHECK(err == 0, "SO_ERROR %d", err);
	CHECK(!getpeername(fd, (struct sockaddr *)&b, &blen) && b.sin_port == a.sin_port,
	      "getpeername: %s", E);
	CHECK(!connect(fd, (struct sockaddr *)&a, sizeof(a)), "connect again: %s", E);
	CHECK(connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EISCONN,
	      "third connect: %s", E);
	close(fd);
	close(l);
	return 0;
}

static int t_nonblocking_connect_refused(void)
{
	struct sockaddr_in a = lo(closed_port());
	int fd = sock(SOCK_STREAM), err = -1, r;
	socklen_t len = sizeof(err);

	fcntl(fd, F_SETFL, O_NONBLOCK);
	r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	CHECK(r < 0 && (errno == EINPROGRESS || errno == ECONNREFUSED), "connect: %s", E);
	if (errno == EINPROGRESS) {
		r = pollone(fd, POLLOUT, 5000);
		CHECK(r & (POLLERR | POLLHUP), "poll 0x%x", r);
		CHECK(!getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len), "%s", E);
		CHECK(err == ECONNREFUSED, "SO_ERROR %d", err);
	}
	close(fd);
	return 0;
}

static int t_accept_peer_address(void)
{
	int port, l = listener(&port), c = sock(SOCK_STREAM), s;
	struct sockaddr_in a = lo(port), peer, name;
	socklen_t len = sizeof(peer), nlen = sizeof(name);

	CHECK(!connect(c, (struct sockaddr *)&a, sizeof(a)), "connect: %s", E);
	s = accept(l, (struct sockaddr *)&peer, &len);
	CHECK(s >= 0, "accept: %s", E);
	CHECK(len == sizeof(peer) && peer.sin_family == AF_INET, "len %u family %d",
	      len, peer.sin_family);
	CHECK(!getsockname(c, (struct sockaddr *)&name, &nlen), "%s", E);
	CHECK(peer.sin_port == name.sin_port && peer.sin_addr.s_addr == name.sin_addr.s_addr,
	      "peer %x:%u client %x:%u", peer.sin_addr.s_addr, ntohs(peer.sin_port),
	      name.sin_addr.s_addr, ntohs(name.sin_port));
	nlen = sizeof(name);
	CHECK(!getpeername(c, (struct sockaddr *)&name, &nlen) && name.sin_port == htons(port),
	      "getpeername: %s", E);
	close(s);
	close(c);
	close(l);
	return 0;
}

static int t_getpeername_enotconn(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = sock(SOCK_STREAM);

	CHECK(getpeername(fd, (struct sockaddr *)&a, &len) < 0 && errno == ENOTCONN,
	      "getpeername: %s", E);
	CHECK(shutdown(fd, SHUT_WR) < 0 && errno == ENOTCONN, "shutdown: %s", E);
	close(fd);
	return 0;
}

static void *big_sender(void *arg)
{
	int fd = *(int *)arg;
	uint8_t *buf = malloc(BIG);
	size_t i;
	long ok;

	for (i = 0; i < BIG; i++)
		buf[i] = pattern(i);
	ok = write_full(fd, buf, BIG) == BIG;
	free(buf);
	return (void *)ok;
}

static int t_large_transfer(void)
{
	uint8_t *buf = malloc(BIG);
	pthread_t t;
	void *ok;
	int c, s;
	size_t i;

	CHECK(!pair(&c, &s), "pair: %s", E);
	pthread_create(&t, NULL, big_sender, &c);
	CHECK(read_full(s, buf, BIG) == BIG, "read: %s", E);
	pthread_join(t, &ok);
	CHECK(ok, "sender failed");
	for (i = 0; i < BIG; i++)
		CHECK(buf[i] == pattern(i), "byte %zu is %u", i, buf[i]);
	free(buf);
	close(c);
	close(s);
	return 0;
}

static int t_msg_peek(void)
{
	char buf[16] = "";
	int c, s;

	CHECK(!pair(&c, &s), "pair: %s", E);
	CHECK(send(c, "hello", 5, 0) == 5, "send: %s", E);
	CHECK(recv(s, buf, 5, MSG_PEEK) == 5 && !memcmp(buf, "hello", 5), "peek: %s", E);
	memset(buf, 0, sizeof(buf));
	CHECK(recv(s, buf, sizeof(buf), 0) == 5 && !memcmp(buf, "hello", 5), "recv: %s", E);
	close(c);
	close(s);
	return 0;
}

static void *slow_sender(void *arg)
{
	int fd = *(int *)arg, i;
	char buf[1000];

	for (i = 0; i < 3; i++) {
		memset(buf, 'a' + i, sizeof(buf));
		usleep(100000);
		if (send(fd, buf, sizeof(buf), 0) != sizeof(buf))
			return NULL;
	}
	return (void *)1;
}

static int t_msg_waitall(void)
{
	char buf[3000];
	pthread_t t;
	ssize_t n;
	int c, s;

	CHECK(!pair(&c, &s), "pair: %s", E);
	pthread_create(&t, NULL, slow_sender, &c);
	n = recv(s, buf, sizeof(buf), MSG_WAITALL);
	pthread_join(t, NULL);
	CHECK(n == sizeof(buf), "recv %zd: %s", n, E);
	CHECK(buf[0] == 'a' && buf[1500] == 'b' && buf[2999] == 'c', "data");
	close(c);
	close(s);
	return 0;
}

static int t_eagain(void)
{
	int c, s, port, l;
	char b;

	CHECK(!pair(&c, &s), "pair: %s", E);
	CHECK(recv(s, &b, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN, "MSG_DONTWAIT: %s", E);
	fcntl(s, F_SETFL, O_NONBLOCK);
	CHECK(recv(s, &b, 1, 0) < 0 && errno == EAGAIN, "O_NONBLOCK: %s", E);
	l = listener(&port);
	fcntl(l, F_SETFL, O_NONBLOCK);
	CHECK(accept(l, NULL, NULL) < 0 && errno == EAGAIN, "accept: %s", E);
	close(l);
	close(c);
	close(s);
	return 0;
}

static int t_shutdown_wr_eof(void)
{
	char buf[8];
	int c, s;

	CHECK(!pair(&c, &s), "pair: %s", E);
	CHECK(!shutdown(c, SHUT_WR), "shutdown: %s", E);
	CHECK(recv(s, buf, sizeof(buf), 0) == 0, "server recv: %s", E);
	CHECK(send(s, "back", 4, 0) == 4, "server send: %s", E);
	CHECK(recv(c, buf, sizeof(buf), 0) == 4 && !memcmp(buf, "back", 4),
	      "client recv: %s", E);
	CHECK(send(c, "x", 1, MSG_NOSIGNAL) < 0 && errno == EPIPE, "send after SHUT_WR: %s", E);
	close(c);
	close(s);
	return 0;
}

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

static int t_fionread_siocoutq(void)
{
	char buf[1000];
	int c, s, n = -1, i;

	CHECK(!pair(&c, &s), "pair: %s", E);
	CHECK(!ioctl(s, FIONREAD, &n) && n == 0, "empty FIONREAD %d: %s", n, E);
	memset(buf, 'q', sizeof(buf));
	CHECK(send(c, buf, sizeof(buf), 0) == sizeof(buf), "send: %s", E);
	CHECK(pollone(s, POLLIN, 5000) & POLLIN, "poll");
	usleep(200000);
	CHECK(!ioctl(s, FIONREAD, &n) && n == sizeof(buf), "FIONREAD %d: %s", n, E);
	for (i = 0; i < 40; i++) {	/* until acknowledged (lwIP delays ACKs) */
		CHECK(!ioctl(c, SIOCOUTQ, &n), "SIOCOUTQ: %s", E);
		if (!n)
			break;
		usleep(50000);
	}
	CHECK(n == 0, "SIOCOUTQ %d after 2 s", n);
	close(c);
	close(s);
	return 0;
}

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

static int t_efault(void)
{
	int c, s;
	char b;

	CHECK(!pair(&c, &s), "pair: %s", E);
	CHECK(send(c, (void *)8, 100, MSG_NOSIGNAL) < 0 && errno == EFAULT,
	      "send: %s", E);
	CHECK(send(c, "x", 1, 0) == 1, "send: %s", E);
	CHECK(pollone(s, POLLIN, 5000) & POLLIN, "poll");
	CHECK(recv(s, (void *)8, 1, 0) < 0 && errno == EFAULT, "recv: %s", E);
	CHECK(recv(s, &b, 1, 0) == 1 && b == 'x', "recv after EFAULT: %s", E);
	close(c);
	close(s);
	return 0;
}

static int t_epipe_nosignal(void)
{
	char buf[1000] = "";
	int c, s, i;
	ssize_t n = 0;

	CHECK(!pair(&c, &s), "pair: %s", E);
	close(c);
	CHECK(recv(s, buf, sizeof(buf), 0) == 0, "recv: %s", E);
	for (i = 0; i < 100; i++) {
		n = send(s, buf, sizeof(buf), MSG_NOSIGNAL);
		if (n < 0)
			break;
		usleep(10000);
	}
	CHECK(n < 0 && errno == EPIPE, "send %d: %zd %s", i, n, E);
	close(s);
	return 0;
}

static volatile sig_atomic_t signals;

static void on_signal(int sig)
{
	(void)sig;
	signals++;
}

static int t_sigpipe(void)
{
	char buf[1000] = "";
	int c, s, i;
	ssize_t n = 0;

	signal(SIGPIPE, on_signal);
	CHECK(!pair(&c, &s), "pair: %s", E);
	close(c);
	CHECK(recv(s, buf, sizeof(buf), 0) == 0, "recv: %s", E);
	for (i = 0; i < 100; i++) {
		n = send(s, buf, sizeof(buf), 0);
		if (n < 0)
			break;
		usleep(10000);
	}
	CHECK(n < 0 && errno == EPIPE, "send %d: %zd %s", i, n, E);
	CHECK(signals == 1, "%d SIGPIPEs", (int)signals);
	close(s);
	return 0;
}

static int t_eintr(void)
{
	struct sigaction sa;
	int c, s;
	char b;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	CHECK(!pair(&c, &s), "pair: %s", E);
	alarm(1);
	CHECK(recv(s, &b, 1, 0) < 0 && errno == EINTR, "recv: %s", E);
	CHECK(signals == 1, "%d signals", (int)signals);
	signal(SIGALRM, SIG_DFL);
	alarm(CASE_TIMEOUT);
	close(c);
	close(s);
	return 0;
}

static void *late_sender(void *arg)
{
	usleep(1500000);
	send(*(int *)arg, "z", 1, 0);
	return NULL;
}

static int t_sa_restart(void)
{
	struct sigaction sa;
	pthread_t t;
	int c, s;
	char b = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	CHECK(!pair(&c, &s), "pair: %s", E);
	pthread_create(&t, NULL, late_sender, &c);
	alarm(1);
	CHECK(recv(s, &b, 1, 0) == 1 && b == 'z', "recv: %s", E);
	pthread_join(t, NULL);
	CHECK(signals == 1, "%d signals", (int)signals);
	signal(SIGALRM, SIG_DFL);
	alarm(CASE_TIMEOUT);
	close(c);
	close(s);
	return 0;
}

/* (Sending to 255.255.255.255 needs a route, which the guest lacks.) */
static int t_udp_so_broadcast(void)
{
	int fd = sock(SOCK_DGRAM), one = 1, v = 0;
	socklen_t len = sizeof(v);

	CHECK(!setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)), "%s", E);
	CHECK(!getsockopt(fd, SOL_SOCKET, SO_BROADCAST, &v, &len) && v == 1,
	      "SO_BROADCAST %d: %s", v, E);
	close(fd);
	return 0;
}

static int t_udp_roundtrip(void)
{
	int a = sock(SOCK_DGRAM), b = sock(SOCK_DGRAM), pa, pb;
	struct sockaddr_in la = lo(0), from;
	socklen_t len = sizeof(from);
	char buf[64];
	ssize_t n;

	CHECK(a >= 0 && b >= 0, "socket: %s", E);
	CHECK(!bind(a, (struct sockaddr *)&la, sizeof(la)), "bind: %s", E);
	CHECK(!bind(b, (struct sockaddr *)&la, sizeof(la)), "bind: %s", E);
	pa = local_port(a);
	pb = local_port(b);
	la = lo(pb);
	CHECK(sendto(a, "ping", 4, 0, (struct sockaddr *)&la, sizeof(la)) == 4, "sendto: %s", E);
	n = recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
	CHECK(n == 4 && !memcmp(buf, "ping", 4), "recvfrom %zd: %s", n, E);
	CHECK(len == sizeof(from) && from.sin_family == AF_INET &&
	      from.sin_port == htons(pa) && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	      "from %x:%u", from.sin_addr.s_addr, ntohs(from.sin_port));
	CHECK(sendto(b, "pong", 4, 0, (struct sockaddr *)&from, len) == 4, "sendto: %s", E);
	CHECK(recv(a, buf, sizeof(buf), 0) == 4 && !memcmp(buf, "pong", 4), "recv: %s", E);
	CHECK(recv(a, buf, sizeof(buf), MSG_DONTWAIT) < 0 && errno == EAGAIN,
	      "empty recv: %s", E);
	close(a);
	close(b);
	return 0;
}

static int t_udp_connected_trunc(void)
{
	int a = sock(SOCK_DGRAM), b = sock(SOCK_DGRAM), n = -1;
	struct sockaddr_in la = lo(0);
	char big[100], buf[10];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	CHECK(!bind(b, (struct sockaddr *)&la, sizeof(la)), "bind: %s", E);
	la = lo(local_port(b));
	CHECK(send(a, "x", 1, 0) < 0 && errno == EDESTADDRREQ, "unconnected send: %s", E);
	CHECK(!connect(a, (struct sockaddr *)&la, sizeof(la)), "connect: %s", E);
	memset(big, 'z', sizeof(big));
	CHECK(send(a, big, sizeof(big), 0) == sizeof(big), "send: %s", E);
	CHECK(pollone(b, POLLIN, 5000) == POLLIN, "poll");
	CHECK(!ioctl(b, FIONREAD, &n) && n == sizeof(big), "FIONREAD %d", n);
	CHECK(recvmsg(b, &msg, 0) == sizeof(buf) && (msg.msg_flags & MSG_TRUNC),
	      "recvmsg flags 0x%x: %s", msg.msg_flags, E);
	close(a);
	close(b);
	return 0;
}

struct conn_job {
	int port;
	int ok;
};

static void *echo_server(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[16384];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		if (write_full(fd, buf, n) != n)
			break;
	close(fd);
	return NULL;
}

static void *acceptor(void *arg)
{
	int l = (int)(intptr_t)arg, i, fd;
	pthread_t t;

	for (i = 0; i < NCONN; i++) {
		fd = accept(l, NULL, NULL);
		if (fd < 0)
			return NULL;
		if (pthread_create(&t, NULL, echo_server, (void *)(intptr_t)fd)) {
			close(fd);
			return NULL;
		}
		pthread_detach(t);
	}
	return (void *)1;
}

static void *echo_client(void *arg)
{
	struct conn_job *job = arg;
	struct sockaddr_in a = lo(job->port);
	uint8_t *out = malloc(CONN_BYTES), *in = malloc(CONN_BYTES);
	int fd = sock(SOCK_STREAM), i;

	for (i = 0; i < CONN_BYTES; i++)
		out[i] = pattern(i + job->port + (intptr_t)job);
	if (fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    write_full(fd, out, CONN_BYTES) == CONN_BYTES &&
	    read_full(fd, in, CONN_BYTES) == CONN_BYTES &&
	    !memcmp(in, out, CONN_BYTES))
		job->ok = 1;
	if (fd >= 0)
		close(fd);
	free(out);
	free(in);
	return NULL;
}

static int t_concurrent(void)
{
	static struct conn_job jobs[NCONN];
	pthread_t acc, t[NCONN];
	int port, l = listener(&port), i, good = 0;
	pthread_attr_t attr;

	CHECK(l >= 0, "listener: %s", E);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_create(&acc, NULL, acceptor, (void *)(intptr_t)l);
	for (i = 0; i < NCONN; i++) {
		jobs[i].port = port;
		CHECK(!pthread_create(&t[i], &attr, echo_client, &jobs[i]), "thread %d", i);
	}
	for (i = 0; i < NCONN; i++) {
		pthread_join(t[i], NULL);
		good += jobs[i].ok;
	}
	pthread_join(acc, NULL);
	close(l);
	CHECK(good == NCONN, "%d of %d connections echoed correctly", good, NCONN);
	return 0;
}

static int t_privileged_port_eacces(void)
{
	struct sockaddr_in a = lo(80);
	int fd;

	CHECK(!setuid(65534), "setuid: %s", E);
	fd = sock(SOCK_STREAM);
	CHECK(fd >= 0, "socket: %s", E);
	CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EACCES,
	      "bind port 80 unprivileged: %s", E);
	close(fd);
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

/* --- issue 3: epoll, vectors, processes, orders, churn ------------------ */

/*
 * t_connect_churn's cycles. Under QEMU TCG, inet does 10,000 in about
 * 4 s, lwip in about 11 s: lo0 delivers in batches, so each cycle no
 * longer waits on its own tcpip wake-up. The case has its own time limit.
 */
#define CYCLES		10000
#define CHURN_TIMEOUT	180	/* seconds */
#define WAIT_MS		5000

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* The events of one epoll_wait() on @ep, 0 for none, -1 on error. */
static int epwait(int ep, int ms)
{
	struct epoll_event ev;
	int n = epoll_wait(ep, &ev, 1, ms);

	return n < 0 ? -1 : n ? (int)ev.events : 0;
}

static int epwatch(int fd, unsigned int events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
		if (ep >= 0)
			close(ep);
		return -1;
	}
	return ep;
}

/* Wait (at most WAIT_MS) until FIONREAD on @fd says at least @n bytes. */
static int wait_inq(int fd, int n)
{
	struct timespec t0;
	int have = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (elapsed_ms(&t0) < WAIT_MS) {
		if (ioctl(fd, FIONREAD, &have))
			return -1;
		if (have >= n)
			return 0;
		usleep(1000);
	}
	return -1;
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

static int t_readv_writev(void)
{
	char a[7] = "abcdefg", b[300], d[13] = "0123456789xyz", out[320];
	char r1[5], r2[100], r3[215];
	struct iovec wv[3] = { { a, sizeof(a) }, { b, sizeof(b) }, { d, sizeof(d) } };
	struct iovec rv[3] = { { r1, sizeof(r1) }, { r2, sizeof(r2) }, { r3, sizeof(r3) } };
	int c, s, i;
	ssize_t n;

	for (i = 0; i < (int)sizeof(b); i++)
		b[i] = pattern(i);
	memcpy(out, a, sizeof(a));
	memcpy(out + sizeof(a), b, sizeof(b));
	memcpy(out + sizeof(a) + sizeof(b), d, sizeof(d));
	CHECK(!pair(&c, &s), "pair: %s", E);
	n = writev(c, wv, 3);
	CHECK(n == (ssize_t)sizeof(out), "writev %zd: %s", n, E);
	CHECK(!wait_inq(s, sizeof(out)), "data did not arrive");
	n = readv(s, rv, 3);
	CHECK(n == (ssize_t)sizeof(out), "readv %zd: %s", n, E);
	CHECK(!memcmp(r1, out, 5) && !memcmp(r2, out + 5, 100) &&
	      !memcmp(r3, out + 105, 215), "readv data");
	close(c);
	close(s);
	return 0;
}

static int t_sendmsg_recvmsg_iov(void)
{
	char big[5000], in[5000 + 9];
	struct iovec wv[4] = { { "head", 4 }, { big, sizeof(big) }, { "", 0 }, { "tail!", 5 } };
	struct iovec rv[3] = { { in, 1 }, { in + 1, 4999 }, { in + 5000, 9 } };
	struct msghdr wm = { .msg_iov = wv, .msg_iovlen = 4 };
	struct msghdr rm = { .msg_iov = rv, .msg_iovlen = 3 };
	int c, s, i;
	ssize_t n;

	for (i = 0; i < (int)sizeof(big); i++)
		big[i] = pattern(i);
	CHECK(!pair(&c, &s), "pair: %s", E);
	n = sendmsg(c, &wm, 0);
	CHECK(n == (ssize_t)sizeof(in), "sendmsg %zd: %s", n, E);
	CHECK(!wait_inq(s, sizeof(in)), "data did not arrive");
	n = recvmsg(s, &rm, 0);
	CHECK(n == (ssize_t)sizeof(in), "recvmsg %zd: %s", n, E);
	CHECK(!memcmp(in, "head", 4) && !memcmp(in + 4, big, sizeof(big)) &&
	      !memcmp(in + 5004, "tail!", 5), "recvmsg data");
	close(c);
	close(s);
	return 0;
}

static int t_accept4_flags(void)
{
	int port, l = listener(&port), c = sock(SOCK_STREAM), s, fl, fd;
	struct sockaddr_in a = lo(port);

	CHECK(l >= 0 && c >= 0, "setup: %s", E);
	CHECK(!connect(c, (struct sockaddr *)&a, sizeof(a)), "connect: %s", E);
	s = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	CHECK(s >= 0, "accept4: %s", E);
	fl = fcntl(s, F_GETFL);
	fd = fcntl(s, F_GETFD);
	CHECK(fl >= 0 && (fl & O_NONBLOCK), "F_GETFL 0x%x", fl);
	CHECK(fd >= 0 && (fd & FD_CLOEXEC), "F_GETFD 0x%x", fd);
	CHECK(recv(s, &fl, 1, 0) < 0 && errno == EAGAIN, "recv: %s", E);
	close(s);
	CHECK(!connect(sock(SOCK_STREAM), (struct sockaddr *)&a, sizeof(a)), "%s", E);
	s = accept4(l, NULL, NULL, 0);
	CHECK(s >= 0, "accept4: %s", E);
	CHECK(!(fcntl(s, F_GETFL) & O_NONBLOCK) && !(fcntl(s, F_GETFD) & FD_CLOEXEC),
	      "flags without SOCK_NONBLOCK|SOCK_CLOEXEC");
	close(s);
	close(c);
	close(l);
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

/* Two segments: one peek sees both, the recv after it the same bytes. */
static int t_msg_peek_pieces(void)
{
	char buf[16] = "";
	int c, s, one = 1;

	CHECK(!pair(&c, &s), "pair: %s", E);
	CHECK(!setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), "%s", E);
	CHECK(send(c, "abc", 3, 0) == 3, "send: %s", E);
	CHECK(!wait_inq(s, 3), "first piece did not arrive");
	CHECK(send(c, "def", 3, 0) == 3, "send: %s", E);
	CHECK(!wait_inq(s, 6), "second piece did not arrive");
	CHECK(send(c, "ghi", 3, 0) == 3, "send: %s", E);
	CHECK(!wait_inq(s, 9), "third piece did not arrive");
	CHECK(recv(s, buf, 8, MSG_PEEK) == 8 && !memcmp(buf, "abcdefgh", 8),
	      "peek 8: %s '%s'", E, buf);
	memset(buf, 0, sizeof(buf));
	CHECK(recv(s, buf, sizeof(buf), MSG_PEEK) == 9 && !memcmp(buf, "abcdefghi", 9),
	      "peek all: %s '%s'", E, buf);
	memset(buf, 0, sizeof(buf));
	CHECK(recv(s, buf, sizeof(buf), 0) == 9 && !memcmp(buf, "abcdefghi", 9),
	      "recv: %s '%s'", E, buf);
	close(c);
	close(s);
	return 0;
}

static int t_nodelay_inherited(void)
{
	int port, l = listener(&port), c = sock(SOCK_STREAM), s, one = 1, v = -1;
	struct sockaddr_in a = lo(port);
	socklen_t len = sizeof(v);

	CHECK(l >= 0 && c >= 0, "setup: %s", E);
	CHECK(!setsockopt(l, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), "%s", E);
	CHECK(!getsockopt(l, IPPROTO_TCP, TCP_NODELAY, &v, &len) && v == 1,
	      "listener TCP_NODELAY %d: %s", v, E);
	CHECK(!connect(c, (struct sockaddr *)&a, sizeof(a)), "connect: %s", E);
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", E);
	v = -1;
	len = sizeof(v);
	CHECK(!getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &len) && v == 1,
	      "accepted TCP_NODELAY %d: %s", v, E);
	v = -1;
	len = sizeof(v);
	CHECK(!getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &len) && v == 0,
	      "client TCP_NODELAY %d: %s", v, E);
	close(s);
	close(c);
	close(l);
	return 0;
}

#define DUPLEX_BYTES	(1 << 20)

struct duplex {
	int fd;
	unsigned int seed;
	long ok;
};

static void *duplex_send(void *arg)
{
	struct duplex *d = arg;
	uint8_t *buf = malloc(DUPLEX_BYTES);
	size_t i;

	for (i = 0; i < DUPLEX_BYTES; i++)
		buf[i] = pattern(i + d->seed);
	d->ok = write_full(d->fd, buf, DUPLEX_BYTES) == DUPLEX_BYTES;
	free(buf);
	return NULL;
}

static void *duplex_recv(void *arg)
{
	struct duplex *d = arg;
	uint8_t *buf = malloc(DUPLEX_BYTES);
	size_t i;

	d->ok = read_full(d->fd, buf, DUPLEX_BYTES) == DUPLEX_BYTES;
	for (i = 0; d->ok && i < DUPLEX_BYTES; i++)
		if (buf[i] != pattern(i + d->seed))
			d->ok = 0;
	free(buf);
	return NULL;
}

/* Each end sends from one thread while another thread receives on it. */
static int t_full_duplex_threads(void)
{
	struct duplex d[4];
	pthread_t t[4];
	int c, s, i;

	CHECK(!pair(&c, &s), "pair: %s", E);
	d[0] = (struct duplex){ .fd = c, .seed = 1 };	/* c -> s */
	d[1] = (struct duplex){ .fd = s, .seed = 1 };
	d[2] = (struct duplex){ .fd = s, .seed = 99 };	/* s -> c */
	d[3] = (struct duplex){ .fd = c, .seed = 99 };
	for (i = 0; i < 4; i++)
		CHECK(!pthread_create(&t[i], NULL, i % 2 ? duplex_recv : duplex_send, &d[i]),
		      "thread %d", i);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 4; i++)
		CHECK(d[i].ok, "thread %d (%s) failed", i, i % 2 ? "recv" : "send");
	close(c);
	close(s);
	return 0;
}

static int t_fork_inherited_send(void)
{
	char buf[32] = "";
	int c, s, status;
	pid_t pid;

	CHECK(!pair(&c, &s), "pair: %s", E);
	pid = fork();
	CHECK(pid >= 0, "fork: %s", E);
	if (!pid) {
		close(s);
		_exit(send(c, "from child", 10, 0) == 10 ? 0 : 1);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status),
	      "child failed");
	CHECK(read_full(s, buf, 10) == 10 && !memcmp(buf, "from child", 10), "recv: %s", E);
	CHECK(recv(s, buf, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN,
	      "the child's exit must not close the parent's socket: %s", E);
	CHECK(send(c, "parent", 6, 0) == 6, "parent send: %s", E);
	CHECK(read_full(s, buf, 6) == 6 && !memcmp(buf, "parent", 6), "recv: %s", E);
	close(c);
	CHECK(recv(s, buf, sizeof(buf), 0) == 0, "EOF after the last close: %s", E);
	close(s);
	return 0;
}

static int t_order_server_sends_closes(void)
{
	char buf[16];
	int c, s, r;

	CHECK(!pair(&c, &s), "pair: %s", E);
	CHECK(send(s, "bye", 3, 0) == 3, "send: %s", E);
	close(s);
	r = pollone(c, POLLIN | POLLRDHUP, WAIT_MS);
	CHECK(r & POLLIN, "poll 0x%x", r);
	usleep(100000);		/* let the FIN follow the data */
	CHECK(recv(c, buf, sizeof(buf), 0) == 3 && !memcmp(buf, "bye", 3), "recv: %s", E);
	CHECK(recv(c, buf, sizeof(buf), 0) == 0, "EOF: %s", E);
	close(c);
	return 0;
}

static int t_order_client_sends_first(void)
{
	int port, l = listener(&port), c = sock(SOCK_STREAM), s;
	struct sockaddr_in a = lo(port);
	char buf[16];

	CHECK(l >= 0 && c >= 0, "setup: %s", E);
	CHECK(!connect(c, (struct sockaddr *)&a, sizeof(a)), "connect: %s", E);
	CHECK(send(c, "early", 5, 0) == 5, "send before accept: %s", E);
	CHECK(!shutdown(c, SHUT_WR), "shutdown: %s", E);
	usleep(100000);		/* data and FIN arrive before accept() */
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", E);
	CHECK(read_full(s, buf, 5) == 5 && !memcmp(buf, "early", 5), "recv: %s", E);
	CHECK(recv(s, buf, sizeof(buf), 0) == 0, "EOF: %s", E);
	CHECK(send(s, "late", 4, 0) == 4, "send: %s", E);
	CHECK(read_full(c, buf, 4) == 4 && !memcmp(buf, "late", 4), "recv: %s", E);
	close(s);
	close(c);
	close(l);
	return 0;
}

/* Linux resets a connection closed with received data unread (RFC 2525). */
static int t_order_close_unread_rst(void)
{
	int c, s, r;
	char b;

	CHECK(!pair(&c, &s), "pair: %s", E);
	CHECK(send(c, "unread", 6, 0) == 6, "send: %s", E);
	CHECK(!wait_inq(s, 6), "data did not arrive");
	close(s);
	r = pollone(c, POLLIN, WAIT_MS);
	CHECK(r & (POLLERR | POLLHUP), "poll 0x%x", r);
	CHECK(recv(c, &b, 1, 0) < 0 && errno == ECONNRESET, "recv: %s", E);
	close(c);
	return 0;
}

/* lwIP's PCBs other than LISTEN and TIME_WAIT (/proc/lwip/tcp), or -1. */
static int lwip_live_pcbs(void)
{
	unsigned int n[11];
	char line[4096];
	FILE *f = fopen("/proc/lwip/tcp", "re");
	int live = -1, i;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "total: CLOSED %u LISTEN %u SYN_SENT %u SYN_RCVD %u ESTABLISHED %u FIN_WAIT_1 %u FIN_WAIT_2 %u CLOSE_WAIT %u CLOSING %u LAST_ACK %u TIME_WAIT %u",
			   &n[0], &n[1], &n[2], &n[3], &n[4], &n[5], &n[6],
			   &n[7], &n[8], &n[9], &n[10]) == 11) {
			for (live = 0, i = 0; i < 10; i++)
				live += i == 1 ? 0 : n[i];
		}
	fclose(f);
	return live;
}

/* Wait (bounded) until lwIP's live PCBs are down to @base. */
static int lwip_pcbs_settle(int base)
{
	struct timespec t0;
	int n = lwip_live_pcbs();

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (n > base && elapsed_ms(&t0) < 20000) {
		usleep(20000);
		n = lwip_live_pcbs();
	}
	return n;
}

static int t_sigkill_peer(void)
{
	int port, l = listener(&port), s, base = -1, status, n;
	struct sockaddr_in a = lo(port);
	static char buf[64 * 1024];
	ssize_t got = 0, r;
	pid_t pid;

	CHECK(l >= 0, "listener: %s", E);
	if (family != AF_INET) {
		base = lwip_pcbs_settle(0);
		CHECK(base >= 0, "/proc/lwip/tcp: %s", E);
	}
	pid = fork();
	CHECK(pid >= 0, "fork: %s", E);
	if (!pid) {
		int fd = sock(SOCK_STREAM);

		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
			_exit(1);
		for (;;)
			send(fd, buf, sizeof(buf), 0);
	}
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", E);
	while (got < 256 * 1024 && (r = recv(s, buf, sizeof(buf), 0)) > 0)
		got += r;
	CHECK(got >= 256 * 1024, "recv %zd: %s", got, E);
	kill(pid, SIGKILL);
	CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status), "child");
	while ((r = recv(s, buf, sizeof(buf), 0)) > 0)
		;
	CHECK(r == 0 || errno == ECONNRESET, "after SIGKILL: %zd %s", r, E);
	close(s);
	close(l);
	if (family != AF_INET) {
		n = lwip_pcbs_settle(base);
		CHECK(n == base, "%d live lwIP PCBs, %d before", n, base);
	}
	return 0;
}

struct lwip_heap {
	long used;
	long blocks;
	unsigned int time_wait;
};

/* lwIP's connections in TIME_WAIT (/proc/lwip/tcp), or -1. */
static long lwip_time_wait(void)
{
	FILE *f = fopen("/proc/lwip/tcp", "re");
	char line[4096];
	unsigned int tw;
	long n = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "total: CLOSED %*u LISTEN %*u SYN_SENT %*u SYN_RCVD %*u ESTABLISHED %*u FIN_WAIT_1 %*u FIN_WAIT_2 %*u CLOSE_WAIT %*u CLOSING %*u LAST_ACK %*u TIME_WAIT %u",
			   &tw) == 1)
			n = tw;
	if (f)
		fclose(f);
	return n;
}

/*
 * lwIP's heap and TIME_WAIT count as one snapshot: the two files are read
 * apart, and lwip.ko's tw_max timer may free TIME_WAIT PCBs in between, so
 * the count is read before and after the heap until it holds still.
 */
static int lwip_heap(struct lwip_heap *h)
{
	char line[4096];
	long tw0, tw1;
	int found, try;
	FILE *f;

	for (try = 0; try < 20; try++) {
		tw0 = lwip_time_wait();
		f = fopen("/proc/lwip/mem", "re");
		if (!f || tw0 < 0)
			goto fail;
		found = 0;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "heap: used %ld peak %*d limit %*u blocks %ld",
				   &h->used, &h->blocks) == 2)
				found = 1;
		fclose(f);
		tw1 = lwip_time_wait();
		if (!found)
			return -1;
		if (tw0 == tw1) {
			h->time_wait = tw1;
			return 0;
		}
	}
	return -1;

fail:
	if (f)
		fclose(f);
	return -1;
}

/* lwip.ko's tw_max parameter, or -1. */
static int lwip_tw_max(void)
{
	FILE *f = fopen("/sys/module/lwip/parameters/tw_max", "re");
	int v = -1;

	if (f && fscanf(f, "%d", &v) != 1)
		v = -1;
	if (f)
		fclose(f);
	return v;
}

/*
 * CYCLES sequential connect/accept/close cycles over
 * 127.0.0.1, one byte sent on each. For lwip, TIME_WAIT must come down to
 * lwip.ko's tw_max within 2 s (a timer trims it every 250 ms), and the
 * heap must come back to its baseline but for the PCBs left in TIME_WAIT
 * (2 MSL: they outlive the case): one heap block each, and no more than
 * TW_PCB_BYTES of it.
 */
#define TW_PCB_BYTES	512
#define HEAP_SLACK	(16 * 1024)

static int t_connect_churn(void)
{
	int port, l = listener(&port), i, c, s, base = 0;
	int cycles = CYCLES;
	struct sockaddr_in a = lo(port);
	struct lwip_heap h0 = { 0 }, h1 = { 0 };
	struct timespec t0, tc;
	long tw, ms, cms, slow = 0, worst = 0;
	int twmax;
	char b = 'c';

	CHECK(l >= 0, "listener: %s", E);
	alarm(CHURN_TIMEOUT);
	if (family != AF_INET) {
		base = lwip_pcbs_settle(0);
		CHECK(!lwip_heap(&h0), "/proc/lwip/mem: %s", E);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < cycles; i++) {
		clock_gettime(CLOCK_MONOTONIC, &tc);
		c = sock(SOCK_STREAM);
		CHECK(c >= 0, "cycle %d socket: %s", i, E);
		CHECK(!connect(c, (struct sockaddr *)&a, sizeof(a)), "cycle %d connect: %s", i, E);
		s = accept(l, NULL, NULL);
		CHECK(s >= 0, "cycle %d accept: %s", i, E);
		CHECK(send(c, &b, 1, 0) == 1 && recv(s, &b, 1, 0) == 1, "cycle %d data: %s", i, E);
		close(c);
		close(s);
		cms = elapsed_ms(&tc);
		slow += cms >= 100;
		worst = cms > worst ? cms : worst;
	}
	ms = elapsed_ms(&t0);
	diag("%d cycles in %ld ms; %ld took 100 ms or more, the slowest %ld ms",
	     cycles, ms, slow, worst);
	close(l);
	if (family == AF_INET)
		return 0;
	CHECK(lwip_pcbs_settle(base) == base, "live PCBs did not return to %d", base);
	CHECK(!lwip_heap(&h1), "/proc/lwip/mem: %s", E);
	/* lwip.ko's tw_max caps TIME_WAIT, as tcp_max_tw_buckets does Linux's */
	twmax = lwip_tw_max();
	CHECK(twmax >= 0, "no /sys/module/lwip/parameters/tw_max");
	clock_gettime(CLOCK_MONOTONIC, &tc);
	while (twmax && h1.time_wait > (unsigned int)twmax && elapsed_ms(&tc) < 2000) {
		usleep(50000);
		CHECK(!lwip_heap(&h1), "/proc/lwip/mem: %s", E);
	}
	CHECK(!twmax || h1.time_wait <= (unsigned int)twmax,
	      "%u connections in TIME_WAIT, tw_max %d", h1.time_wait, twmax);
	tw = (long)h1.time_wait - h0.time_wait;
	if (tw < 0)
		tw = 0;	/* the cap freed TIME_WAITs from before the case */
	diag("heap used %ld -> %ld, blocks %ld -> %ld, TIME_WAIT %u -> %u",
	     h0.used, h1.used, h0.blocks, h1.blocks, h0.time_wait, h1.time_wait);
	CHECK(h1.blocks - h0.blocks <= tw + 16, "%ld heap blocks more for %ld TIME_WAIT PCBs",
	      h1.blocks - h0.blocks, tw);
	CHECK(h1.used - h0.used <= tw * TW_PCB_BYTES + HEAP_SLACK,
	      "%ld heap bytes more for %ld TIME_WAIT PCBs", h1.used - h0.used, tw);
	return 0;
}

/* Linux lets a socket whose connect failed connect again. */
static int t_connect_after_refused(void)
{
	struct sockaddr_in a = lo(closed_port());
	int port, l, fd = sock(SOCK_STREAM), s;
	char buf[8];

	CHECK(fd >= 0, "socket: %s", E);
	CHECK(connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == ECONNREFUSED,
	      "first connect: %s", E);
	l = listener(&port);
	CHECK(l >= 0, "listener: %s", E);
	a = lo(port);
	CHECK(!connect(fd, (struct sockaddr *)&a, sizeof(a)), "second connect: %s", E);
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", E);
	CHECK(send(fd, "again", 5, 0) == 5, "send: %s", E);
	CHECK(read_full(s, buf, 5) == 5 && !memcmp(buf, "again", 5), "recv: %s", E);
	close(s);
	close(fd);
	close(l);
	return 0;
}

/* --- issue 3: buffers, keepalive, backlog, timeouts, bad input --------- */

static int getint(int fd, int level, int name)
{
	socklen_t len = sizeof(int);
	int v = -1;

	if (getsockopt(fd, level, name, &v, &len) || len != sizeof(int))
		return -1;
	return v;
}

static int setint(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

/*
 * Send @buf over and over, non-blocking, until the socket stays
 * unwritable for half a second (acknowledgements may be delayed that
 * long); the bytes taken, or -1. Byte i of the stream is buf[i % len].
 */
static long fill_nonblock(int fd, const char *buf, size_t len)
{
	long total = 0;
	ssize_t n;

	for (;;) {
		n = send(fd, buf + total % len, len - total % len,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			total += n;
			continue;
		}
		if (n < 0 && errno != EAGAIN)
			return -1;
		if (!(pollone(fd, POLLOUT, 500) & POLLOUT))
			return total;
	}
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

/* UDP SO_RCVBUF: datagrams beyond the buffer are dropped, not queued. */
static int t_udp_so_rcvbuf_drops(void)
{
	struct sockaddr_in a = lo(0);
	int r = sock(SOCK_DGRAM), w = sock(SOCK_DGRAM), i, got = 0;
	char d[200];

	CHECK(r >= 0 && w >= 0, "socket: %s", E);
	CHECK(!setint(r, SOL_SOCKET, SO_RCVBUF, 4096), "SO_RCVBUF: %s", E);
	CHECK(getint(r, SOL_SOCKET, SO_RCVBUF) == 8192, "SO_RCVBUF reads %d",
	      getint(r, SOL_SOCKET, SO_RCVBUF));
	CHECK(!bind(r, (struct sockaddr *)&a, sizeof(a)), "bind: %s", E);
	a = lo(local_port(r));
	memset(d, 'u', sizeof(d));
	for (i = 0; i < 500; i++)
		CHECK(sendto(w, d, sizeof(d), 0, (struct sockaddr *)&a, sizeof(a)) ==
		      sizeof(d), "sendto %d: %s", i, E);
	CHECK(pollone(r, POLLIN, WAIT_MS) & POLLIN, "nothing arrived");
	while (recv(r, d, sizeof(d), MSG_DONTWAIT) == sizeof(d))
		got++;
	CHECK(errno == EAGAIN, "recv: %s", E);
	CHECK(got > 0 && got <= 8192 / (int)sizeof(d),
	      "%d datagrams of %zu bytes queued in 4096", got, sizeof(d));
	close(r);
	close(w);
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

/* A non-blocking connect to @port; the socket, connecting or connected. */
static int connect_nb(int port)
{
	struct sockaddr_in a = lo(port);
	int fd = sock(SOCK_STREAM);

	if (fd < 0)
		return -1;
	if (fcntl(fd, F_SETFL, O_NONBLOCK) ||
	    (connect(fd, (struct sockaddr *)&a, sizeof(a)) && errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * listen(fd, 1): Linux queues backlog + 1 = 2 connections nobody accepted;
 * a third one's SYN is dropped, so its connect stays in progress (a second
 * connect() says EALREADY) until accept() makes room, and then completes.
 */
static int t_listen_backlog(void)
{
	int port, l = listener(&port), c[3], s, i, r;
	struct sockaddr_in a;

	CHECK(l >= 0 && !listen(l, 1), "listen: %s", E);
	a = lo(port);
	for (i = 0; i < 2; i++) {
		c[i] = connect_nb(port);
		CHECK(c[i] >= 0, "connect %d: %s", i, E);
		r = pollone(c[i], POLLOUT, WAIT_MS);
		CHECK(r == POLLOUT, "connection %d within the backlog: 0x%x", i, r);
	}
	c[2] = connect_nb(port);
	CHECK(c[2] >= 0, "connect 2: %s", E);
	r = pollone(c[2], POLLOUT, 1500);
	CHECK(r == 0, "connection beyond the backlog: 0x%x", r);
	CHECK(connect(c[2], (struct sockaddr *)&a, sizeof(a)) < 0 &&
	      errno == EALREADY, "second connect: %s", E);
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", E);
	r = pollone(c[2], POLLOUT, 3 * WAIT_MS);
	CHECK(r == POLLOUT, "connection after accept: 0x%x", r);
	for (i = 0; i < 2; i++) {
		close(s);
		s = accept(l, NULL, NULL);
		CHECK(s >= 0, "accept %d: %s", i, E);
	}
	close(s);
	for (i = 0; i < 3; i++)
		close(c[i]);
	close(l);
	return 0;
}

/*
 * Retransmission timeouts so far: Linux's TcpExt TCPTimeouts
 * (/proc/net/netstat), lwIP's count in /proc/lwip/tcp; -1 if unreadable.
 */
static long rto_count(void)
{
	char names[4096], values[4096], *n, *v, *sn, *sv;
	long found = -1;
	FILE *f;

	if (family != AF_INET) {
		f = fopen("/proc/lwip/tcp", "re");
		while (f && fgets(names, sizeof(names), f))
			sscanf(names, "retransmission timeouts: %ld", &found);
		if (f)
			fclose(f);
		return found;
	}
	f = fopen("/proc/net/netstat", "re");
	while (f && fgets(names, sizeof(names), f) && fgets(values, sizeof(values), f)) {
		if (strncmp(names, "TcpExt:", 7))
			continue;
		n = strtok_r(names, " \n", &sn);
		v = strtok_r(values, " \n", &sv);
		while (n && v && strcmp(n, "TCPTimeouts")) {
			n = strtok_r(NULL, " \n", &sn);
			v = strtok_r(NULL, " \n", &sv);
		}
		if (n && v)
			found = atol(v);
	}
	if (f)
		fclose(f);
	return found;
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
 * Lengths up to and past what exists, and flag bits nobody defined: Linux
 * clamps, copies what there is and ignores the unknown bits.
 */
#define MSG_UNDEFINED	0x00400000

static int t_huge_lengths_unknown_flags(void)
{
	struct sockaddr_in a = lo(0);
	int c, s, u = sock(SOCK_DGRAM), v = sock(SOCK_DGRAM);
	static char big[65536], in[16];
	ssize_t n;

	CHECK(!pair(&c, &s) && u >= 0 && v >= 0, "setup: %s", E);
	CHECK(send(c, "hello", 5, MSG_UNDEFINED) == 5, "send: %s", E);
	CHECK(!wait_inq(s, 5), "data did not arrive");
	n = recv(s, in, SIZE_MAX, MSG_UNDEFINED);
	CHECK(n == 5 && !memcmp(in, "hello", 5), "recv SIZE_MAX: %zd %s", n, E);
	CHECK(recv(s, in, SIZE_MAX, MSG_DONTWAIT) < 0 && errno == EAGAIN,
	      "empty recv SIZE_MAX: %s", E);
	CHECK(send(c, NULL, 0, 0) == 0, "send 0: %s", E);
	CHECK(shutdown(c, -1) < 0 && errno == EINVAL, "shutdown -1: %s", E);
	CHECK(shutdown(c, 3) < 0 && errno == EINVAL, "shutdown 3: %s", E);
	CHECK(!bind(u, (struct sockaddr *)&a, sizeof(a)), "bind: %s", E);
	a = lo(local_port(u));
	CHECK(sendto(v, big, 65508, 0, (struct sockaddr *)&a, sizeof(a)) < 0 &&
	      errno == EMSGSIZE, "UDP 65508: %s", E);
	CHECK(sendto(v, big, SIZE_MAX, 0, (struct sockaddr *)&a, sizeof(a)) < 0 &&
	      (errno == EMSGSIZE || errno == EFAULT), "UDP SIZE_MAX: %s", E);
	CHECK(sendto(v, "x", 1, MSG_UNDEFINED, (struct sockaddr *)&a, sizeof(a)) == 1,
	      "UDP unknown flag: %s", E);
	n = recv(u, big, SIZE_MAX, 0);
	CHECK(n == 1 && big[0] == 'x', "UDP recv SIZE_MAX: %zd %s", n, E);
	close(c);
	close(s);
	close(u);
	close(v);
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

/*
 * Addresses of the wrong family or size, a bad pointer, unsupported types
 * and protocols, and calls in the wrong state: Linux's errno for each.
 */
static int t_bad_input_wrong_state(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_in a = lo(0);
	int t = sock(SOCK_STREAM), u = sock(SOCK_DGRAM), l, port;
	char b;

	CHECK(t >= 0 && u >= 0, "socket: %s", E);
	CHECK(socket(family, SOCK_SEQPACKET, 0) < 0 && errno == ESOCKTNOSUPPORT,
	      "SOCK_SEQPACKET: %s", E);
	CHECK(socket(family, SOCK_STREAM, IPPROTO_UDP) < 0 && errno == EPROTONOSUPPORT,
	      "SOCK_STREAM/IPPROTO_UDP: %s", E);
	a.sin_family = AF_UNIX;
	CHECK(bind(t, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EAFNOSUPPORT,
	      "bind AF_UNIX: %s", E);
	CHECK(connect(t, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EAFNOSUPPORT,
	      "connect AF_UNIX: %s", E);
	a.sin_family = AF_INET;
	CHECK(bind(t, (struct sockaddr *)&a, sizeof(ss) + 1) < 0 && errno == EINVAL,
	      "oversized addrlen: %s", E);
	CHECK(bind(t, (struct sockaddr *)1, sizeof(a)) < 0 && errno == EFAULT,
	      "bad address pointer: %s", E);
	CHECK(recv(t, &b, 1, MSG_DONTWAIT) < 0 && errno == ENOTCONN,
	      "recv unconnected: %s", E);
	CHECK(send(t, "x", 1, MSG_NOSIGNAL) < 0 && errno == EPIPE,
	      "send unconnected: %s", E);
	CHECK(accept(t, NULL, NULL) < 0 && errno == EINVAL, "accept unlistened: %s", E);
	CHECK(listen(u, 1) < 0 && errno == EOPNOTSUPP, "listen UDP: %s", E);
	CHECK(accept(u, NULL, NULL) < 0 && errno == EOPNOTSUPP, "accept UDP: %s", E);
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, &a, sizeof(a));
	CHECK(!bind(t, (struct sockaddr *)&ss, sizeof(ss)), "bind, storage-sized: %s", E);
	l = listener(&port);
	CHECK(l >= 0, "listener: %s", E);
	a = lo(port);
	CHECK(connect(l, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EISCONN,
	      "connect a listener: %s", E);
	close(l);
	close(t);
	close(u);
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

static const struct {
	const char *name;
	int (*fn)(void);
} cases[] = {
	{ "bind_ephemeral_getsockname", t_bind_ephemeral },
	{ "bind_eaddrinuse", t_bind_eaddrinuse },
	{ "bind_eaddrnotavail", t_bind_eaddrnotavail },
	{ "bind_twice_einval", t_bind_twice_einval },
	{ "short_addrlen_einval", t_short_addrlen_einval },
	{ "reuseaddr_after_time_wait", t_reuseaddr_time_wait },
	{ "connect_refused", t_connect_refused },
	{ "nonblocking_connect_so_error", t_nonblocking_connect },
	{ "nonblocking_connect_refused", t_nonblocking_connect_refused },
	{ "accept_peer_address", t_accept_peer_address },
	{ "accept_inherits_options", t_accept_inherits_options },
	{ "getpeername_shutdown_enotconn", t_getpeername_enotconn },
	{ "large_transfer_4mib", t_large_transfer },
	{ "msg_peek", t_msg_peek },
	{ "msg_waitall", t_msg_waitall },
	{ "eagain_dontwait_nonblock", t_eagain },
	{ "shutdown_wr_eof", t_shutdown_wr_eof },
	{ "poll_bits", t_poll_bits },
	{ "fionread_siocoutq", t_fionread_siocoutq },
	{ "sockopts", t_sockopts },
	{ "so_rcvtimeo", t_so_rcvtimeo },
	{ "efault", t_efault },
	{ "epipe_msg_nosignal", t_epipe_nosignal },
	{ "epipe_sigpipe", t_sigpipe },
	{ "eintr_sigalrm", t_eintr },
	{ "sa_restart_recv", t_sa_restart },
	{ "udp_roundtrip", t_udp_roundtrip },
	{ "udp_so_broadcast", t_udp_so_broadcast },
	{ "udp_connected_trunc", t_udp_connected_trunc },
	{ "privileged_port_eacces", t_privileged_port_eacces },
	{ "so_linger_zero_rst", t_so_linger_zero_rst },
	{ "concurrent_200_echo_64k", t_concurrent },
	{ "epoll_level_triggered", t_epoll_level },
	{ "epoll_edge_triggered", t_epoll_edge },
	{ "epoll_rdhup_with_unread_data", t_epoll_rdhup_buffered },
	{ "epoll_err_hup_after_reset", t_epoll_reset },
	{ "readv_writev", t_readv_writev },
	{ "sendmsg_recvmsg_iovecs", t_sendmsg_recvmsg_iov },
	{ "accept4_nonblock_cloexec", t_accept4_flags },
	{ "so_sndtimeo", t_so_sndtimeo },
	{ "msg_peek_several_pieces", t_msg_peek_pieces },
	{ "nodelay_inherited_from_listener", t_nodelay_inherited },
	{ "full_duplex_threads", t_full_duplex_threads },
	{ "fork_child_sends", t_fork_inherited_send },
	{ "order_server_sends_closes_first", t_order_server_sends_closes },
	{ "order_client_sends_first", t_order_client_sends_first },
	{ "order_close_unread_rst", t_order_close_unread_rst },
	{ "sigkill_peer_mid_transfer", t_sigkill_peer },
	{ "connect_churn", t_connect_churn },
	{ "connect_again_after_refused", t_connect_after_refused },
	{ "so_sndbuf_so_rcvbuf_bound_queue", t_so_sndbuf_rcvbuf },
	{ "udp_so_rcvbuf_drops", t_udp_so_rcvbuf_drops },
	{ "keepalive_timing_options", t_keepalive_timing },
	{ "listen_backlog_ealready", t_listen_backlog },
	{ "connect_etimedout_syncnt", t_connect_etimedout },
	{ "huge_lengths_unknown_flags", t_huge_lengths_unknown_flags },
	{ "so_linger_timeout", t_so_linger_timeout },
	{ "so_linger_flushed", t_so_linger_flushed },
	{ "bad_input_wrong_state", t_bad_input_wrong_state },
};

int main(int argc, char **argv)
{
	int n = sizeof(cases) / sizeof(cases[0]), i, status, failed = 0;
	const char *only = NULL;
	pid_t pid;

	family = lwip_family();
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--family") && i + 1 < argc &&
		    !strcmp(argv[i + 1], "inet")) {
			family = AF_INET;
			i++;
		} else if (!strcmp(argv[i], "--family") && i + 1 < argc &&
			   !strcmp(argv[i + 1], "lwip")) {
			i++;
		} else if (!strcmp(argv[i], "--case") && i + 1 < argc) {
			only = argv[++i];
		} else {
			fprintf(stderr, "usage: sockcheck [--family inet|lwip] [--case SUBSTRING]\n");
			return 2;
		}
	}
	printf("KTAP version 1\n1..%d\n# family %d\n", n, family);
	fflush(stdout);
	for (i = 0; i < n; i++) {
		if (only && !strstr(cases[i].name, only)) {
			printf("ok %d %s # SKIP not selected\n", i + 1, cases[i].name);
			continue;
		}
		pid = fork();
		if (pid < 0)
			return 1;
		if (!pid) {
			alarm(CASE_TIMEOUT);
			_exit(cases[i].fn() ? 1 : 0);
		}
		waitpid(pid, &status, 0);
		if (WIFSIGNALED(status))
			diag("killed by signal %d", WTERMSIG(status));
		if (WIFEXITED(status) && !WEXITSTATUS(status)) {
			printf("ok %d %s\n", i + 1, cases[i].name);
		} else {
			printf("not ok %d %s\n", i + 1, cases[i].name);
			failed++;
		}
		fflush(stdout);
	}
	diag("%d of %d failed", failed, n);
	return failed ? 1 : 0;
}
