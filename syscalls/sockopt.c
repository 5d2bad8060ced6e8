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
#include "lwip/priv/tcp_priv.h"	/* TCP_KEEP*_DEFAULT */
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

/*
 * Linux's bounds of TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT
 * (MAX_TCP_KEEPIDLE and friends of net/tcp.h, whose tcp_* names clash
 * with lwIP's).
 */
#define LWIP_KEEPIDLE_MAX	32767
#define LWIP_KEEPINTVL_MAX	32767
#define LWIP_KEEPCNT_MAX	127
#define LWIP_SYNCNT_MAX		127

/* Copy TCP_NODELAY and the keepalive timing to a connection's pcb. */
static void lwip_sock_apply_tcp_locked(struct lwip_sock *ls)
{
	struct tcp_pcb *pcb = ls->conn->pcb.tcp;

	if (!pcb || ls->listening || pcb->state == LISTEN)
		return;	/* listen PCBs have neither: accept() hands them on */
	/*
	 * TCP_SYNCNT: lwIP gives up a connect once the SYN was sent
	 * TCP_SYNMAXRTX times more; fewer retries start the count higher.
	 * lwip_tcp_connect_settle() sets it back to 0 once connected.
	 */
	if (pcb->state == CLOSED && ls->syn_cnt)
		pcb->nrtx = TCP_SYNMAXRTX - min_t(u8, ls->syn_cnt, TCP_SYNMAXRTX);
	if (ls->nodelay)
		tcp_nagle_disable(pcb);
	else
		tcp_nagle_enable(pcb);
	if (ls->keep_idle)
		pcb->keep_idle = ls->keep_idle * 1000U;
	if (ls->keep_intvl)
		pcb->keep_intvl = ls->keep_intvl * 1000U;
	if (ls->keep_cnt)
		pcb->keep_cnt = ls->keep_cnt;
}

/*
 * Copy SO_REUSEADDR, SO_KEEPALIVE and SO_BROADCAST to the pcb, and for
 * UDP SO_RCVBUF: lwIP drops datagrams beyond recv_bufsize bytes unread;
 * Linux's sk_rcvbuf is twice what the user asked, the half it keeps for
 * payload.
 */
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
	if (sk->sk_type == SOCK_STREAM)
		lwip_sock_apply_tcp_locked(ls);
	else
		lwip_udp_apply_rcvbuf(ls);
}

/**
 * lwip_sock_apply_options() - copy the socket's options that lwIP
 *	implements (SOL_SOCKET ones and, for TCP, TCP_NODELAY and the
 *	keepalive timing) to its pcb.
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

/* Store one SOL_TCP option; 0 or a negative errno, Linux's bounds. */
static int lwip_tcp_setopt(struct lwip_sock *ls, int optname, int val)
{
	switch (optname) {
	case TCP_NODELAY:
		WRITE_ONCE(ls->nodelay, !!val);
		return 0;
	case TCP_KEEPIDLE:
		if (val < 1 || val > LWIP_KEEPIDLE_MAX)
			return -EINVAL;
		WRITE_ONCE(ls->keep_idle, val);
		return 0;
	case TCP_KEEPINTVL:
		if (val < 1 || val > LWIP_KEEPINTVL_MAX)
			return -EINVAL;
		WRITE_ONCE(ls->keep_intvl, val);
		return 0;
	case TCP_KEEPCNT:
		if (val < 1 || val > LWIP_KEEPCNT_MAX)
			return -EINVAL;
		WRITE_ONCE(ls->keep_cnt, val);
		return 0;
	case TCP_SYNCNT:
		if (val < 1 || val > LWIP_SYNCNT_MAX)
			return -EINVAL;
		WRITE_ONCE(ls->syn_cnt, val);
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

/* One SOL_TCP option's value, or -ENOPROTOOPT; lwIP's defaults are Linux's. */
static int lwip_tcp_getopt(struct lwip_sock *ls, int optname)
{
	switch (optname) {
	case TCP_NODELAY:
		return READ_ONCE(ls->nodelay);
	case TCP_KEEPIDLE:
		return READ_ONCE(ls->keep_idle) ?: TCP_KEEPIDLE_DEFAULT / 1000;
	case TCP_KEEPINTVL:
		return READ_ONCE(ls->keep_intvl) ?: TCP_KEEPINTVL_DEFAULT / 1000;
	case TCP_KEEPCNT:
		return READ_ONCE(ls->keep_cnt) ?: TCP_KEEPCNT_DEFAULT;
	case TCP_SYNCNT:
		return READ_ONCE(ls->syn_cnt) ?: TCP_SYNMAXRTX;
	default:
		return -ENOPROTOOPT;
	}
}

/**
 * lwip_sock_setsockopt() - options of levels other than SOL_SOCKET.
 * @sock: the socket
 * @level: the level
 * @optname: the option
 * @optval: its value
 * @optlen: its length
 *
 * SOL_TCP: TCP_NODELAY, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT and
 * TCP_SYNCNT, kept in the socket too (listeners hand them on to accepted
 * sockets, as on Linux); anything else is -ENOPROTOOPT. TCP_SYNCNT above
 * lwIP's TCP_SYNMAXRTX reads back as set but retries TCP_SYNMAXRTX times.
 *
 * Return: 0 or a negative errno.
 */
int lwip_sock_setsockopt(struct socket *sock, int level, int optname,
			 sockptr_t optval, unsigned int optlen)
{
	struct lwip_sock *ls = lwip_sk(sock->sk);
	int val, err;

	if (level != SOL_TCP || sock->type != SOCK_STREAM ||
	    lwip_tcp_getopt(ls, optname) < 0)
		return -ENOPROTOOPT;
	if (optlen < sizeof(val))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	lock_sock(sock->sk);
	err = lwip_tcp_setopt(ls, optname, val);
	if (!err)
		lwip_sock_apply_options(ls);
	release_sock(sock->sk);
	return err;
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
	int val, len;

	if (level != SOL_TCP || sock->type != SOCK_STREAM)
		return -ENOPROTOOPT;
	val = lwip_tcp_getopt(ls, optname);
	if (val < 0)
		return val;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	len = min_t(int, len, sizeof(val));
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
