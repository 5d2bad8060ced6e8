// SPDX-License-Identifier: GPL-2.0
/*
 * wirepeer: the guest NIC's only peer, on raw Ethernet frames. QEMU's
 * socket netdev (-netdev socket,udp=127.0.0.1:A,localaddr=127.0.0.1:B)
 * sends each frame the guest transmits as one UDP datagram to A and takes
 * each datagram arriving at B as one received frame: this program binds
 * 127.0.0.1:A and sends to 127.0.0.1:B, and so is the whole network the
 * guest sees. It plays 10.0.2.100 (MAC 52:54:00:aa:bb:cc) and answers ARP
 * for every address but the guest's own (a proxy-ARP router), so whatever
 * the guest sends reaches it; TCP it has no connection for gets a RST, as
 * a real host would give, so the guest's half-open connections go away.
 *
 *   wirepeer window --bind A --to B [--guest-server] [--port P] [--bytes N]
 *   wirepeer fuzz --bind A --to B [--seed S] [--frames N] [--port P]
 *   wirepeer harden --bind A --to B [--port P]
 *   wirepeer giant --bind A --to B [--count N]
 *   common: [--guest-ip 10.0.2.15] [--wait S] [--timeout S]
 *
 * window: a TCP receiver announcing window 0 in its handshake (no window
 * scale, MSS 1460), then 4, 8, 100 and 65535 two seconds apart, reading
 * (only in-order data, ACKing rcv_nxt, never beyond the window it
 * announced) until N bytes (default 65536) of the pattern byte i =
 * (i * 7 + 3) % 251 and the guest's FIN have arrived, then FIN back. The
 * guest connects to port P (default 9); with --guest-server this program
 * connects to the guest's port P instead. Exit 0 only if every byte arrived
 * intact, inside the window, within S seconds (--timeout, default 120).
 *
 * fuzz: N frames (default 3000) of garbage and mutated ARP, IPv4, ICMP,
 * UDP and TCP for the guest, from the seed S (printed; default: the time),
 * with the guest's echo server on port P (default 7) as the target of real
 * connections; every 32 frames the guest must answer a ping (which also
 * paces the fuzz to what the guest takes in), every 250 (--live-every) echo
 * a line over a fresh connection too, else exit 1. At the end it tells the
 * echo server to quit (a line "wirepeer: done").
 *
 * harden: against the guest's echo server on port P (default 7). ISNs: 16
 * SYNs from 16 source ports; the guest's SYN-ACKs must not carry sequence
 * numbers a step apart (RFC 6528: at most 2 of the 15 differences under
 * 2^24, which random ones are with odds 1/128 each; lwIP's own ISNs differ
 * by its tick count). Martians: 10 packets from sources no peer can have,
 * TCP SYN, UDP and ICMP echo from 127.0.0.1 (3) and from the guest's own
 * address (3), TCP SYN and ICMP echo from 0.0.0.0 (2), TCP SYN from
 * 224.0.0.1 and from the subnet's broadcast address (2); the guest must
 * answer none of them (a ping after them, answered, bounds the wait). Then
 * "wirepeer: done" ends the echo server; the guest checks its counters.
 *
 * giant: N frames (default 8) longer than the guest's 2 KiB receive
 * buffers (2100 to 9000 bytes), which the device spreads over several
 * descriptors; each carries a whole ICMP echo request at its start and
 * another (a frame of its own, Ethernet header and all) where its second
 * buffer starts, so that a driver passing up the first buffer, or the rest
 * as a frame, answers one of them. Exit 0 only if the guest answers a ping
 * before and after them and none of the requests inside them.
 *
 * --wait S (default 300): how long the guest may take to show up (boot).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ETH_LEN		14
#define FRAME_MAX	9100	/* jumbo garbage too: QEMU drops or chains it */
#define MSS		1460

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PSH	0x08
#define TH_ACK	0x10
#define TH_URG	0x20

static const uint8_t my_mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static uint8_t guest_mac[6];
static int guest_mac_known;
static uint32_t my_ip = 0x0a000264;	/* 10.0.2.100 */
static uint32_t guest_ip = 0x0a00020f;	/* 10.0.2.15, lwip_e1000's default */
static int wire_fd;
static long giant_replies;	/* echo replies to the requests inside giants */
static int tcp_quiet;		/* no RST for unknown TCP: another step's SYNs */
static struct sockaddr_in wire_to;
static uint16_t ip_id;
static long frames_rx, frames_tx;

/* ---- small helpers ----------------------------------------------------- */

static const char *opt(int argc, char **argv, const char *name, const char *def)
{
	int i;

	for (i = 2; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return def;
}

static int flag(int argc, char **argv, const char *name)
{
	int i;

	for (i = 2; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* Sequence-number order, modulo 2^32 as TCP compares them. */
static int seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

/* The bytes the guest programs send: byte i of the stream. */
static uint8_t pattern(uint64_t i)
{
	return (uint8_t)((i * 7 + 3) % 251);
}

/* xorshift64*: a fuzz run is a function of its seed (and the guest). */
static uint64_t rng_state = 1;

static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static void rnd_fill(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = rnd();
}

/* ---- checksums and frame building ------------------------------------- */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void eth_hdr(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, my_mac, 6);
	put16(f + 12, type);
}

/*
 * Recompute the IPv4 header checksum and, for an unfragmented TCP, UDP or
 * ICMP datagram that the frame holds whole, its transport checksum: the
 * fuzzer calls it after mutating headers so that the mutation reaches the
 * code behind the checksum checks. Does nothing sensible can't be done.
 */
static void fix_csums(uint8_t *f, size_t len)
{
	uint8_t *ip = f + ETH_LEN, *l4;
	size_t hl, tot, l4len, at;
	uint32_t sum;

	if (len < ETH_LEN + 20 || get16(f + 12) != 0x0800)
		return;
	hl = (ip[0] & 15) * 4;
	if (hl < 20 || ETH_LEN + hl > len)
		return;
	put16(ip + 10, 0);
	put16(ip + 10, csum_fold(csum_add(0, ip, hl)));
	tot = get16(ip + 2);
	if (tot < hl || ETH_LEN + tot > len || (get16(ip + 6) & 0x3fff))
		return;
	l4 = ip + hl;
	l4len = tot - hl;
	if (ip[9] != 6 && ip[9] != 17 && ip[9] != 1)
		return;
	at = ip[9] == 6 ? 16 : ip[9] == 17 ? 6 : 2;	/* where its checksum is */
	if (l4len < at + 2)
		return;
	put16(l4 + at, 0);
	sum = 0;
	if (ip[9] != 1) {	/* TCP and UDP cover a pseudo header */
		sum = csum_add(sum, ip + 12, 8);
		sum += ip[9] + (uint32_t)l4len;
	}
	sum = csum_fold(csum_add(sum, l4, l4len));
	if (ip[9] == 17 && sum == 0)
		sum = 0xffff;
	put16(l4 + at, (uint16_t)sum);
}

/* An IPv4 header with options OPT (a multiple of 4 bytes) at f + 14. */
static size_t ip_hdr(uint8_t *f, uint8_t proto, uint32_t src, uint32_t dst,
		     const uint8_t *opt, size_t optlen, size_t l4len)
{
	uint8_t *ip = f + ETH_LEN;
	size_t hl = 20 + optlen;

	eth_hdr(f, guest_mac_known ? guest_mac : bcast, 0x0800);
	ip[0] = 0x40 | (uint8_t)(hl / 4);
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(hl + l4len));
	put16(ip + 4, ip_id++);
	put16(ip + 6, 0x4000);	/* DF */
	ip[8] = 64;
	ip[9] = proto;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	if (optlen)
		memcpy(ip + 20, opt, optlen);
	return hl;
}

/* A TCP segment, parsed from the guest or to be built for it. */
struct seg {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t wnd;
	const uint8_t *opt;
	size_t optlen;		/* a multiple of 4 when built */
	const uint8_t *data;
	size_t len;
};

static size_t build_tcp(uint8_t *f, const struct seg *s)
{
	size_t hl = ip_hdr(f, 6, s->src, s->dst, NULL, 0, 20 + s->optlen + s->len);
	uint8_t *t = f + ETH_LEN + hl;

	put16(t, s->sport);
	put16(t + 2, s->dport);
	put32(t + 4, s->seq);
	put32(t + 8, s->ack);
	t[12] = (uint8_t)((20 + s->optlen) / 4) << 4;
	t[13] = s->flags;
	put16(t + 14, s->wnd);
	put16(t + 18, 0);
	memcpy(t + 20, s->opt, s->optlen);
	memcpy(t + 20 + s->optlen, s->data, s->len);
	fix_csums(f, ETH_LEN + hl + 20 + s->optlen + s->len);
	return ETH_LEN + hl + 20 + s->optlen + s->len;
}

static size_t build_udp(uint8_t *f, uint16_t sport, uint16_t dport, const uint8_t *data,
			size_t len)
{
	size_t hl = ip_hdr(f, 17, my_ip, guest_ip, NULL, 0, 8 + len);
	uint8_t *u = f + ETH_LEN + hl;

	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, (uint16_t)(8 + len));
	memcpy(u + 8, data, len);
	fix_csums(f, ETH_LEN + hl + 8 + len);
	return ETH_LEN + hl + 8 + len;
}

