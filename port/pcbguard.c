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
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>

#include "lwip/opt.h"
#include "lwip/api.h"
#include "lwip/tcp.h"
#include "lwipk/lwipk.h"

static lwipk_passive_open_fn lwipk_passive_open;	/* core lock */

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
	if (conn->pcb.tcp)
		tcp_ext_arg_set(conn->pcb.tcp, lwipk_sock_ext_id, NULL);
}
EXPORT_SYMBOL_NS_GPL(lwipk_pcb_unguard, LWIP);

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
