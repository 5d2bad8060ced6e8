// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/lwip: a read-only view of the stack, for root only.
 *
 *   netifs  name, MAC, addresses, flags, MTU and packet counters per netif
 *   mem     the capped heap, lwIP's pools and the sys objects in use
 *   tcp     the TCP PCBs with their states (at most proc_tcp_max of them),
 *           and a count per state
 *   stats   lwIP's protocol counters, and the martian packets dropped
 *   core    who holds the tcpip core lock (read without taking it)
 *
 * Everything is read under the tcpip core lock, so a snapshot is consistent.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/moduleparam.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/export.h>
#include <asm/unaligned.h>

/* <linux/timex.h> has a TIME_WAIT of its own; lwIP's enum needs the name. */
#undef TIME_WAIT

#include "lwip/opt.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lwip/memp.h"
#include "lwip/tcpip.h"
#include "lwip/ip_addr.h"
#include "lwip/priv/tcp_priv.h"
#include "lwipk/lwipk.h"
#include "lwipk_port.h"

static struct proc_dir_entry *lwipk_proc_dir;
static u8 lwipk_ops_id;		/* netif client data slot for lwipk_netif_ops */

void lwipk_netif_set_ops(struct netif *netif, const struct lwipk_netif_ops *ops)
{
	netif_set_client_data(netif, lwipk_ops_id, (void *)ops);
}
EXPORT_SYMBOL_NS_GPL(lwipk_netif_set_ops, LWIP);

static void lwipk_show_addr(struct seq_file *m, const char *label,
			    const ip4_addr_t *addr)
{
	seq_printf(m, " %s %pI4", label, &addr->addr);
}

static int lwipk_netifs_show(struct seq_file *m, void *v)
{
	const struct lwipk_netif_ops *ops;
	struct netif *netif;

	LOCK_TCPIP_CORE();
	NETIF_FOREACH(netif) {
		const struct stats_mib2_netif_ctrs *c = &netif->mib2_counters;

		seq_printf(m, "%c%c%u mac %pM", netif->name[0], netif->name[1],
			   netif->num, netif->hwaddr);
		lwipk_show_addr(m, "addr", netif_ip4_addr(netif));
		lwipk_show_addr(m, "mask", netif_ip4_netmask(netif));
		lwipk_show_addr(m, "gw", netif_ip4_gw(netif));
		seq_printf(m, " mtu %u %s link %s%s\n", netif->mtu,
			   netif_is_up(netif) ? "up" : "down",
			   netif_is_link_up(netif) ? "up" : "down",
			   netif == netif_default ? " default" : "");
		seq_printf(m, "  rx bytes %u ucast %u nucast %u discards %u errors %u\n",
			   c->ifinoctets, c->ifinucastpkts, c->ifinnucastpkts,
			   c->ifindiscards, c->ifinerrors);
		seq_printf(m, "  tx bytes %u ucast %u nucast %u discards %u errors %u\n",
			   c->ifoutoctets, c->ifoutucastpkts, c->ifoutnucastpkts,
			   c->ifoutdiscards, c->ifouterrors);
		ops = netif_get_client_data(netif, lwipk_ops_id);
		if (ops && ops->show)
			ops->show(m, netif);
	}
	UNLOCK_TCPIP_CORE();
	return 0;
}

static int lwipk_core_proc_show(struct seq_file *m, void *v)
{
	lwipk_core_show(m);
	return 0;
}

static int lwipk_mem_proc_show(struct seq_file *m, void *v)
{
	int i;

	lwipk_mem_show(m);
	lwipk_sys_show(m);
	LOCK_TCPIP_CORE();
	seq_puts(m, "pool                 used      max      err\n");
	for (i = 0; i < MEMP_MAX; i++) {
		const struct stats_mem *s = lwip_stats.memp[i];

		seq_printf(m, "%-16s %8u %8u %8u\n", s->name ? s->name : "?",
			   (unsigned int)s->used, (unsigned int)s->max,
			   (unsigned int)s->err);
	}
	UNLOCK_TCPIP_CORE();
	return 0;
}

static const char *const lwipk_tcp_states[] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED",
	"FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK",
	"TIME_WAIT",
};

