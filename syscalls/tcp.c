// SPDX-License-Identifier: GPL-2.0
/*
 * SOCK_STREAM sockets of the lwip family: TCP on a netconn. Every netconn
 * call is non-blocking; sockets sleep on their Linux wait queue.
 */
#define pr_fmt(fmt) "lwip_sock: " fmt

#include <linux/sched/signal.h>
#include <linux/mm.h>
#include <linux/uio.h>
#include <net/sock.h>

/* uapi/linux/timex.h names a leap second TIME_WAIT; lwIP names a TCP state */
#undef TIME_WAIT
#include "lwip/tcpip.h"
#include "lwip/tcp.h"
#include "lwipk/lwipk.h"
#include "lwip_sock.h"

/* Largest piece of user data copied into the kernel at once. */
#define LWIP_TCP_CHUNK	(64 * 1024)

/*
 * A send copies the user's data into the socket's page fragment
 * (sk->sk_frag, as Linux's TCP does), outside the core lock. On a
 * connection whose segments are larger than TCP_MSS (over lo0: 65,000
 * bytes), pieces of at least LWIP_TCP_REF_MIN bytes lwIP then references
 * there (port/txref.c: tcp_write() without NETCONN_COPY); smaller ones,
 * lean writes under memory pressure and every send over the NIC it copies
 * into its own segments, where TCP_OVERSIZE gathers small writes into one
 * pbuf. With the NIC's 1,460-byte segments a reference cost more than the
 * copy it saved (a header pbuf and a reference, two allocations, per
 * segment instead of one): tap bulk out 0.54 of Linux's against 0.62.
 */
#define LWIP_TCP_REF_MIN	2048

/* Largest listen() backlog: lwIP's is a u8 and counts one more. */
#define LWIP_TCP_BACKLOG_MAX	(U8_MAX - 1)

/*
 * Linux's tcp_min_snd_mss: the smallest segment a peer can make us send.
 * lwIP takes any MSS option, and tcp_write() sizes new segments by half
 * the largest window the peer ever announced, or by the full MSS while
 * that is still 0. A peer announcing window 0 and then a tiny window (4)
 * shrank that size below segments queued already, and tcp_write() failed
 * its assertions ("mss_local is too small", "inconsistent oversize vs.
 * space"): a WARN any peer could trigger. See lwip_tcp_clamp_snd().
 */
#define LWIP_TCP_MIN_SND_MSS	48

enum lwip_connect_state {
	LWIP_CONNECT_FAILED,
	LWIP_CONNECT_PENDING,
	LWIP_CONNECT_DONE,
};

/* Queue @p, taken from the netconn, behind the data not yet read. */
static void lwip_tcp_rx_queue(struct lwip_sock *ls, struct pbuf *p)
{
	struct pbuf *last = ls->rx_n ? ls->rx_q[ls->rx_n - 1] : NULL;

	ls->rx_bytes += p->tot_len;
	ls->rx_total += p->tot_len;
	if (last && last->tot_len + p->tot_len <= U16_MAX)
		pbuf_cat(last, p);
	else
		ls->rx_q[ls->rx_n++] = p;
}

/**
 * lwip_tcp_fill() - take all the netconn received, without blocking:
 *	data, then the end of the stream or an error. The peer's FIN is
 *	thus seen even while data before it waits to be read.
 * @ls: the socket, locked
 *
 * lwIP's receive window opens only as data is read (lwip_tcp_recvmsg()
 * calls netconn_tcp_recvd()), so what is taken stays within TCP_WND.
 *
 * Return: 1 when something was taken, else 0.
 */
int lwip_tcp_fill(struct lwip_sock *ls)
{
	struct sock *sk = &ls->sk;
	int taken = 0;
	err_t e;

	if (ls->rx_eof || !ls->connected)
		return 0;
	while (ls->rx_n < LWIP_SOCK_RX_CHAINS) {
		struct pbuf *p = NULL;

		e = netconn_recv_tcp_pbuf_flags(ls->conn, &p, NETCONN_DONTBLOCK |
						NETCONN_NOAUTORCVD);
		if (e == ERR_WOULDBLOCK)
			break;
		taken = 1;
		if (e == ERR_OK && p) {
			lwip_tcp_rx_queue(ls, p);
			continue;
		}
		if (e != ERR_OK && e != ERR_CLSD) {
			/* reset or aborted: Linux's tcp_done() shuts both ways */
			if (!sk->sk_err && !READ_ONCE(ls->err_reported))
				WRITE_ONCE(sk->sk_err, -lwip_sock_errno(e));
			sk->sk_shutdown = SHUTDOWN_MASK;
		}
		WRITE_ONCE(ls->rx_eof, true);
		break;
	}
	return taken;
}

/**
 * lwip_tcp_rx_purge() - drop the data taken from the netconn and not
 *	read. The window stays closed over it: closing the netconn then
 *	resets the connection, as Linux does for unread data.
 * @ls: the socket, locked
 */
void lwip_tcp_rx_purge(struct lwip_sock *ls)
{
	while (ls->rx_n)
		pbuf_free(ls->rx_q[--ls->rx_n]);
	ls->rx_bytes = 0;
}

/*
 * The part of a connection's largest window @max (TCP_WND, or 64 KiB - 1
 * with a peer that does not scale windows) that SO_RCVBUF keeps closed:
 * the window is half of sk_rcvbuf (the half Linux keeps for payload), but
 * no less than lwIP's largest MSS, below which lwIP's receiver-side silly
 * window avoidance would never announce it open again.
 */
static u32 lwip_tcp_rcvbuf_closed(struct lwip_sock *ls, u32 max)
{
	u32 wnd;

	if (!(ls->sk.sk_userlocks & SOCK_RCVBUF_LOCK))
		return 0;
	wnd = clamp_t(u32, READ_ONCE(ls->sk.sk_rcvbuf) / 2, TCP_MSS, max);
	return max - wnd;
}

