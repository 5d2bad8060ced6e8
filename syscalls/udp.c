// SPDX-License-Identifier: GPL-2.0
/*
 * SOCK_DGRAM sockets of the lwip family: UDP on a netconn.
 */
#define pr_fmt(fmt) "lwip_sock: " fmt

#include <linux/sched/signal.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "lwip/ip_addr.h"
#include "lwipk/lwipk.h"
#include "lwip_sock.h"

/* 65535 less the IPv4 and UDP headers */
#define LWIP_UDP_MAX_PAYLOAD	65507

/*
 * What a queued datagram costs beyond its payload, as Linux's skb truesize
 * counts the sk_buff and its shared info: the netbuf and the pbuf (with
 * the room lwIP leaves for headers), each its own allocation, rounded to
 * cache lines as the allocator does.
 */
#define LWIP_UDP_DGRAM_OVERHEAD \
	(L1_CACHE_ALIGN(sizeof(struct netbuf)) + \
	 L1_CACHE_ALIGN(sizeof(struct pbuf) + PBUF_LINK_HLEN + PBUF_IP_HLEN + \
			PBUF_TRANSPORT_HLEN))

/**
 * lwip_udp_charge() - count a datagram lwIP just queued on a UDP netconn
 *	with its overhead: lwIP adds its payload to recv_avail and drops a
 *	datagram that would take recv_avail past recv_bufsize, so SO_RCVBUF
 *	bounds small datagrams by what they cost, not only by their bytes.
 *	lwip_udp_fill() takes the charge back with the datagram.
 * @conn: the netconn (the callback's NETCONN_EVT_RCVPLUS)
 *
 * Context: lwIP's netconn callback.
 */
void lwip_udp_charge(struct netconn *conn)
{
	SYS_ARCH_DECL_PROTECT(lev);

	SYS_ARCH_PROTECT(lev);
	conn->recv_avail += LWIP_UDP_DGRAM_OVERHEAD;
	SYS_ARCH_UNPROTECT(lev);
}

/**
 * lwip_udp_apply_rcvbuf() - SO_RCVBUF: lwIP drops a datagram that would
 *	take the bytes queued unread (with lwip_udp_charge()'s overhead) past
 *	the netconn's recv_bufsize; Linux's sk_rcvbuf is twice what was asked,
 *	the half it keeps for payload.
 * @ls: the socket
 */
void lwip_udp_apply_rcvbuf(struct lwip_sock *ls)
{
	WRITE_ONCE(ls->conn->recv_bufsize, READ_ONCE(ls->sk.sk_rcvbuf) / 2);
}

/**
 * lwip_udp_fill() - take the next datagram (UDP, raw or ping socket) from
 *	the netconn without blocking, if none is taken yet. A ping socket
 *	drops what is not an echo reply to it (lwip_raw_accept_dgram()).
 * @ls: the socket, locked
 *
 * Return: 1 when a datagram was taken, else 0.
 */
int lwip_udp_fill(struct lwip_sock *ls)
{
	SYS_ARCH_DECL_PROTECT(lev);
	struct netbuf *nb;

	lwip_udp_apply_rcvbuf(ls);	/* SO_RCVBUF may have changed */
	if (ls->rx_dgram)
		return 0;
	for (;;) {
		if (netconn_recv_udp_raw_netbuf_flags(ls->conn, &nb,
						      NETCONN_DONTBLOCK) != ERR_OK)
			return 0;
		SYS_ARCH_PROTECT(lev);
		ls->conn->recv_avail -= LWIP_UDP_DGRAM_OVERHEAD;
		SYS_ARCH_UNPROTECT(lev);
		if (lwip_raw_accept_dgram(ls, nb))
			break;
		netbuf_delete(nb);
	}
	ls->rx_dgram = nb;
	return 1;
}

/**
 * lwip_dgram_connect_addr() - what connect() on UDP and raw sockets begins
 *	with: AF_UNSPEC dissolves the association, anything else is the
 *	peer's address, checked (a broadcast one only with SO_BROADCAST,
 *	as Linux).
 * @sock: the socket, not locked
 * @uaddr: the address connect() got
 * @addr_len: its length
 * @ip: the peer's address, out
 * @port: its port, host order, out
 *
 * Return: 0 with @ip and @port set, 1 when the socket was disconnected,
 * or a negative errno.
 */
