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
#include <net/inet_ecn.h>
#include <net/sock.h>
#include <net/tcp_states.h>

/* uapi/linux/timex.h names a leap second TIME_WAIT; lwIP names a TCP state */
#undef TIME_WAIT
#include "lwip/tcpip.h"
#include "lwip/ip.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"	/* TCP_KEEP*_DEFAULT, TCP_SLOW_INTERVAL */
#include "lwipk/lwipk.h"
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
/* TCP_MAXSEG's bounds: TCP_MIN_MSS and MAX_TCP_WINDOW of net/tcp.h */
#define LWIP_MSS_MIN		88
#define LWIP_MSS_MAX		32767
/* TCP_MSS_DEFAULT: what Linux reports before a connection has an MSS */
#define LWIP_MSS_DEFAULT	536
/* TCP_CA_NAME_MAX: the longest congestion control name, with its NUL */
#define LWIP_CA_NAME_MAX	16
/* TCP_INFINITE_SSTHRESH: ssthresh before the first loss */
#define LWIP_INFINITE_SSTHRESH	0x7fffffff
/* lwIP's congestion control: slow start, congestion avoidance, fast recovery */
#define LWIP_CA_NAME		"reno"

/* Copy TCP_NODELAY and the keepalive timing to a connection's pcb. */
static void lwip_sock_apply_tcp_locked(struct lwip_sock *ls)
{
	struct tcp_pcb *pcb = ls->conn->pcb.tcp;

	if (!pcb)
		return;
	/* listen PCBs have this one too: lwip_tcp_passive_open() reads it */
	tcp_ext_arg_set(pcb, lwipk_mss_ext_id, (void *)(uintptr_t)ls->user_mss);
	if (ls->listening || pcb->state == LISTEN)
		return;	/* listen PCBs have no more: accept() hands them on */
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
	pcb->tos = ls->tos;
	pcb->ttl = ls->ttl ?: IP_DEFAULT_TTL;
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
	case TCP_MAXSEG:
		if (val && (val < LWIP_MSS_MIN || val > LWIP_MSS_MAX))
			return -EINVAL;
		WRITE_ONCE(ls->user_mss, val);
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

/*
 * TCP_MAXSEG as Linux reads it: the connection's MSS, or TCP_MAXSEG as
 * set before there is one (unconnected, listening), else 536.
 */
static int lwip_tcp_mss(struct lwip_sock *ls)
{
	struct tcp_pcb *pcb;
	int mss = 0;

	LOCK_TCPIP_CORE();
	pcb = ls->conn->pcb.tcp;
	if (pcb && !ls->listening && pcb->state != LISTEN &&
	    pcb->state != CLOSED)
		mss = pcb->mss;
	UNLOCK_TCPIP_CORE();
	return mss ?: READ_ONCE(ls->user_mss) ?: LWIP_MSS_DEFAULT;
}

/* One SOL_TCP option's value, or -ENOPROTOOPT; lwIP's defaults are Linux's. */
static int lwip_tcp_getopt(struct lwip_sock *ls, int optname)
{
	switch (optname) {
	case TCP_MAXSEG:
		return lwip_tcp_mss(ls);
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

/*
 * Store one SOL_IP option, Linux's way: an int, or one byte when optlen is
 * shorter, or 0 when it is 0. IP_TOS and IP_TTL go to the PCB.
 */
static int lwip_ip_setsockopt(struct lwip_sock *ls, int optname,
			      sockptr_t optval, unsigned int optlen)
{
	unsigned char ucval;
	int val = 0;

	switch (optname) {
	case IP_TOS:
	case IP_TTL:
	case IP_RECVERR:
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (optlen >= sizeof(int)) {
		if (copy_from_sockptr(&val, optval, sizeof(val)))
			return -EFAULT;
	} else if (optlen >= sizeof(char)) {
		if (copy_from_sockptr(&ucval, optval, sizeof(ucval)))
			return -EFAULT;
		val = ucval;
	}
	lock_sock(&ls->sk);
	switch (optname) {
	case IP_TOS:
		/* TCP keeps the ECN bits to itself */
		if (ls->sk.sk_type == SOCK_STREAM)
			val = (val & ~INET_ECN_MASK) | (ls->tos & INET_ECN_MASK);
		ls->tos = val;
		break;
	case IP_TTL:
		if (optlen < 1 || (val != -1 && (val < 1 || val > 255))) {
			release_sock(&ls->sk);
			return -EINVAL;
		}
		ls->ttl = val == -1 ? 0 : val;
		break;
	case IP_RECVERR:
		ls->recverr = !!val;
		break;
	}
	lwip_sock_apply_options(ls);
	release_sock(&ls->sk);
	return 0;
}

/* One SOL_IP option, stored Linux's way: one byte when asked for less. */
static int lwip_ip_getsockopt(struct lwip_sock *ls, int optname,
			      char __user *optval, int __user *optlen)
{
	unsigned char ucval;
	int val, len;

	switch (optname) {
	case IP_TOS:
		val = READ_ONCE(ls->tos);
		break;
	case IP_TTL:
		val = READ_ONCE(ls->ttl) ?: IP_DEFAULT_TTL;
		break;
	case IP_RECVERR:
		val = READ_ONCE(ls->recverr);
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (len < (int)sizeof(int) && len > 0 && val >= 0 && val <= 255) {
		ucval = val;
		len = 1;
		if (put_user(len, optlen) || copy_to_user(optval, &ucval, 1))
			return -EFAULT;
		return 0;
	}
	len = min_t(unsigned int, sizeof(int), len);
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

/* TCP_CONGESTION: lwIP has one algorithm, Reno's; others are unknown. */
static int lwip_tcp_set_ca(sockptr_t optval, unsigned int optlen)
{
	char name[LWIP_CA_NAME_MAX];
	long n;

	if (optlen < 1)
		return -EINVAL;
	n = strncpy_from_sockptr(name, optval,
				 min_t(long, LWIP_CA_NAME_MAX - 1, optlen));
	if (n < 0)
		return -EFAULT;
	name[n] = 0;
	return strcmp(name, LWIP_CA_NAME) ? -ENOENT : 0;
}

/* TCP_CONGESTION's name, as much of its 16 bytes as asked for. */
static int lwip_tcp_get_ca(char __user *optval, int __user *optlen)
{
	char name[LWIP_CA_NAME_MAX] = LWIP_CA_NAME;
	int len;

	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	len = min_t(unsigned int, len, LWIP_CA_NAME_MAX);
	if (put_user(len, optlen) || copy_to_user(optval, name, len))
		return -EFAULT;
	return 0;
}

/* lwIP's TCP states as Linux's TCP_INFO names them */
static const u8 lwip_tcp_info_state[] = {
	[CLOSED]	= TCP_CLOSE,
	[LISTEN]	= TCP_LISTEN,
	[SYN_SENT]	= TCP_SYN_SENT,
	[SYN_RCVD]	= TCP_SYN_RECV,
	[ESTABLISHED]	= TCP_ESTABLISHED,
	[FIN_WAIT_1]	= TCP_FIN_WAIT1,
	[FIN_WAIT_2]	= TCP_FIN_WAIT2,
	[CLOSE_WAIT]	= TCP_CLOSE_WAIT,
	[CLOSING]	= TCP_CLOSING,
	[LAST_ACK]	= TCP_LAST_ACK,
	[TIME_WAIT]	= TCP_TIME_WAIT,
};

/* lwIP's coarse timer ticks (TCP_SLOW_INTERVAL) in microseconds */
#define LWIP_TICK_US(t)	((u64)(t) * TCP_SLOW_INTERVAL * USEC_PER_MSEC)

/*
 * Fill Linux's struct tcp_info from the PCB. lwIP measures times in ticks
 * of TCP_SLOW_INTERVAL (50 ms here) and windows in bytes: sa is 8 times the
 * smoothed RTT, sv 4 times its mean deviation, as Linux's srtt_us and
 * mdev_us. Once data has been acknowledged the RTT is timed in ms instead
 * (srtt_ms, rttvar_ms, 8 and 4 times: lwip/patches/0005), and sa and sv
 * only carry the RTO. cwnd and ssthresh are given in segments as Linux's.
 */
static void lwip_tcp_info_fill(struct lwip_sock *ls, struct tcp_info *info)
{
	struct tcp_pcb *pcb;
	u32 mss;

	memset(info, 0, sizeof(*info));
	info->tcpi_state = ls->listening ? TCP_LISTEN : TCP_CLOSE;
	info->tcpi_snd_mss = READ_ONCE(ls->user_mss) ?: LWIP_MSS_DEFAULT;
	info->tcpi_rcv_mss = LWIP_MSS_DEFAULT;
	info->tcpi_advmss = TCP_MSS;
	info->tcpi_rto = LWIP_TCP_RTO_TIME * USEC_PER_MSEC;
	info->tcpi_snd_ssthresh = LWIP_INFINITE_SSTHRESH;
	info->tcpi_bytes_received = ls->rx_total;
	info->tcpi_bytes_acked = ls->tx_total;
	LOCK_TCPIP_CORE();
	pcb = ls->conn ? ls->conn->pcb.tcp : NULL;
	if (!pcb || ls->listening || pcb->state == LISTEN)
		goto out_unlock;	/* a listen PCB has none of the fields */
	if (!WARN_ON_ONCE(pcb->state >= ARRAY_SIZE(lwip_tcp_info_state)))
		info->tcpi_state = lwip_tcp_info_state[pcb->state];
	if (pcb->state == CLOSED)
		goto out_unlock;
	mss = pcb->mss ?: 1;
	info->tcpi_retransmits = pcb->nrtx;
	info->tcpi_backoff = pcb->nrtx;
	if (pcb->flags & TF_WND_SCALE) {
		info->tcpi_options |= TCPI_OPT_WSCALE;
		info->tcpi_snd_wscale = pcb->snd_scale;
		info->tcpi_rcv_wscale = pcb->rcv_scale;
	}
	info->tcpi_rto = min_t(u64, LWIP_TICK_US(max_t(s16, pcb->rto, 1)), U32_MAX);
	info->tcpi_snd_mss = pcb->mss;
	info->tcpi_rcv_mss = pcb->mss;
	info->tcpi_rtt = min_t(u64, LWIP_TICK_US(max_t(s16, pcb->sa, 0)) >> 3,
			       U32_MAX);
	info->tcpi_rttvar = min_t(u64, LWIP_TICK_US(max_t(s16, pcb->sv, 0)) >> 2,
				  U32_MAX);
#if LWIP_TCP_SACK_OUT
	if (pcb->srtt_ms) {
		info->tcpi_rtt = (pcb->srtt_ms >> 3) * USEC_PER_MSEC;
		info->tcpi_rttvar = (pcb->rttvar_ms >> 2) * USEC_PER_MSEC;
	}
#endif
	info->tcpi_snd_cwnd = max_t(u32, pcb->cwnd / mss, 1);
	if (pcb->ssthresh < TCP_SND_BUF)
		info->tcpi_snd_ssthresh = pcb->ssthresh / mss;
	info->tcpi_rcv_ssthresh = pcb->rcv_wnd;
	info->tcpi_rcv_space = pcb->rcv_wnd;
	info->tcpi_snd_wnd = pcb->snd_wnd;
	info->tcpi_notsent_bytes = pcb->snd_lbb - pcb->snd_nxt;
	info->tcpi_unacked = pcb->snd_nxt - pcb->lastack;
	info->tcpi_unacked = DIV_ROUND_UP(info->tcpi_unacked, mss);
	info->tcpi_bytes_acked -= TCP_SND_BUF - pcb->snd_buf;
	if (pcb->state != SYN_SENT && pcb->state != SYN_RCVD)
		info->tcpi_bytes_acked++;	/* Linux counts the SYN */
	info->tcpi_bytes_received += READ_ONCE(ls->conn->recv_avail);
out_unlock:
	UNLOCK_TCPIP_CORE();
}

/* TCP_INFO: as much of struct tcp_info as asked for, as Linux copies it. */
static int lwip_tcp_get_info(struct lwip_sock *ls, char __user *optval,
			     int __user *optlen)
{
	struct tcp_info info;
	int len;

	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	lock_sock(&ls->sk);
	lwip_tcp_connect_settle(ls);
	lwip_tcp_info_fill(ls, &info);
	release_sock(&ls->sk);
	len = min_t(unsigned int, len, sizeof(info));
	if (put_user(len, optlen) || copy_to_user(optval, &info, len))
		return -EFAULT;
	return 0;
}

/**
 * lwip_sock_setsockopt() - options of levels other than SOL_SOCKET.
 * @sock: the socket
 * @level: the level
 * @optname: the option
 * @optval: its value
 * @optlen: its length
 *
 * SOL_TCP: TCP_NODELAY, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT,
 * TCP_SYNCNT and TCP_MAXSEG, kept in the socket too (listeners hand them
 * on to accepted sockets, as on Linux), and TCP_CONGESTION ("reno" only,
 * lwIP's; other names are -ENOENT). TCP_SYNCNT above lwIP's TCP_SYNMAXRTX
 * reads back as set but retries TCP_SYNMAXRTX times. SOL_IP: IP_TOS,
 * IP_TTL and IP_RECVERR. Anything else is -ENOPROTOOPT.
 *
 * Return: 0 or a negative errno.
 */
int lwip_sock_setsockopt(struct socket *sock, int level, int optname,
			 sockptr_t optval, unsigned int optlen)
{
	struct lwip_sock *ls = lwip_sk(sock->sk);
	int val, err;

	if (level == SOL_IP)
		return lwip_ip_setsockopt(ls, optname, optval, optlen);
	if (level != SOL_TCP || sock->type != SOCK_STREAM)
		return -ENOPROTOOPT;
	if (optname == TCP_CONGESTION)
		return lwip_tcp_set_ca(optval, optlen);
	switch (optname) {
	case TCP_NODELAY:
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
	case TCP_KEEPCNT:
	case TCP_SYNCNT:
	case TCP_MAXSEG:
		break;
	default:
		return -ENOPROTOOPT;
	}
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

	if (level == SOL_IP)
		return lwip_ip_getsockopt(ls, optname, optval, optlen);
	if (level != SOL_TCP || sock->type != SOCK_STREAM)
		return -ENOPROTOOPT;
	if (optname == TCP_INFO)
		return lwip_tcp_get_info(ls, optval, optlen);
	if (optname == TCP_CONGESTION)
		return lwip_tcp_get_ca(optval, optlen);
	lock_sock(sock->sk);	/* a connect may put a new netconn in place */
	val = lwip_tcp_getopt(ls, optname);
	release_sock(sock->sk);
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
	if (ls->sk.sk_type != SOCK_STREAM) {
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

	if (ls->sk.sk_type != SOCK_STREAM)
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