/*
 * What SO_SNDBUF lets the connection have queued (unsent and unacked):
 * half of sk_sndbuf, the half Linux keeps for payload, or lwIP's whole
 * TCP_SND_BUF while the user set none.
 */
static u32 lwip_tcp_sndbuf_cap(struct lwip_sock *ls)
{
	if (!(ls->sk.sk_userlocks & SOCK_SNDBUF_LOCK))
		return TCP_SND_BUF;
	return min_t(u32, READ_ONCE(ls->sk.sk_sndbuf) / 2, TCP_SND_BUF);
}

/*
 * Bytes queued on @pcb, sent or not, and not acknowledged yet; snd_buf
 * itself, as tcp_sndbuf() saturates at 64 KiB with window scaling.
 */
static u32 lwip_tcp_queued(const struct tcp_pcb *pcb)
{
	return TCP_SND_BUF - pcb->snd_buf;
}

/*
 * What a segment costs in lwIP's heap beyond its payload: the pbuf, the
 * tcp_seg, the headers and the allocator's block headers, rounded up.
 */
#define LWIP_TCP_SEG_COST	256
/* ...and at most per byte of payload, with the smallest segments: */
#define LWIP_TCP_SEG_COST_MAX	(1 + LWIP_TCP_SEG_COST / LWIP_TCP_MIN_SND_MSS + 1)

/*
 * The one segment a connection may queue under memory pressure: when it
 * has nothing queued, or when poll() promised it (see lwip_tcp_writable()).
 * Written lean (lwip_tcp_write_lean()), lwIP allocates no more than it
 * holds, and LWIP_TCP_MEM_RESERVE covers it.
 */
#define LWIP_TCP_MEM_MIN	TCP_ETH_MSS
#define LWIP_TCP_MEM_RESERVE	(LWIP_TCP_MEM_MIN + 2 * LWIP_TCP_SEG_COST)

/*
 * Bytes of lwIP's heap set aside for sends that poll() promised: a socket
 * it reported writable under memory pressure may queue LWIP_TCP_MEM_MIN
 * whatever other sockets queued in the meantime (they leave this much
 * alone). Each socket holds at most one such promise (mem_promise).
 */
static atomic_long_t lwip_tcp_promised;

/* Whether the heap is far enough up that POLLOUT has to be a promise. */
static bool lwip_tcp_mem_pressure(long limit, long used)
{
	return used + atomic_long_read(&lwip_tcp_promised) >
	       LWIP_SOCK_MEM_SEND(limit) / 8;
}

/*
 * How much data lwIP's heap lets @ls queue on @pcb now (core lock held,
 * socket locked), with the other sockets' promises counted as used: up to
 * LWIP_SOCK_MEM_SEND of use, less what its segments cost, and under
 * pressure written lean (*@lean set), else less one segment lwIP may
 * allocate whole for data still to come (TCP_OVERSIZE); when that is less
 * than LWIP_TCP_MEM_MIN, that much, lean, if the socket holds a promise,
 * or has nothing queued and use is below LWIP_SOCK_MEM_FORCE. When it is
 * nothing, the netconn is told to report the next acknowledgment (lwIP's
 * SENDPLUS) and *@wake is the use at which there would be room.
 */
static size_t lwip_tcp_memroom(struct lwip_sock *ls, struct tcp_pcb *pcb,
			       long *wake, bool *lean)
{
	long limit = lwipk_mem_limit(), used = lwipk_mem_used();
	long others = atomic_long_read(&lwip_tcp_promised) - ls->mem_promise;
	u16 mss = max_t(u16, pcb->mss, LWIP_TCP_MIN_SND_MSS);
	long send = LWIP_SOCK_MEM_SEND(limit) - LWIP_TCP_SEG_COST;
	long force = LWIP_SOCK_MEM_FORCE(limit) - LWIP_TCP_MEM_RESERVE;
	bool empty = !lwip_tcp_queued(pcb);
	long room;

	*lean = lwip_tcp_mem_pressure(limit, used);
	if (!*lean)
		send -= mss;	/* TCP_OVERSIZE */
	room = send - used - others;
	room -= room / mss * LWIP_TCP_SEG_COST;
	if (room >= LWIP_TCP_MEM_MIN)
		return room;
	*lean = true;
	if (ls->mem_promise || (empty && used + others <= force))
		return LWIP_TCP_MEM_MIN;
	*wake = (empty ? force : send - LWIP_TCP_MEM_MIN) - others;
	netconn_set_flags(ls->conn, NETCONN_FLAG_CHECK_WRITESPACE);
	return 0;
}

/* Give up the socket's promise, if it holds one (socket locked). */
static void lwip_tcp_unpromise(struct lwip_sock *ls)
{
	if (!ls->mem_promise)
		return;
	atomic_long_sub(ls->mem_promise, &lwip_tcp_promised);
	ls->mem_promise = 0;
}

/**
 * lwip_tcp_mem_release() - close(): give up what the socket holds of
 *	lwIP's heap for sends, and let those waiting for it look again.
 * @ls: the socket, locked
 */
void lwip_tcp_mem_release(struct lwip_sock *ls)
{
	if (!ls->mem_promise)
		return;
	lwip_tcp_unpromise(ls);
	wake_up_all(lwipk_mem_wait_queue());
}

/**
 * lwip_tcp_writable() - poll(): whether a send would find room: as lwIP's
 *	own NETCONN_EVT_SENDPLUS judges it, under SO_SNDBUF when at least a
 *	third of the buffer is free (Linux's sk_stream_is_writeable()), and
 *	when lwIP's heap has room for it (lwip_tcp_memroom(), which the send
 *	asks too). Under memory pressure a yes is a promise: room for one
 *	lean segment is set aside until the socket sends or closes, so that
 *	POLLOUT never ends in EAGAIN because other sockets sent first.
 * @ls: the socket, locked
 * @promise: the caller waits for POLLOUT: a yes may be a promise
 * @wake: set to the heap use at which it would be writable, when that is
 *	all it waits for; else left as it is
 *
 * Return: 1 when writable (or dead: a send reports the error), else 0.
 */
