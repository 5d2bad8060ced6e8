/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lwip_sock.ko: Linux sockets on lwIP's netconn API.
 *
 * Every socket is a struct lwip_sock: a struct sock for the socket core
 * and one netconn. lwIP's netconn callback only bumps an event counter
 * and wakes the socket's wait queue; readiness is found by probing the
 * netconn without blocking (see lwip_tcp_fill()), so no lwIP event can
 * be lost before accept() or between a probe and a sleep.
 */
#ifndef LWIPK_SYSCALLS_LWIP_SOCK_H
#define LWIPK_SYSCALLS_LWIP_SOCK_H

#include <linux/in.h>
#include <linux/net.h>
#include <net/sock.h>

#include "lwip/opt.h"
#include "lwip/api.h"
#include "lwip/ip_addr.h"
#include "lwip/netbuf.h"
#include "lwip/pbuf.h"

/*
 * Locking: the rules every file of lwip_sock.ko keeps.
 *
 * 1. The socket lock (lock_sock()) serializes a socket's calls and guards
 *    every field of struct lwip_sock. Exceptions: @events is atomic, and
 *    the flags that poll() reads without the lock are written with
 *    WRITE_ONCE() and read with READ_ONCE().
 * 2. lwIP's tcpip core lock (LOCK_TCPIP_CORE(), a mutex) guards all of
 *    lwIP: every raw API call, every PCB and netif field. The netconn_*()
 *    calls take it themselves (LWIP_TCPIP_CORE_LOCKING), so they are
 *    never called with it held: it does not nest.
 * 3. Order: the socket lock, then the core lock; never a socket lock
 *    under the core lock.
 * 4. lwIP calls into this module (lwip_sock_event(), the pcbguard hooks)
 *    with the core lock held, from the tcpip thread or from the thread of
 *    a netconn call: such code neither sleeps nor takes a socket lock; it
 *    notes what happened and wakes the socket's waiters.
 * 5. A function that needs the core lock held says "Context: the tcpip
 *    core lock is held" and checks it with lwip_sock_assert_core_locked(),
 *    which WARNs (once) when the caller does not hold it.
 */
#define lwip_sock_assert_core_locked()	LWIP_ASSERT_CORE_LOCKED()

/* Default protocol family: AF_SNA, never implemented by Linux. */
#define LWIP_SOCK_FAMILY_DEFAULT	22

/*
 * TCP data taken from the netconn and not yet read is kept as up to this
 * many pbuf chains (a chain's tot_len is a u16_t, so one cannot hold it
 * all). Each chain but the last holds more than 32 KiB with the next one,
 * so 8 hold more than TCP_WND, the most lwIP delivers unread.
 */
#define LWIP_SOCK_RX_CHAINS	8

/*
 * lwIP's heap (lwip.ko's mem_limit) holds everything: PCBs, netconns,
 * mailboxes, queued data of both ends of a loopback connection, received
 * segments and the ACKs that free them. Connections and queued data may
 * not take all of it, or nothing can move any more: above these levels of
 * use, as parts of mem_limit, new sockets fail with ENOBUFS, SYNs are
 * dropped, and sends queue no more (but see LWIP_SOCK_MEM_FORCE); the
 * rest is for receiving and acknowledging, which frees memory again.
 */
#define LWIP_SOCK_MEM_SOCKETS(limit)	((limit) / 4)
#define LWIP_SOCK_MEM_SYN(limit)	((limit) / 8 * 3)
#define LWIP_SOCK_MEM_SEND(limit)	((limit) / 4 * 3)
/*
 * A connection with nothing queued may always queue one small segment
 * while use is below this level, as Linux lets every socket have a
 * minimum under tcp_mem pressure: each keeps moving.
 */
#define LWIP_SOCK_MEM_FORCE(limit)	((limit) / 8 * 7)

/**
 * lwip_sock_mem_admit() - whether lwIP's heap has room for a connection.
 * @level: LWIP_SOCK_MEM_SOCKETS or LWIP_SOCK_MEM_SYN
 */
#define lwip_sock_mem_admit(level) \
	(lwipk_mem_used() <= (long)level(lwipk_mem_limit()))

