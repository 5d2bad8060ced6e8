// SPDX-License-Identifier: GPL-2.0
/*
 * Self tests of the lwIP stack inside the kernel, through the netconn API
 * over the loopback netif: TCP echo with every byte checked, UDP round trip.
 */
#define pr_fmt(fmt) "lwip_selftest: " fmt

#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

/* <linux/timex.h> has a TIME_WAIT of its own; lwIP's enum needs the name. */
#undef TIME_WAIT

#include "lwip/opt.h"
#include "lwip/api.h"
#include "lwip/netbuf.h"
#include "lwip/ip_addr.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"
#include "lwip/priv/tcp_priv.h"
#include "lwipk/lwipk.h"
#include "selftest.h"

#define ECHO_PORT	7001
#define UDP_PORT	7002
#define ZWND_PORT	7003
#define ECHO_TOTAL	(1024 * 1024)
#define ECHO_CHUNK	(64 * 1024)
#define WAIT_MS		10000

struct server {
	enum netconn_type type;
	u16_t port;
	bool any;		/* bind to every address, not just 127.0.0.1 */
	u32_t accept_ms;	/* how long to wait for a client */
	sys_sem_t ready;
	err_t err;		/* first failure, ERR_OK when all went well */
	size_t bytes;		/* echoed */
};

static void loopback(ip_addr_t *addr)
{
	IP_ADDR4(addr, 127, 0, 0, 1);
}

/* Echo everything received on one TCP connection back to its sender. */
static err_t tcp_echo(struct netconn *conn, size_t *bytes)
{
	struct netbuf *buf;
	err_t err;

	netconn_set_recvtimeout(conn, WAIT_MS);
	while ((err = netconn_recv(conn, &buf)) == ERR_OK) {
		do {
			void *data;
			u16_t len;

			netbuf_data(buf, &data, &len);
			err = netconn_write(conn, data, len, NETCONN_COPY);
			*bytes += len;
		} while (err == ERR_OK && netbuf_next(buf) >= 0);
		netbuf_delete(buf);
		if (err != ERR_OK)
			return err;
	}
	return err == ERR_CLSD ? ERR_OK : err;	/* ERR_CLSD: the peer closed */
}

static err_t udp_echo(struct netconn *conn, size_t *bytes)
{
	struct netbuf *buf;
	err_t err;

	netconn_set_recvtimeout(conn, WAIT_MS);
	err = netconn_recv(conn, &buf);
	if (err != ERR_OK)
		return err;
	*bytes = netbuf_len(buf);
	err = netconn_sendto(conn, buf, netbuf_fromaddr(buf), netbuf_fromport(buf));
	netbuf_delete(buf);
	return err;
}

static void server_fn(void *arg)
{
	struct server *s = arg;
	struct netconn *conn, *peer;
	ip_addr_t addr;
	err_t err;

	if (s->any)
		ip_addr_set_any(false, &addr);
	else
		loopback(&addr);
	conn = netconn_new(s->type);
	if (!conn) {
		s->err = ERR_MEM;
		sys_sem_signal(&s->ready);
		return;
	}
	err = netconn_bind(conn, &addr, s->port);
	if (err == ERR_OK && s->type == NETCONN_TCP)
		err = netconn_listen(conn);
	sys_sem_signal(&s->ready);
	if (err != ERR_OK)
		goto out;
	if (s->type == NETCONN_UDP) {
		err = udp_echo(conn, &s->bytes);
		goto out;
	}
	netconn_set_recvtimeout(conn, s->accept_ms);
	err = netconn_accept(conn, &peer);
	if (err != ERR_OK)
		goto out;
	err = tcp_echo(peer, &s->bytes);
	netconn_close(peer);
	netconn_delete(peer);
out:
	s->err = err;
	netconn_delete(conn);
}

static sys_thread_t server_start(struct server *s, enum netconn_type type,
				 u16_t port, bool any, u32_t accept_ms)
{
	sys_thread_t t;

	s->type = type;
	s->port = port;
	s->any = any;
	s->accept_ms = accept_ms;
	s->err = ERR_OK;
	s->bytes = 0;
	if (sys_sem_new(&s->ready, 0) != ERR_OK)
		return NULL;
	t = sys_thread_new("st_server", server_fn, s, 0, 0);
	if (t)
		sys_arch_sem_wait(&s->ready, 0);
	else
		sys_sem_free(&s->ready);
	return t;
}

static void server_join(struct server *s, sys_thread_t t)
{
	lwipk_thread_join(t);
	sys_sem_free(&s->ready);
}

