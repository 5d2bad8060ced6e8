// SPDX-License-Identifier: GPL-2.0
/*
 * The loopback netif, 127.0.0.1/8, "lo0".
 *
 * lwIP's own loopback interface (LWIP_HAVE_LOOPIF) queues packets and has
 * the tcpip thread drain the queue in one loop, holding the core lock until
 * it is empty. Two connections whose windows are both closed, each probing
 * the other, answer every ACK with an ACK (the probe byte moved snd_nxt
 * past the peer's zero window); over that loop they do so for ever, and the
 * readers that would open the windows never get the core lock. Here every
 * looped packet is a message of its own to the tcpip thread, which lets go
 * of the core lock between messages: readers get in, and the storm ends.
 * Packets to a netif's own address take lo0 too (the route hook below).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "lwip/opt.h"
#include "lwip/netif.h"
#include "lwip/ip.h"
#include "lwip/pbuf.h"
#include "lwip/snmp.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"
#include "lwipk_port.h"

static struct netif lwipk_lo;

static err_t lwipk_lo_output(struct netif *netif, struct pbuf *p,
			     const ip4_addr_t *addr)
{
	struct pbuf *q = pbuf_clone(PBUF_RAW, PBUF_RAM, p);

	if (!q) {
		LINK_STATS_INC(link.memerr);
		MIB2_STATS_NETIF_INC(netif, ifoutdiscards);
		return ERR_MEM;
	}
	LINK_STATS_INC(link.xmit);
	MIB2_STATS_NETIF_ADD(netif, ifoutoctets, q->tot_len);
	MIB2_STATS_NETIF_INC(netif, ifoutucastpkts);
	if (tcpip_inpkt(q, netif, ip_input) != ERR_OK) {
		pbuf_free(q);
		LINK_STATS_INC(link.drop);
		MIB2_STATS_NETIF_INC(netif, ifoutdiscards);
		return ERR_MEM;
	}
	LINK_STATS_INC(link.recv);
	MIB2_STATS_NETIF_ADD(netif, ifinoctets, q->tot_len);
	MIB2_STATS_NETIF_INC(netif, ifinucastpkts);
	return ERR_OK;
}

static err_t lwipk_lo_init(struct netif *netif)
{
	netif->name[0] = 'l';
	netif->name[1] = 'o';
	netif->output = lwipk_lo_output;
	netif->mtu = 0;		/* no limit: TCP uses its largest segments */
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
