// SPDX-License-Identifier: GPL-2.0
/*
 * Socket options, ioctls and error numbers of lwip sockets. SOL_SOCKET
 * options go through the kernel's generic sock_setsockopt() into the
 * struct sock; what lwIP needs of them is copied to the pcb here.
 */
#define pr_fmt(fmt) "lwip_sock: " fmt

#include <asm/ioctls.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <net/sock.h>

/* uapi/linux/timex.h names a leap second TIME_WAIT; lwIP names a TCP state */
#undef TIME_WAIT
#include "lwip/tcpip.h"
#include "lwip/ip.h"
#include "lwip/tcp.h"
#include "lwip_sock.h"

/**
 * lwip_sock_errno() - the negative errno of an lwIP error.
 * @err: the lwIP error
 *
 * Return: 0 for ERR_OK, else a negative errno.
 */
int lwip_sock_errno(err_t err)
{
	switch (err) {
	case ERR_OK:
		return 0;
	case ERR_MEM:
		return -ENOMEM;
	case ERR_BUF:
		return -ENOBUFS;
	case ERR_TIMEOUT:
	case ERR_WOULDBLOCK:
		return -EAGAIN;
	case ERR_RTE:
		return -ENETUNREACH;
	case ERR_INPROGRESS:
		return -EINPROGRESS;
	case ERR_VAL:
		return -EINVAL;
	case ERR_USE:
		return -EADDRINUSE;
	case ERR_ALREADY:
		return -EALREADY;
	case ERR_ISCONN:
		return -EISCONN;
	case ERR_CONN:
	case ERR_CLSD:
		return -ENOTCONN;
	case ERR_ABRT:
		return -ECONNABORTED;
	case ERR_RST:
		return -ECONNRESET;
	default:
		return -EIO;
	}
}

/* Copy SO_REUSEADDR, SO_KEEPALIVE and SO_BROADCAST to the pcb. */
static void lwip_sock_apply_options_locked(struct lwip_sock *ls)
{
	struct ip_pcb *pcb = ls->conn->pcb.ip;
	struct sock *sk = &ls->sk;

	if (!pcb)
		return;
	if (sk->sk_reuse)
		ip_set_option(pcb, SOF_REUSEADDR);
	else
		ip_reset_option(pcb, SOF_REUSEADDR);
	if (sock_flag(sk, SOCK_KEEPOPEN))
		ip_set_option(pcb, SOF_KEEPALIVE);
	else
		ip_reset_option(pcb, SOF_KEEPALIVE);
	if (sock_flag(sk, SOCK_BROADCAST))
		ip_set_option(pcb, SOF_BROADCAST);
	else
		ip_reset_option(pcb, SOF_BROADCAST);
}

/**
 * lwip_sock_apply_options() - copy the socket's SOL_SOCKET options that
 *	lwIP implements to its pcb.
 * @ls: the socket
 */
void lwip_sock_apply_options(struct lwip_sock *ls)
{
	LOCK_TCPIP_CORE();
	lwip_sock_apply_options_locked(ls);
	UNLOCK_TCPIP_CORE();
}

/**
 * lwip_sock_keepalive() - struct proto's hook for SO_KEEPALIVE.
 * @sk: the socket
 * @valbool: on or off
 */
void lwip_sock_keepalive(struct sock *sk, int valbool)
{
	struct lwip_sock *ls = lwip_sk(sk);
	struct ip_pcb *pcb;

	LOCK_TCPIP_CORE();
	pcb = ls->conn ? ls->conn->pcb.ip : NULL;
	if (pcb && valbool)
		ip_set_option(pcb, SOF_KEEPALIVE);
	else if (pcb)
		ip_reset_option(pcb, SOF_KEEPALIVE);
	UNLOCK_TCPIP_CORE();
}

/**
 * lwip_sock_setsockopt() - options of levels other than SOL_SOCKET.
 * @sock: the socket
 * @level: the level
 * @optname: the option
 * @optval: its value
 * @optlen: its length
 *
 * Only TCP_NODELAY, kept in the socket too (listeners hand it on to
 * accepted sockets, as on Linux); the rest is -ENOPROTOOPT.
 *
 * Return: 0 or a negative errno.
 */
int lwip_sock_setsockopt(struct socket *sock, int level, int optname,
			 sockptr_t optval, unsigned int optlen)
{
	struct lwip_sock *ls = lwip_sk(sock->sk);
	int val;

	if (level != SOL_TCP || sock->type != SOCK_STREAM ||
	    optname != TCP_NODELAY)
		return -ENOPROTOOPT;
	if (optlen < sizeof(val))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	lock_sock(sock->sk);
	WRITE_ONCE(ls->nodelay, !!val);	/* accept() hands it on */
	LOCK_TCPIP_CORE();
	if (ls->conn->pcb.tcp && !ls->listening) {
		if (val)
			tcp_nagle_disable(ls->conn->pcb.tcp);
		else
			tcp_nagle_enable(ls->conn->pcb.tcp);
	}
	UNLOCK_TCPIP_CORE();
	release_sock(sock->sk);
	return 0;
}

/**
 * lwip_sock_getsockopt() - options of levels other than SOL_SOCKET.
 * @sock: the socket
 * @level: the level
 * @optname: the option
 * @optval: where to store its value
 * @optlen: the room there, then the length stored
 *
 * Return: 0 or a negative errno.
 */
int lwip_sock_getsockopt(struct socket *sock, int level, int optname,
			 char __user *optval, int __user *optlen)
{
	struct lwip_sock *ls = lwip_sk(sock->sk);
	int val = 0, len;

	if (level != SOL_TCP || sock->type != SOCK_STREAM ||
	    optname != TCP_NODELAY)
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	len = min_t(int, len, sizeof(val));
	val = READ_ONCE(ls->nodelay);
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

/* Bytes a read would return now (the next datagram's for UDP). */
static int lwip_sock_inq(struct lwip_sock *ls)
{
	if (ls->sk.sk_type == SOCK_DGRAM) {
		lwip_udp_fill(ls);
		return ls->rx_dgram ? netbuf_len(ls->rx_dgram) : 0;
	}
	if (ls->listening)
		return -EINVAL;
	return ls->rx_bytes + READ_ONCE(ls->conn->recv_avail);
}

/* Bytes sent and not yet acknowledged. */
static int lwip_sock_outq(struct lwip_sock *ls)
{
	int n = 0;

	if (ls->sk.sk_type == SOCK_DGRAM)
		return 0;
	if (ls->listening)
		return -EINVAL;
	LOCK_TCPIP_CORE();
	if (ls->conn->pcb.tcp)
		n = TCP_SND_BUF - ls->conn->pcb.tcp->snd_buf;
	UNLOCK_TCPIP_CORE();
	return n;
}

/**
 * lwip_sock_ioctl() - FIONREAD (SIOCINQ) and SIOCOUTQ.
 * @sock: the socket
 * @cmd: the ioctl
 * @arg: the user's int
 *
 * Return: 0, a negative errno or -ENOIOCTLCMD for other ioctls.
 */
int lwip_sock_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg)
{
	struct lwip_sock *ls = lwip_sk(sock->sk);
	int n;

	switch (cmd) {
	case SIOCINQ:
		lock_sock(sock->sk);
		n = lwip_sock_inq(ls);
		release_sock(sock->sk);
		break;
	case SIOCOUTQ:
		lock_sock(sock->sk);
		n = lwip_sock_outq(ls);
		release_sock(sock->sk);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	if (n < 0)
		return n;
	return put_user(n, (int __user *)arg);
}