/* Read exactly @len bytes from a TCP netconn into @dst. */
static err_t tcp_read_full(struct netconn *conn, u8 *dst, size_t len)
{
	size_t got = 0;

	while (got < len) {
		struct netbuf *buf;
		err_t err = netconn_recv(conn, &buf);

		if (err != ERR_OK)
			return err;
		if (netbuf_len(buf) > len - got)
			err = ERR_VAL;	/* more than was sent */
		else
			got += netbuf_copy(buf, dst + got, netbuf_len(buf));
		netbuf_delete(buf);
		if (err != ERR_OK)
			return err;
	}
	return ERR_OK;
}

/*
 * Connect to an echo server at @addr:@port and send @total bytes of a
 * pattern in ECHO_CHUNK pieces, reading each piece back and comparing.
 * Return: ERR_OK, or the first error; *@sent says how far it got and
 * *@bad how many chunks came back different.
 */
static err_t echo_through(const ip_addr_t *addr, u16_t port, size_t total,
			  size_t *sent, size_t *bad)
{
	u8 *out = vmalloc(ECHO_CHUNK), *in = vmalloc(ECHO_CHUNK);
	struct netconn *conn = NULL;
	err_t err = ERR_MEM;
	size_t i;

	*sent = 0;
	*bad = 0;
	if (!out || !in)
		goto free_bufs;
	conn = netconn_new(NETCONN_TCP);
	if (!conn)
		goto free_bufs;
	netconn_set_recvtimeout(conn, WAIT_MS);
	err = netconn_connect(conn, addr, port);
	for (; err == ERR_OK && *sent < total; *sent += ECHO_CHUNK) {
		for (i = 0; i < ECHO_CHUNK; i++)
			out[i] = (u8)((*sent + i) * 7 + ((*sent + i) >> 16));
		err = netconn_write(conn, out, ECHO_CHUNK, NETCONN_COPY);
		if (err == ERR_OK)
			err = tcp_read_full(conn, in, ECHO_CHUNK);
		if (err == ERR_OK && memcmp(in, out, ECHO_CHUNK))
			++*bad;
	}
	netconn_close(conn);
	netconn_delete(conn);
free_bufs:
	vfree(in);
	vfree(out);
	return err;
}

/* 1 MiB through a TCP echo server on 127.0.0.1, every byte verified. */
static int test_tcp_echo(void)
{
	size_t sent = 0, bad = 0;
	struct server s;
	sys_thread_t t;
	ip_addr_t addr;
	err_t err = ERR_MEM;

	t = server_start(&s, NETCONN_TCP, ECHO_PORT, false, WAIT_MS);
	ST_EXPECT(t, "server thread");
	loopback(&addr);
	err = echo_through(&addr, ECHO_PORT, ECHO_TOTAL, &sent, &bad);
	server_join(&s, t);
	ST_EXPECT(err == ERR_OK, "client err %d after %zu bytes (server: %zu echoed)",
		  err, sent, s.bytes);
	ST_EXPECT(!bad, "%zu chunks differ", bad);
	ST_EXPECT(s.err == ERR_OK, "server err %d", s.err);
	ST_EXPECT(s.bytes == ECHO_TOTAL, "server echoed %zu", s.bytes);
	return 0;
}

/* The same through the NIC, to the host's echo server at peer=ADDR:PORT. */
static int test_nic_echo(void)
{
	unsigned int a, b, c, d, port;
	size_t sent = 0, bad = 0;
	ip_addr_t addr;
	err_t err;

	ST_EXPECT(lwipk_selftest_peer &&
		  sscanf(lwipk_selftest_peer, "%u.%u.%u.%u:%u", &a, &b, &c, &d, &port) == 5,
		  "peer=ADDR:PORT is needed, got '%s'", lwipk_selftest_peer ?: "");
	IP_ADDR4(&addr, a, b, c, d);
	err = echo_through(&addr, port, lwipk_selftest_peer_bytes, &sent, &bad);
	ST_EXPECT(err == ERR_OK, "err %d after %zu bytes", err, sent);
	ST_EXPECT(!bad, "%zu chunks differ", bad);
	return 0;
}