int lwip_tcp_writable(struct lwip_sock *ls, bool promise, long *wake)
{
	u32 cap = lwip_tcp_sndbuf_cap(ls);
	long limit = lwipk_mem_limit();
	struct tcp_pcb *pcb;
	bool lean = false;
	int ret = 1;

	LOCK_TCPIP_CORE();
	pcb = ls->conn->pcb.tcp;
	if (pcb && pcb->state != CLOSED && pcb->state != LISTEN) {
		ret = tcp_sndbuf(pcb) > TCP_SNDLOWAT &&
		      tcp_sndqueuelen(pcb) < TCP_SNDQUEUELOWAT &&
		      lwip_tcp_queued(pcb) * 3 <= cap * 2 &&
		      lwip_tcp_memroom(ls, pcb, wake, &lean);
		if (ret && promise && !ls->mem_promise &&
		    lwip_tcp_mem_pressure(limit, lwipk_mem_used())) {
			ls->mem_promise = LWIP_TCP_MEM_RESERVE;
			atomic_long_add(ls->mem_promise, &lwip_tcp_promised);
		}
	}
	UNLOCK_TCPIP_CORE();
	return ret;
}

/*
 * How much of @len bytes a send may queue now: what SO_SNDBUF and lwIP's
 * heap leave room for (lwIP's own TCP_SND_BUF is left to tcp_write()).
 * *@lean and *@wake: see lwip_tcp_memroom().
 */
static size_t lwip_tcp_sndroom(struct lwip_sock *ls, size_t len, long *wake,
			       bool *lean)
{
	u32 cap = lwip_tcp_sndbuf_cap(ls), queued;
	long limit = lwipk_mem_limit(), used = lwipk_mem_used();
	long far = LWIP_SOCK_MEM_SEND(limit) - TCP_MSS - LWIP_TCP_SEG_COST -
		   LWIP_TCP_SEG_COST_MAX * (long)len;
	struct tcp_pcb *pcb;

	if (cap == TCP_SND_BUF && !ls->mem_promise &&
	    !lwip_tcp_mem_pressure(limit, used) && used <= far)
		return len;	/* the usual case: no limit near */
	LOCK_TCPIP_CORE();
	pcb = ls->conn->pcb.tcp;
	if (pcb) {
		queued = lwip_tcp_queued(pcb);
		if (cap < TCP_SND_BUF)
			len = queued >= cap ? 0 : min_t(size_t, len, cap - queued);
		if (len)
			len = min(len, lwip_tcp_memroom(ls, pcb, wake, lean));
	}
	UNLOCK_TCPIP_CORE();
	return len;
}

/*
 * netconn_write_partly() of a lean segment: no TCP_OVERSIZE, which lwIP
 * allocates whole for data still to come (NETCONN_MORE, or Nagle holding
 * data back): Nagle is off for the write.
 */
static err_t lwip_tcp_write_lean(struct lwip_sock *ls, const void *buf,
				 size_t n, size_t *written)
{
	struct tcp_pcb *pcb;
	bool nagle = false;
	err_t e;

	LOCK_TCPIP_CORE();
	pcb = ls->conn->pcb.tcp;
	if (pcb && !tcp_nagle_disabled(pcb)) {
		nagle = true;
		tcp_nagle_disable(pcb);
	}
	UNLOCK_TCPIP_CORE();
	e = netconn_write_partly(ls->conn, buf, n,
				 NETCONN_COPY | NETCONN_DONTBLOCK, written);
	if (!nagle)
		return e;
	LOCK_TCPIP_CORE();
	pcb = ls->conn->pcb.tcp;
	if (pcb)
		tcp_nagle_enable(pcb);
	UNLOCK_TCPIP_CORE();
	return e;
}

/*
 * lwip_sock_wait() for a send that waits for lwIP's heap to drop to
 * @level as well: woken by either.
 */
static int lwip_tcp_wait_mem(struct sock *sk, long *timeo, int seq, long level)
{
	wait_queue_head_t *wq = lwipk_mem_wait_queue();
	wait_queue_entry_t wait;
	int err;

	init_waitqueue_entry(&wait, current);
	add_wait_queue(wq, &wait);
	lwipk_mem_want(level);
	sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
	err = lwip_sock_wait(sk, timeo, seq);
	remove_wait_queue(wq, &wait);
	return err;
}

/*
 * Make the segment size tcp_write() works with only ever grow: the MSS at
 * least LWIP_TCP_MIN_SND_MSS, and the largest window seen (which only
 * grows once the connection is up) at least two such segments, or two
 * full ones where it was 0 (lwIP's own fallback, now kept). Called before
 * anything is written.
 */
static void lwip_tcp_clamp_snd(struct tcp_pcb *pcb)
{
	pcb->mss = max_t(u16, pcb->mss, LWIP_TCP_MIN_SND_MSS);
	if (!pcb->snd_wnd_max)
		pcb->snd_wnd_max = 2 * pcb->mss;
	else
		pcb->snd_wnd_max = max_t(tcpwnd_size_t, pcb->snd_wnd_max,
					 2 * LWIP_TCP_MIN_SND_MSS);
}

/*
 * A connection is up, nothing written yet: what the socket keeps of it,
 * and the floor under the segment size. Context: the tcpip core lock is
 * held.
 */
