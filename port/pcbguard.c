// SPDX-License-Identifier: GPL-2.0
/*
 * The TCP PCB of a socket's netconn, guarded against lwIP freeing it
 * behind the netconn's back.
 *
 * lwIP tells a netconn when it frees the PCB on an error (err_tcp() clears
 * conn->pcb.tcp), but not when it frees a PCB that reached TIME_WAIT while
 * the netconn still held it: a socket that shut its sending side down and
 * then received the peer's FIN. The 2 MSL timer, tcp_kill_timewait(),
 * tcp_abort() and our tw_max trim all free such a PCB silently, and the
 * socket's next getsockname(), ioctl() or close() used freed memory (seen
 * as "Poison overwritten" in kmalloc-512, and as a close() that shut an
 * unrelated connection which had got the same memory).
 *
 * tcp_free() calls the destroy callback of a PCB's ext args on every path,
 * so every PCB a socket owns carries its netconn in lwipk_sock_ext_id and
 * lwipk_pcb_destroyed() detaches the two. The callbacks live here, in the
 * module that owns the PCBs: a PCB outliving its socket (FIN_WAIT,
 * TIME_WAIT) must never point into a module that may be unloaded first.
 *
 * lwipk_pcb_unguard() clears the netconn from every PCB lwIP has, not only
 * from conn->pcb.tcp: the destroy callback is not told which PCB it is for,
 * and a netconn that lost sight of a PCB still guarded by it would be
 * called from freed memory when lwIP frees that PCB later (a general
 * protection fault in tcp_input() -> tcp_free(), once under the syscall
 * fuzzer, path not found). Such PCBs are counted (/proc/lwip/tcp).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>

#include "lwip/opt.h"
#include "lwip/api.h"
#include "lwip/tcp.h"
/* uapi/linux/timex.h names a leap second TIME_WAIT; lwIP names a TCP state */
#undef TIME_WAIT
#include "lwip/priv/tcp_priv.h"
#include "lwipk/lwipk.h"
#include "lwipk_port.h"

static lwipk_passive_open_fn lwipk_passive_open;	/* core lock */
static unsigned long lwipk_pcb_stale;	/* written under the core lock */

/* tcp_free() of a guarded PCB: the netconn no longer has it (core lock). */
static void lwipk_pcb_destroyed(u8_t id, void *data)
{
	struct netconn *conn = data;

	if (!conn)
		return;
	conn->pcb.tcp = NULL;
	/* waiters look again and find the connection gone */
	if (conn->callback)
		conn->callback(conn, NETCONN_EVT_RCVPLUS, 0);
}

/* A SYN on a guarded listener, before the SYN-ACK goes out (core lock). */
static err_t lwipk_pcb_passive_open(u8_t id, struct tcp_pcb_listen *lpcb,
				    struct tcp_pcb *cpcb)
{
	struct netconn *conn = tcp_ext_arg_get((struct tcp_pcb *)lpcb, id);

	if (!conn || !lwipk_passive_open)
		return ERR_OK;
	return lwipk_passive_open(conn, cpcb);
}

static const struct tcp_ext_arg_callbacks lwipk_pcb_guard_callbacks = {
	.destroy	= lwipk_pcb_destroyed,
	.passive_open	= lwipk_pcb_passive_open,
};

/**
 * lwipk_pcb_guard() - have @conn's TCP PCB detach from @conn when lwIP
 *	frees it, whatever the path. A listener's guard passes on to its
 *	listen PCB. Connections lwIP makes for a listener are not guarded
 *	until lwipk_pcb_guard() is called on them (their ext arg is free for
 *	the passive open hook until then).
 * @conn: a TCP netconn with a PCB
 *
 * Context: the tcpip core lock is held.
 */
void lwipk_pcb_guard(struct netconn *conn)
{
	struct tcp_pcb *pcb = conn->pcb.tcp;

	if (WARN_ON_ONCE(!pcb))
		return;
	tcp_ext_arg_set_callbacks(pcb, lwipk_sock_ext_id,
				  &lwipk_pcb_guard_callbacks);
	tcp_ext_arg_set(pcb, lwipk_sock_ext_id, conn);
}
EXPORT_SYMBOL_NS_GPL(lwipk_pcb_guard, LWIP);

/**
 * lwipk_pcb_unguard() - let @conn's PCB (if it still has one) live on
 *	without it: called before the netconn is deleted.
 * @conn: a TCP netconn
 *
 * Context: the tcpip core lock is held.
 */
void lwipk_pcb_unguard(struct netconn *conn)
{
	struct tcp_pcb *const *lists[] = {
		&tcp_bound_pcbs, &tcp_listen_pcbs.pcbs, &tcp_active_pcbs,
		&tcp_tw_pcbs,
	};
	struct tcp_pcb *pcb;
	unsigned int i;

	if (conn->pcb.tcp)
		tcp_ext_arg_set(conn->pcb.tcp, lwipk_sock_ext_id, NULL);
	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		for (pcb = *lists[i]; pcb; pcb = pcb->next) {
			if (tcp_ext_arg_get(pcb, lwipk_sock_ext_id) != conn)
				continue;
			tcp_ext_arg_set(pcb, lwipk_sock_ext_id, NULL);
			WRITE_ONCE(lwipk_pcb_stale, lwipk_pcb_stale + 1);
		}
	}
}
EXPORT_SYMBOL_NS_GPL(lwipk_pcb_unguard, LWIP);

/**
 * lwipk_pcb_stale_count() - how many PCBs lwipk_pcb_unguard() found still
 *	guarded by a netconn that no longer had them (should stay 0).
 *
 * Return: the count since lwip.ko was loaded.
 */
unsigned long lwipk_pcb_stale_count(void)
{
	return READ_ONCE(lwipk_pcb_stale);
}
EXPORT_SYMBOL_NS_GPL(lwipk_pcb_stale_count, LWIP);

/**
 * lwipk_pcb_set_passive_open() - the socket layer's hook for SYNs that
 *	reach a guarded listener.
 * @fn: the hook, or NULL to remove it
 *
 * Context: the tcpip core lock is held.
 */
void lwipk_pcb_set_passive_open(lwipk_passive_open_fn fn)
{
	lwipk_passive_open = fn;
}
EXPORT_SYMBOL_NS_GPL(lwipk_pcb_set_passive_open, LWIP);
