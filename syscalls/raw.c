// SPDX-License-Identifier: GPL-2.0
/*
 * SOCK_RAW and ICMP datagram ("ping") sockets of the lwip family, on
 * lwIP's raw API through a NETCONN_RAW netconn.
 *
 * A raw socket (CAP_NET_RAW, as Linux) sends what it is given behind an
 * IP header lwIP makes (IPPROTO_RAW: the caller's own header) and
 * receives every packet of its protocol, IP header included. A ping
 * socket (SOCK_DGRAM, IPPROTO_ICMP; the caller's group in
 * net.ipv4.ping_group_range, as Linux) sends ICMP echo requests whose
 * identifier and checksum the kernel writes (the identifier is the
 * socket's "port"), and receives only the echo replies to that
 * identifier, without their IP header. Reading, poll() and the ioctls
 * are the datagram code's (udp.c).
 */
#define pr_fmt(fmt) "lwip_sock: " fmt

#include <linux/cred.h>
#include <linux/icmp.h>
#include <linux/idr.h>
#include <linux/ip.h>
#include <linux/uio.h>
#include <net/checksum.h>
#include <net/sock.h>

#include "lwip/tcpip.h"
#include "lwip/raw.h"
#include "lwipk/lwipk.h"
#include "lwip_sock.h"

/* the identifiers of ping sockets in use: Linux's ping "ports" */
static DEFINE_IDA(lwip_ping_ids);

/**
 * lwip_ping_allowed() - whether the caller may make a ping socket: its
 *	effective group or one of its groups is in net.ipv4.ping_group_range
 *	(Linux's ping_init_sock()).
 * @net: the socket's network namespace
 *
 * Return: 0 or -EACCES.
 */
int lwip_ping_allowed(struct net *net)
{
	struct ping_group_range *r = &net->ipv4.ping_group_range;
	struct group_info *groups;
	kgid_t low, high, gid;
	unsigned int seq;
	int i, err = -EACCES;

	do {
		seq = read_seqbegin(&r->lock);
		low = r->range[0];
		high = r->range[1];
	} while (read_seqretry(&r->lock, seq));
	gid = current_egid();
	if (gid_lte(low, gid) && gid_lte(gid, high))
		return 0;
	groups = get_current_groups();
	for (i = 0; i < groups->ngroups; i++) {
		if (gid_lte(low, groups->gid[i]) && gid_lte(groups->gid[i], high)) {
			err = 0;
			break;
		}
	}
	put_group_info(groups);
	return err;
}

/*
 * Give a ping socket identifier @id, or with 0 a free one from a random
 * place (Linux's autobind finds one too). Linux lets bind() take an
 * identifier in use, and so does this: only a free one is marked taken.
 * Called with the socket locked.
 */
static int lwip_ping_take_id(struct lwip_sock *ls, u16 id)
{
	int got;

	if (ls->ping_id)
		return 0;
	if (id) {
		got = ida_alloc_range(&lwip_ping_ids, id, id, GFP_KERNEL);
		if (got < 0 && got != -ENOSPC)
			return got;
		ls->ping_id_taken = got >= 0;
		ls->ping_id = id;
		return 0;
	}
	id = get_random_u32_inclusive(1, U16_MAX);
	got = ida_alloc_range(&lwip_ping_ids, id, U16_MAX, GFP_KERNEL);
	if (got == -ENOSPC)
		got = ida_alloc_range(&lwip_ping_ids, 1, U16_MAX, GFP_KERNEL);
	if (got == -ENOSPC)
		return -EAGAIN;
	if (got < 0)
		return got;
	ls->ping_id = got;
	ls->ping_id_taken = true;
	return 0;
}

/**
 * lwip_raw_exit() - free what the identifiers' allocator keeps: called
 *	when the module unloads, after every socket is gone.
 */
void lwip_raw_exit(void)
{
	WARN_ON_ONCE(!ida_is_empty(&lwip_ping_ids));
	ida_destroy(&lwip_ping_ids);
}