/**
 * lwip_tcp_clamp_mss() - TCP_MAXSEG: the connection sends segments no
 *	larger, whatever the peer announced (as Linux's user_mss caps
 *	mss_cache).
 * @ls: the socket
 * @pcb: its PCB, or NULL
 *
 * Context: the tcpip core lock is held.
 */
void lwip_tcp_clamp_mss(struct lwip_sock *ls, struct tcp_pcb *pcb)
{
	u16 mss = READ_ONCE(ls->user_mss);

	lwip_sock_assert_core_locked();
	if (!mss || !pcb || pcb->state == LISTEN || pcb->state == CLOSED ||
	    pcb->state == SYN_SENT)
		return;
	if (pcb->mss > mss)
		pcb->mss = mss;
}

static void lwip_tcp_established(struct lwip_sock *ls, struct tcp_pcb *pcb)
{
	lwip_sock_assert_core_locked();
	lwipk_loopif_tcp_mss(pcb);	/* before TCP_MAXSEG's cap */
	lwip_tcp_clamp_mss(ls, pcb);
	ls->tx_ref = pcb->mss > TCP_MSS;
	ls->rx_wnd_max = TCP_WND_MAX(pcb);
	ls->local_ip = pcb->local_ip;	/* getsockname() after the PCB */
	ls->local_port = pcb->local_port;
	lwip_tcp_clamp_snd(pcb);
}

static enum lwip_connect_state lwip_tcp_connect_state(struct lwip_sock *ls)
{
	enum lwip_connect_state state = LWIP_CONNECT_FAILED;
	struct netconn *conn = ls->conn;

	LOCK_TCPIP_CORE();
	if (conn->state == NETCONN_CONNECT)
		state = LWIP_CONNECT_PENDING;
	else if (conn->pcb.tcp && conn->pcb.tcp->state != CLOSED &&
		 conn->pcb.tcp->state != SYN_SENT)
		state = LWIP_CONNECT_DONE;
	UNLOCK_TCPIP_CORE();
	return state;
}

/**
 * lwip_tcp_connect_settle() - note the end of a connect in progress:
 *	connected, or failed with the error in sk_err.
 * @ls: the socket, locked
 */
void lwip_tcp_connect_settle(struct lwip_sock *ls)
{
	enum lwip_connect_state state;

	if (!ls->connecting)
		return;
	state = lwip_tcp_connect_state(ls);
	if (state == LWIP_CONNECT_PENDING)
		return;
	WRITE_ONCE(ls->connecting, false);
	if (state == LWIP_CONNECT_DONE) {
		struct tcp_pcb *pcb;

		ls->connected = true;	/* connect() reports it once more */
		LOCK_TCPIP_CORE();
		pcb = ls->conn->pcb.tcp;
		if (pcb) {
			lwip_tcp_established(ls, pcb);
			if (ls->syn_cnt)	/* no data sent yet */
				pcb->nrtx = 0;	/* undo TCP_SYNCNT's head start */
		}
		UNLOCK_TCPIP_CORE();
		return;
	}
	netconn_err(ls->conn);	/* reported through sk_err already */
	ls->connect_failed = true;
	if (!ls->sk.sk_err)
		WRITE_ONCE(ls->sk.sk_err, ECONNREFUSED);
	ls->sk.sk_shutdown = SHUTDOWN_MASK;
}

static int lwip_tcp_connect(struct socket *sock, struct sockaddr *uaddr,
			    int addr_len, int flags)
{
	struct sock *sk = sock->sk;
	struct lwip_sock *ls = lwip_sk(sk);
	ip_addr_t ip;
	long timeo;
	u16 port;
	err_t e;
	int err;

	err = lwip_sock_addr(uaddr, addr_len, &ip, &port);
	if (err)
		return err;
	/* Linux: no route to a broadcast or multicast peer for TCP */
	if (ip4_addr_ismulticast(ip_2_ip4(&ip)) || lwip_sock_ip_broadcast(&ip))
		return -ENETUNREACH;
	lock_sock(sk);
	lwip_tcp_connect_settle(ls);
	if (ls->connected) {
		/* Linux: the first connect() after a non-blocking one is 0 */
		err = sock->state == SS_CONNECTING ? 0 : -EISCONN;
		sock->state = SS_CONNECTED;
		goto out_release;
	}
	if (ls->connect_failed && sock->state == SS_CONNECTING) {
		/* Linux: the failure of a non-blocking connect, reported once */
		sock->state = SS_UNCONNECTED;
		err = sock_error(sk) ?: -ECONNABORTED;
		goto out_release;
	}
	if (ls->connect_failed) {
		/* Linux starts over on a socket whose connect failed */
		err = lwip_sock_renew_conn(ls);
		if (err)
			goto out_release;
	}
	if (ls->listening || sk->sk_shutdown) {
		/* Linux: a listener is "connected" already */
		err = ls->listening ? -EISCONN : sock_error(sk) ?: -ECONNABORTED;
		goto out_release;
	}
	if (!ls->connecting) {
		lwip_sock_apply_options(ls);
		WRITE_ONCE(ls->connecting, true);
		e = ls->bound ? ERR_OK : lwipk_netconn_bind_random(ls->conn, IP_ADDR_ANY);
		if (e == ERR_OK)
			e = netconn_connect(ls->conn, &ip, port);
		if (e != ERR_OK && e != ERR_INPROGRESS) {
			WRITE_ONCE(ls->connecting, false);
			/* ERR_BUF: no ephemeral port left, Linux's EADDRNOTAVAIL */
			err = e == ERR_BUF ? -EADDRNOTAVAIL : lwip_sock_errno(e);
			goto out_release;
		}
		ls->bound = true;
		sock->state = SS_CONNECTING;
		if (e == ERR_INPROGRESS && (flags & O_NONBLOCK)) {
			err = -EINPROGRESS;
			goto out_release;
		}
	} else if (flags & O_NONBLOCK) {
		err = -EALREADY;
		goto out_release;
	}
	timeo = sock_sndtimeo(sk, flags & O_NONBLOCK);
	for (;;) {
		int seq = atomic_read(&ls->events);

		lwip_tcp_connect_settle(ls);
		if (!ls->connecting)
			break;
		err = lwip_sock_wait(sk, &timeo, seq);
		if (err == -EAGAIN)
			err = -EINPROGRESS;	/* SO_SNDTIMEO expired */
		if (err)
			goto out_release;
	}
	if (ls->connected) {
		sock->state = SS_CONNECTED;
		err = 0;
	} else {
		sock->state = SS_UNCONNECTED;
		err = sock_error(sk) ?: -ECONNREFUSED;
	}
out_release:
	release_sock(sk);
	return err;
}