int lwip_dgram_connect_addr(struct socket *sock, struct sockaddr *uaddr,
			    int addr_len, ip_addr_t *ip, u16 *port)
{
	struct sock *sk = sock->sk;
	struct lwip_sock *ls = lwip_sk(sk);
	int err;

	if (addr_len >= (int)sizeof(uaddr->sa_family) &&
	    uaddr->sa_family == AF_UNSPEC) {
		lock_sock(sk);
		if (ls->connected)
			netconn_disconnect(ls->conn);
		ls->connected = false;
		sock->state = SS_UNCONNECTED;
		release_sock(sk);
		return 1;
	}
	err = lwip_sock_addr(uaddr, addr_len, ip, port);
	if (err)
		return err;
	if (!sock_flag(sk, SOCK_BROADCAST) && lwip_sock_ip_broadcast(ip))
		return -EACCES;
	return 0;
}

static int lwip_udp_connect(struct socket *sock, struct sockaddr *uaddr,
			    int addr_len, int flags)
{
	struct sock *sk = sock->sk;
	struct lwip_sock *ls = lwip_sk(sk);
	ip_addr_t ip;
	u16 port;
	err_t e;
	int err;

	err = lwip_dgram_connect_addr(sock, uaddr, addr_len, &ip, &port);
	if (err)
		return err < 0 ? err : 0;
	lock_sock(sk);
	lwip_sock_apply_options(ls);
	e = ls->bound ? ERR_OK : lwipk_netconn_bind_random(ls->conn, IP_ADDR_ANY);
	if (e == ERR_OK)
		e = netconn_connect(ls->conn, &ip, port);
	if (e == ERR_OK) {
		ls->bound = true;
		ls->connected = true;
		sock->state = SS_CONNECTED;
		lwip_sock_route_src(&ip, &ls->local_ip);
	}
	release_sock(sk);
	return lwip_sock_errno(e);
}

/**
 * lwip_dgram_shutdown() - shutdown() of a datagram (UDP, raw, ping) socket.
 * @sock: the socket
 * @how: SHUT_RD, SHUT_WR or SHUT_RDWR
 *
 * Return: 0, -EINVAL or -ENOTCONN when not connected, as Linux.
 */
int lwip_dgram_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	struct lwip_sock *ls = lwip_sk(sk);
	int err = 0;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	lock_sock(sk);
	if (!ls->connected) {
		err = -ENOTCONN;
	} else {
		sk->sk_shutdown |= how + 1;
		atomic_inc(&ls->events);
		sk->sk_state_change(sk);
	}
	release_sock(sk);
	return err;
}

/**
 * lwip_dgram_poll() - poll() of a datagram (UDP, raw, ping) socket.
 * @file: the file
 * @sock: the socket
 * @wait: the poll table
 *
 * Return: the events.
 */
__poll_t lwip_dgram_poll(struct file *file, struct socket *sock,
			 poll_table *wait)
{
	struct sock *sk = sock->sk;
	struct lwip_sock *ls = lwip_sk(sk);
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	sock_poll_wait(file, sock, wait);
	lock_sock(sk);
	lwip_udp_fill(ls);
	if (ls->rx_dgram)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(sk->sk_err))
		mask |= EPOLLERR;
	if (sk->sk_shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (sk->sk_shutdown == SHUTDOWN_MASK)
		mask |= EPOLLHUP;
	release_sock(sk);
	return mask;
}

/**
 * lwip_dgram_recvmsg() - receive one datagram (UDP; raw: IP header first;
 *	ping: the ICMP echo reply).
 * @sock: the socket
 * @msg: where to
 * @len: room
 * @flags: MSG_*
 *
 * Return: the bytes (the datagram's length with MSG_TRUNC) or an errno.
 */