/**
 * lwip_raw_release() - give a ping socket's identifier back.
 * @ls: the socket, locked, being released
 */
void lwip_raw_release(struct lwip_sock *ls)
{
	if (ls->ping_id_taken)
		ida_free(&lwip_ping_ids, ls->ping_id);
	ls->ping_id_taken = false;
	ls->ping_id = 0;
}

/**
 * lwip_raw_accept_dgram() - for a ping socket, whether a packet taken from
 *	the netconn is for it: an echo reply with its identifier. Such a
 *	packet loses its IP header, as Linux delivers it.
 * @ls: the socket, locked
 * @nb: the packet, IP header first
 *
 * Return: true to keep it.
 */
bool lwip_raw_accept_dgram(struct lwip_sock *ls, struct netbuf *nb)
{
	struct icmphdr icmp;
	struct iphdr ip;
	unsigned int ihl;

	if (!ls->ping)
		return true;
	if (pbuf_copy_partial(nb->p, &ip, sizeof(ip), 0) != sizeof(ip))
		return false;
	ihl = ip.ihl * 4;
	if (ihl < sizeof(ip) ||
	    pbuf_copy_partial(nb->p, &icmp, sizeof(icmp), ihl) != sizeof(icmp))
		return false;
	if (icmp.type != ICMP_ECHOREPLY || icmp.code ||
	    ntohs(icmp.un.echo.id) != ls->ping_id)
		return false;
	return !pbuf_remove_header(nb->p, ihl);
}

static int lwip_raw_bind(struct socket *sock, struct sockaddr *uaddr,
			 int addr_len)
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
	if (!lwip_sock_addr_local(&ip) && !lwip_sock_ip_broadcast(&ip))
		return -EADDRNOTAVAIL;
	lock_sock(sk);
	/* Linux: a raw socket may bind again until it connects, a ping one once */
	if (ls->connected || (ls->ping && ls->ping_id)) {
		err = -EINVAL;
		goto out_release;
	}
	if (ls->ping) {
		err = lwip_ping_take_id(ls, port);
		if (err)
			goto out_release;
	}
	lwip_sock_apply_options(ls);
	e = netconn_bind(ls->conn, &ip, 0);
	err = lwip_sock_errno(e);
	if (!err) {
		ls->bound = true;
		ls->bind_explicit = true;
		ls->bind_ip = ip;
	}
out_release:
	release_sock(sk);
	return err;
}

static int lwip_raw_connect(struct socket *sock, struct sockaddr *uaddr,
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
	if (ls->ping) {
		err = lwip_ping_take_id(ls, 0);	/* Linux's autobind */
		if (err)
			goto out_release;
	}
	lwip_sock_apply_options(ls);
	e = netconn_connect(ls->conn, &ip, 0);
	err = lwip_sock_errno(e);
	if (!err) {
		ls->connected = true;
		sock->state = SS_CONNECTED;
		lwip_sock_route_src(&ip, &ls->local_ip);
	}
out_release:
	release_sock(sk);
	return err;
}

/* An echo request of a ping socket: the kernel's identifier and checksum. */
static int lwip_ping_prepare(struct lwip_sock *ls, void *data, size_t len)
{
	struct icmphdr *icmp = data;
	int err;

	err = lwip_ping_take_id(ls, 0);
	if (err)
		return err;
	icmp->un.echo.id = htons(ls->ping_id);
	icmp->checksum = 0;
	icmp->checksum = ip_compute_csum(data, len);
	return 0;
}