/**
 * lwip_tcp_passive_open() - SO_RCVBUF of a listener, for each connection
 *	lwIP makes for it before the SYN-ACK goes out: announce the window
 *	SO_RCVBUF asks for, and note in the child's ext arg how much of
 *	lwIP's window that keeps closed, for accept() to carry on in
 *	rx_withheld. lwip.ko calls it for guarded listeners (port/pcbguard.c).
 * @listener: the listener's netconn
 * @cpcb: the new connection
 *
 * Context: the tcpip core lock is held.
 * Return: ERR_OK, or ERR_MEM to drop the SYN when lwIP's heap is above
 * LWIP_SOCK_MEM_SYN.
 */
err_t lwip_tcp_passive_open(struct netconn *listener, struct tcp_pcb *cpcb)
{
	struct lwip_sock *ls = netconn_get_callback_arg(listener);
	u32 closed = 0;

	lwip_sock_assert_core_locked();
	if (!lwip_sock_mem_admit(LWIP_SOCK_MEM_SYN))
		return ERR_MEM;	/* lwIP drops the SYN; the peer sends again */

	/*
	 * Only with window scaling, where rcv_wnd is all of TCP_WND: without
	 * it, lwIP asserts that a SYN's window option finds the default
	 * window, and the read side closes the window down as it goes.
	 */
	if (ls && (cpcb->flags & TF_WND_SCALE))
		closed = lwip_tcp_rcvbuf_closed(ls, TCP_WND);
	cpcb->rcv_wnd -= closed;
	cpcb->rcv_ann_wnd = cpcb->rcv_wnd;
	tcp_ext_arg_set(cpcb, lwipk_sock_ext_id, (void *)(uintptr_t)closed);
	if (!ls)
		return ERR_OK;
	/* what Linux's clone of the listener keeps, for the SYN-ACK */
	cpcb->tos = ls->tos;
	cpcb->ttl = ls->ttl ?: IP_DEFAULT_TTL;
	tcp_ext_arg_set(cpcb, lwipk_mss_ext_id,
			(void *)(uintptr_t)READ_ONCE(ls->user_mss));
	lwip_tcp_clamp_mss(ls, cpcb);
	return ERR_OK;
}

static int lwip_tcp_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	struct lwip_sock *ls = lwip_sk(sk);
	err_t e = ERR_OK;
	int err = 0;

	lock_sock(sk);
	if (ls->connected || ls->connecting || sk->sk_shutdown) {
		err = -EINVAL;
		goto out_release;
	}
	/*
	 * Linux queues backlog + 1 connections (a negative backlog is the
	 * most); lwIP counts connections in SYN_RCVD and not yet accepted
	 * against its u8 backlog, and so does lwip_tcp_take_child().
	 */
	if ((unsigned int)backlog > LWIP_TCP_BACKLOG_MAX)
		backlog = LWIP_TCP_BACKLOG_MAX;
	lwip_sock_apply_options(ls);
	if (!ls->bound)
		e = lwipk_netconn_bind_random(ls->conn, IP_ADDR_ANY);
	if (e == ERR_OK)
		e = netconn_listen_with_backlog(ls->conn, backlog + 1);
	if (e != ERR_OK) {
		err = lwip_sock_errno(e);
		goto out_release;
	}
	ls->bound = true;
	ls->listening = true;
	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
out_release:
	release_sock(sk);
	return err;
}

/*
 * Take one new connection from lwIP into rx_child, without blocking. It
 * still counts against the listen backlog (netconn_accept() stopped its
 * count) until accept() hands it to the user, as in Linux's accept queue.
 */
static int lwip_tcp_take_child(struct lwip_sock *ls)
{
	struct netconn *child;
	err_t e;

	while (!ls->rx_child) {
		e = netconn_accept(ls->conn, &child);
		if (e == ERR_WOULDBLOCK)
			return 0;
		if (e == ERR_ABRT)
			continue;	/* reset before accept */
		if (e != ERR_OK)
			return lwip_sock_errno(e);
		ls->rx_child = child;
		LOCK_TCPIP_CORE();
		if (child->pcb.tcp)
			tcp_backlog_delayed(child->pcb.tcp);
		UNLOCK_TCPIP_CORE();
	}
	return 0;
}

