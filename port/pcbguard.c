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
 * A socket's netconn goes with lwipk_netconn_delete(): the guard stays on
 * until lwIP has detached the PCB from the netconn, then comes off every
 * PCB that still names the netconn, and only then is the netconn freed.
 * Taking the guard off first and deleting after, as before, left a window
 * with the core lock free: a TIME_WAIT PCB freed in it (its 2 MSL, the
 * tw_max trim, or lwIP reclaiming TIME_WAITs for a new connection) left
 * conn->pcb.tcp pointing to freed memory, which netconn_delete() then
 * closed, whatever PCB that memory had become. (A general protection fault
 * in tcp_input() -> tcp_free(), the destroy callback calling a freed
 * netconn, seen once under the syscall fuzzer, led here.) The destroy
 * callback is not told which PCB it is for, so the guard comes off by a
 * walk of lwIP's TCP PCB lists; more than the one detached PCB naming the
 * netconn is counted (/proc/lwip/tcp: stale guards).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>

#include "lwip/opt.h"
#include "lwip/api.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "lwip/priv/api_msg.h"	/* netconn_free() */
/* uapi/linux/timex.h names a leap second TIME_WAIT; lwIP names a TCP state */
#undef TIME_WAIT
#include "lwip/priv/tcp_priv.h"
#include "lwipk/lwipk.h"

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

/* Every TCP PCB lwIP has is on one of these lists (core lock). */
static struct tcp_pcb **const lwipk_tcp_lists[] = {
	&tcp_bound_pcbs, &tcp_listen_pcbs.pcbs, &tcp_active_pcbs, &tcp_tw_pcbs,
};

/* Take @conn off every PCB on lwIP's lists; how many named it (core lock). */
static unsigned int lwipk_pcb_unguard_lists(struct netconn *conn)
{
	struct tcp_pcb *pcb;
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(lwipk_tcp_lists); i++) {
		for (pcb = *lwipk_tcp_lists[i]; pcb; pcb = pcb->next) {
			if (tcp_ext_arg_get(pcb, lwipk_sock_ext_id) != conn)
				continue;
			tcp_ext_arg_set(pcb, lwipk_sock_ext_id, NULL);
			n++;
		}
	}
	return n;
}

/**
 * lwipk_pcb_unguard() - let @conn's PCB (if it still has one) live on
 *	without it, and any other PCB that still names @conn (counted as
 *	stale). lwipk_netconn_delete() does this itself.
 * @conn: a TCP netconn
 *
 * Context: the tcpip core lock is held.
 */
void lwipk_pcb_unguard(struct netconn *conn)
{
	unsigned int n;

	if (conn->pcb.tcp)
		tcp_ext_arg_set(conn->pcb.tcp, lwipk_sock_ext_id, NULL);
	n = lwipk_pcb_unguard_lists(conn);
	if (n)
		WRITE_ONCE(lwipk_pcb_stale, lwipk_pcb_stale + n);
}
EXPORT_SYMBOL_NS_GPL(lwipk_pcb_unguard, LWIP);

/**
 * lwipk_netconn_delete() - netconn_delete() of a TCP netconn a socket
 *	guarded: lwIP detaches the PCB (closing it) with the guard still on,
 *	then the guard comes off every PCB, then the netconn is freed.
 * @conn: a TCP netconn, guarded or not, or NULL
 *
 * Context: process context, the core lock not held.
 * Return: ERR_OK, or netconn_delete()'s error (the netconn then stays).
 */
err_t lwipk_netconn_delete(struct netconn *conn)
{
	unsigned int n;
	err_t err;

	if (!conn)
		return ERR_OK;
	err = netconn_prepare_delete(conn);
	if (err != ERR_OK)
		return err;
	LOCK_TCPIP_CORE();
	n = lwipk_pcb_unguard_lists(conn);	/* the PCB lwIP detached, if alive */
	if (n > 1)
		WRITE_ONCE(lwipk_pcb_stale, lwipk_pcb_stale + n - 1);
	UNLOCK_TCPIP_CORE();
	netconn_free(conn);
	return ERR_OK;
}
EXPORT_SYMBOL_NS_GPL(lwipk_netconn_delete, LWIP);

/**
 * lwipk_pcb_listed() - whether @pcb is on one of lwIP's TCP PCB lists,
 *	that is not freed (for the self tests).
 * @pcb: a TCP PCB, or freed memory that was one
 *
 * Context: the tcpip core lock is held.
 * Return: true if lwIP has it.
 */
bool lwipk_pcb_listed(const struct tcp_pcb *pcb)
{
	const struct tcp_pcb *p;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lwipk_tcp_lists); i++)
		for (p = *lwipk_tcp_lists[i]; p; p = p->next)
			if (p == pcb)
				return true;
	return false;
}
EXPORT_SYMBOL_NS_GPL(lwipk_pcb_listed, LWIP);

/**
 * lwipk_pcb_stale_count() - how many PCBs lwipk_pcb_unguard() found
 *	guarded by a netconn besides conn->pcb.tcp, more than the one PCB a
 *	netconn delete detaches (should stay 0).
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