static size_t build_icmp(uint8_t *f, uint8_t type, uint16_t id, uint16_t seq,
			 const uint8_t *opt, size_t optlen, const uint8_t *data, size_t len)
{
	size_t hl = ip_hdr(f, 1, my_ip, guest_ip, opt, optlen, 8 + len);
	uint8_t *p = f + ETH_LEN + hl;

	p[0] = type;
	p[1] = 0;
	put16(p + 4, id);
	put16(p + 6, seq);
	memcpy(p + 8, data, len);
	fix_csums(f, ETH_LEN + hl + 8 + len);
	return ETH_LEN + hl + 8 + len;
}

static size_t build_arp(uint8_t *f, const uint8_t *dst, uint16_t op, uint32_t spa,
			const uint8_t *tha, uint32_t tpa)
{
	uint8_t *a = f + ETH_LEN;

	eth_hdr(f, dst, 0x0806);
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, my_mac, 6);
	put32(a + 14, spa);
	memcpy(a + 18, tha, 6);
	put32(a + 24, tpa);
	return ETH_LEN + 28;
}

/* ---- the wire ---------------------------------------------------------- */

static void send_frame(const uint8_t *f, size_t len)
{
	/* QEMU's socket netdev stops reading for good on an empty datagram */
	if (len == 0)
		return;
	if (sendto(wire_fd, f, len, 0, (struct sockaddr *)&wire_to, sizeof(wire_to)) < 0 &&
	    errno != ECONNREFUSED)
		perror("wirepeer: sendto");
	frames_tx++;
}

static int wire_open(int argc, char **argv)
{
	struct sockaddr_in me = { .sin_family = AF_INET };
	const char *bind_port = opt(argc, argv, "--bind", NULL);
	const char *to_port = opt(argc, argv, "--to", NULL);
	int buf = 4 << 20;

	if (!bind_port || !to_port) {
		fprintf(stderr, "wirepeer: --bind PORT and --to PORT are required\n");
		return -1;
	}
	/* only ever the host's loopback: QEMU's end of the wire is there */
	me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	me.sin_port = htons(atoi(bind_port));
	wire_to = me;
	wire_to.sin_port = htons(atoi(to_port));
	wire_fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (wire_fd < 0 || setsockopt(wire_fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf)) ||
	    bind(wire_fd, (struct sockaddr *)&me, sizeof(me))) {
		perror("wirepeer: wire");
		return -1;
	}
	return 0;
}

/* ---- TCP connections this program holds with the guest ---------------- */

enum tcp_state { T_CLOSED, T_LISTEN, T_SYN_SENT, T_SYN_RCVD, T_EST };

struct conn {
	enum tcp_state state;
	uint16_t lport, rport;		/* ours, the guest's */
	uint32_t iss, snd_nxt, snd_una;
	uint32_t rcv_nxt;
	uint32_t guest_ack;		/* the ack field the guest sent last */
	uint16_t wnd;			/* the window this end announces */
	int rst, fin_rcvd;
	int check_pattern;		/* window test: verify the stream */
	int follow;			/* fuzz: our seq is whatever the guest ACKed */
	uint64_t got, bad, beyond_wnd, probes, ooo, dups, segs;
	size_t max_seg;
	uint8_t echo[256];		/* echo checks: what came back */
	size_t echo_len;
};

#define MAX_CONNS 8
static struct conn *conns[MAX_CONNS];

static void conn_add(struct conn *c)
{
	int i;

	for (i = 0; i < MAX_CONNS; i++)
		if (!conns[i]) {
			conns[i] = c;
			return;
		}
	fprintf(stderr, "wirepeer: too many connections\n");
	exit(2);
}

static void conn_del(struct conn *c)
{
	int i;

	for (i = 0; i < MAX_CONNS; i++)
		if (conns[i] == c)
			conns[i] = NULL;
}

static void conn_send(struct conn *c, uint8_t flags, uint32_t seq, const uint8_t *data,
		      size_t len)
{
	static const uint8_t mss_opt[4] = { 2, 4, MSS >> 8, MSS & 0xff };
	uint8_t f[FRAME_MAX];
	struct seg s = {
		.src = my_ip, .dst = guest_ip, .sport = c->lport, .dport = c->rport,
		.seq = seq, .ack = (flags & TH_ACK) ? c->rcv_nxt : 0, .flags = flags,
		.wnd = c->wnd, .data = data, .len = len,
	};

	if (flags & TH_SYN) {	/* MSS only: no window scaling, no SACK */
		s.opt = mss_opt;
		s.optlen = sizeof(mss_opt);
	}
	send_frame(f, build_tcp(f, &s));
}