int lwip_dgram_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
		       int flags)
{
	struct sock *sk = sock->sk;
	struct lwip_sock *ls = lwip_sk(sk);
	struct netbuf *nb;
	size_t dlen, n;
	struct pbuf *p;
	size_t done = 0;
	long timeo;
	int err = 0;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (flags & MSG_ERRQUEUE)	/* nothing is ever queued there */
		return -EAGAIN;
	lock_sock(sk);
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	for (;;) {
		int seq = atomic_read(&ls->events);

		lwip_udp_fill(ls);
		if (ls->rx_dgram)
			break;
		if (sk->sk_shutdown & RCV_SHUTDOWN)
			goto out_release;
		err = lwip_sock_wait(sk, &timeo, seq);
		if (err)
			goto out_release;
	}
	nb = ls->rx_dgram;
	dlen = netbuf_len(nb);
	n = min(len, dlen);
	for (p = nb->p; p && done < n; p = p->next) {
		size_t k = min_t(size_t, p->len, n - done);

		if (copy_to_iter(p->payload, k, &msg->msg_iter) != k) {
			err = -EFAULT;
			goto out_release;
		}
		done += k;
	}
	if (n < dlen)
		msg->msg_flags |= MSG_TRUNC;
	if (msg->msg_name) {
		DECLARE_SOCKADDR(struct sockaddr_in *, sin, msg->msg_name);

		memset(sin, 0, sizeof(*sin));
		sin->sin_family = AF_INET;
		/* raw and ping: the port is lwIP's protocol; Linux says 0 */
		if (sk->sk_protocol == IPPROTO_UDP)
			sin->sin_port = htons(netbuf_fromport(nb));
		sin->sin_addr.s_addr = lwip_ip_be32(netbuf_fromaddr(nb));
		msg->msg_namelen = sizeof(*sin);
	}
	if (!(flags & MSG_PEEK)) {
		netbuf_delete(nb);
		ls->rx_dgram = NULL;
	}
	err = (flags & MSG_TRUNC) ? dlen : n;
out_release:
	release_sock(sk);
	return err;
}

static int lwip_udp_sendmsg(struct socket *sock, struct msghdr *msg,
			    size_t len)
{
	struct sock *sk = sock->sk;
	struct lwip_sock *ls = lwip_sk(sk);
	struct netbuf *nb;
	ip_addr_t ip;
	u16 port = 0;
	void *data;
	err_t e;
	int err;

	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (len > LWIP_UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (msg->msg_name) {
		err = lwip_sock_addr(msg->msg_name, msg->msg_namelen, &ip,
				     &port);
		if (err)
			return err;
		if (!port)
			return -EINVAL;
		if (!sock_flag(sk, SOCK_BROADCAST) && lwip_sock_ip_broadcast(&ip))
			return -EACCES;
	}
	nb = netbuf_new();
	if (!nb)
		return -ENOBUFS;
	data = netbuf_alloc(nb, len);
	if (!data) {
		err = -ENOBUFS;
		goto free_netbuf;
	}
	if (copy_from_iter(data, len, &msg->msg_iter) != len) {
		err = -EFAULT;
		goto free_netbuf;
	}
	lock_sock(sk);
	if (sk->sk_shutdown & SEND_SHUTDOWN) {
		err = -EPIPE;
		if (!(msg->msg_flags & MSG_NOSIGNAL))
			send_sig(SIGPIPE, current, 0);
		goto out_release;
	}
	if (!msg->msg_name && !ls->connected) {
		err = -EDESTADDRREQ;
		goto out_release;
	}
	if (!ls->bound) {
		/* a random port, as Linux's autobind, not lwIP's next one */
		lwip_sock_apply_options(ls);
		e = lwipk_netconn_bind_random(ls->conn, IP_ADDR_ANY);
		if (e != ERR_OK) {
			err = lwip_sock_errno(e);
			goto out_release;
		}
		ls->bound = true;
	}
	if (msg->msg_name)
		e = netconn_sendto(ls->conn, nb, &ip, port);
	else
		e = netconn_send(ls->conn, nb);
	err = e == ERR_OK ? len : lwip_sock_errno(e);
out_release:
	release_sock(sk);
free_netbuf:
	netbuf_delete(nb);
	return err;
}

const struct proto_ops lwip_dgram_ops = {
	.family		= PF_UNSPEC,	/* a parameter: see sk_family */
	.owner		= THIS_MODULE,
	.release	= lwip_sock_release,
	.bind		= lwip_sock_bind,
	.connect	= lwip_udp_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= lwip_sock_getname,
	.poll		= lwip_dgram_poll,
	.ioctl		= lwip_sock_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= lwip_dgram_shutdown,
	.setsockopt	= lwip_sock_setsockopt,
	.getsockopt	= lwip_sock_getsockopt,
	.sendmsg	= lwip_udp_sendmsg,
	.recvmsg	= lwip_dgram_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
};
