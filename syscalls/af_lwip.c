// SPDX-License-Identifier: GPL-2.0
/*
 * lwip_sock.ko: the lwip protocol family. Registers the family and its
 * struct proto, creates sockets on netconns and holds what stream and
 * datagram sockets share: release, bind, getname, the netconn event
 * callback and the interruptible wait.
 */
#define pr_fmt(fmt) "lwip_sock: " fmt

#include <linux/module.h>
#include <linux/capability.h>
#include <linux/sched/signal.h>
#include <net/sock.h>

/* uapi/linux/timex.h names a leap second TIME_WAIT; lwIP names a TCP state */
#undef TIME_WAIT
#include "lwip/tcpip.h"
#include "lwip/tcp.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/ip.h"
#include "lwipk/lwipk.h"
#include "lwip_sock.h"

MODULE_IMPORT_NS(LWIP);

int lwip_sock_family = LWIP_SOCK_FAMILY_DEFAULT;
module_param_named(family, lwip_sock_family, int, 0444);
MODULE_PARM_DESC(family, "protocol family number of lwIP sockets (default 22)");

/* Longest sleep before a waiter looks at the netconn again by itself. */
#define LWIP_SOCK_WAIT_SLICE	HZ

static struct proto lwip_proto = {
	.name		= "LWIP",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct lwip_sock),
	.keepalive	= lwip_sock_keepalive,
};

/* The negative errno Linux would report for an asynchronous lwIP error. */
static int lwip_sock_async_errno(struct lwip_sock *ls, err_t err)
{
	switch (err) {
	case ERR_RST:
		if (READ_ONCE(ls->connecting))
			return -ECONNREFUSED;
		return READ_ONCE(ls->rx_eof) ? -EPIPE : -ECONNRESET;
	case ERR_ABRT:
		return -ETIMEDOUT;
	default:
		return lwip_sock_errno(err);
	}
}

/*
 * lwIP calls this for every event of a netconn, with the core lock held:
 * in the tcpip thread, or in the thread of a netconn call (locking rule 4
 * in lwip_sock.h). Connections lwIP made for a listener and nobody
 * accepted yet still carry the -1 netconn_alloc() put in callback_arg (no
 * pointer ends in 0xffffffff).
 */
static void lwip_sock_event(struct netconn *conn, enum netconn_evt evt,
			    u16_t len)
{
	struct socket_wq *wq;
	struct lwip_sock *ls;
	struct sock *sk;
	int err;

	if (evt == NETCONN_EVT_RCVPLUS &&
	    NETCONNTYPE_GROUP(netconn_type(conn)) != NETCONN_TCP)
		lwip_udp_charge(conn);
	if (conn->callback_arg.socket == -1)
		return;
	ls = netconn_get_callback_arg(conn);
	if (!ls || evt == NETCONN_EVT_RCVMINUS || evt == NETCONN_EVT_SENDMINUS)
		return;	/* the only events lwIP sends without the core lock */
	lwip_sock_assert_core_locked();
	sk = &ls->sk;
	if (sk->sk_type == SOCK_STREAM)	/* connected: TCP_MAXSEG caps the MSS */
		lwip_tcp_clamp_mss(ls, conn->pcb.tcp);
	if (evt == NETCONN_EVT_ERROR) {
		err = lwip_sock_async_errno(ls, conn->pending_err);
		if (err) {
			WRITE_ONCE(sk->sk_err, -err);
			WRITE_ONCE(ls->err_reported, true);
		}
	}
	atomic_inc(&ls->events);
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_all(&wq->wait);
	rcu_read_unlock();
	/* O_ASYNC: SIGIO (or F_SETSIG's signal) with Linux's bands */
	if (evt == NETCONN_EVT_RCVPLUS)		/* data, FIN, a connection */
		sk_wake_async(sk, SOCK_WAKE_WAITD, POLL_IN);
	else if (evt == NETCONN_EVT_SENDPLUS)	/* only after a send ran out */
		sk_wake_async(sk, SOCK_WAKE_SPACE, POLL_OUT);
	else if (evt == NETCONN_EVT_ERROR)
		sk_wake_async(sk, SOCK_WAKE_IO, POLL_ERR);
}

/**
 * lwip_sock_wait() - sleep until a netconn event after @seq, a signal or
 *	the end of *@timeo. Called and returns with the socket locked.
 * @sk: the socket
 * @timeo: time left, updated
 * @seq: the value of the event counter taken before the failed attempt
 *
 * Return: 0 to try again, -EAGAIN when the time is up, or the errno of
 * a pending signal.
 */