static void conn_ack(struct conn *c)
{
	conn_send(c, TH_ACK, c->snd_nxt, NULL, 0);
}

/* Bytes the guest sent, in order, inside the window: check or keep them. */
static void conn_consume(struct conn *c, const uint8_t *p, size_t n)
{
	size_t i;

	if (c->check_pattern) {
		for (i = 0; i < n; i++)
			c->bad += p[i] != pattern(c->got + i);
	} else {
		i = sizeof(c->echo) - c->echo_len;
		i = n < i ? n : i;
		memcpy(c->echo + c->echo_len, p, i);
		c->echo_len += i;
	}
	c->got += n;
}

/*
 * Data and FIN of an incoming segment. Only in-order data is taken (a hole
 * before it: dropped, ACKed again), and only up to the window's right edge
 * rcv_nxt + wnd: every byte taken is consumed at once, so that edge never
 * moves left of one announced before. The one byte of a zero-window probe
 * is counted apart; anything else beyond the edge is the guest's fault.
 */
static void conn_data(struct conn *c, const struct seg *s)
{
	uint32_t off = c->rcv_nxt - s->seq;
	int fin = !!(s->flags & TH_FIN);
	size_t fresh, take;

	if (s->len == 0 && !fin)
		return;
	c->segs++;
	if (s->len > c->max_seg)
		c->max_seg = s->len;
	if (seq_lt(c->rcv_nxt, s->seq)) {
		c->ooo++;
	} else if (off >= s->len + fin) {
		c->dups++;
	} else {
		fresh = s->len - off;
		take = fresh < c->wnd ? fresh : c->wnd;
		if (fresh > take && c->wnd == 0 && fresh == 1)
			c->probes++;
		else
			c->beyond_wnd += fresh - take;
		conn_consume(c, s->data + off, take);
		c->rcv_nxt += take;
		if (fin && take == fresh) {
			c->rcv_nxt++;
			c->fin_rcvd = 1;
		}
	}
	conn_ack(c);
}

static void conn_input(struct conn *c, const struct seg *s)
{
	if (s->flags & TH_RST) {
		if (c->state != T_LISTEN)
			c->rst = 1;
		return;
	}
	c->guest_ack = s->ack;
	if (c->follow && c->state == T_EST && (s->flags & TH_ACK))
		c->snd_nxt = c->snd_una = s->ack;
	switch (c->state) {
	case T_LISTEN:
		if ((s->flags & (TH_SYN | TH_ACK)) != TH_SYN)
			return;
		c->rport = s->sport;
		c->rcv_nxt = s->seq + 1;
		c->state = T_SYN_RCVD;
		conn_send(c, TH_SYN | TH_ACK, c->iss, NULL, 0);
		return;
	case T_SYN_SENT:
		if ((s->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) && s->ack == c->snd_nxt) {
			c->rcv_nxt = s->seq + 1;
			c->snd_una = s->ack;
			c->state = T_EST;
			conn_ack(c);
		}
		return;
	case T_SYN_RCVD:
		if (s->flags & TH_SYN) {	/* our SYN-ACK went missing */
			conn_send(c, TH_SYN | TH_ACK, c->iss, NULL, 0);
			return;
		}
		if (!(s->flags & TH_ACK) || s->ack != c->snd_nxt)
			return;
		c->state = T_EST;
		break;
	case T_EST:
		if (s->flags & TH_SYN) {	/* a repeated SYN-ACK: our ACK again */
			conn_ack(c);
			return;
		}
		break;
	case T_CLOSED:
		return;
	}
	if ((s->flags & TH_ACK) && seq_lt(c->snd_una, s->ack) && !seq_lt(c->snd_nxt, s->ack))
		c->snd_una = s->ack;
	conn_data(c, s);
}

/* ---- receiving --------------------------------------------------------- */

static struct {
	uint16_t id, seq;
	int seen;
} echo_reply;

/* harden mode: SYN-ACKs to one port, and anything answering a martian. */
static struct {
	int on;
	uint16_t synack_port;	/* our port the SYN-ACK is for */
	uint32_t synack_seq;
	int synack_seen;
	long replies;		/* frames from the guest answering a martian */
} hd;

#define MARTIAN_SPORT	0x4d00	/* source ports of the martian SYNs, UDP */
#define MARTIAN_ICMP_ID	0x6d61

/* A RST for a segment no connection here owns (RFC 793's reset rule). */
static void tcp_reset(const struct seg *in)
{
	uint8_t f[FRAME_MAX];
	struct seg s = { .src = in->dst, .dst = in->src, .sport = in->dport,
			 .dport = in->sport };

	if (in->flags & TH_ACK) {
		s.seq = in->ack;
		s.flags = TH_RST;
	} else {
		s.ack = in->seq + (uint32_t)in->len + !!(in->flags & TH_SYN) +
			!!(in->flags & TH_FIN);
		s.flags = TH_RST | TH_ACK;
	}
	send_frame(f, build_tcp(f, &s));
}

static void tcp_input(const uint8_t *ip, size_t hl, size_t tot)
{
	const uint8_t *t = ip + hl;
	struct seg s;
	size_t off;
	int i;

	if (tot < hl + 20)
		return;
	off = (t[12] >> 4) * 4;
	if (off < 20 || hl + off > tot)
		return;
	s = (struct seg){ .src = get32(ip + 12), .dst = get32(ip + 16),
			  .sport = get16(t), .dport = get16(t + 2), .seq = get32(t + 4),
			  .ack = get32(t + 8), .flags = t[13], .wnd = get16(t + 14),
			  .data = t + off, .len = tot - hl - off };
	if (hd.on && s.dport >= MARTIAN_SPORT && s.dport < MARTIAN_SPORT + 16)
		hd.replies++;
	if (hd.on && s.dport == hd.synack_port && (s.flags & (TH_SYN | TH_ACK)) ==
	    (TH_SYN | TH_ACK)) {
		hd.synack_seq = s.seq;
		hd.synack_seen = 1;	/* and the RST below takes it down */
	}
	for (i = 0; i < MAX_CONNS; i++) {
		struct conn *c = conns[i];

		if (c && s.dst == my_ip && c->lport == s.dport &&
		    (c->state == T_LISTEN || c->rport == s.sport)) {
			conn_input(c, &s);
			return;
		}
	}
	if (!(s.flags & TH_RST) && !tcp_quiet)
		tcp_reset(&s);
}

static void ip_input(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_LEN;
	size_t hl, tot;

	if (len < ETH_LEN + 20 || (ip[0] >> 4) != 4)
		return;
	hl = (ip[0] & 15) * 4;
	tot = get16(ip + 2);
	if (hl < 20 || tot < hl || ETH_LEN + tot > len || get32(ip + 12) != guest_ip)
		return;
	memcpy(guest_mac, f + 6, 6);
	guest_mac_known = 1;
	if (hd.on && (get32(ip + 16) != my_ip ||
		      (ip[9] == 1 && tot >= hl + 8 && ip[hl] == 0 &&
		       get16(ip + hl + 4) == MARTIAN_ICMP_ID)))
		hd.replies++;	/* to a martian source, or its echo answered */
	if (get16(ip + 6) & 0x3fff)
		return;		/* the guest's fragments: none of our business */
	if (ip[9] == 6)
		tcp_input(ip, hl, tot);
	if (ip[9] == 1 && tot >= hl + 8 && ip[hl] == 0 && get32(ip + 16) == my_ip) {
		if ((get16(ip + hl + 4) & 0xff00) == 0x6000)
			giant_replies++;
		echo_reply.id = get16(ip + hl + 4);
		echo_reply.seq = get16(ip + hl + 6);
		echo_reply.seen = 1;
	}
}

