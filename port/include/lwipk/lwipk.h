/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What lwip.ko offers the other lwipk modules beyond lwIP's own API.
 *
 * Users: lwip_e1000.ko, lwip_sock.ko, lwip_selftest.ko. All symbols are in
 * the LWIP namespace: MODULE_IMPORT_NS(LWIP).
 */
#ifndef LWIPK_LWIPK_H
#define LWIPK_LWIPK_H

#include "lwip/sys.h"
#include "lwip/ip_addr.h"

struct tcp_pcb;
struct netif;
struct seq_file;
struct wait_queue_head;

/**
 * struct lwipk_netif_ops - what a netif's driver adds to lwIP's view of it.
 * @show: print driver counters for /proc/lwip/netifs (core lock held)
 */
struct lwipk_netif_ops {
	void (*show)(struct seq_file *m, struct netif *netif);
};

/**
 * lwipk_netif_set_ops() - attach driver ops to a netif (core lock held).
 * @netif: the netif
 * @ops: the ops, or NULL to detach
 */
void lwipk_netif_set_ops(struct netif *netif, const struct lwipk_netif_ops *ops);

/*
 * lwIP's capped heap (port/mem.c): its use and limit, and a wake-up for
 * those waiting for memory to be freed.
 *
 * Data written without NETCONN_COPY (netconn_write*(), tcp_write()) is
 * referenced by page (port/txref.c, lwIP patch 0013): each piece must lie
 * in one page (or compound page) of the direct map, e.g. a page fragment,
 * and must not be written again once handed over; lwIP then holds the page
 * for as long as it needs the data, and counts the bytes in this heap.
 */
long lwipk_mem_used(void);
unsigned long lwipk_mem_limit(void);
struct wait_queue_head *lwipk_mem_wait_queue(void);
void lwipk_mem_want(long level);

/*
 * Careful: lwIP's tcp_abort, tcp_close, tcp_connect, tcp_poll, tcp_shutdown
 * and udp_disconnect share their names with Linux exports. Another module
 * calling them gets Linux's function; use the netconn API or the lwipk_
 * wrappers below.
 */

/**
 * lwipk_tcp_abort() - lwIP's tcp_abort(): send RST and free the PCB.
 * @pcb: the PCB; the caller holds the tcpip core lock
 */
void lwipk_tcp_abort(struct tcp_pcb *pcb);

/**
 * lwipk_loopif_tcp_mss() - let a connection over lo0 send 65,000-byte
 *	segments, as Linux's lo does, when mem_limit allows (core lock held).
 * @pcb: the PCB of a connection that is up
 */
void lwipk_loopif_tcp_mss(struct tcp_pcb *pcb);

/**
 * struct lwipk_deferred - work a driver hands to the next unlock of the
 *	tcpip core lock, e.g. one TX doorbell for all the frames lwIP queued
 *	while it held the lock.
 * @fn: called with the core lock still held, once per lwipk_defer()
 * @next: the port's list
 * @queued: on the list
 */
struct lwipk_deferred {
	void (*fn)(struct lwipk_deferred *d);
	struct lwipk_deferred *next;
	bool queued;
};

/**
 * lwipk_defer() - run @d->fn when the current holder lets go of the core
 *	lock (once, however often deferred until then).
 * @d: the work; the caller holds the core lock
 */
void lwipk_defer(struct lwipk_deferred *d);

/**
 * lwipk_tw_watch() - see that TIME_WAIT stays within lwip.ko's tw_max:
 *	called when a connection may have entered TIME_WAIT (a socket closed).
 *
 * Context: the tcpip core lock is held.
 */
void lwipk_tw_watch(void);

/*
 * The index into every tcp_pcb's ext_args reserved for sockets, allocated
 * once when lwip.ko loads (lwIP never hands an index back). A guarded PCB
 * (port/pcbguard.c) holds its netconn there; a connection lwIP made for a
 * listener holds what the passive open hook put there until accept().
 */
extern u8 lwipk_sock_ext_id;

/*
 * The index into every tcp_pcb's ext_args holding a socket's TCP_MAXSEG
 * (a u16 cast to a pointer, 0 for none): the MSS option of the PCB's SYN
 * or SYN-ACK announces no more (lwipk_tcp_out_hook() in port/proc.c).
 */
extern u8 lwipk_mss_ext_id;

struct netconn;

/*
 * A socket layer's hook for a SYN reaching a guarded listener @listener:
 * may shape the new connection @child before its SYN-ACK goes out.
 */
typedef err_t (*lwipk_passive_open_fn)(struct netconn *listener,
				       struct tcp_pcb *child);

void lwipk_pcb_guard(struct netconn *conn);
void lwipk_pcb_unguard(struct netconn *conn);
err_t lwipk_netconn_delete(struct netconn *conn);
bool lwipk_pcb_listed(const struct tcp_pcb *pcb);
unsigned long lwipk_pcb_stale_count(void);
void lwipk_pcb_set_passive_open(lwipk_passive_open_fn fn);

/* bind to a random free port of lwIP's ephemeral range (port/harden.c) */
err_t lwipk_netconn_bind_random(struct netconn *conn, const ip_addr_t *ip);

/**
 * lwipk_thread_join() - wait for a thread from sys_thread_new() to return.
 * @thread: the thread; freed on return.
 */
void lwipk_thread_join(sys_thread_t thread);

#endif /* LWIPK_LWIPK_H */
