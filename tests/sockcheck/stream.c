// SPDX-License-Identifier: GPL-2.0
/* sockcheck, the TCP byte stream: transfers, peeking, partial reads, shutdown, vectors, orders of close. */
#include "sockcheck.h"

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

struct blocked_send {
	int fd;
	ssize_t r;
	int err;
};

static void *send_until_error(void *arg)
{
	static char buf[65536];
	struct blocked_send *b = arg;

	do
		b->r = send(b->fd, buf, sizeof(buf), MSG_NOSIGNAL);
	while (b->r > 0);
	b->err = errno;
	return NULL;
}

/*
 * A sender blocked on a full connection when the peer resets it: its send
 * fails with ECONNRESET, the reset's error, as Linux's (sk_stream_error()),
 * and the next one with EPIPE. lwip_sock said EPIPE at once.
 */
static int t_send_blocked_peer_resets(void)
{
	struct linger lg = { 1, 0 };
	struct blocked_send b = { 0 };
	pthread_t t;
	int c, s;

	CHECK(!pair(&c, &s), "pair: %s", E);
	b.fd = c;
	pthread_create(&t, NULL, send_until_error, &b);
	/* the sender is blocked once nothing more arrives for a while */
	CHECK(!wait_inq(s, 1), "nothing arrived");
	CHECK(!setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), "SO_LINGER: %s", E);
	close(s);
	pthread_join(t, NULL);
	CHECK(b.r < 0 && b.err == ECONNRESET, "blocked send: %zd %s", b.r, strerror(b.err));
	CHECK(send(c, "x", 1, MSG_NOSIGNAL) < 0 && errno == EPIPE, "next send: %s", E);
	close(c);
	return 0;
}

const struct sc_case sc_stream_cases[] = {
	{ "large_transfer_4mib", t_large_transfer },
	{ "msg_peek", t_msg_peek },
	{ "msg_waitall", t_msg_waitall },
	{ "eagain_dontwait_nonblock", t_eagain },
	{ "shutdown_wr_eof", t_shutdown_wr_eof },
	{ "fionread_siocoutq", t_fionread_siocoutq },
	{ "readv_writev", t_readv_writev },
	{ "sendmsg_recvmsg_iovecs", t_sendmsg_recvmsg_iov },
	{ "msg_peek_several_pieces", t_msg_peek_pieces },
	{ "full_duplex_threads", t_full_duplex_threads },
	{ "fork_child_sends", t_fork_inherited_send },
	{ "order_server_sends_closes_first", t_order_server_sends_closes },
	{ "order_client_sends_first", t_order_client_sends_first },
	{ "order_close_unread_rst", t_order_close_unread_rst },
	{ "send_blocked_peer_resets_econnreset", t_send_blocked_peer_resets },
	{ NULL, NULL }
};