/* ARP from the guest: learn its MAC, answer for any address but its own. */
static void arp_input(const uint8_t *f, size_t len)
{
	const uint8_t *a = f + ETH_LEN;
	uint8_t r[64];
	uint32_t spa, tpa;

	if (len < ETH_LEN + 28 || get16(a) != 1 || get16(a + 2) != 0x0800 || a[4] != 6 ||
	    a[5] != 4)
		return;
	spa = get32(a + 14);
	tpa = get32(a + 24);
	if (spa != guest_ip)
		return;
	memcpy(guest_mac, a + 8, 6);
	guest_mac_known = 1;
	if (get16(a + 6) == 1 && tpa != guest_ip && tpa != 0)
		send_frame(r, build_arp(r, guest_mac, 2, tpa, guest_mac, guest_ip));
}

/* Wait up to MS milliseconds for one frame and act on it; 1 if one came. */
static int pump(int ms)
{
	static uint8_t f[65536];
	struct pollfd p = { .fd = wire_fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	n = recv(wire_fd, f, sizeof(f), 0);
	if (n < ETH_LEN)
		return n >= 0;
	frames_rx++;
	if (get16(f + 12) == 0x0806)
		arp_input(f, n);
	else if (get16(f + 12) == 0x0800)
		ip_input(f, n);
	return 1;
}

/* Pump frames for MS milliseconds, or until *DONE becomes non-zero. */
static void pump_for(int ms, const int *done)
{
	long long end = now_ms() + ms;

	while ((!done || !*done) && now_ms() < end)
		pump((int)(end - now_ms()));
}

/* The guest's MAC, asked for by ARP until DEADLINE; 0 once known. */
static int find_guest(long long deadline)
{
	uint8_t f[64];
	static const uint8_t zero[6];

	while (!guest_mac_known && now_ms() < deadline) {
		send_frame(f, build_arp(f, bcast, 1, my_ip, zero, guest_ip));
		pump_for(1000, &guest_mac_known);
	}
	return guest_mac_known ? 0 : -1;
}

/*
 * Connect C (lport, rport, wnd set) to the guest: a SYN every second, a new
 * one after a RST (the guest's listener may not be up yet), until DEADLINE.
 */
static int conn_connect(struct conn *c, long long deadline)
{
	long long end;

	if (find_guest(deadline))
		return -1;
	conn_add(c);
	while (now_ms() < deadline) {
		c->rst = 0;
		c->iss = rnd();
		c->snd_nxt = c->snd_una = c->iss + 1;
		c->state = T_SYN_SENT;
		conn_send(c, TH_SYN, c->iss, NULL, 0);
		for (end = now_ms() + 1000; c->state != T_EST && !c->rst && now_ms() < end;)
			pump(50);
		if (c->state == T_EST)
			return 0;
		if (c->rst)
			pump_for(300, NULL);
	}
	c->state = T_CLOSED;
	conn_del(c);
	return -1;
}

/* Send FIN, and wait until DEADLINE for its ACK (resent every second). */
static int conn_fin(struct conn *c, long long deadline)
{
	uint32_t fin_seq = c->snd_nxt;

	c->snd_nxt++;
	while (seq_lt(c->snd_una, c->snd_nxt) && !c->rst && now_ms() < deadline) {
		long long end = now_ms() + 1000;

		conn_send(c, TH_FIN | TH_ACK, fin_seq, NULL, 0);
		while (seq_lt(c->snd_una, c->snd_nxt) && !c->rst && now_ms() < end)
			pump(50);
	}
	return seq_lt(c->snd_una, c->snd_nxt) ? -1 : 0;
}

/* ---- window mode ------------------------------------------------------- */

/* The windows announced, each for ms (the last until the end). */
static const struct {
	int ms;
	uint16_t wnd;
} phases[] = { { 2000, 0 }, { 2000, 4 }, { 2000, 8 }, { 2000, 100 }, { 0, 65535 } };

#define NPHASES ((int)(sizeof(phases) / sizeof(phases[0])))

/* The handshake, window 0 in it: the guest connects, or we do. */
static int window_open(struct conn *c, int guest_server, long long deadline)
{
	if (guest_server) {
		c->lport = 40000 + rnd_below(20000);
		return conn_connect(c, deadline);
	}
	c->state = T_LISTEN;
	c->iss = rnd();
	c->snd_nxt = c->snd_una = c->iss + 1;
	conn_add(c);
	while (c->state != T_EST && now_ms() < deadline)
		pump(200);
	return c->state == T_EST ? 0 : -1;
}

static int window_mode(int argc, char **argv)
{
	static struct conn c = { .check_pattern = 1 };
	int guest_server = flag(argc, argv, "--guest-server");
	uint64_t bytes = strtoull(opt(argc, argv, "--bytes", "65536"), NULL, 0);
	long long wait = atoll(opt(argc, argv, "--wait", "300")) * 1000;
	long long limit = atoll(opt(argc, argv, "--timeout", "120")) * 1000;
	long long t0, tphase, deadline;
	int phase = 0;
	uint64_t got0 = 0;

	rng_state ^= (uint64_t)now_ms() << 1;
	c.rport = c.lport = (uint16_t)atoi(opt(argc, argv, "--port", "9"));
	if (window_open(&c, guest_server, now_ms() + wait)) {
		fprintf(stderr, "wirepeer: window: no connection with the guest in %lld s\n",
			wait / 1000);
		return 1;
	}
	t0 = tphase = now_ms();
	deadline = t0 + limit;
	printf("wirepeer: window: connected (%s), guest port %u, window 0\n",
	       guest_server ? "to the guest" : "by the guest", c.rport);
	while (!(c.got >= bytes && c.fin_rcvd) && !c.rst && now_ms() < deadline) {
		if (phase + 1 < NPHASES && now_ms() - tphase >= phases[phase].ms) {
			printf("wirepeer: window %u: %" PRIu64 " bytes\n", c.wnd, c.got - got0);
			got0 = c.got;
			phase++;
			tphase = now_ms();
			c.wnd = phases[phase].wnd;
			conn_ack(&c);	/* the window update */
		}
		pump(20);
	}
	if (!c.rst && c.fin_rcvd)
		conn_fin(&c, deadline);
	printf("wirepeer: window: %" PRIu64 " of %" PRIu64 " bytes in %lld ms, %" PRIu64
	       " differing, %" PRIu64 " beyond the window, %" PRIu64 " segments (largest %zu), %"
	       PRIu64 " zero-window probes, %" PRIu64 " out of order, %" PRIu64
	       " repeated; FIN %s%s\n",
	       c.got, bytes, now_ms() - t0, c.bad, c.beyond_wnd, c.segs, c.max_seg, c.probes,
	       c.ooo, c.dups, c.fin_rcvd ? "received" : "missing",
	       c.rst ? "; the guest reset the connection" : "");
	return !(c.got == bytes && c.fin_rcvd && !c.bad && !c.beyond_wnd && !c.rst &&
		 now_ms() < deadline);
}

/* ---- liveness: a ping and a TCP echo ----------------------------------- */

static int ping_guest(uint16_t id, uint16_t seq)
{
	uint8_t f[128], data[32];
	int try;

	memset(data, 'p', sizeof(data));
	for (try = 0; try < 5; try++) {
		long long end = now_ms() + 2000;

		echo_reply.seen = 0;
		send_frame(f, build_icmp(f, 8, id, seq, NULL, 0, data, sizeof(data)));
		while (now_ms() < end)
			if (pump(100) && echo_reply.seen && echo_reply.id == id &&
			    echo_reply.seq == seq)
				return 0;
	}
	return -1;
}

/*
 * One line over a fresh connection to the guest's echo server, back intact,
 * then a graceful close (ours first: the guest's end goes away for good,
 * no TIME_WAIT left there). 0 if all of that happened before DEADLINE.
 */
static int tcp_echo(uint16_t port, const char *line, long long deadline)
{
	struct conn c = { .rport = port, .wnd = 65535 };
	size_t len = strlen(line);
	int ok = -1;

	c.lport = 20000 + rnd_below(20000);
	if (conn_connect(&c, deadline))
		return -1;
	c.snd_nxt += len;
	while (c.echo_len < len && !c.rst && now_ms() < deadline) {
		long long end = now_ms() + 1000;

		if (seq_lt(c.snd_una, c.snd_nxt))	/* (re)send the line */
			conn_send(&c, TH_PSH | TH_ACK, c.snd_una, (const uint8_t *)line +
				  (len - (c.snd_nxt - c.snd_una)), c.snd_nxt - c.snd_una);
		while (c.echo_len < len && !c.rst && now_ms() < end)
			pump(50);
	}
	if (c.echo_len == len && !memcmp(c.echo, line, len) && !conn_fin(&c, deadline)) {
		while (!c.fin_rcvd && !c.rst && now_ms() < deadline)
			pump(50);
		ok = c.fin_rcvd ? 0 : -1;
	}
	conn_del(&c);
	return ok;
}

static int alive(uint16_t port, unsigned int n)
{
	char line[64];

	snprintf(line, sizeof(line), "wirepeer: alive %u\n", n);
	if (ping_guest(0x7770, (uint16_t)n)) {
		fprintf(stderr, "wirepeer: the guest does not answer pings\n");
		return -1;
	}
	if (tcp_echo(port, line, now_ms() + 15000)) {
		fprintf(stderr, "wirepeer: the guest's echo server does not answer\n");
		return -1;
	}
	return 0;
}

/* ---- fuzz mode --------------------------------------------------------- */

struct fuzz {
	struct conn victim;	/* a real connection to the echo server */
	uint16_t port;		/* the echo server's */
	long sent;		/* frames */
	const char *last[8];	/* the kinds of the last frames, for a report */
	unsigned int nlast;
	long reconnects;	/* of the victim connection */
	long syncs;		/* pings that pace the fuzz */
	long long live_ms;	/* spent in liveness checks */
};

/* Flip, overwrite or cut bytes of a frame: most of them still parse. */
static size_t mutate(uint8_t *f, size_t len)
{
	size_t at;

	switch (rnd_below(8)) {
	case 0:	/* flip a few bits anywhere past the Ethernet header */
	case 1:
		for (at = rnd_below(4) + 1; at > 0 && len > ETH_LEN; at--)
			f[ETH_LEN + rnd_below((uint32_t)(len - ETH_LEN))] ^= 1 << rnd_below(8);
		break;
	case 2:	/* cut it short */
		len = ETH_LEN + rnd_below((uint32_t)(len - ETH_LEN) + 1);
		break;
	case 3:	/* an IP total length that lies */
		if (len >= ETH_LEN + 4)
			put16(f + ETH_LEN + 2, rnd_below(4) ? (uint16_t)rnd_below(80) : (uint16_t)rnd());
		break;
	case 4:	/* an IP header length that lies, or another version */
		if (len > ETH_LEN)
			f[ETH_LEN] = rnd_below(2) ? (f[ETH_LEN] & 0xf0) | rnd_below(16) : rnd();
		break;
	case 5:	/* garbage appended after the datagram */
		at = rnd_below(64);
		if (len + at <= 1514) {
			rnd_fill(f + len, at);
			len += at;
		}
		break;
	case 6:	/* a random byte in the first 60 */
		if (len > ETH_LEN)
			f[ETH_LEN + rnd_below((uint32_t)(len - ETH_LEN < 46 ? len - ETH_LEN : 46))] = rnd();
		break;
	default:	/* a bad checksum: left as it is below */
		if (len > ETH_LEN + 11)
			f[ETH_LEN + 10 + rnd_below(2)] ^= 0x5a;
		return len;
	}
	if (rnd_below(4))	/* mostly valid checksums, to get past them */
		fix_csums(f, len);
	return len;
}

/* Send one fuzz frame of KIND, a third of them mutated. */
static void fz_send(struct fuzz *z, const char *kind, uint8_t *f, size_t len, int may_mutate)
{
	if (may_mutate && rnd_below(3) == 0)
		len = mutate(f, len);
	z->last[z->nlast++ % 8] = kind;
	send_frame(f, len);
	z->sent++;
}

static void gen_garbage(struct fuzz *z)
{
	static const uint16_t types[] = { 0x0800, 0x0806, 0x86dd, 0x8100, 0x88b5 };
	uint8_t f[FRAME_MAX];
	size_t len = rnd_below(20) ? ETH_LEN + rnd_below(1501) : ETH_LEN + rnd_below(FRAME_MAX - ETH_LEN);

	rnd_fill(f, len);
	eth_hdr(f, rnd_below(4) ? guest_mac : bcast, types[rnd_below(5)]);
	if (rnd_below(8) == 0)
		put16(f + 12, (uint16_t)rnd());
	fz_send(z, "garbage", f, len, 0);
}

static void gen_arp(struct fuzz *z)
{
	uint8_t f[128];
	size_t len;
	uint32_t spa = rnd_below(2) ? my_ip : (guest_ip & 0xffffff00) | rnd_below(256);

	len = build_arp(f, rnd_below(2) ? bcast : guest_mac, 1 + rnd_below(3), spa,
			guest_mac, rnd_below(8) ? guest_ip : rnd());
	fz_send(z, "arp", f, len, 1);
}

static void gen_icmp(struct fuzz *z)
{
	uint8_t f[1600], data[1472];
	size_t len = rnd_below(4) ? rnd_below(64) : rnd_below(sizeof(data) + 1);

	rnd_fill(data, len);
	fz_send(z, "icmp", f, build_icmp(f, rnd_below(3) ? 8 : (uint8_t)rnd_below(20),
					   (uint16_t)rnd(), (uint16_t)rnd(), NULL, 0, data, len), 1);
}

static void gen_udp(struct fuzz *z)
{
	uint8_t f[1600], data[1472];
	size_t len = rnd_below(sizeof(data) + 1);
	uint16_t dport = rnd_below(2) ? z->port : (uint16_t)rnd();

	rnd_fill(data, len);
	fz_send(z, "udp", f, build_udp(f, (uint16_t)rnd(), dport, data, len), 1);
}

/* IP options: well-formed ones, lying lengths, and noise. */
static void gen_ipopts(struct fuzz *z)
{
	uint8_t f[1600], opt[40], data[64];
	size_t optlen = 4 * (1 + rnd_below(10));

	rnd_fill(opt, optlen);
	switch (rnd_below(4)) {
	case 0:		/* record route */
		opt[0] = 7;
		opt[1] = (uint8_t)optlen - 1;
		opt[2] = 4;
		break;
	case 1:		/* timestamp, its length anything */
		opt[0] = 0x44;
		opt[1] = (uint8_t)rnd_below(optlen + 4);
		break;
	case 2:		/* router alert */
		opt[0] = 0x94;
		opt[1] = 4;
		opt[2] = 0;
		opt[3] = 0;
		break;
	default:	/* noise */
		break;
	}
	rnd_fill(data, sizeof(data));
	fz_send(z, "ipopts", f, build_icmp(f, 8, (uint16_t)rnd(), (uint16_t)rnd(), opt, optlen,
					     data, rnd_below(sizeof(data))), 1);
}

/* TCP options: valid kinds with lying lengths, zero lengths, noise. */
static size_t tcp_garbage_opts(uint8_t *opt)
{
	size_t len = 4 * rnd_below(11), i = 0;

	rnd_fill(opt, len);
	while (i + 1 < len && rnd_below(2)) {
		opt[i] = (uint8_t)rnd_below(9);		/* EOL NOP MSS WS SACKP SACK TS ... */
		opt[i + 1] = (uint8_t)rnd_below(12);	/* including 0 and 1 */
		i += 2 + rnd_below(4);
	}
	return len;
}

static uint8_t tcp_random_flags(void)
{
	static const uint8_t common[] = { TH_SYN, TH_ACK, TH_SYN | TH_ACK, TH_FIN | TH_ACK,
					  TH_RST, TH_RST | TH_ACK, TH_PSH | TH_ACK,
					  TH_SYN | TH_FIN, TH_SYN | TH_RST, 0, TH_URG | TH_ACK };

	return rnd_below(3) ? common[rnd_below(sizeof(common))] : (uint8_t)rnd();
}

/* TCP not belonging to any connection: SYNs to open and closed ports and more. */
static void gen_tcp_stray(struct fuzz *z)
{
	uint8_t f[1600], opt[40], data[1400];
	struct seg s = { .src = my_ip, .dst = guest_ip, .sport = (uint16_t)rnd(),
			 .dport = rnd_below(2) ? z->port : (uint16_t)rnd(), .seq = rnd(),
			 .ack = rnd(), .flags = tcp_random_flags(), .wnd = (uint16_t)rnd(),
			 .opt = opt, .data = data };

	s.optlen = tcp_garbage_opts(opt);
	s.len = rnd_below(2) ? 0 : rnd_below(sizeof(data));
	rnd_fill(data, s.len);
	fz_send(z, "tcp-stray", f, build_tcp(f, &s), 1);
}

/* A value near EXACT most of the time, anything some of the time. */
static uint32_t near(uint32_t exact)
{
	uint32_t r = rnd_below(6);

	if (r < 2)
		return exact;
	if (r == 2)
		return exact + rnd_below(3000);
	if (r == 3)
		return exact - rnd_below(3000);
	return r == 4 ? exact + (rnd() & 0x7fffffff) : rnd();
}

/* Segments on a connection the guest really has: seq/ack/window/flags. */
static void gen_victim(struct fuzz *z)
{
	struct conn *c = &z->victim;
	uint8_t f[1600], opt[40], data[1400];
	struct seg s = { .src = my_ip, .dst = guest_ip, .sport = c->lport, .dport = c->rport,
			 .seq = near(c->guest_ack), .ack = near(c->rcv_nxt), .opt = opt,
			 .data = data };

	if (c->state != T_EST)
		return;
	s.flags = rnd_below(2) ? TH_ACK | TH_PSH : tcp_random_flags();
	s.wnd = rnd_below(4) ? (uint16_t)rnd() : (uint16_t)rnd_below(8);
	s.optlen = rnd_below(4) ? 0 : tcp_garbage_opts(opt);
	s.len = rnd_below(3) ? rnd_below(64) : rnd_below(sizeof(data));
	rnd_fill(data, s.len);
	fz_send(z, "tcp-conn", f, build_tcp(f, &s), 1);
}

struct frag {
	size_t off, len;
};

/*
 * One datagram (ICMP echo or UDP, up to 4 KB) in fragments: in order,
 * shuffled, overlapping, tiny (8 bytes), one missing (reassembly must time
 * out and free it), or with offsets reaching past 64 KiB.
 */
static void gen_frags(struct fuzz *z)
{
	static uint8_t d[FRAME_MAX], f[FRAME_MAX], payload[4096];
	static struct frag fr[512];
	size_t plen = rnd_below(4000), total = 8 + plen, at = 0, n = 0, i, j;
	int style = (int)rnd_below(6);
	uint16_t id = ip_id++, fo;

	rnd_fill(payload, plen);	/* built whole, checksummed, then cut up */
	if (rnd_below(2))
		build_icmp(d, 8, (uint16_t)rnd(), 0, NULL, 0, payload, plen);
	else
		build_udp(d, (uint16_t)rnd(), (uint16_t)rnd(), payload, plen);
	while (at < total && n < sizeof(fr) / sizeof(fr[0])) {
		size_t len = style == 3 ? 8 : 8 * (1 + rnd_below(185));

		fr[n].off = at;
		fr[n++].len = len < total - at ? len : total - at;
		if (style == 2 && len >= 16 && rnd_below(2))
			len = len / 2 & ~(size_t)7;	/* the next one overlaps */
		at += len;
	}
	for (i = n; style == 1 && i > 1; i--) {	/* shuffled */
		struct frag t = fr[i - 1];

		j = rnd_below((uint32_t)i);
		fr[i - 1] = fr[j];
		fr[j] = t;
	}
	for (i = 0; i < n; i++) {
		if (style == 4 && i == n / 2)
			continue;
		memcpy(f, d, ETH_LEN + 20);
		memcpy(f + ETH_LEN + 20, d + ETH_LEN + 20 + fr[i].off, fr[i].len);
		fo = (uint16_t)(fr[i].off / 8) | (fr[i].off + fr[i].len < total ? 0x2000 : 0);
		if (style == 5)
			fo = (fo & 0x2000) | (uint16_t)(0x1f00 + rnd_below(0xff));
		put16(f + ETH_LEN + 2, (uint16_t)(20 + fr[i].len));
		put16(f + ETH_LEN + 4, id);
		put16(f + ETH_LEN + 6, fo);
		fix_csums(f, ETH_LEN + 20 + fr[i].len);
		fz_send(z, "fragment", f, ETH_LEN + 20 + fr[i].len, rnd_below(8) == 0);
	}
}

static void (*const generators[])(struct fuzz *) = {
	gen_garbage, gen_arp, gen_icmp, gen_udp, gen_ipopts, gen_tcp_stray, gen_tcp_stray,
	gen_victim, gen_victim, gen_victim, gen_frags,
};

/* The victim connection: (re)opened when the fuzz has killed it. */
static int fuzz_victim(struct fuzz *z)
{
	struct conn *c = &z->victim;

	if (c->state == T_EST && !c->rst && !c->fin_rcvd)
		return 0;
	conn_del(c);
	z->reconnects++;
	*c = (struct conn){ .rport = z->port, .wnd = 65535, .follow = 1,
			    .lport = (uint16_t)(10000 + rnd_below(10000)) };
	return conn_connect(c, now_ms() + 15000);
}

/* Abort the victim connection: the guest's rcv_nxt, as it last ACKed, in a RST. */
static void fuzz_victim_close(struct fuzz *z)
{
	struct conn *c = &z->victim;

	if (c->state == T_EST && !c->rst)
		conn_send(c, TH_RST, c->guest_ack, NULL, 0);
	conn_del(c);
}

static void fuzz_report(struct fuzz *z, uint64_t seed, long long ms)
{
	unsigned int i;

	fprintf(stderr, "wirepeer: fuzz failed after %ld frames (seed %" PRIu64
		", %lld ms); the last kinds sent:", z->sent, seed, ms);
	for (i = z->nlast > 8 ? z->nlast - 8 : 0; i < z->nlast; i++)
		fprintf(stderr, " %s", z->last[i % 8]);
	fprintf(stderr, "\n");
}

static int fuzz_mode(int argc, char **argv)
{
	static struct fuzz z;
	uint64_t seed = strtoull(opt(argc, argv, "--seed", "0"), NULL, 0);
	long frames = atol(opt(argc, argv, "--frames", "3000"));
	long every = atol(opt(argc, argv, "--live-every", "250"));
	long long wait = atoll(opt(argc, argv, "--wait", "300")) * 1000, t0, ms;
	long long limit = atoll(opt(argc, argv, "--timeout", "120")) * 1000;
	unsigned int checks = 0;
	long next_live;

	if (!seed)
		seed = (uint64_t)time(NULL);
	rng_state = seed * 2 + 1;
	z.port = (uint16_t)atoi(opt(argc, argv, "--port", "7"));
	printf("wirepeer: fuzz seed %" PRIu64 " frames %ld\n", seed, frames);
	fflush(stdout);
	/* the guest's echo server comes up when it comes up */
	t0 = now_ms();
	while (tcp_echo(z.port, "wirepeer: hello\n", t0 + wait) && now_ms() < t0 + wait)
		pump_for(1000, NULL);
	t0 = now_ms();
	if (alive(z.port, checks++)) {
		fuzz_report(&z, seed, 0);
		return 1;
	}
	next_live = every;
	while (z.sent < frames) {
		if (fuzz_victim(&z) || now_ms() - t0 > limit) {
			fuzz_report(&z, seed, now_ms() - t0);
			return 1;
		}
		if (z.sent >= next_live) {
			ms = now_ms();
			if (alive(z.port, checks++)) {
				fuzz_report(&z, seed, now_ms() - t0);
				return 1;
			}
			z.live_ms += now_ms() - ms;
			next_live += every;
		}
		generators[rnd_below(sizeof(generators) / sizeof(generators[0]))](&z);
		while (pump(0))
			;	/* what the guest answered, before the next frame */
		/*
		 * Pace the fuzz by the guest: a ping answered means the frames
		 * before it went through (the guest answers in order), so they
		 * are not lost in a socket buffer while QEMU lags behind.
		 */
		if (z.sent / 32 != z.syncs && !ping_guest(0x7771, (uint16_t)z.syncs))
			z.syncs = z.sent / 32;
		else if (z.sent / 32 != z.syncs) {
			fprintf(stderr, "wirepeer: the guest stopped answering pings\n");
			fuzz_report(&z, seed, now_ms() - t0);
			return 1;
		}
	}
	fuzz_victim_close(&z);
	if (alive(z.port, checks++) ||
	    tcp_echo(z.port, "wirepeer: done\n", now_ms() + 15000)) {
		fuzz_report(&z, seed, now_ms() - t0);
		return 1;
	}
	ms = now_ms() - t0;
	printf("wirepeer: fuzz seed %" PRIu64 ": %ld frames in %lld ms (%lld frames/s), %u "
	       "liveness checks passed (%lld ms in them), %ld pacing pings, %ld reconnections; %ld "
	       "frames sent, %ld received in all\n", seed, z.sent, ms, ms ? z.sent * 1000 / ms : 0,
	       checks, z.live_ms, z.syncs, z.reconnects, frames_tx, frames_rx);
	return 0;
}

/* ---- harden mode ------------------------------------------------------- */

/* The guest's ISN for a SYN from our port SPORT to its PORT; 0 if none came. */
static int harden_isn(uint16_t port, uint16_t sport, uint32_t *isn)
{
	uint8_t f[128];
	struct seg s = { .src = my_ip, .dst = guest_ip, .sport = sport, .dport = port,
			 .seq = rnd(), .flags = TH_SYN, .wnd = 65535 };
	int try;

	hd.synack_port = sport;
	hd.synack_seen = 0;
	for (try = 0; try < 3 && !hd.synack_seen; try++) {
		long long end = now_ms() + 2000;

		send_frame(f, build_tcp(f, &s));
		while (!hd.synack_seen && now_ms() < end)
			pump(50);
	}
	*isn = hd.synack_seq;
	return hd.synack_seen ? 0 : -1;
}

static int harden_isns(uint16_t port)
{
	uint32_t isn[16];
	int i, close_steps = 0;

	for (i = 0; i < 16; i++)
		if (harden_isn(port, (uint16_t)(31000 + 97 * i), &isn[i])) {
			fprintf(stderr, "wirepeer: harden: no SYN-ACK for SYN %d\n", i);
			return -1;
		}
	printf("wirepeer: harden: ISN %" PRIu32 ", then steps of", isn[0]);
	for (i = 1; i < 16; i++) {
		int32_t d = (int32_t)(isn[i] - isn[i - 1]);

		printf(" %+" PRId32, d);
		if (d < (1 << 24) && d > -(1 << 24))
			close_steps++;
	}
	printf("\nwirepeer: harden: %d of 15 successive ISNs within 2^24 of the last\n",
	       close_steps);
	return close_steps <= 2 ? 0 : -1;
}

/* A frame built from my_ip, its IPv4 source then replaced by SRC. */
static void send_from(uint8_t *f, size_t len, uint32_t src)
{
	put32(f + ETH_LEN + 12, src);
	fix_csums(f, len);
	send_frame(f, len);
}

static int harden_martians(uint16_t port)
{
	static const uint8_t data[8] = "martian";
	uint32_t lo = 0x7f000001, own = guest_ip, bcast_ip = guest_ip | 0xff;
	const uint32_t syn_src[] = { lo, own, 0, 0xe0000001, bcast_ip };
	uint8_t f[256];
	size_t i;

	for (i = 0; i < sizeof(syn_src) / sizeof(syn_src[0]); i++) {
		struct seg s = { .src = my_ip, .dst = guest_ip,
				 .sport = (uint16_t)(MARTIAN_SPORT + i), .dport = port,
				 .seq = rnd(), .flags = TH_SYN, .wnd = 65535 };

		send_from(f, build_tcp(f, &s), syn_src[i]);
	}
	send_from(f, build_udp(f, MARTIAN_SPORT + 8, port, data, sizeof(data)), lo);
	send_from(f, build_udp(f, MARTIAN_SPORT + 9, port, data, sizeof(data)), own);
	send_from(f, build_icmp(f, 8, MARTIAN_ICMP_ID, 1, NULL, 0, data, sizeof(data)), lo);
	send_from(f, build_icmp(f, 8, MARTIAN_ICMP_ID, 2, NULL, 0, data, sizeof(data)), own);
	send_from(f, build_icmp(f, 8, MARTIAN_ICMP_ID, 3, NULL, 0, data, sizeof(data)), 0);
	/* answered in order: once this ping is, the guest has dealt with them */
	if (ping_guest(0x7772, 1)) {
		fprintf(stderr, "wirepeer: harden: the guest does not answer pings\n");
		return -1;
	}
	pump_for(200, NULL);
	printf("wirepeer: harden: 10 martian packets sent, %ld answers\n", hd.replies);
	return hd.replies ? -1 : 0;
}

static int harden_mode(int argc, char **argv)
{
	uint16_t port = (uint16_t)atoi(opt(argc, argv, "--port", "7"));
	long long wait = atoll(opt(argc, argv, "--wait", "300")) * 1000, t0 = now_ms();
	int rc = 0;

	rng_state ^= (uint64_t)now_ms() << 1;
	while (tcp_echo(port, "wirepeer: hello\n", t0 + wait) && now_ms() < t0 + wait)
		pump_for(1000, NULL);
	if (now_ms() >= t0 + wait) {
		fprintf(stderr, "wirepeer: harden: no echo server in %lld s\n", wait / 1000);
		return 1;
	}
	hd.on = 1;
	if (harden_isns(port))
		rc = 1;
	hd.replies = 0;
	if (harden_martians(port))
		rc = 1;
	hd.on = 0;
	if (tcp_echo(port, "wirepeer: done\n", now_ms() + 15000)) {
		fprintf(stderr, "wirepeer: harden: the echo server did not take its last line\n");
		rc = 1;
	}
	return rc;
}

/* ---- giant mode -------------------------------------------------------- */

/*
 * One frame of LEN bytes (> 2048): an echo request (id 0x6001, seq SEQ) at
 * its start, padded, and a whole frame with another (id 0x6002) at 2048,
 * where the device's second buffer starts.
 */
static void giant_send(size_t len, uint16_t seq)
{
	static uint8_t f[FRAME_MAX];
	uint8_t data[32];

	memset(data, 'g', sizeof(data));
	memset(f, 0, sizeof(f));
	build_icmp(f, 8, 0x6001, seq, NULL, 0, data, sizeof(data));
	eth_hdr(f, guest_mac, 0x0800);
	build_icmp(f + 2048, 8, 0x6002, seq, NULL, 0, data, sizeof(data));
	eth_hdr(f + 2048, guest_mac, 0x0800);
	send_frame(f, len);
}

static int giant_mode(int argc, char **argv)
{
	static const size_t sizes[] = { 2100, 3000, 4000, 9000 };
	long long wait = atoll(opt(argc, argv, "--wait", "300")) * 1000;
	int count = atoi(opt(argc, argv, "--count", "8")), i;

	/*
	 * The guest goes on to the next step (its connection to the window
	 * step's peer) once it has counted the giants, maybe while this step
	 * still pings: its SYN must go unanswered here, not be refused, so
	 * that its retry reaches the next peer.
	 */
	tcp_quiet = 1;
	if (find_guest(now_ms() + wait) || ping_guest(0x7772, 0)) {
		fprintf(stderr, "wirepeer: giant: the guest does not answer\n");
		return 1;
	}
	for (i = 0; i < count; i++) {
		giant_send(sizes[i % 4], (uint16_t)i);
		pump_for(200, NULL);
	}
	if (ping_guest(0x7772, 1)) {
		fprintf(stderr, "wirepeer: giant: no ping answered after the giants\n");
		return 1;
	}
	pump_for(500, NULL);
	printf("wirepeer: giant: %d frames of 2100-9000 bytes sent, %ld of the requests inside them answered, pings answered before and after\n",
	       count, giant_replies);
	return giant_replies != 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	struct in_addr a;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (inet_pton(AF_INET, opt(argc, argv, "--guest-ip", "10.0.2.15"), &a) != 1) {
		fprintf(stderr, "wirepeer: bad --guest-ip\n");
		return 2;
	}
	guest_ip = ntohl(a.s_addr);
	my_ip = (guest_ip & 0xffffff00) | 100;
	/* a last resort against a stuck run: the wait for the guest, then the test */
	alarm(atoi(opt(argc, argv, "--wait", "300")) + atoi(opt(argc, argv, "--timeout", "120")) + 60);
	if (strcmp(mode, "window") && strcmp(mode, "fuzz") && strcmp(mode, "harden") &&
	    strcmp(mode, "giant")) {
		fprintf(stderr, "usage: wirepeer window --bind PORT --to PORT [--guest-server] "
			"[--port P] [--bytes N]\n"
			"       wirepeer fuzz --bind PORT --to PORT [--seed S] [--frames N] "
			"[--port P] [--live-every K]\n"
			"       wirepeer harden --bind PORT --to PORT [--port P]\n"
			"       wirepeer giant --bind PORT --to PORT [--count N]\n"
			"       common: [--guest-ip A] [--wait S] [--timeout S]\n");
		return 2;
	}
	if (wire_open(argc, argv))
		return 2;
	if (!strcmp(mode, "harden"))
		return harden_mode(argc, argv);
	if (!strcmp(mode, "giant"))
		return giant_mode(argc, argv);
	return !strcmp(mode, "window") ? window_mode(argc, argv) : fuzz_mode(argc, argv);
}
