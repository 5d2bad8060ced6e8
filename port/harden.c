// SPDX-License-Identifier: GPL-2.0
/*
 * What lwIP leaves predictable or lets in, made as Linux has it, from
 * lwIP's hooks (its sources stay as upstream ships them):
 *
 *   - TCP initial sequence numbers: lwIP's default adds its tick counter to
 *     a global, so the next ISN is easy to guess. LWIP_HOOK_TCP_ISN gives
 *     RFC 6528's: a keyed SipHash of the 4-tuple plus a clock, as Linux's
 *     secure_tcp_seq() does.
 *   - ephemeral ports: lwIP takes the next free port after the last one it
 *     gave (only the first is random). lwipk_netconn_bind_random() binds a
 *     random free one; lwip_sock calls it where lwIP would pick.
 *   - martian sources: LWIP_HOOK_IP4_INPUT drops packets from the wire
 *     that claim to come from loopback, from the receiving netif's own
 *     address, from 0.0.0.0 (but DHCP) or from a multicast or broadcast
 *     address, before lwIP looks at them, and counts them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/ktime.h>
#include <linux/seq_file.h>
#include <linux/atomic.h>

/* <linux/timex.h> has a TIME_WAIT of its own; lwIP's enum needs the name. */
#undef TIME_WAIT

#include "lwip/opt.h"
#include "lwip/api.h"
#include "lwip/ip.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/udp.h"
#include "lwip/prot/iana.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwipk/lwipk.h"
#include "lwipk_port.h"

static siphash_key_t lwipk_isn_key __read_mostly;

/**
 * lwipk_harden_init() - draw the ISN key; before lwIP starts.
 */
void lwipk_harden_init(void)
{
	get_random_bytes(&lwipk_isn_key, sizeof(lwipk_isn_key));
}

/**
 * lwipk_tcp_isn() - LWIP_HOOK_TCP_ISN: RFC 6528's initial sequence number,
 *	as Linux's secure_tcp_seq(): a keyed hash of the connection's
 *	addresses and ports, plus the time in 64 ns units.
 * @local_ip: our address
 * @local_port: our port (host order)
 * @remote_ip: the peer's address
 * @remote_port: the peer's port (host order)
 *
 * Context: core lock held (tcp_connect(), tcp_listen_input()).
 * Return: the ISN.
 */
u32 lwipk_tcp_isn(const struct ip4_addr *local_ip, u16 local_port,
		  const struct ip4_addr *remote_ip, u16 remote_port)
{
	u32 hash = siphash_3u32(local_ip->addr, remote_ip->addr,
				(u32)local_port << 16 | remote_port,
				&lwipk_isn_key);

	return hash + (u32)(ktime_get_ns() >> 6);
}

/* ---- random ephemeral ports -------------------------------------------- */

/* lwIP's own range for the ports it picks (tcp.c, udp.c): 49152-65535 */
#define LWIPK_PORT_FIRST	0xc000
#define LWIPK_PORT_COUNT	0x4000
#define LWIPK_PORT_TRIES	64

/*
 * A port is taken when a PCB has it as its own, or as its peer's: over
 * loopback the other end of a connection is a PCB here too, and lwIP's
 * TIME_WAIT answers a SYN for its 4-tuple with an ACK, not a new
 * connection, so a connect from a port the server side still holds in
 * TIME_WAIT would retry its SYN until it timed out. (lwIP's own choice,
 * counting up, comes back to a port only after 16384 others.)
 */