static int lwip_tcp_accept(struct socket *sock, struct socket *newsock,
			   int flags, bool kern)
{
	struct sock *sk = sock->sk;
	struct lwip_sock *ls = lwip_sk(sk);
	struct netconn *child = NULL;
	struct lwip_sock *nls;
	struct sock *newsk;
	u32 withheld = 0;
	long timeo;
	int err;

	lock_sock(sk);
	if (!ls->listening) {
		err = -EINVAL;
		goto out_release;
	}
	timeo = sock_rcvtimeo(sk, flags & O_NONBLOCK);
	for (;;) {
		int seq = atomic_read(&ls->events);

		err = lwip_tcp_take_child(ls);
		if (err || ls->rx_child)
			break;
		err = lwip_sock_wait(sk, &timeo, seq);
		if (err)
			goto out_release;
	}
	child = ls->rx_child;
	ls->rx_child = NULL;
	LOCK_TCPIP_CORE();
	if (child->pcb.tcp) {
		tcp_backlog_accepted(child->pcb.tcp);
		withheld = (uintptr_t)tcp_ext_arg_get(child->pcb.tcp,
						      lwipk_sock_ext_id);
	}
	UNLOCK_TCPIP_CORE();
out_release:
	release_sock(sk);
	if (err)
		return err;
	newsk = lwip_sock_alloc(sock_net(sk), newsock, kern, child);
	if (!newsk) {
		netconn_delete(child);
		return -ENOMEM;
	}
	/* what Linux's sk_clone_lock() hands on from the listener */
	newsk->sk_rcvtimeo = sk->sk_rcvtimeo;
	newsk->sk_sndtimeo = sk->sk_sndtimeo;
	newsk->sk_lingertime = sk->sk_lingertime;
	newsk->sk_reuse = sk->sk_reuse;
	newsk->sk_userlocks = sk->sk_userlocks;
	newsk->sk_sndbuf = READ_ONCE(sk->sk_sndbuf);
	newsk->sk_rcvbuf = READ_ONCE(sk->sk_rcvbuf);
	if (sock_flag(sk, SOCK_KEEPOPEN))
		sock_set_flag(newsk, SOCK_KEEPOPEN);
	if (sock_flag(sk, SOCK_LINGER))
		sock_set_flag(newsk, SOCK_LINGER);
	/* lwIP's listen PCB keeps neither Nagle's flag nor keepalive timing */
	nls = lwip_sk(newsk);
	nls->nodelay = READ_ONCE(ls->nodelay);
	nls->keep_idle = READ_ONCE(ls->keep_idle);
	nls->keep_intvl = READ_ONCE(ls->keep_intvl);
	nls->keep_cnt = READ_ONCE(ls->keep_cnt);
	nls->syn_cnt = READ_ONCE(ls->syn_cnt);
	nls->user_mss = READ_ONCE(ls->user_mss);
	nls->tos = READ_ONCE(ls->tos);
	nls->ttl = READ_ONCE(ls->ttl);
	nls->recverr = READ_ONCE(ls->recverr);
	nls->rx_withheld = withheld;	/* lwip_tcp_passive_open() */
	LOCK_TCPIP_CORE();
	if (child->pcb.tcp)
		lwip_tcp_established(nls, child->pcb.tcp);
	UNLOCK_TCPIP_CORE();
	lwip_sock_apply_options(nls);
	nls->bound = true;
	nls->connected = true;
	newsock->state = SS_CONNECTED;
	return 0;
}

static int lwip_tcp_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	struct lwip_sock *ls = lwip_sk(sk);
	int mask, err = 0;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	mask = how + 1;	/* SHUT_RD -> RCV_SHUTDOWN, SHUT_WR -> SEND_SHUTDOWN */
	lock_sock(sk);
	lwip_tcp_connect_settle(ls);
	if (!ls->connected) {
		err = -ENOTCONN;
		goto out_release;
	}
	if ((mask & SEND_SHUTDOWN) && !(sk->sk_shutdown & SEND_SHUTDOWN))
		netconn_shutdown(ls->conn, 0, 1);
	sk->sk_shutdown |= mask;
	atomic_inc(&ls->events);
	sk->sk_state_change(sk);
out_release:
	release_sock(sk);
	return err;
}

/* Whether all data sent is acknowledged (a FIN may be left), or no PCB. */
static bool lwip_tcp_flushed(struct lwip_sock *ls)
{
	struct tcp_pcb *pcb;
	bool done;

	LOCK_TCPIP_CORE();
	pcb = ls->conn->pcb.tcp;
	done = !pcb || !lwip_tcp_queued(pcb);	/* the FIN takes no room */
	UNLOCK_TCPIP_CORE();
	return done;
}

/**
 * lwip_tcp_linger() - close() under SO_LINGER with a time: send the FIN
 *	and wait until the peer acknowledged all data, the linger time ran
 *	out or a signal came, as Linux's tcp_close(); the close goes on in
 *	the background either way. With data unread there is no wait: the
 *	close resets the connection.
 * @ls: the socket, locked, a connect in progress settled
 */
void lwip_tcp_linger(struct lwip_sock *ls)
{
	struct sock *sk = &ls->sk;
	long timeo = sk->sk_lingertime;

	if (!ls->connected || ls->listening || ls->rx_bytes ||
	    READ_ONCE(ls->conn->recv_avail))
		return;
	if (!(sk->sk_shutdown & SEND_SHUTDOWN)) {
		netconn_shutdown(ls->conn, 0, 1);
		sk->sk_shutdown |= SEND_SHUTDOWN;
	}
	for (;;) {
		int seq = atomic_read(&ls->events);

		if (lwip_tcp_flushed(ls) || lwip_sock_wait(sk, &timeo, seq))
			break;
	}
}

/**
 * lwip_tcp_release_pcb() - close(): under SO_LINGER 0 reset the connection
 *	first, as Linux does, but not in TIME_WAIT, where Linux's socket is
 *	closed already; lwipk_netconn_delete() then lets the PCB go on
 *	without the socket.
 * @ls: the socket, locked
 *
 * Context: the tcpip core lock is held.
 */
void lwip_tcp_release_pcb(struct lwip_sock *ls)
{
	struct tcp_pcb *pcb = ls->conn->pcb.tcp;
	struct sock *sk = &ls->sk;

	lwip_sock_assert_core_locked();
	if (pcb && sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime &&
	    !ls->listening && pcb->state != TIME_WAIT)
		lwipk_tcp_abort(pcb);	/* the guard clears conn->pcb.tcp */
}