int lwip_sock_wait(struct sock *sk, long *timeo, int seq)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct lwip_sock *ls = lwip_sk(sk);
	long slice, left;

	if (!*timeo)
		return -EAGAIN;
	if (signal_pending(current))
		return sock_intr_errno(*timeo);
	slice = min_t(long, *timeo, LWIP_SOCK_WAIT_SLICE);
	left = slice;
	add_wait_queue(sk_sleep(sk), &wait);
	sk_wait_event(sk, &left, atomic_read(&ls->events) != seq, &wait);
	remove_wait_queue(sk_sleep(sk), &wait);
	if (*timeo != MAX_SCHEDULE_TIMEOUT)
		*timeo -= slice - left;
	if (atomic_read(&ls->events) != seq)
		return 0;
	if (signal_pending(current))
		return sock_intr_errno(*timeo);
	return *timeo ? 0 : -EAGAIN;
}

/**
 * lwip_sock_addr() - read a struct sockaddr_in from a socket call.
 * @uaddr: the address
 * @addr_len: its length
 * @ip: the IPv4 address, out
 * @port: the port in host order, out
 *
 * Return: 0, -EINVAL for a short address or -EAFNOSUPPORT for a family
 * other than AF_INET and ours.
 */
int lwip_sock_addr(struct sockaddr *uaddr, int addr_len, ip_addr_t *ip,
		   u16 *port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)uaddr;

	if (addr_len < (int)sizeof(*sin))
		return -EINVAL;
	if (sin->sin_family != AF_INET && sin->sin_family != lwip_sock_family)
		return -EAFNOSUPPORT;
	lwip_ip_set_be32(ip, sin->sin_addr.s_addr);
	*port = ntohs(sin->sin_port);
	return 0;
}

/**
 * lwip_sock_addr_local() - whether bind() may use @ip: any, 127/8 or the
 *	address of a netif.
 * @ip: the address
 *
 * Context: takes the tcpip core lock.
 * Return: true when it may.
 */
bool lwip_sock_addr_local(const ip_addr_t *ip)
{
	__be32 addr = lwip_ip_be32(ip);
	struct netif *netif;
	bool local = false;

	if (addr == htonl(INADDR_ANY) || ipv4_is_loopback(addr))
		return true;
	LOCK_TCPIP_CORE();
	NETIF_FOREACH(netif) {
		if (ip4_addr_eq(netif_ip4_addr(netif), ip_2_ip4(ip))) {
			local = true;
			break;
		}
	}
	UNLOCK_TCPIP_CORE();
	return local;
}

/**
 * lwip_sock_ip_broadcast() - whether @ip is a broadcast address, as
 *	Linux's routes say: the limited broadcast, or the subnet broadcast
 *	of a netif (127.255.255.255 for lo0's 127.0.0.1/8).
 * @ip: the destination
 *
 * Context: takes the tcpip core lock.
 * Return: true for a broadcast address.
 */
bool lwip_sock_ip_broadcast(const ip_addr_t *ip)
{
	u32 addr = ip4_addr_get_u32(ip_2_ip4(ip)), mask;
	struct netif *netif;
	bool bc = false;

	if (addr == IPADDR_BROADCAST)
		return true;
	LOCK_TCPIP_CORE();
	NETIF_FOREACH(netif) {
		mask = ip4_addr_get_u32(netif_ip4_netmask(netif));
		if (mask == IPADDR_BROADCAST || ip4_addr_isany_val(*netif_ip4_addr(netif)))
			continue;
		if ((addr & ~mask) == ~mask &&
		    ip4_addr_net_eq(ip_2_ip4(ip), netif_ip4_addr(netif),
				    netif_ip4_netmask(netif))) {
			bc = true;
			break;
		}
	}
	UNLOCK_TCPIP_CORE();
	return bc;
}

/**
 * lwip_sock_route_src() - the source address Linux's routes give a
 *	datagram socket that connects to @dst without a bound address:
 *	@dst itself when it is one of our addresses, else the address of the
 *	netif lwIP routes it through (127.0.0.1 for 127/8), else any.
 * @dst: the peer
 * @src: the source, out
 *
 * Context: takes the tcpip core lock.
 */
