// SPDX-License-Identifier: GPL-2.0
/*
 * sockcheck, the edges Linux guards: a send that fails must not end the
 * receive side, broadcast needs SO_BROADCAST, TCP never goes to broadcast
 * or multicast, MSG_ERRQUEUE and MSG_TRUNC, namespaces and privileges.
 */
#include "sockcheck.h"

#include <sched.h>

/* The peer's data must still arrive on @c after its failed send. */
static int still_receives(int c, int s)
{
	char b[5];

	CHECK(send(s, "data!", 5, MSG_NOSIGNAL) == 5, "the peer's send: %s", E);
	CHECK(read_full(c, b, 5) == 5 && !memcmp(b, "data!", 5),
	      "recv after the failed send: %s", E);
	return 0;
}

/* send() after shutdown(SHUT_WR): EPIPE, and recv() goes on. */
static int t_send_after_shut_wr(void)
{
	int c, s;

	CHECK(!pair(&c, &s), "pair: %s", E);
	CHECK(!shutdown(c, SHUT_WR), "shutdown: %s", E);
	CHECK(send(c, "x", 1, MSG_NOSIGNAL) < 0 && errno == EPIPE, "send: %s", E);
	if (still_receives(c, s))
		return -1;
	close(c);
	close(s);
	return 0;
}

/* send() before connect(): EPIPE, and the connection made after works. */
static int t_send_before_connect(void)
{
	int l, port, c, s;
	struct sockaddr_in a;

	l = listener(&port);
	CHECK(l >= 0, "listener: %s", E);
	c = sock(SOCK_STREAM);
	CHECK(c >= 0, "socket: %s", E);
	CHECK(send(c, "x", 1, MSG_NOSIGNAL) < 0 && errno == EPIPE, "send: %s", E);
	a = lo(port);
	CHECK(!connect(c, (struct sockaddr *)&a, sizeof(a)), "connect: %s", E);
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", E);
	if (still_receives(c, s))
		return -1;
	close(l);
	close(c);
	close(s);
	return 0;
}

/*
 * Two sockets bound to one port (both SO_REUSEADDR): listen() on the
 * second, after the first listens, fails with EADDRINUSE; the socket stays a plain bound one that can connect.
 */
static int t_listen_eaddrinuse_then_connect(void)
{
	int one = 1, a_fd, b_fd, l, port, lport, s;
	struct sockaddr_in a;

	a_fd = sock(SOCK_STREAM);
	b_fd = sock(SOCK_STREAM);
	CHECK(a_fd >= 0 && b_fd >= 0, "socket: %s", E);
	CHECK(!setsockopt(a_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) &&
	      !setsockopt(b_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), "%s", E);
	a = lo(0);
	CHECK(!bind(a_fd, (struct sockaddr *)&a, sizeof(a)), "bind: %s", E);
	port = local_port(a_fd);
	a = lo(port);
	CHECK(!bind(b_fd, (struct sockaddr *)&a, sizeof(a)), "second bind: %s", E);
	CHECK(!listen(a_fd, 8), "listen: %s", E);
	CHECK(listen(b_fd, 8) < 0 && errno == EADDRINUSE, "second listen: %s", E);
	l = listener(&lport);
	CHECK(l >= 0, "listener: %s", E);
	a = lo(lport);
	CHECK(!connect(b_fd, (struct sockaddr *)&a, sizeof(a)), "connect: %s", E);
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", E);
	CHECK(local_port(b_fd) == port, "connected from %d, bound %d", local_port(b_fd), port);
	if (still_receives(b_fd, s))
		return -1;
	close(s);
	close(l);
	close(b_fd);
	close(a_fd);
	return 0;
}

static struct sockaddr_in addr_port(const char *ip, int port)
{
	struct sockaddr_in a = lo(port);

	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

/*
 * UDP to lo's subnet broadcast 127.255.255.255 needs SO_BROADCAST, for
 * sendto() and for connect(); so does the limited broadcast where a route
 * leads there (without one, as in a guest with no NIC, Linux says
 * ENETUNREACH first). TCP to a broadcast or multicast address has no route.
 */
static int t_broadcast_needs_so_broadcast(void)
{
	static const char *const no_tcp[] = {
		"255.255.255.255", "127.255.255.255", "224.0.0.1", "239.1.2.3"
	};
	struct sockaddr_in a = addr_port("127.255.255.255", 9);
	int u, t, one = 1;
	unsigned int i;

	u = sock(SOCK_DGRAM);
	CHECK(u >= 0, "socket: %s", E);
	CHECK(sendto(u, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EACCES,
	      "sendto: %s", E);
	CHECK(connect(u, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EACCES,
	      "connect: %s", E);
	CHECK(!setsockopt(u, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)), "%s", E);
	CHECK(sendto(u, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)) == 1,
	      "sendto with SO_BROADCAST: %s", E);
	CHECK(!connect(u, (struct sockaddr *)&a, sizeof(a)), "connect with SO_BROADCAST: %s", E);
	close(u);
	a = addr_port("255.255.255.255", 9);
	u = sock(SOCK_DGRAM);
	CHECK(u >= 0, "socket: %s", E);
	CHECK(sendto(u, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)) < 0 &&
	      (errno == EACCES || errno == ENETUNREACH), "sendto 255.255.255.255: %s", E);
	close(u);
	for (i = 0; i < sizeof(no_tcp) / sizeof(no_tcp[0]); i++) {
		a = addr_port(no_tcp[i], 80);
		t = sock(SOCK_STREAM);
		CHECK(t >= 0, "socket: %s", E);
		CHECK(connect(t, (struct sockaddr *)&a, sizeof(a)) < 0 &&
		      errno == ENETUNREACH, "TCP connect %s: %s", no_tcp[i], E);
		close(t);
	}
	return 0;
}

