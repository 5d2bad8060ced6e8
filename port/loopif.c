// SPDX-License-Identifier: GPL-2.0
/*
 * The loopback netif, 127.0.0.1/8, "lo0".
 *
 * lwIP's own loopback interface (LWIP_HAVE_LOOPIF) queues packets and has
 * the tcpip thread drain the queue in one loop, holding the core lock until
 * it is empty. Two connections whose windows are both closed, each probing
 * the other, answer every ACK with an ACK (the probe byte moved snd_nxt
 * past the peer's zero window); over that loop they do so for ever, and the
 * readers that would open the windows never get the core lock. Here looped
 * packets are queued (under the core lock) and delivered LWIPK_LO_BATCH at a
 * time by one posted callback, which re-posts itself while packets remain;
 * the tcpip thread lets go of the core lock between batches, so readers get
 * in, and the storm ends.
 * Before that, every thread that lets go of the core lock delivers one batch
 * itself (lwipk_lo_unlock_drain()), as Linux's loopback runs its softirq when
 * the sender enables bottom halves again: a connection over 127.0.0.1 then
 * mostly runs in its own threads, without a hand-off to the tcpip thread for
 * every packet.
 * Packets to a netif's own address take lo0 too (the route hook below).
 *
 * Looping a packet copies it, as lwIP's loopif does: tcp_input() turns the
 * TCP header it receives to host order in place, and the sender still has
 * that header in its unacked queue. The payload of a TCP segment is not
 * written again once sent, so it is not copied: the looped packet is a
 * copy of the headers chained to references into the sender's segment,
 * one per pbuf of it (with lwip_sock.ko's sends, pages of the sending
 * socket, txref.c: the data is copied once on each side, as on Linux's lo).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "lwip/opt.h"
#include "lwip/netif.h"
#include "lwip/ip.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/tcp.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/snmp.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"
#include "lwip/priv/tcpip_priv.h"
#include "lwipk_port.h"
#include "lwipk/lwipk.h"

#define LWIPK_LO_BATCH	32	/* packets per hold of the core lock */

/* A looped TCP payload: a reference into the sender's segment. */
struct lwipk_lo_ref {
	struct pbuf_custom pc;
	struct pbuf *seg;	/* the sender's pbuf, referenced */
};

static struct netif lwipk_lo;
/*
 * The queue, under the core lock: packets (pbuf chains) linked from the
 * last pbuf of one to the first of the next, as lwIP's loopif does; a
 * packet's last pbuf is the one whose tot_len is its own len.
 */
static struct pbuf *lwipk_lo_first, *lwipk_lo_last;
static bool lwipk_lo_scheduled;				/* a drain is posted */
static struct tcpip_msg lwipk_lo_msg;

static void lwipk_lo_drain(void *arg);

/* Post the drain callback to the tcpip thread (core lock held). */
static void lwipk_lo_schedule(void)
{
	struct tcpip_callback_msg *msg = (struct tcpip_callback_msg *)&lwipk_lo_msg;

	lwipk_lo_msg.type = TCPIP_MSG_CALLBACK_STATIC;
	lwipk_lo_msg.msg.cb.function = lwipk_lo_drain;
	lwipk_lo_scheduled = tcpip_callbackmsg_trycallback(msg) == ERR_OK;
}

/* Take the first packet off the queue (core lock held, queue not empty). */
static struct pbuf *lwipk_lo_dequeue(void)
{
	struct pbuf *p = lwipk_lo_first, *end = p;

	while (end->tot_len != end->len)
		end = end->next;
	lwipk_lo_first = end->next;
	if (!lwipk_lo_first)
		lwipk_lo_last = NULL;
	end->next = NULL;
	return p;
}

/* Deliver up to LWIPK_LO_BATCH queued packets (core lock held). */
static void lwipk_lo_deliver(void)
{
	int n;

	for (n = 0; n < LWIPK_LO_BATCH && lwipk_lo_first; n++) {
		/* off the queue before ip_input() queues more */
		struct pbuf *p = lwipk_lo_dequeue();

		LINK_STATS_INC(link.recv);
		MIB2_STATS_NETIF_ADD(&lwipk_lo, ifinoctets, p->tot_len);
		MIB2_STATS_NETIF_INC(&lwipk_lo, ifinucastpkts);
		if (ip_input(p, &lwipk_lo) != ERR_OK)
			pbuf_free(p);
	}
}

/* In the tcpip thread: deliver a batch, then come back for the rest. */
static void lwipk_lo_drain(void *arg)
{
	lwipk_lo_deliver();
	if (lwipk_lo_first)
		lwipk_lo_schedule();
	else
		lwipk_lo_scheduled = false;
}