void lwip_sock_route_src(const ip_addr_t *dst, ip_addr_t *src)
{
	struct netif *netif;

	ip_addr_set_zero_ip4(src);
	LOCK_TCPIP_CORE();
	NETIF_FOREACH(netif) {
		if (netif_is_up(netif) &&
		    ip4_addr_eq(ip_2_ip4(dst), netif_ip4_addr(netif))) {
			ip_addr_copy(*src, *dst);
			goto out_unlock;
		}
	}
	netif = ip4_route(ip_2_ip4(dst));
	if (netif)
		ip_addr_copy_from_ip4(*src, *netif_ip4_addr(netif));
out_unlock:
	UNLOCK_TCPIP_CORE();
}

/**
 * lwip_sock_alloc() - make the struct sock of a socket around a netconn.
 * @net: the network namespace
 * @sock: the socket
 * @kern: whether the kernel creates it
 * @conn: the netconn; the socket owns it on success
 *
 * Return: the sock or NULL when out of memory.
 */
struct sock *lwip_sock_alloc(struct net *net, struct socket *sock, int kern,
			     struct netconn *conn)
{
	struct lwip_sock *ls;
	struct sock *sk;

	sk = sk_alloc(net, lwip_sock_family, GFP_KERNEL, &lwip_proto, kern);
	if (!sk)
		return NULL;
	sock_init_data(sock, sk);
	sk->sk_protocol = sock->type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
	if (sock->type == SOCK_STREAM) {
		/* lwIP's real buffers, doubled as Linux reports them */
		sk->sk_sndbuf = 2 * TCP_SND_BUF;
		sk->sk_rcvbuf = 2 * TCP_WND;
	}
	ls = lwip_sk(sk);
	ls->conn = conn;
	atomic_set(&ls->events, 0);
	LOCK_TCPIP_CORE();
	netconn_set_nonblocking(conn, 1);
	netconn_set_callback_arg(conn, ls);
	if (sock->type == SOCK_STREAM && conn->pcb.tcp)
		lwipk_pcb_guard(conn);	/* see port/pcbguard.c */
	UNLOCK_TCPIP_CORE();
	return sk;
}

/**
 * lwip_sock_release() - close(): free what is buffered, close the
 *	netconn (gracefully, or as SO_LINGER says) and drop the sock.
 * @sock: the socket
 *
 * Return: 0.
 */
int lwip_sock_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct lwip_sock *ls;

	if (!sk)
		return 0;
	ls = lwip_sk(sk);
	lock_sock(sk);
	if (sk->sk_type == SOCK_STREAM)
		lwip_tcp_connect_settle(ls);	/* TCP_SYNCNT, see there */
	/* like Linux, an exiting process does not linger */
	if (sock_flag(sk, SOCK_LINGER) && sk->sk_lingertime &&
	    sk->sk_type == SOCK_STREAM && !(current->flags & PF_EXITING))
		lwip_tcp_linger(ls);
	lwip_tcp_rx_purge(ls);
	lwip_tcp_rx_release(ls);
	lwip_tcp_mem_release(ls);
	lwip_raw_release(ls);
	if (ls->rx_dgram)
		netbuf_delete(ls->rx_dgram);
	ls->rx_dgram = NULL;
	if (ls->rx_child)
		netconn_delete(ls->rx_child);
	ls->rx_child = NULL;
	LOCK_TCPIP_CORE();
	if (sk->sk_type == SOCK_STREAM)
		lwip_tcp_release_pcb(ls);
	netconn_set_nonblocking(ls->conn, 0);	/* netconn_delete() waits */
	UNLOCK_TCPIP_CORE();
	if (sk->sk_type == SOCK_STREAM)
		lwipk_netconn_delete(ls->conn);	/* the guard: port/pcbguard.c */
	else
		netconn_delete(ls->conn);
	ls->conn = NULL;
	if (sk->sk_type == SOCK_STREAM) {
		LOCK_TCPIP_CORE();
		lwipk_tw_watch();	/* it may have entered TIME_WAIT */
		UNLOCK_TCPIP_CORE();
	}
	sk->sk_shutdown = SHUTDOWN_MASK;
	sock_orphan(sk);
	release_sock(sk);
	sock_put(sk);
	sock->sk = NULL;
	return 0;
}