/**
 * struct lwip_sock - one socket of the lwip family.
 * @sk: the socket core's part; first, sk_alloc() allocates the whole.
 * @conn: the lwIP connection.
 * @events: bumped by every netconn event; sleepers wait for a change.
 * @rx_q: TCP: data taken from the netconn, not yet read, oldest first;
 *	lwIP's window opens for it only when it is read (NETCONN_NOAUTORCVD).
 * @rx_n: TCP: chains in @rx_q.
 * @rx_bytes: TCP: bytes in @rx_q.
 * @rx_dgram: UDP: a datagram taken from the netconn, not yet read.
 * @rx_child: listener: a connection taken from lwIP, not yet accepted.
 * @rx_eof: TCP: the stream has ended (FIN or error) on the receive side.
 * @err_reported: the connection's error went to sk_err when lwIP reported
 *	it (lwip_sock_event()): taking it from the netconn later
 *	(lwip_tcp_fill()) must not report it again, or a send after the one
 *	that got ECONNRESET would get it too, not EPIPE.
 * @bound: bind() (or an implicit bind) happened.
 * @listening: listen() happened.
 * @connecting: a connect is in progress.
 * @connected: the connection is (or was) established.
 * @tx_ref: TCP: sends of LWIP_TCP_REF_MIN bytes or more are handed to lwIP
 *	by reference (its segments are larger than TCP_MSS: over lo0).
 * @connect_failed: TCP: the last connect failed; the next one starts over
 *	on a new netconn (lwIP frees the PCB of a failed connect).
 * @nodelay: TCP: TCP_NODELAY; kept here for listeners, whose PCBs have no
 *	Nagle flag, so that accepted sockets inherit it as on Linux.
 * @keep_idle: TCP: TCP_KEEPIDLE in seconds, 0 for lwIP's default; kept
 *	here like @nodelay (listen PCBs have no keepalive fields).
 * @keep_intvl: TCP: TCP_KEEPINTVL in seconds, 0 for lwIP's default.
 * @keep_cnt: TCP: TCP_KEEPCNT, 0 for lwIP's default.
 * @syn_cnt: TCP: TCP_SYNCNT, 0 for lwIP's default (TCP_SYNMAXRTX, which
 *	is also the most lwIP can do).
 * @rx_withheld: TCP: bytes read but not handed back to lwIP's window, so
 *	that the window shrinks to what SO_RCVBUF asks (see lwip_tcp_rx_recvd()).
 * @rx_wnd_max: TCP: the connection's largest window (TCP_WND_MAX()), 0
 *	until it is connected.
 * @bind_explicit: bind() chose @bind_ip and @bind_port.
 * @bind_ip: the address bind() chose.
 * @bind_port: the port bind() chose, 0 for ephemeral.
 * @local_ip: TCP: the connection's own address, kept for getsockname()
 *	once lwIP has freed the PCB (reset, TIME_WAIT ended), as Linux does.
 *	Datagrams: the route's source address while connected and not bound
 *	to an address.
 * @local_port: TCP: the connection's own port, likewise.
 * @mem_promise: TCP: bytes of lwIP's heap that poll() set aside for this
 *	socket's next send under memory pressure (see lwip_tcp_writable()).
 * @user_mss: TCP: TCP_MAXSEG, 0 for none; the connection's MSS and the
 *	one its SYN announces are no larger (listeners hand it on).
 * @tos: IP_TOS, copied to the PCB.
 * @ttl: IP_TTL, 0 for the default (IP_DEFAULT_TTL, Linux's 64).
 * @recverr: IP_RECVERR (read back only: nothing is ever queued).
 * @ping: an ICMP datagram ("ping") socket.
 * @ping_id: ping: the ICMP identifier (Linux's port of a ping socket), 0
 *	until bound or first used.
 * @ping_id_taken: ping: @ping_id is marked in use by this socket.
 * @rx_total: TCP: bytes taken from the netconn (TCP_INFO's bytes_received
 *	with what lwIP still holds).
 * @tx_total: TCP: bytes handed to lwIP (TCP_INFO's bytes_acked without
 *	what is still queued).
 */
struct lwip_sock {
	struct sock sk;
	struct netconn *conn;
	atomic_t events;
	struct pbuf *rx_q[LWIP_SOCK_RX_CHAINS];
	unsigned int rx_n;
	size_t rx_bytes;
	struct netbuf *rx_dgram;
	struct netconn *rx_child;
	bool rx_eof;
	bool err_reported;
	bool bound;
	bool listening;
	bool connecting;
	bool connected;
	bool tx_ref;
	bool connect_failed;
	bool nodelay;
	u16 keep_idle;
	u16 keep_intvl;
	u8 keep_cnt;
	u8 syn_cnt;
	u32 rx_withheld;
	u32 rx_wnd_max;
	bool bind_explicit;
	ip_addr_t bind_ip;
	u16 bind_port;
	ip_addr_t local_ip;
	u16 local_port;
	u32 mem_promise;
	u16 user_mss;
	u8 tos;
	u8 ttl;
	bool recverr;
	bool ping;
	u16 ping_id;
	bool ping_id_taken;
	u64 rx_total;
	u64 tx_total;
};