/**
 * lwipk_lo_unlock_drain() - deliver one batch of looped packets in the
 *	thread that is about to let go of the core lock; what is left stays
 *	for the drain posted to the tcpip thread.
 *
 * Context: core lock held, lwIP between calls (UNLOCK_TCPIP_CORE()).
 */
void lwipk_lo_unlock_drain(void)
{
	const struct ip_hdr *iph;

	if (!lwipk_lo_first)
		return;
	/*
	 * TCP only: it is clocked by round trips, which the hand-off to the
	 * tcpip thread lengthens. A UDP sender is better off leaving the
	 * delivery to the tcpip thread, which does it on another CPU meanwhile.
	 */
	iph = lwipk_lo_first->payload;
	if (IPH_PROTO(iph) == IP_PROTO_TCP)
		lwipk_lo_deliver();
}

/**
 * lwipk_loopif_purge() - free the packets lo0 has not delivered (module
 *	exit, core lock held).
 */
void lwipk_loopif_purge(void)
{
	while (lwipk_lo_first)
		pbuf_free(lwipk_lo_dequeue());
}

static void lwipk_lo_ref_free(struct pbuf *p)
{
	struct lwipk_lo_ref *r = container_of(p, struct lwipk_lo_ref, pc.pbuf);

	pbuf_free(r->seg);
	mem_free(r);
}

/* A pbuf for @len bytes at @data in @q, holding a reference on @q. */
static struct pbuf *lwipk_lo_ref(struct pbuf *q, void *data, u16_t len)
{
	struct lwipk_lo_ref *r = mem_malloc(sizeof(*r));
	struct pbuf *d;

	if (!r)
		return NULL;
	r->pc.custom_free_function = lwipk_lo_ref_free;
	d = pbuf_alloced_custom(PBUF_RAW, len, PBUF_REF, &r->pc, data, len);
	if (!d) {
		mem_free(r);
		return NULL;
	}
	r->seg = q;
	pbuf_ref(q);
	return d;
}

/*
 * The copy of a TCP segment with data to loop: its headers (all in its
 * first pbuf, as tcp_output() builds them) copied, its payload referenced,
 * pbuf by pbuf (data tcp_write() copied, or a sender's pages, txref.c).
 * NULL for anything else, or short of memory: the caller copies it whole.
 */
static struct pbuf *lwipk_lo_tcp_ref(struct pbuf *p)
{
	const struct ip_hdr *iph = p->payload;
	u16_t hlen, off, len = p->len;
	struct pbuf *h, *d, *q;

	if (len < IP_HLEN || IPH_PROTO(iph) != IP_PROTO_TCP)
		return NULL;
	hlen = IPH_HL_BYTES(iph);
	if (len < hlen + TCP_HLEN)
		return NULL;
	/* the TCP header's length: its data offset, byte 12's high nibble */
	hlen += (((const u8_t *)iph)[hlen + 12] >> 4) * 4;
	if (len < hlen || p->tot_len == hlen)
		return NULL;	/* no payload: copying is cheaper */
	h = pbuf_alloc(PBUF_RAW, hlen, PBUF_RAM);
	if (!h)
		return NULL;
	memcpy(h->payload, iph, hlen);
	for (q = p, off = hlen; q; q = q->next, off = 0) {
		if (q->len == off)
			continue;
		d = lwipk_lo_ref(q, (u8_t *)q->payload + off, q->len - off);
		if (!d) {
			pbuf_free(h);
			return NULL;
		}
		pbuf_cat(h, d);
	}
	return h;
}

static err_t lwipk_lo_output(struct netif *netif, struct pbuf *p,
			     const ip4_addr_t *addr)
{
	struct pbuf *q = lwipk_lo_tcp_ref(p) ?: pbuf_clone(PBUF_RAW, PBUF_RAM, p);

	if (!q) {
		LINK_STATS_INC(link.memerr);
		MIB2_STATS_NETIF_INC(netif, ifoutdiscards);
		return ERR_MEM;
	}
	LINK_STATS_INC(link.xmit);
	MIB2_STATS_NETIF_ADD(netif, ifoutoctets, q->tot_len);
	MIB2_STATS_NETIF_INC(netif, ifoutucastpkts);
	if (lwipk_lo_last)
		lwipk_lo_last->next = q;
	else
		lwipk_lo_first = q;
	for (lwipk_lo_last = q; lwipk_lo_last->next; lwipk_lo_last = lwipk_lo_last->next)
		;	/* the new packet's last pbuf */
	if (!lwipk_lo_scheduled)
		lwipk_lo_schedule();
	return ERR_OK;
}