/*
 * /proc/lwip/tcp lists at most this many PCBs (then "... N more"), so that
 * a reader holds the core lock for a bounded time whatever the number of
 * connections; the counts per state still cover every PCB.
 */
static unsigned int lwipk_proc_tcp_max = 1024;
module_param_named(proc_tcp_max, lwipk_proc_tcp_max, uint, 0644);
MODULE_PARM_DESC(proc_tcp_max,
		 "Most TCP PCBs /proc/lwip/tcp lists one by one (default 1024)");

/* The most PCBs counted per list, if lwIP's memory allows more. */
#define LWIPK_PROC_TCP_WALK	BIT(20)

struct lwipk_tcp_walk {
	unsigned int count[ARRAY_SIZE(lwipk_tcp_states)];
	unsigned int shown, max, more;
	bool cut;		/* a list longer than LWIPK_PROC_TCP_WALK */
};

static bool lwipk_tcp_show_one(struct lwipk_tcp_walk *w)
{
	if (w->shown < w->max) {
		w->shown++;
		return true;
	}
	w->more++;
	return false;
}

static void lwipk_tcp_list(struct seq_file *m, struct tcp_pcb *pcb,
			   struct lwipk_tcp_walk *w)
{
	unsigned int n = 0;

	for (; pcb; pcb = pcb->next) {
		unsigned int st = pcb->state;

		if (++n > LWIPK_PROC_TCP_WALK) {
			w->cut = true;
			return;
		}
		if (WARN_ON_ONCE(st >= ARRAY_SIZE(lwipk_tcp_states)))
			continue;
		w->count[st]++;
		if (lwipk_tcp_show_one(w))
			seq_printf(m, "%pI4:%u %pI4:%u %s\n",
				   &ip_2_ip4(&pcb->local_ip)->addr, pcb->local_port,
				   &ip_2_ip4(&pcb->remote_ip)->addr, pcb->remote_port,
				   lwipk_tcp_states[st]);
	}
}

/* Retransmission timeouts since lwip.ko loaded; core lock held to write. */
static unsigned long lwipk_tcp_rtos;

/* A SYN's MSS option announces no more than the socket's TCP_MAXSEG. */
static void lwipk_tcp_syn_mss(struct tcp_hdr *h, const struct tcp_pcb *pcb)
{
	u16 mss = (uintptr_t)pcb->ext_args[lwipk_mss_ext_id].data;
	const u8 *b = (const u8 *)h;	/* byte 12: data offset, 13: flags */
	u8 *opt = (u8 *)(h + 1);

	/* lwIP writes the MSS option first, when it writes one */
	if (!mss || !(b[13] & TCP_SYN) || (b[12] >> 4) < 6 ||
	    opt[0] != LWIP_TCP_OPT_MSS || opt[1] != LWIP_TCP_OPT_LEN_MSS)
		return;
	if (get_unaligned_be16(opt + 2) > mss)
		put_unaligned_be16(mss, opt + 2);
}

/**
 * lwipk_tcp_out_hook() - LWIP_HOOK_TCP_OUT_ADD_TCPOPTS, for every TCP
 *	segment lwIP sends, before its checksum: counts retransmission
 *	timeouts, and lowers a SYN's MSS option to the socket's TCP_MAXSEG.
 *	After a timeout, tcp_slowtmr() has marked the PCB TF_RTO, raised
 *	nrtx (a new ACK sets it back to 0) and restarted the timer, and
 *	resends from lastack.
 * @tcphdr: the segment's TCP header
 * @pcb: its PCB, or NULL (a reset without one)
 * @opts: where options go; returned unchanged, we add none
 *
 * Context: the tcpip core lock is held.
 * Return: @opts.
 */
void *lwipk_tcp_out_hook(void *tcphdr, const struct tcp_pcb *pcb, void *opts)
{
	struct tcp_hdr *h = tcphdr;

	if (!pcb)
		return opts;
	if ((pcb->flags & TF_RTO) && pcb->nrtx && !pcb->rtime &&
	    be32_to_cpu((__force __be32)h->seqno) == pcb->lastack)
		lwipk_tcp_rtos++;
	lwipk_tcp_syn_mss(h, pcb);
	return opts;
}

