// SPDX-License-Identifier: GPL-2.0
/* sockcheck, bad input: bad pointers, huge lengths, unknown flags, calls in the wrong state. */
#include "sockcheck.h"

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
 * Addresses of the wrong family or size, a bad pointer, unsupported types
 * and protocols, and calls in the wrong state: Linux's errno for each.
 */
static int t_bad_input_wrong_state(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_in a = lo(0);
	int t = sock(SOCK_STREAM), u = sock(SOCK_DGRAM), l, port;
	static const int opts[] = { TCP_INFO, TCP_CONGESTION, TCP_MAXSEG, TCP_NODELAY };
	char b, opt[256];
	socklen_t n;
	unsigned int i;

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
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		n = -1;		/* a negative length, as the kernel reads it */
		CHECK(getsockopt(t, IPPROTO_TCP, opts[i], opt, &n) < 0 && errno == EINVAL,
		      "getsockopt %d, length -1: %s", opts[i], E);
	}
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

const struct sc_case sc_badinput_cases[] = {
	{ "efault", t_efault },
	{ "huge_lengths_unknown_flags", t_huge_lengths_unknown_flags },
	{ "bad_input_wrong_state", t_bad_input_wrong_state },
	{ NULL, NULL }
};
