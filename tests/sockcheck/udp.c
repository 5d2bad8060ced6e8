// SPDX-License-Identifier: GPL-2.0
/* sockcheck, UDP datagrams. */
#include "sockcheck.h"

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

/*
 * udp_flood() - @n datagrams of @len bytes of @d from @w to the socket
 * bound at @to, then a marker to the socket @mk (not yet bound): the
 * loopback delivers in order, so once the marker is in, every datagram
 * has been taken in or dropped. Read the socket at @to only then: read
 * while they still arrive, it would take in more than its buffer holds.
 */
static int udp_flood(int w, const struct sockaddr_in *to, int mk, const char *d,
		     size_t len, int n)
{
	struct sockaddr_in m = lo(0);
	int i;

	CHECK(!bind(mk, (struct sockaddr *)&m, sizeof(m)), "bind: %s", E);
	m = lo(local_port(mk));
	for (i = 0; i < n; i++)
		CHECK(sendto(w, d, len, 0, (const struct sockaddr *)to, sizeof(*to)) ==
		      (ssize_t)len, "sendto %d: %s", i, E);
	CHECK(sendto(w, "m", 1, 0, (struct sockaddr *)&m, sizeof(m)) == 1, "marker: %s", E);
	CHECK(pollone(mk, POLLIN, WAIT_MS) & POLLIN, "the marker did not arrive");
	return 0;
}

/* UDP SO_RCVBUF: datagrams beyond the buffer are dropped, not queued. */
static int t_udp_so_rcvbuf_drops(void)
{
	struct sockaddr_in a = lo(0);
	int r = sock(SOCK_DGRAM), w = sock(SOCK_DGRAM), mk = sock(SOCK_DGRAM), got = 0;
	char d[200];

	CHECK(r >= 0 && w >= 0 && mk >= 0, "socket: %s", E);
	CHECK(!setint(r, SOL_SOCKET, SO_RCVBUF, 4096), "SO_RCVBUF: %s", E);
	CHECK(getint(r, SOL_SOCKET, SO_RCVBUF) == 8192, "SO_RCVBUF reads %d",
	      getint(r, SOL_SOCKET, SO_RCVBUF));
	CHECK(!bind(r, (struct sockaddr *)&a, sizeof(a)), "bind: %s", E);
	a = lo(local_port(r));
	memset(d, 'u', sizeof(d));
	CHECK(!udp_flood(w, &a, mk, d, sizeof(d), 500), "flood");
	while (recv(r, d, sizeof(d), MSG_DONTWAIT) == sizeof(d))
		got++;
	CHECK(errno == EAGAIN, "recv: %s", E);
	CHECK(got > 0 && got <= 8192 / (int)sizeof(d),
	      "%d datagrams of %zu bytes queued in 4096", got, sizeof(d));
	close(r);
	close(w);
	close(mk);
	return 0;
}

/*
 * UDP SO_RCVBUF counts what a datagram costs, not only its payload (Linux:
 * the skb's truesize): at the smallest SO_RCVBUF, 1-byte datagrams fill it
 * long before rcvbuf of them are queued; fewer than rcvbuf / 64 must be.
 */
static int t_udp_so_rcvbuf_overhead(void)
{
	struct sockaddr_in a = lo(0);
	int r = sock(SOCK_DGRAM), w = sock(SOCK_DGRAM), mk = sock(SOCK_DGRAM);
	int rcvbuf, got = 0;
	char d[16];

	CHECK(r >= 0 && w >= 0 && mk >= 0, "socket: %s", E);
	CHECK(!setint(r, SOL_SOCKET, SO_RCVBUF, 1), "SO_RCVBUF: %s", E);
	rcvbuf = getint(r, SOL_SOCKET, SO_RCVBUF);
	CHECK(rcvbuf > 0 && rcvbuf <= 8192, "SO_RCVBUF 1 reads %d", rcvbuf);
	CHECK(!bind(r, (struct sockaddr *)&a, sizeof(a)), "bind: %s", E);
	a = lo(local_port(r));
	CHECK(!udp_flood(w, &a, mk, "u", 1, 600), "flood");
	while (recv(r, d, sizeof(d), MSG_DONTWAIT) == 1)
		got++;
	CHECK(errno == EAGAIN, "recv: %s", E);
	diag("%d of 600 1-byte datagrams queued in SO_RCVBUF %d", got, rcvbuf);
	CHECK(got > 0 && got < rcvbuf / 64,
	      "%d 1-byte datagrams queued in SO_RCVBUF %d (limit %d)", got, rcvbuf,
	      rcvbuf / 64);
	close(r);
	close(w);
	close(mk);
	return 0;
}

/* addr_of: getsockname()'s address as a string */
static const char *addr_of(int fd, char *buf)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len))
		return "error";
	return inet_ntop(AF_INET, &a.sin_addr, buf, INET_ADDRSTRLEN);
}

/*
 * A connected UDP socket reports the route's source address (127.0.0.1 to
 * anything on 127/8), an unconnected one 0.0.0.0; connect(AF_UNSPEC) takes
 * it back.
 */
static int t_udp_connected_getsockname(void)
{
	struct sockaddr_in a = lo(9), b = lo(9);
	struct sockaddr un = { .sa_family = AF_UNSPEC };
	int u = sock(SOCK_DGRAM);
	char buf[INET_ADDRSTRLEN];

	CHECK(u >= 0, "socket: %s", E);
	CHECK(!strcmp(addr_of(u, buf), "0.0.0.0"), "unconnected: %s", buf);
	CHECK(!connect(u, (struct sockaddr *)&a, sizeof(a)), "connect: %s", E);
	CHECK(!strcmp(addr_of(u, buf), "127.0.0.1"), "connected to 127.0.0.1: %s", buf);
	CHECK(local_port(u) > 0, "no port");
	CHECK(!connect(u, &un, sizeof(un)), "AF_UNSPEC: %s", E);
	CHECK(!strcmp(addr_of(u, buf), "0.0.0.0"), "disconnected: %s", buf);
	b.sin_addr.s_addr = htonl(0x7f000002);
	CHECK(!connect(u, (struct sockaddr *)&b, sizeof(b)), "connect: %s", E);
	CHECK(!strcmp(addr_of(u, buf), "127.0.0.1"), "connected to 127.0.0.2: %s", buf);
	close(u);
	return 0;
}

const struct sc_case sc_udp_cases[] = {
	{ "udp_roundtrip", t_udp_roundtrip },
	{ "udp_so_broadcast", t_udp_so_broadcast },
	{ "udp_connected_trunc", t_udp_connected_trunc },
	{ "udp_so_rcvbuf_drops", t_udp_so_rcvbuf_drops },
	{ "udp_so_rcvbuf_overhead", t_udp_so_rcvbuf_overhead },
	{ "udp_connected_getsockname", t_udp_connected_getsockname },
	{ NULL, NULL }
};