/**
 * lwip_sock_bind() - bind(): an IPv4 address and port, 0 for ephemeral.
 * @sock: the socket
 * @uaddr: a struct sockaddr_in
 * @addr_len: its length
 *
 * Return: 0 or a negative errno (EADDRNOTAVAIL for an address not ours,
 * EACCES below 1024 without CAP_NET_BIND_SERVICE, EADDRINUSE, EINVAL when
 * bound already).
 */
int lwip_sock_bind(struct socket *sock, struct sockaddr *uaddr, int addr_len)
{
	struct sock *sk = sock->sk;
	struct lwip_sock *ls = lwip_sk(sk);
	ip_addr_t ip;
	u16 port;
	err_t e;
	int err;

	err = lwip_sock_addr(uaddr, addr_len, &ip, &port);
	if (err)
		return err;
	if (!lwip_sock_addr_local(&ip))
		return -EADDRNOTAVAIL;
	if (port && port < PROT_SOCK &&
	    !ns_capable(sock_net(sk)->user_ns, CAP_NET_BIND_SERVICE))
		return -EACCES;
	lock_sock(sk);
	if (ls->bound || ls->listening || ls->connected || ls->connecting) {
		err = -EINVAL;
		goto out_release;
	}
	lwip_sock_apply_options(ls);
	/* port 0: a random free port, as Linux gives, not lwIP's next one */
	e = port ? netconn_bind(ls->conn, &ip, port) :
	    lwipk_netconn_bind_random(ls->conn, &ip);
	if (e == ERR_OK) {
		ls->bound = true;
		ls->bind_explicit = true;
		ls->bind_ip = ip;
		ls->bind_port = port;
	} else {
		err = lwip_sock_errno(e);
	}
out_release:
	release_sock(sk);
	return err;
}

/**
 * lwip_sock_getname() - getsockname() and getpeername(), as AF_INET.
 * @sock: the socket
 * @uaddr: where to write the struct sockaddr_in
 * @peer: the peer's address rather than ours
 *
 * Return: the address length or -ENOTCONN.
 */
int lwip_sock_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	DECLARE_SOCKADDR(struct sockaddr_in *, sin, uaddr);
	struct lwip_sock *ls = lwip_sk(sock->sk);
	ip_addr_t ip;
	u16_t port;
	err_t e;

	/* locked: a connect may put a new netconn in place */
	lock_sock(sock->sk);
	if (peer && sock->type == SOCK_STREAM)
		lwip_tcp_connect_settle(ls);
	if (peer && !ls->connected) {
		release_sock(sock->sk);
		return -ENOTCONN;
	}
	e = netconn_getaddr(ls->conn, &ip, &port, !peer);
	if (e != ERR_OK && !peer) {
		/* Linux keeps the address of a closed or reset connection */
		ip = ls->local_ip;
		port = ls->local_port;
		e = ERR_OK;
	} else if (e == ERR_OK && !peer && sock->type != SOCK_STREAM &&
		   ls->connected && ip_addr_isany(&ip)) {
		ip = ls->local_ip;	/* the route's source, as Linux */
	}
	if (ls->ping && !peer)
		port = ls->ping_id;	/* Linux: a ping socket's identifier */
	release_sock(sock->sk);
	if (e != ERR_OK)
		return -ENOTCONN;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	sin->sin_addr.s_addr = lwip_ip_be32(&ip);
	return sizeof(*sin);
}

/**
 * lwip_sock_renew_conn() - put a new TCP netconn under a socket whose
 *	connect failed (lwIP freed its PCB), so that it can connect again,
 *	bound again to what bind() chose.
 * @ls: the socket, locked
 *
 * Return: 0, -ENOBUFS when lwIP is out of memory, or the errno of the
 * new bind.
 */
int lwip_sock_renew_conn(struct lwip_sock *ls)
{
	struct netconn *conn, *old = ls->conn;
	struct sock *sk = &ls->sk;
	err_t e = ERR_OK;

	conn = netconn_new_with_callback(NETCONN_TCP, lwip_sock_event);
	if (!conn)
		return -ENOBUFS;
	LOCK_TCPIP_CORE();
	netconn_set_nonblocking(conn, 1);
	netconn_set_callback_arg(old, NULL);
	netconn_set_callback_arg(conn, ls);
	lwipk_pcb_guard(conn);
	ls->conn = conn;
	UNLOCK_TCPIP_CORE();
	lwipk_netconn_delete(old);
	lwip_tcp_rx_purge(ls);
	ls->rx_withheld = 0;
	ls->rx_wnd_max = 0;
	ls->connect_failed = false;
	ls->connected = false;
	ls->bound = false;
	WRITE_ONCE(ls->rx_eof, false);
	WRITE_ONCE(ls->err_reported, false);
	WRITE_ONCE(sk->sk_err, 0);
	sk->sk_shutdown = 0;
	lwip_sock_apply_options(ls);
	if (ls->bind_explicit)
		e = netconn_bind(conn, &ls->bind_ip, ls->bind_port);
	if (e != ERR_OK)
		return lwip_sock_errno(e);
	ls->bound = ls->bind_explicit;
	return 0;
}