/* A UDP datagram to an echo server on 127.0.0.1 comes back intact. */
static int test_udp_roundtrip(void)
{
	static const char msg[] = "brown lazy over lwIP UDP";
	struct netconn *conn;
	struct netbuf *out, *in = NULL;
	char reply[sizeof(msg)] = "";
	struct server s;
	sys_thread_t t;
	ip_addr_t addr;
	err_t err = ERR_MEM;
	u16_t len = 0;

	t = server_start(&s, NETCONN_UDP, UDP_PORT, false, WAIT_MS);
	ST_EXPECT(t, "server thread");
	loopback(&addr);
	conn = netconn_new(NETCONN_UDP);
	out = netbuf_new();
	if (conn && out && netbuf_ref(out, msg, sizeof(msg)) == ERR_OK) {
		netconn_set_recvtimeout(conn, WAIT_MS);
		err = netconn_sendto(conn, out, &addr, UDP_PORT);
		if (err == ERR_OK)
			err = netconn_recv(conn, &in);
	}
	if (in) {
		len = netbuf_copy(in, reply, sizeof(reply));
		netbuf_delete(in);
	}
	netbuf_delete(out);
	netconn_delete(conn);
	server_join(&s, t);
	ST_EXPECT(err == ERR_OK, "client err %d", err);
	ST_EXPECT(len == sizeof(msg) && !memcmp(reply, msg, len), "reply '%.*s'",
		  (int)len, reply);
	ST_EXPECT(s.err == ERR_OK && s.bytes == sizeof(msg), "server err %d bytes %zu",
		  s.err, s.bytes);
	return 0;
}

/*
 * Both ends of a loopback connection with a zero receive window, one ACK
 * sent: the other end must take it (RFC 793: a segment without data at
 * RCV.NXT is acceptable with a zero window) or answer once at most. lwIP
 * answered it with an ACK that the first end, its own window zero, answered
 * again: an endless exchange inside the tcpip thread. Over the next 300 ms
 * of the tcpip thread's life, a handful of TCP segments at most.
 */
static int test_tcp_zero_windows(void)
{
	struct netconn *l, *c = NULL, *s = NULL;
	struct tcp_pcb *cp, *sp;
	tcpwnd_size_t cwnd, swnd;
	ip_addr_t addr;
	u32_t x0 = 0, x1 = 0;
	err_t err;

	loopback(&addr);
	l = netconn_new(NETCONN_TCP);
	ST_EXPECT(l, "no netconn");
	err = netconn_bind(l, &addr, ZWND_PORT);
	if (err == ERR_OK)
		err = netconn_listen(l);
	if (err == ERR_OK) {
		c = netconn_new(NETCONN_TCP);
		err = c ? netconn_connect(c, &addr, ZWND_PORT) : ERR_MEM;
	}
	if (err == ERR_OK) {
		netconn_set_recvtimeout(l, WAIT_MS);
		err = netconn_accept(l, &s);
	}
	if (err != ERR_OK)
		goto out;

	LOCK_TCPIP_CORE();
	cp = c->pcb.tcp;
	sp = s->pcb.tcp;
	cwnd = cp->rcv_wnd;
	swnd = sp->rcv_wnd;
	cp->rcv_wnd = 0;
	cp->rcv_ann_wnd = 0;
	sp->rcv_wnd = 0;
	sp->rcv_ann_wnd = 0;
	x0 = lwip_stats.tcp.xmit;
	tcp_ack_now(cp);
	tcp_output(cp);
	UNLOCK_TCPIP_CORE();
	msleep(300);	/* the window to count in */
	LOCK_TCPIP_CORE();
	x1 = lwip_stats.tcp.xmit;
	cp->rcv_wnd = cwnd;
	cp->rcv_ann_wnd = cwnd;
	sp->rcv_wnd = swnd;
	sp->rcv_ann_wnd = swnd;
	UNLOCK_TCPIP_CORE();
out:
	if (s) {
		netconn_close(s);
		netconn_delete(s);
	}
	if (c) {
		netconn_close(c);
		netconn_delete(c);
	}
	netconn_delete(l);
	ST_EXPECT(err == ERR_OK, "connection err %d", err);
	ST_EXPECT(x1 - x0 <= 4, "%u TCP segments in 300 ms with both windows zero",
		  x1 - x0);
	return 0;
}

/* A TCP echo server on every address, for a client on the host. */
static int test_nic_serve(void)
{
	struct server s;
	sys_thread_t t;

	t = server_start(&s, NETCONN_TCP, lwipk_selftest_serve_port, true,
			 lwipk_selftest_serve_ms);
	ST_EXPECT(t, "server thread");
	server_join(&s, t);
	ST_EXPECT(s.err == ERR_OK, "server err %d", s.err);
	ST_EXPECT(s.bytes > 0, "nothing echoed");
	pr_info("# echoed %zu bytes to the host\n", s.bytes);
	return 0;
}