static bool lwipk_tcp_port_used(u16 port)
{
	struct tcp_pcb_listen *l;
	struct tcp_pcb *pcb;
	int i;

	for (l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
		if (l->local_port == port)
			return true;
	/* tcp_pcb_lists[0] is the listen list, walked above */
	for (i = 1; i < NUM_TCP_PCB_LISTS; i++)
		for (pcb = *tcp_pcb_lists[i]; pcb; pcb = pcb->next)
			if (pcb->local_port == port || pcb->remote_port == port)
				return true;
	return false;
}

static bool lwipk_udp_port_used(u16 port)
{
	struct udp_pcb *pcb;

	for (pcb = udp_pcbs; pcb; pcb = pcb->next)
		if (pcb->local_port == port)
			return true;
	return false;
}

/**
 * lwipk_netconn_bind_random() - bind a TCP or UDP netconn to @ip and a
 *	random port no PCB of its protocol has, where lwIP's own choice
 *	(port 0) would be the port after the last one it gave out.
 * @conn: the netconn; one with a port already is left as it is
 * @ip: the local address (IP_ADDR_ANY for any)
 *
 * After %LWIPK_PORT_TRIES random ports all taken, lwIP picks (it scans for
 * a free one, and fails only when there is none).
 *
 * Context: process; takes the core lock.
 * Return: what tcp_bind()/udp_bind() return; ERR_VAL for another kind of
 * netconn or one without a PCB.
 */
err_t lwipk_netconn_bind_random(struct netconn *conn, const ip_addr_t *ip)
{
	enum netconn_type type = NETCONNTYPE_GROUP(netconn_type(conn));
	err_t e = ERR_VAL;
	int i;

	LOCK_TCPIP_CORE();
	if (!conn->pcb.tcp || (type != NETCONN_TCP && type != NETCONN_UDP))
		goto out_unlock;
	e = ERR_OK;
	/*
	 * Bound already (by a connect that failed at once): binding again
	 * would put a TCP PCB on tcp_bound_pcbs twice.
	 */
	if (type == NETCONN_TCP ? conn->pcb.tcp->local_port : conn->pcb.udp->local_port)
		goto out_unlock;
	for (i = 0; i < LWIPK_PORT_TRIES; i++) {
		u16 port = LWIPK_PORT_FIRST + get_random_u32_below(LWIPK_PORT_COUNT);

		if (type == NETCONN_TCP ? lwipk_tcp_port_used(port) :
		    lwipk_udp_port_used(port))
			continue;
		e = type == NETCONN_TCP ? tcp_bind(conn->pcb.tcp, ip, port) :
		    udp_bind(conn->pcb.udp, ip, port);
		if (e != ERR_USE)
			goto out_unlock;
	}
	e = type == NETCONN_TCP ? tcp_bind(conn->pcb.tcp, ip, 0) :
	    udp_bind(conn->pcb.udp, ip, 0);
out_unlock:
	UNLOCK_TCPIP_CORE();
	return e;
}
EXPORT_SYMBOL_NS_GPL(lwipk_netconn_bind_random, LWIP);

/* ---- martian sources --------------------------------------------------- */

enum lwipk_martian {
	LWIPK_MARTIAN_LOOPBACK,		/* 127.0.0.0/8 */
	LWIPK_MARTIAN_OWN,		/* the receiving netif's own address */
	LWIPK_MARTIAN_ZERO,		/* 0.0.0.0, but DHCP */
	LWIPK_MARTIAN_MCAST,		/* multicast or broadcast */
	LWIPK_MARTIAN_KINDS
};

static const char *const lwipk_martian_names[LWIPK_MARTIAN_KINDS] = {
	"loopback", "own", "zero", "mcast",
};

static atomic_long_t lwipk_martians[LWIPK_MARTIAN_KINDS];

/* UDP to a DHCP port: 0.0.0.0 is a client's source before it has one. */
static bool lwipk_is_dhcp(const struct pbuf *p, const struct ip_hdr *iph)
{
	const struct udp_hdr *uh;
	u16 hlen = IPH_HL_BYTES(iph);

	if (IPH_PROTO(iph) != IP_PROTO_UDP || p->len < hlen + UDP_HLEN)
		return false;
	uh = (const struct udp_hdr *)((const u8 *)iph + hlen);
	return uh->dest == PP_HTONS(LWIP_IANA_PORT_DHCP_SERVER) ||
	       uh->dest == PP_HTONS(LWIP_IANA_PORT_DHCP_CLIENT);
}

static int lwipk_martian_kind(const struct pbuf *p, const struct netif *inp)
{
	const struct ip_hdr *iph = p->payload;
	ip4_addr_t src;

	ip4_addr_copy(src, iph->src);
	if (ip4_addr_isloopback(&src))
		return LWIPK_MARTIAN_LOOPBACK;
	if (ip4_addr_isany_val(src))
		return lwipk_is_dhcp(p, iph) ? -1 : LWIPK_MARTIAN_ZERO;
	if (ip4_addr_eq(&src, netif_ip4_addr(inp)))
		return LWIPK_MARTIAN_OWN;
	if (ip4_addr_ismulticast(&src) || ip4_addr_isbroadcast(&src, inp))
		return LWIPK_MARTIAN_MCAST;
	return -1;
}

/**
 * lwipk_ip4_input_hook() - LWIP_HOOK_IP4_INPUT: drop (and count) an IPv4
 *	packet from the wire whose source no host on it can have.
 * @p: the packet, its IP header first (version 4, checked by lwIP)
 * @inp: the netif it arrived on; lo0's packets are ours and pass
 *
 * Context: core lock held (ip4_input()).
 * Return: 1 when the packet was freed here, 0 to let lwIP go on.
 */
int lwipk_ip4_input_hook(struct pbuf *p, struct netif *inp)
{
	int kind;

	if (lwipk_loopif_is(inp) || p->len < IP_HLEN)
		return 0;	/* short: lwIP drops it as such */
	kind = lwipk_martian_kind(p, inp);
	if (kind < 0)
		return 0;
	atomic_long_inc(&lwipk_martians[kind]);
	MIB2_STATS_INC(mib2.ipinaddrerrors);
	MIB2_STATS_INC(mib2.ipindiscards);
	pbuf_free(p);
	return 1;
}

/**
 * lwipk_martian_show() - the martian line of /proc/lwip/stats.
 * @m: the seq_file
 */
void lwipk_martian_show(struct seq_file *m)
{
	long n[LWIPK_MARTIAN_KINDS], total = 0;
	int i;

	for (i = 0; i < LWIPK_MARTIAN_KINDS; i++) {
		n[i] = atomic_long_read(&lwipk_martians[i]);
		total += n[i];
	}
	seq_printf(m, "martian drop %ld", total);
	for (i = 0; i < LWIPK_MARTIAN_KINDS; i++)
		seq_printf(m, " %s %ld", lwipk_martian_names[i], n[i]);
	seq_putc(m, '\n');
}