static int lwip_sock_create(struct net *net, struct socket *sock, int protocol,
			    int kern)
{
	const struct proto_ops *ops;
	enum netconn_type type;
	struct netconn *conn;
	struct sock *sk;
	bool raw = false;
	int err;

	/*
	 * lwIP is one stack for the whole machine: a socket in another
	 * network namespace would escape it (and its CAP_NET_BIND_SERVICE
	 * check, made in the initial user namespace through init_net).
	 */
	if (!net_eq(net, &init_net))
		return -EAFNOSUPPORT;
	if (protocol < 0 || protocol >= IPPROTO_MAX)
		return -EINVAL;
	switch (sock->type) {
	case SOCK_STREAM:
		if (protocol && protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		type = NETCONN_TCP;
		ops = &lwip_stream_ops;
		break;
	case SOCK_DGRAM:
		if (protocol == IPPROTO_ICMP) {
			raw = true;	/* a ping socket */
			ops = &lwip_raw_ops;
			break;
		}
		if (protocol && protocol != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		type = NETCONN_UDP;
		ops = &lwip_dgram_ops;
		break;
	case SOCK_RAW:
		raw = true;
		ops = &lwip_raw_ops;
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}
	if (!lwip_sock_mem_admit(LWIP_SOCK_MEM_SOCKETS))
		return -ENOBUFS;	/* the rest of the heap moves data */
	if (raw) {
		err = lwip_raw_create(net, sock, protocol, kern,
				      lwip_sock_event, &conn);
		if (err)
			return err;
	} else {
		conn = netconn_new_with_callback(type, lwip_sock_event);
		if (!conn)
			return -ENOBUFS;
	}
	sock->ops = ops;
	sock->state = SS_UNCONNECTED;
	sk = lwip_sock_alloc(net, sock, kern, conn);
	if (!sk) {
		netconn_delete(conn);
		return -ENOMEM;
	}
	if (raw) {
		sk->sk_protocol = protocol;
		lwip_sk(sk)->ping = sock->type == SOCK_DGRAM;
	}
	return 0;
}

static struct net_proto_family lwip_family_ops = {
	.create	= lwip_sock_create,
	.owner	= THIS_MODULE,
};

static int __init lwip_sock_init(void)
{
	int err;

	if (lwip_sock_family <= AF_UNSPEC || lwip_sock_family >= NPROTO) {
		pr_err("family=%d is out of range 1..%d\n", lwip_sock_family,
		       NPROTO - 1);
		return -EINVAL;
	}
	err = proto_register(&lwip_proto, 0);
	if (err)
		return err;
	LOCK_TCPIP_CORE();
	lwipk_pcb_set_passive_open(lwip_tcp_passive_open);
	UNLOCK_TCPIP_CORE();
	lwip_family_ops.family = lwip_sock_family;
	err = sock_register(&lwip_family_ops);
	if (err) {
		if (err == -EEXIST)
			pr_err("protocol family %d is taken: load with family=<free number>\n",
			       lwip_sock_family);
		goto remove_passive_open;
	}
	pr_info("lwIP sockets on protocol family %d\n", lwip_sock_family);
	return 0;

remove_passive_open:
	LOCK_TCPIP_CORE();
	lwipk_pcb_set_passive_open(NULL);
	UNLOCK_TCPIP_CORE();
	proto_unregister(&lwip_proto);
	return err;
}

static void __exit lwip_sock_exit(void)
{
	sock_unregister(lwip_sock_family);
	LOCK_TCPIP_CORE();
	lwipk_pcb_set_passive_open(NULL);
	UNLOCK_TCPIP_CORE();
	proto_unregister(&lwip_proto);
	lwip_raw_exit();
}

module_init(lwip_sock_init);
module_exit(lwip_sock_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Linux sockets on the lwIP stack");