const struct lwipk_test lwipk_nic_tests[] = {
	{ "nic_tcp_echo_to_host", test_nic_echo },
};

const struct lwipk_test lwipk_serve_tests[] = {
	{ "nic_tcp_echo_server_for_host", test_nic_serve },
};

const unsigned int lwipk_serve_ntests = ARRAY_SIZE(lwipk_serve_tests);

const unsigned int lwipk_nic_ntests = ARRAY_SIZE(lwipk_nic_tests);

/*
 * A netconn that lost sight of its guarded PCB (conn->pcb.tcp NULL while
 * the PCB lives on): lwipk_pcb_unguard() still clears the PCB's guard, so
 * freeing the PCB later calls nothing on the netconn, which may be gone.
 */
static int test_pcb_unguard_stale(void)
{
	struct netconn *conn = netconn_new(NETCONN_TCP);
	unsigned long before;
	struct tcp_pcb *pcb;
	void *left;
	err_t e;

	ST_EXPECT(conn, "netconn_new");
	e = netconn_bind(conn, IP_ADDR_ANY, 0);	/* on tcp_bound_pcbs */
	if (e != ERR_OK)
		netconn_delete(conn);
	ST_EXPECT(e == ERR_OK, "bind %d", e);
	LOCK_TCPIP_CORE();
	pcb = conn->pcb.tcp;
	lwipk_pcb_guard(conn);
	before = lwipk_pcb_stale_count();
	conn->pcb.tcp = NULL;
	lwipk_pcb_unguard(conn);
	left = tcp_ext_arg_get(pcb, lwipk_sock_ext_id);
	conn->pcb.tcp = pcb;
	UNLOCK_TCPIP_CORE();
	netconn_delete(conn);
	ST_EXPECT(!left, "the PCB still names its netconn");
	ST_EXPECT(lwipk_pcb_stale_count() == before + 1, "stale count %lu, was %lu",
		  lwipk_pcb_stale_count(), before);
	return 0;
}

/*
 * lwipk_netconn_delete() of a guarded, connected netconn: the PCB lives on
 * (closing) and no longer names the netconn, which is freed.
 */
static int test_pcb_guard_off_at_delete(void)
{
	struct netconn *l = netconn_new(NETCONN_TCP), *c = netconn_new(NETCONN_TCP);
	void *left = NULL;
	struct tcp_pcb *pcb = NULL;
	bool alive = false;
	ip_addr_t addr;
	err_t e = ERR_MEM, de = ERR_OK;

	loopback(&addr);
	if (l && c) {
		e = netconn_bind(l, &addr, 19999);
		if (e == ERR_OK)
			e = netconn_listen(l);
		if (e == ERR_OK)
			e = netconn_connect(c, &addr, 19999);
	}
	if (e == ERR_OK) {
		LOCK_TCPIP_CORE();
		pcb = c->pcb.tcp;
		if (pcb)
			lwipk_pcb_guard(c);
		UNLOCK_TCPIP_CORE();
		de = lwipk_netconn_delete(c);	/* FIN: the PCB goes on */
		if (de == ERR_OK)
			c = NULL;
		LOCK_TCPIP_CORE();
		alive = pcb && lwipk_pcb_listed(pcb);
		if (alive)
			left = tcp_ext_arg_get(pcb, lwipk_sock_ext_id);
		UNLOCK_TCPIP_CORE();
	}
	netconn_delete(c);
	netconn_delete(l);	/* aborts the connection lwIP accepted */
	ST_EXPECT(e == ERR_OK, "listen and connect: %d", e);
	ST_EXPECT(de == ERR_OK, "lwipk_netconn_delete: %d", de);
	ST_EXPECT(alive, "the PCB was freed at the delete: nothing checked");
	ST_EXPECT(!left, "the PCB still names the deleted netconn");
	return 0;
}

const struct lwipk_test lwipk_stack_tests[] = {
	{ "stack_tcp_echo_1mib_loopback", test_tcp_echo },
	{ "stack_udp_roundtrip_loopback", test_udp_roundtrip },
	{ "stack_tcp_zero_windows_no_ack_storm", test_tcp_zero_windows },
	{ "stack_pcb_unguard_clears_a_stale_guard", test_pcb_unguard_stale },
	{ "stack_pcb_guard_off_at_netconn_delete", test_pcb_guard_off_at_delete },
};

const unsigned int lwipk_stack_ntests = ARRAY_SIZE(lwipk_stack_tests);