static __poll_t lwip_tcp_poll(struct file *file, struct socket *sock,
			      poll_table *wait)
{
	struct sock *sk = sock->sk;
	struct lwip_sock *ls = lwip_sk(sk);
	bool out = poll_requested_events(wait) & EPOLLOUT;
	__poll_t mask = 0;
	long wake = -1;

	sock_poll_wait(file, sock, wait);
	lock_sock(sk);
	if (ls->listening) {
		if (!lwip_tcp_take_child(ls) && ls->rx_child)
			mask |= EPOLLIN | EPOLLRDNORM;
		goto out_release;
	}
	lwip_tcp_connect_settle(ls);
	if (ls->connecting)
		goto out_release;
	lwip_tcp_fill(ls);
	if (READ_ONCE(sk->sk_err))
		mask |= EPOLLERR;
	if (!ls->connected || sk->sk_shutdown == SHUTDOWN_MASK ||
	    (ls->rx_eof && (sk->sk_shutdown & SEND_SHUTDOWN)))
		mask |= EPOLLHUP;
	if (ls->rx_n)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (ls->rx_eof || (sk->sk_shutdown & RCV_SHUTDOWN))
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (!ls->connected || (sk->sk_shutdown & SEND_SHUTDOWN) ||
	    lwip_tcp_writable(ls, out, &wake)) {
		mask |= EPOLLOUT | EPOLLWRNORM;
	} else if (out && wake >= 0) {
		/* waits for memory: on the heap's queue, then look again */
		poll_wait(file, lwipk_mem_wait_queue(), wait);
		lwipk_mem_want(wake);
		if (lwip_tcp_writable(ls, out, &wake))
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
out_release:
	release_sock(sk);
	return mask;
}

/* Copy up to @len bytes of the data not yet read to @to, from the start. */
static int lwip_tcp_rx_copy(struct lwip_sock *ls, size_t len,
			    struct iov_iter *to, bool trunc)
{
	size_t done = 0, n;
	unsigned int i;
	struct pbuf *p;

	if (trunc)	/* MSG_TRUNC: Linux discards, copying nothing */
		return min(len, ls->rx_bytes);
	for (i = 0; i < ls->rx_n && done < len; i++) {
		for (p = ls->rx_q[i]; p && done < len; p = p->next) {
			n = min_t(size_t, p->len, len - done);
			if (copy_to_iter(p->payload, n, to) != n)
				return -EFAULT;
			done += n;
		}
	}
	return done;
}

/* Drop @len bytes, read, from the start of the data not yet read. */
static void lwip_tcp_rx_consume(struct lwip_sock *ls, size_t len)
{
	size_t n;

	ls->rx_bytes -= len;
	while (len && ls->rx_n) {
		n = min_t(size_t, len, ls->rx_q[0]->tot_len);
		ls->rx_q[0] = pbuf_free_header(ls->rx_q[0], n);
		len -= n;
		if (!ls->rx_q[0]) {
			ls->rx_n--;
			memmove(&ls->rx_q[0], &ls->rx_q[1],
				ls->rx_n * sizeof(ls->rx_q[0]));
		}
	}
	WARN_ON_ONCE(len);
}

/*
 * Open lwIP's window by what was read; Linux does it as the data is read.
 * Under SO_RCVBUF part of what is read is withheld, until the window is
 * down to size: lwIP announced all of TCP_WND at the handshake, and a
 * window may not shrink but by data the peer sends into it.
 */
static void lwip_tcp_rx_recvd(struct lwip_sock *ls, size_t *unacked)
{
	u32 closed = lwip_tcp_rcvbuf_closed(ls, ls->rx_wnd_max ?: TCP_WND), keep;
	size_t credit = *unacked;

	*unacked = 0;
	if (ls->rx_withheld < closed) {
		keep = min_t(size_t, credit, closed - ls->rx_withheld);
		ls->rx_withheld += keep;
		credit -= keep;
	} else {
		credit += ls->rx_withheld - closed;	/* SO_RCVBUF grew */
		ls->rx_withheld = closed;
	}
	if (credit)
		netconn_tcp_recvd(ls->conn, credit);
}

/**
 * lwip_tcp_rx_release() - hand lwIP back the window withheld for
 *	SO_RCVBUF: what was read must not look unread when the netconn is
 *	closed (lwIP resets a connection closed with data unread).
 * @ls: the socket, locked
 */
void lwip_tcp_rx_release(struct lwip_sock *ls)
{
	if (ls->rx_withheld && ls->conn)
		netconn_tcp_recvd(ls->conn, ls->rx_withheld);
	ls->rx_withheld = 0;
}

static int lwip_tcp_recvmsg(struct socket *sock, struct msghdr *msg,
			    size_t len, int flags)
{
	struct sock *sk = sock->sk;
	struct lwip_sock *ls = lwip_sk(sk);
	bool peek = flags & MSG_PEEK;
	size_t copied = 0, target, unacked = 0;
	long timeo;
	int err = 0, n;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (flags & MSG_ERRQUEUE)	/* nothing is ever queued there */
		return -EAGAIN;
	lock_sock(sk);
	lwip_tcp_connect_settle(ls);
	if (ls->listening || (!ls->connected && !ls->connecting)) {
		err = -ENOTCONN;
		goto out_release;
	}
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	while (copied < len) {
		int seq = atomic_read(&ls->events);

		lwip_tcp_connect_settle(ls);
		lwip_tcp_fill(ls);
		if (ls->rx_n) {
			n = lwip_tcp_rx_copy(ls, len - copied, &msg->msg_iter,
					     flags & MSG_TRUNC);
			if (n < 0) {
				err = n;
				break;
			}
			copied += n;
			if (peek)
				break;
			lwip_tcp_rx_consume(ls, n);
			unacked += n;
			continue;
		}
		if (copied >= target)
			break;
		if (sk->sk_err) {
			err = sock_error(sk);
			break;
		}
		if (ls->rx_eof || (sk->sk_shutdown & RCV_SHUTDOWN) ||
		    (!ls->connected && !ls->connecting))
			break;
		lwip_tcp_rx_recvd(ls, &unacked);	/* before waiting for more */
		err = lwip_sock_wait(sk, &timeo, seq);
		if (err)
			break;
	}
	lwip_tcp_rx_recvd(ls, &unacked);
out_release:
	release_sock(sk);
	return copied ? copied : err;
}

/*
 * What a send that lwIP refused with @e returns. A connection that is
 * gone is EPIPE, or the error that ended it, which lwip_tcp_fill() takes
 * from the netconn with whatever the peer sent before it: the receive
 * side stays as it is, for recv() to read to its end. A send that moved
 * some bytes (@sent) returns those, and leaves the error in sk_err for
 * the next call, as Linux's tcp_sendmsg() does.
 */
static int lwip_tcp_send_error(struct lwip_sock *ls, err_t e, size_t sent)
{
	if (e == ERR_RST || e == ERR_ABRT || e == ERR_CONN || e == ERR_CLSD) {
		lwip_tcp_fill(ls);
		if (sent)
			return -EPIPE;
		return sock_error(&ls->sk) ?: -EPIPE;
	}
	return lwip_sock_errno(e);
}

static int lwip_tcp_sendmsg(struct socket *sock, struct msghdr *msg,
			    size_t len)
{
	struct sock *sk = sock->sk;
	struct lwip_sock *ls = lwip_sk(sk);
	struct page_frag *pfrag = &sk->sk_frag;
	int flags = msg->msg_flags;
	size_t sent = 0, chunk, n, written;
	long timeo;
	int err = 0;
	err_t e;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	lock_sock(sk);
	timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	while (ls->connecting) {
		int seq = atomic_read(&ls->events);

		lwip_tcp_connect_settle(ls);
		if (!ls->connecting)
			break;
		err = lwip_sock_wait(sk, &timeo, seq);
		if (err)
			goto out_release;
	}
	if (sk->sk_err) {
		err = sock_error(sk);
		goto out_release;
	}
	/* Linux: EPIPE before connect() and after SHUT_WR, nothing else */
	if (!ls->connected || (sk->sk_shutdown & SEND_SHUTDOWN)) {
		err = -EPIPE;
		goto out_release;
	}
	while (sent < len) {
		int seq = atomic_read(&ls->events);
		bool lean = false, ref;
		long wake = -1;
		u8 *data;

		chunk = lwip_tcp_sndroom(ls, min_t(size_t, len - sent,
						   LWIP_TCP_CHUNK),
					 &wake, &lean);
		if (!chunk && wake >= 0) {
			err = lwip_tcp_wait_mem(sk, &timeo, seq, wake);
			if (err)
				break;
			continue;
		}
		if (!chunk)
			goto wait;
		/* room for a page's worth, or all of a smaller chunk */
		if (!skb_page_frag_refill(min_t(size_t, chunk, PAGE_SIZE),
					  pfrag, sk->sk_allocation)) {
			err = -ENOBUFS;
			break;
		}
		chunk = min_t(size_t, chunk, pfrag->size - pfrag->offset);
		data = page_address(pfrag->page) + pfrag->offset;
		n = copy_from_iter(data, chunk, &msg->msg_iter);
		if (!n) {
			err = -EFAULT;
			break;
		}
		written = 0;
		ref = ls->tx_ref && !lean && n >= LWIP_TCP_REF_MIN;
		if (lean)
			e = lwip_tcp_write_lean(ls, data, n, &written);
		else
			e = netconn_write_partly(ls->conn, data, n,
						 (ref ? 0 : NETCONN_COPY) |
						 NETCONN_DONTBLOCK |
						 (sent + n < len ? NETCONN_MORE : 0),
						 &written);
		if (ref)
			pfrag->offset += written;	/* lwIP holds those */
		/*
		 * No route (the link is down): what tcp_write() queued
		 * stays queued, as Linux's send() queues, and goes out once
		 * the link is up again: lwIP's slow timer tries tcp_output()
		 * at every poll of the connection (100 ms).
		 */
		if (e == ERR_RTE && written)
			e = ERR_OK;
		lwip_tcp_unpromise(ls);	/* used, or the send failed */
		iov_iter_revert(&msg->msg_iter, n - written);
		sent += written;
		ls->tx_total += written;
		if (e != ERR_OK && e != ERR_WOULDBLOCK) {
			err = lwip_tcp_send_error(ls, e, sent);
			break;
		}
		if (written)
			continue;
wait:
		/* O_ASYNC: POLL_OUT once lwIP takes data again (Linux's) */
		sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
		err = lwip_sock_wait(sk, &timeo, seq);
		if (err)
			break;
	}
out_release:
	release_sock(sk);
	if (sent)
		return sent;
	if (err == -EPIPE && !(flags & MSG_NOSIGNAL))
		send_sig(SIGPIPE, current, 0);
	return err;
}

const struct proto_ops lwip_stream_ops = {
	.family		= PF_UNSPEC,	/* a parameter: see sk_family */
	.owner		= THIS_MODULE,
	.release	= lwip_sock_release,
	.bind		= lwip_sock_bind,
	.connect	= lwip_tcp_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= lwip_tcp_accept,
	.getname	= lwip_sock_getname,
	.poll		= lwip_tcp_poll,
	.ioctl		= lwip_sock_ioctl,
	.listen		= lwip_tcp_listen,
	.shutdown	= lwip_tcp_shutdown,
	.setsockopt	= lwip_sock_setsockopt,
	.getsockopt	= lwip_sock_getsockopt,
	.sendmsg	= lwip_tcp_sendmsg,
	.recvmsg	= lwip_tcp_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
};