static int lwip_raw_sendmsg(struct socket *sock, struct msghdr *msg,
			    size_t len)
{
	struct sock *sk = sock->sk;
	struct lwip_sock *ls = lwip_sk(sk);
	struct icmphdr *icmp;
	struct netbuf *nb;
	ip_addr_t ip;
	u16 port = 0;
	void *data;
	err_t e;
	int err;

	/* Linux's order: size, MSG_OOB, the ICMP header, the address */
	if (len > U16_MAX)
		return -EMSGSIZE;
	if (ls->ping && len < sizeof(*icmp))
		return -EINVAL;
	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;
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
	icmp = data;
	if (ls->ping && (icmp->type != ICMP_ECHO || icmp->code)) {
		err = -EINVAL;
		goto free_netbuf;
	}
	if (msg->msg_name) {
		err = lwip_sock_addr(msg->msg_name, msg->msg_namelen, &ip,
				     &port);
		if (err)
			goto free_netbuf;
		if (!sock_flag(sk, SOCK_BROADCAST) && lwip_sock_ip_broadcast(&ip)) {
			err = -EACCES;
			goto free_netbuf;
		}
	}
	lock_sock(sk);
	if (!msg->msg_name && !ls->connected) {
		err = -EDESTADDRREQ;
		goto out_release;
	}
	if (ls->ping) {
		err = lwip_ping_prepare(ls, data, len);
		if (err)
			goto out_release;
	}
	lwip_sock_apply_options(ls);
	if (msg->msg_name)
		e = netconn_sendto(ls->conn, nb, &ip, 0);
	else
		e = netconn_send(ls->conn, nb);
	err = e == ERR_OK ? len : lwip_sock_errno(e);
out_release:
	release_sock(sk);
free_netbuf:
	netbuf_delete(nb);
	return err;
}

/**
 * lwip_raw_create() - the NETCONN_RAW netconn of a raw or ping socket,
 *	after Linux's checks: CAP_NET_RAW for SOCK_RAW, the ping group range
 *	for SOCK_DGRAM with IPPROTO_ICMP.
 * @net: the network namespace
 * @sock: the socket, its type SOCK_RAW or SOCK_DGRAM
 * @protocol: the IP protocol
 * @kern: whether the kernel creates it
 * @event: the netconn callback
 * @conn: the netconn, out
 *
 * Return: 0 or a negative errno (-EPROTONOSUPPORT for protocols above 255,
 * which Linux takes).
 */
int lwip_raw_create(struct net *net, struct socket *sock, int protocol,
		    int kern, netconn_callback event, struct netconn **conn)
{
	int err;

	/*
	 * Linux takes 256..IPPROTO_MAX - 1 too (no packet has such a protocol
	 * number); lwIP's raw PCB keeps a u8, which would wrap to a real one.
	 */
	if (protocol > U8_MAX)
		return -EPROTONOSUPPORT;
	if (sock->type == SOCK_RAW) {
		if (!kern && !ns_capable(net->user_ns, CAP_NET_RAW))
			return -EPERM;
	} else {
		err = lwip_ping_allowed(net);
		if (err)
			return err;
	}
	*conn = netconn_new_with_proto_and_callback(NETCONN_RAW, protocol,
						    event);
	if (!*conn)
		return -ENOBUFS;
	if (protocol == IPPROTO_RAW) {
		/* Linux: IPPROTO_RAW sends the caller's IP header */
		LOCK_TCPIP_CORE();
		raw_setflags((*conn)->pcb.raw,
			     raw_flags((*conn)->pcb.raw) | RAW_FLAGS_HDRINCL);
		UNLOCK_TCPIP_CORE();
	}
	return 0;
}

const struct proto_ops lwip_raw_ops = {
	.family		= PF_UNSPEC,	/* a parameter: see sk_family */
	.owner		= THIS_MODULE,
	.release	= lwip_sock_release,
	.bind		= lwip_raw_bind,
	.connect	= lwip_raw_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= lwip_sock_getname,
	.poll		= lwip_dgram_poll,
	.ioctl		= lwip_sock_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= lwip_dgram_shutdown,
	.setsockopt	= lwip_sock_setsockopt,
	.getsockopt	= lwip_sock_getsockopt,
	.sendmsg	= lwip_raw_sendmsg,
	.recvmsg	= lwip_dgram_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
};