static err_t lwipk_lo_init(struct netif *netif)
{
	netif->name[0] = 'l';
	netif->name[1] = 'o';
	netif->output = lwipk_lo_output;
	netif->mtu = 0;		/* no limit: TCP uses its largest segments */
	/*
	 * TCP over lo0 is not checksummed, as on Linux's lo (which marks
	 * its segments CHECKSUM_PARTIAL and never sums them): nothing
	 * between the two ends can corrupt a segment, and summing 65,000
	 * bytes twice, inside the core lock, cost more than the copies.
	 * (A TCP packet a raw socket sends to 127.0.0.1 is not checked
	 * either; Linux checks those.)
	 */
	NETIF_SET_CHECKSUM_CTRL(netif, NETIF_CHECKSUM_ENABLE_ALL &
				~(NETIF_CHECKSUM_GEN_TCP |
				  NETIF_CHECKSUM_CHECK_TCP));
	return ERR_OK;
}

/**
 * lwipk_route_src_hook() - LWIP_HOOK_IP4_ROUTE_SRC: send packets for one of
 * our own addresses through lo0 instead of out of the netif that has it.
 * @src: the source address (unused)
 * @dest: the destination
 *
 * Context: core lock held.
 * Return: lo0, or NULL for lwIP's ordinary routing.
 */
struct netif *lwipk_route_src_hook(const ip4_addr_t *src, const ip4_addr_t *dest)
{
	struct netif *netif;

	NETIF_FOREACH(netif) {
		if (netif != &lwipk_lo && netif_is_up(netif) &&
		    ip4_addr_eq(dest, netif_ip4_addr(netif)))
			return &lwipk_lo;
	}
	return NULL;
}

/**
 * lwipk_loopif_is() - whether @netif is lo0.
 * @netif: a netif
 *
 * Return: true for lo0.
 */
bool lwipk_loopif_is(const struct netif *netif)
{
	return netif == &lwipk_lo;
}

/*
 * The segment size of a TCP connection over lo0. Both of its ends are this
 * lwIP, which takes segments of any size its window allows, so the
 * compile-time cap (TCP_MSS, held down by lwIP's u16 arithmetic on it)
 * need not hold here: Linux's lo (MTU 64 KiB) sends 65483-byte segments.
 * A segment of ours stays, with its headers and port/mem.c's, within one
 * 64 KiB allocation (order 4). Under a small mem_limit such segments would
 * take a large share of lwIP's heap each (half of it at 128 KiB, where
 * mempress's blocking senders then stalled for 30 s): only with a heap of
 * at least LWIPK_LO_MSS_HEAP segments.
 */
#define LWIPK_LO_MSS		65000
#define LWIPK_LO_MSS_HEAP	64

/**
 * lwipk_loopif_tcp_mss() - let a connection over lo0 send segments of up
 *	to LWIPK_LO_MSS bytes.
 * @pcb: the PCB of a connection that is up
 *
 * Each end raises its own sending size, if the other's MSS option asked
 * for no less than TCP_MSS (lwIP announces at most that; a socket's
 * TCP_MAXSEG announces less, and is obeyed) and lwIP's heap limit holds
 * LWIPK_LO_MSS_HEAP segments of the new size. The size only grows
 * (tcp_write() depends on that), and TCP_MAXSEG may lower it again.
 *
 * Context: core lock held.
 */
void lwipk_loopif_tcp_mss(struct tcp_pcb *pcb)
{
	LWIP_ASSERT_CORE_LOCKED();
	if (pcb->mss != TCP_MSS ||
	    (pcb->state != ESTABLISHED && pcb->state != CLOSE_WAIT))
		return;
	if (lwipk_mem_limit() < LWIPK_LO_MSS_HEAP * LWIPK_LO_MSS ||
	    ip_route(&pcb->local_ip, &pcb->remote_ip) != &lwipk_lo)
		return;
	pcb->mss = LWIPK_LO_MSS;
	/*
	 * And lwIP's initial window (4 segments) for that size: the one set
	 * at the handshake, 4 x TCP_MSS, does not hold one segment of the
	 * new size, and tcp_output() would send nothing, ever.
	 */
	pcb->cwnd = max_t(tcpwnd_size_t, pcb->cwnd, 4 * LWIPK_LO_MSS);
}

/**
 * lwipk_loopif_add() - bring up lo0 at 127.0.0.1/8 (core lock held).
 *
 * Return: 0, or -ENOMEM.
 */
int lwipk_loopif_add(void)
{
	ip4_addr_t addr, mask, gw;

	IP4_ADDR(&addr, 127, 0, 0, 1);
	IP4_ADDR(&mask, 255, 0, 0, 0);
	IP4_ADDR(&gw, 127, 0, 0, 1);
	if (!netif_add(&lwipk_lo, &addr, &mask, &gw, NULL, lwipk_lo_init, ip_input))
		return -ENOMEM;
	netif_set_link_up(&lwipk_lo);
	netif_set_up(&lwipk_lo);
	return 0;
}