static inline struct lwip_sock *lwip_sk(const struct sock *sk)
{
	return container_of(sk, struct lwip_sock, sk);
}

/* lwIP keeps IPv4 addresses in network order in a plain u32. */
static inline void lwip_ip_set_be32(ip_addr_t *ip, __be32 addr)
{
	ip_addr_set_ip4_u32(ip, (__force u32)addr);
}

static inline __be32 lwip_ip_be32(const ip_addr_t *ip)
{
	return (__force __be32)ip4_addr_get_u32(ip_2_ip4(ip));
}

extern int lwip_sock_family;
extern const struct proto_ops lwip_stream_ops;
extern const struct proto_ops lwip_dgram_ops;
extern const struct proto_ops lwip_raw_ops;

/* af_lwip.c */
struct sock *lwip_sock_alloc(struct net *net, struct socket *sock, int kern,
			     struct netconn *conn);
int lwip_sock_release(struct socket *sock);
int lwip_sock_bind(struct socket *sock, struct sockaddr *uaddr, int addr_len);
int lwip_sock_getname(struct socket *sock, struct sockaddr *uaddr, int peer);
int lwip_sock_addr(struct sockaddr *uaddr, int addr_len, ip_addr_t *ip,
		   u16 *port);
int lwip_sock_wait(struct sock *sk, long *timeo, int seq);
int lwip_sock_renew_conn(struct lwip_sock *ls);
bool lwip_sock_ip_broadcast(const ip_addr_t *ip);
void lwip_sock_route_src(const ip_addr_t *dst, ip_addr_t *src);
bool lwip_sock_addr_local(const ip_addr_t *ip);

/* sockopt.c */
int lwip_sock_errno(err_t err);
int lwip_sock_setsockopt(struct socket *sock, int level, int optname,
			 sockptr_t optval, unsigned int optlen);
int lwip_sock_getsockopt(struct socket *sock, int level, int optname,
			 char __user *optval, int __user *optlen);
int lwip_sock_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg);
void lwip_sock_keepalive(struct sock *sk, int valbool);
void lwip_sock_apply_options(struct lwip_sock *ls);

/* tcp.c */
int lwip_tcp_fill(struct lwip_sock *ls);
void lwip_tcp_rx_purge(struct lwip_sock *ls);
int lwip_tcp_writable(struct lwip_sock *ls, bool promise, long *wake);
void lwip_tcp_connect_settle(struct lwip_sock *ls);
void lwip_tcp_clamp_mss(struct lwip_sock *ls, struct tcp_pcb *pcb);
void lwip_tcp_rx_release(struct lwip_sock *ls);
void lwip_tcp_linger(struct lwip_sock *ls);
void lwip_tcp_release_pcb(struct lwip_sock *ls);
void lwip_tcp_mem_release(struct lwip_sock *ls);
err_t lwip_tcp_passive_open(struct netconn *listener, struct tcp_pcb *cpcb);

/* udp.c */
int lwip_udp_fill(struct lwip_sock *ls);
int lwip_dgram_connect_addr(struct socket *sock, struct sockaddr *uaddr,
			    int addr_len, ip_addr_t *ip, u16 *port);
void lwip_udp_apply_rcvbuf(struct lwip_sock *ls);
void lwip_udp_charge(struct netconn *conn);
__poll_t lwip_dgram_poll(struct file *file, struct socket *sock,
			 poll_table *wait);
int lwip_dgram_shutdown(struct socket *sock, int how);
int lwip_dgram_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
		       int flags);

/* raw.c */
int lwip_ping_allowed(struct net *net);
int lwip_raw_create(struct net *net, struct socket *sock, int protocol,
		    int kern, netconn_callback event, struct netconn **conn);
void lwip_raw_release(struct lwip_sock *ls);
void lwip_raw_exit(void);
bool lwip_raw_accept_dgram(struct lwip_sock *ls, struct netbuf *nb);

#endif /* LWIPK_SYSCALLS_LWIP_SOCK_H */