static int lwipk_tcp_show(struct seq_file *m, void *v)
{
	struct lwipk_tcp_walk w = { .max = READ_ONCE(lwipk_proc_tcp_max) };
	struct tcp_pcb_listen *l;
	unsigned int i, n = 0;
	unsigned long rtos;

	LOCK_TCPIP_CORE();
	for (l = tcp_listen_pcbs.listen_pcbs; l; l = l->next) {
		if (++n > LWIPK_PROC_TCP_WALK) {
			w.cut = true;
			break;
		}
		w.count[LISTEN]++;
		if (lwipk_tcp_show_one(&w))
			seq_printf(m, "%pI4:%u 0.0.0.0:0 LISTEN\n",
				   &ip_2_ip4(&l->local_ip)->addr, l->local_port);
	}
	lwipk_tcp_list(m, tcp_bound_pcbs, &w);
	lwipk_tcp_list(m, tcp_active_pcbs, &w);
	lwipk_tcp_list(m, tcp_tw_pcbs, &w);
	rtos = lwipk_tcp_rtos;
	UNLOCK_TCPIP_CORE();
	if (w.more)
		seq_printf(m, "... %u more\n", w.more);
	if (w.cut)
		seq_printf(m, "counted the first %lu PCBs of a list only\n",
			   LWIPK_PROC_TCP_WALK);
	seq_puts(m, "total:");
	for (i = 0; i < ARRAY_SIZE(w.count); i++)
		seq_printf(m, " %s %u", lwipk_tcp_states[i], w.count[i]);
	seq_printf(m, "\nretransmission timeouts: %lu\n", rtos);
	lwipk_tw_show(m);
	seq_printf(m, "stale guards: %lu\n", lwipk_pcb_stale_count());
	return 0;
}

static void lwipk_proto_show(struct seq_file *m, const char *name,
			     const struct stats_proto *p)
{
	seq_printf(m, "%-7s xmit %u recv %u fw %u drop %u chkerr %u lenerr %u memerr %u rterr %u proterr %u opterr %u err %u cachehit %u\n",
		   name, p->xmit, p->recv, p->fw, p->drop, p->chkerr, p->lenerr,
		   p->memerr, p->rterr, p->proterr, p->opterr, p->err,
		   p->cachehit);
}

static int lwipk_stats_show(struct seq_file *m, void *v)
{
	struct stats_ s;

	LOCK_TCPIP_CORE();
	s = lwip_stats;
	UNLOCK_TCPIP_CORE();
	lwipk_proto_show(m, "link", &s.link);
	lwipk_proto_show(m, "etharp", &s.etharp);
	lwipk_proto_show(m, "ipfrag", &s.ip_frag);
	lwipk_proto_show(m, "ip", &s.ip);
	lwipk_proto_show(m, "icmp", &s.icmp);
	lwipk_proto_show(m, "udp", &s.udp);
	lwipk_proto_show(m, "tcp", &s.tcp);
	lwipk_martian_show(m);
	return 0;
}

/**
 * lwipk_proc_init() - create /proc/lwip and its files.
 *
 * Return: 0, or -ENOMEM.
 */
int lwipk_proc_init(void)
{
	LOCK_TCPIP_CORE();
	lwipk_ops_id = netif_alloc_client_data_id();
	UNLOCK_TCPIP_CORE();
	/* root's only: addresses and ports of every connection, as ss -p is */
	lwipk_proc_dir = proc_mkdir_mode("lwip", 0500, NULL);
	if (!lwipk_proc_dir)
		return -ENOMEM;
	if (!proc_create_single("netifs", 0400, lwipk_proc_dir, lwipk_netifs_show) ||
	    !proc_create_single("mem", 0400, lwipk_proc_dir, lwipk_mem_proc_show) ||
	    !proc_create_single("tcp", 0400, lwipk_proc_dir, lwipk_tcp_show) ||
	    !proc_create_single("stats", 0400, lwipk_proc_dir, lwipk_stats_show) ||
	    !proc_create_single("core", 0400, lwipk_proc_dir, lwipk_core_proc_show)) {
		proc_remove(lwipk_proc_dir);
		return -ENOMEM;
	}
	return 0;
}

/**
 * lwipk_proc_exit() - remove /proc/lwip; waits for readers to finish.
 */
void lwipk_proc_exit(void)
{
	proc_remove(lwipk_proc_dir);
}
