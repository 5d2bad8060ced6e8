// SPDX-License-Identifier: GPL-2.0
/* sockcheck, addresses: bind, listen, connect, accept, names, ports. */
#include "sockcheck.h"

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

#define NPORTS	20

/*
 * Ports in the order a kernel gave them: at most 4 of the 19 steps between
 * successive ones may be short (|step| <= 8), and all are ephemeral
 * (Linux's 32768-60999, lwIP's 49152-65535). Linux draws them at random
 * (connect: a keyed hash of the destination, and 20 destinations here);
 * lwIP's own choice is the port after the last one it gave.
 */
static int ports_unpredictable(const char *what, const int *port)
{
	int i, close_steps = 0;

	for (i = 0; i < NPORTS; i++)
		CHECK(port[i] >= 32768, "%s: port %d is not ephemeral", what, port[i]);
	for (i = 1; i < NPORTS; i++)
		close_steps += abs(port[i] - port[i - 1]) <= 8;
	if (close_steps > 4)
		for (i = 0; i < NPORTS; i++)
			diag("%s: port %d", what, port[i]);
	CHECK(close_steps <= 4, "%s: %d of %d successive ports within 8 of the last",
	      what, close_steps, NPORTS - 1);
	return 0;
}

/*
 * Ephemeral ports are not the last one plus one: 20 bind(port 0)s, 20
 * UDP sendto()s from unbound sockets, 20 connect()s from unbound sockets
 * (to 20 listeners, so that Linux's per-destination hash varies too).
 */
static int t_ephemeral_ports_random(void)
{
	int bound[NPORTS], udp[NPORTS], lis[NPORTS], cli[NPORTS];
	int pb[NPORTS], pu[NPORTS], pl[NPORTS], pc[NPORTS];
	struct sockaddr_in a = lo(0), d = lo(9);
	int i, ret = -1;

	for (i = 0; i < NPORTS; i++)
		bound[i] = udp[i] = lis[i] = cli[i] = -1;
	for (i = 0; i < NPORTS; i++) {
		bound[i] = sock(SOCK_STREAM);
		if (bound[i] < 0 || bind(bound[i], (struct sockaddr *)&a, sizeof(a))) {
			diag("bind %d: %s", i, E);
			goto out;
		}
		pb[i] = local_port(bound[i]);
	}
	for (i = 0; i < NPORTS; i++) {
		udp[i] = sock(SOCK_DGRAM);
		if (udp[i] < 0 ||
		    sendto(udp[i], "x", 1, 0, (struct sockaddr *)&d, sizeof(d)) != 1) {
			diag("sendto %d: %s", i, E);
			goto out;
		}
		pu[i] = local_port(udp[i]);
	}
	for (i = 0; i < NPORTS; i++) {
		lis[i] = listener(&pl[i]);
		if (lis[i] < 0) {
			diag("listener %d: %s", i, E);
			goto out;
		}
	}
	for (i = 0; i < NPORTS; i++) {
		struct sockaddr_in to = lo(pl[i]);

		cli[i] = sock(SOCK_STREAM);
		if (cli[i] < 0 || connect(cli[i], (struct sockaddr *)&to, sizeof(to))) {
			diag("connect %d: %s", i, E);
			goto out;
		}
		pc[i] = local_port(cli[i]);
	}
	if (!ports_unpredictable("bind", pb) && !ports_unpredictable("udp sendto", pu) &&
	    !ports_unpredictable("listen", pl) && !ports_unpredictable("connect", pc))
		ret = 0;
out:
	for (i = 0; i < NPORTS; i++) {
		close(bound[i]);
		close(udp[i]);
		close(cli[i]);
		close(lis[i]);
	}
	return ret;
}

/*
 * The server closes first, 300 times: its end of each connection stays in
 * TIME_WAIT, and the next connect must not pick a port whose 4-tuple one of
 * them holds (lwIP's TIME_WAIT would answer its SYN with an ACK until the
 * connect timed out); each connect done within WAIT_MS.
 */
static int t_connect_server_closes_first(void)
{
	int port, l = listener(&port), i, c, s, err;
	char b;

	CHECK(l >= 0, "listener: %s", E);
	for (i = 0; i < 300; i++) {
		c = connect_nb(port);
		CHECK(c >= 0, "connect %d: %s", i, E);
		CHECK(pollone(c, POLLOUT, WAIT_MS) & POLLOUT,
		      "connect %d from port %d: not done in %d ms", i, local_port(c), WAIT_MS);
		err = getint(c, SOL_SOCKET, SO_ERROR);
		CHECK(err == 0, "connect %d: %s", i, strerror(err));
		s = accept(l, NULL, NULL);
		CHECK(s >= 0, "accept %d: %s", i, E);
		close(s);
		CHECK(pollone(c, POLLIN, WAIT_MS) & POLLIN, "no EOF %d", i);
		CHECK(read(c, &b, 1) == 0, "read %d: %s", i, E);
		close(c);
	}
	close(l);
	return 0;
}

const struct sc_case sc_addr_cases[] = {
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
	{ "privileged_port_eacces", t_privileged_port_eacces },
	{ "accept4_nonblock_cloexec", t_accept4_flags },
	{ "nodelay_inherited_from_listener", t_nodelay_inherited },
	{ "connect_again_after_refused", t_connect_after_refused },
	{ "listen_backlog_ealready", t_listen_backlog },
	{ "ephemeral_ports_random", t_ephemeral_ports_random },
	{ "connect_after_server_closed_first_x300", t_connect_server_closes_first },
	{ NULL, NULL }
};