/* MSG_ERRQUEUE: nothing queued, EAGAIN, for TCP and UDP alike. */
static int t_msg_errqueue_eagain(void)
{
	struct msghdr m = { 0 };
	struct iovec v;
	int c, s, u;
	char b[8];

	v.iov_base = b;
	v.iov_len = sizeof(b);
	m.msg_iov = &v;
	m.msg_iovlen = 1;
	CHECK(!pair(&c, &s), "pair: %s", E);
	CHECK(recvmsg(c, &m, MSG_ERRQUEUE) < 0 && errno == EAGAIN, "TCP: %s", E);
	u = sock(SOCK_DGRAM);
	CHECK(u >= 0, "socket: %s", E);
	CHECK(recvmsg(u, &m, MSG_ERRQUEUE) < 0 && errno == EAGAIN, "UDP: %s", E);
	close(u);
	close(c);
	close(s);
	return 0;
}

/* TCP recv() with MSG_TRUNC discards what it counts; with MSG_PEEK, keeps. */
static int t_tcp_msg_trunc_discards(void)
{
	char b[8];
	int c, s;

	CHECK(!pair(&c, &s), "pair: %s", E);
	CHECK(send(s, "abcdefgh", 8, 0) == 8, "send: %s", E);
	CHECK(!wait_inq(c, 8), "8 bytes never arrived");
	memset(b, '-', sizeof(b));
	CHECK(recv(c, b, 2, MSG_TRUNC | MSG_PEEK) == 2 && b[0] == '-',
	      "MSG_TRUNC|MSG_PEEK: %s", E);
	CHECK(recv(c, b, 3, MSG_TRUNC) == 3 && b[0] == '-', "MSG_TRUNC: %s", E);
	CHECK(recv(c, b, 5, 0) == 5 && !memcmp(b, "defgh", 5), "the rest: %.5s", b);
	close(c);
	close(s);
	return 0;
}

/*
 * In a network namespace of its own a process gets lwip sockets refused
 * (lwIP is one stack for the machine), and in a user namespace of its own
 * it may not bind a port below 1024 (the capability must be the initial
 * namespace's), as Linux's AF_INET in init_net. A kernel built without
 * namespaces (unshare() says EINVAL) has nothing to check.
 */
static int t_namespaces(void)
{
	struct sockaddr_in a = lo(81);
	pid_t pid;
	int fd, st;

	pid = fork();
	CHECK(pid >= 0, "fork: %s", E);
	if (!pid) {
		if (unshare(CLONE_NEWNET))
			_exit(errno == EINVAL ? 9 : 10);
		fd = sock(SOCK_STREAM);
		if (family == AF_INET)
			_exit(fd >= 0 ? 0 : 11);
		_exit(fd < 0 && errno == EAFNOSUPPORT ? 0 : 12);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st), "child status %#x", st);
	if (WEXITSTATUS(st) == 9)	/* a kernel without them: the debug kernel */
		diag("no network namespaces in this kernel: not checked");
	else
		CHECK(!WEXITSTATUS(st), "new network namespace: child status %#x", st);
	pid = fork();
	CHECK(pid >= 0, "fork: %s", E);
	if (!pid) {
		if (unshare(CLONE_NEWUSER))
			_exit(errno == EINVAL ? 9 : 10);
		fd = sock(SOCK_STREAM);
		if (fd < 0)
			_exit(11);
		_exit(bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EACCES ?
		      0 : 12);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st), "child status %#x", st);
	if (WEXITSTATUS(st) == 9)
		diag("no user namespaces in this kernel: not checked");
	else
		CHECK(!WEXITSTATUS(st), "new user namespace: child status %#x", st);
	return 0;
}

const struct sc_case sc_hardening_cases[] = {
	{ "send_after_shut_wr_keeps_rx", t_send_after_shut_wr },
	{ "send_before_connect_keeps_rx", t_send_before_connect },
	{ "listen_eaddrinuse_then_connect", t_listen_eaddrinuse_then_connect },
	{ "broadcast_needs_so_broadcast", t_broadcast_needs_so_broadcast },
	{ "msg_errqueue_eagain", t_msg_errqueue_eagain },
	{ "tcp_msg_trunc_discards", t_tcp_msg_trunc_discards },
	{ "namespaces_netns_userns", t_namespaces },
	{ NULL, NULL }
};
