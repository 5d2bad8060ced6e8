// SPDX-License-Identifier: GPL-2.0
/*
 * sockcheck, raw and ping sockets: SOCK_RAW (CAP_NET_RAW; packets with
 * their IP header, so IP_TTL, IP_TOS and TCP_MAXSEG are seen on the wire)
 * and SOCK_DGRAM/IPPROTO_ICMP (net.ipv4.ping_group_range; the kernel's
 * identifier and checksum; echo replies without IP header).
 */
#include "sockcheck.h"
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <grp.h>

#define PING_RANGE	"/proc/sys/net/ipv4/ping_group_range"

static uint16_t csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

/* An echo request: id, sequence, 32 bytes of payload, checksummed. */
static size_t echo_request(uint8_t *buf, uint16_t id, uint16_t seq)
{
	struct icmphdr *h = (struct icmphdr *)buf;
	size_t i, len = sizeof(*h) + 32;

	memset(h, 0, sizeof(*h));
	h->type = ICMP_ECHO;
	h->un.echo.id = htons(id);
	h->un.echo.sequence = htons(seq);
	for (i = sizeof(*h); i < len; i++)
		buf[i] = pattern(i);
	h->checksum = csum(buf, len);
	return len;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * Run fn in a child as uid/gid 65534 (no capabilities); its result.
 */
static int as_nobody(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(2);
		_exit(fn() ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int raw_eperm(void)
{
	int fd = socket(family, SOCK_RAW, IPPROTO_ICMP);

	if (fd >= 0 || errno != EPERM) {
		diag("raw socket without CAP_NET_RAW: %d, %s", fd, E);
		return -1;
	}
	return 0;
}

static int ping_eacces(void)
{
	int fd = socket(family, SOCK_DGRAM, IPPROTO_ICMP);

	if (fd >= 0 || errno != EACCES) {
		diag("ping socket outside the group range: %d, %s", fd, E);
		return -1;
	}
	return 0;
}

/*
 * Wait (at most WAIT_MS) for a packet on raw socket r that match() likes;
 * its length, or -1.
 */
static ssize_t raw_wait(int r, uint8_t *buf, size_t len,
			int (*match)(const uint8_t *p, ssize_t n, int arg), int arg)
{
	struct timespec t0;
	ssize_t n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (elapsed_ms(&t0) < WAIT_MS) {
		if (!(pollone(r, POLLIN, 200) & POLLIN))
			continue;
		n = recv(r, buf, len, MSG_DONTWAIT);
		if (n > 0 && match(buf, n, arg))
			return n;
	}
	return -1;
}

static int is_echo_reply(const uint8_t *p, ssize_t n, int id)
{
	const struct iphdr *ip = (const struct iphdr *)p;
	const struct icmphdr *h = (const struct icmphdr *)(p + ip->ihl * 4);

	return n >= ip->ihl * 4 + (ssize_t)sizeof(*h) && ip->protocol == IPPROTO_ICMP &&
	       h->type == ICMP_ECHOREPLY && ntohs(h->un.echo.id) == id;
}

/*
 * SOCK_RAW/IPPROTO_ICMP: CAP_NET_RAW needed (EPERM), an echo request sent
 * to 127.0.0.1 is answered, and the reply comes with its IP header.
 * getsockname()'s port is the protocol, as on Linux.
 */
static int t_raw_icmp_echo(void)
{
	int r = socket(family, SOCK_RAW, IPPROTO_ICMP);
	struct sockaddr_in a = lo(0), from;
	socklen_t flen = sizeof(from);
	uint8_t req[64], buf[2048];
	const struct iphdr *ip = (const struct iphdr *)buf;
	size_t len;
	ssize_t n;

	CHECK(r >= 0, "raw socket: %s", E);
	CHECK(getint(r, SOL_SOCKET, SO_TYPE) == SOCK_RAW &&
	      getint(r, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_ICMP, "SO_TYPE %d SO_PROTOCOL %d",
	      getint(r, SOL_SOCKET, SO_TYPE), getint(r, SOL_SOCKET, SO_PROTOCOL));
	CHECK(local_port(r) == IPPROTO_ICMP, "getsockname port %d", local_port(r));
	CHECK(!as_nobody(raw_eperm), "without CAP_NET_RAW");
	CHECK(socket(family, SOCK_RAW, 263) < 0 && errno == EINVAL, "protocol 263: %s", E);
	len = echo_request(req, 0x5a5a, 7);
	CHECK(sendto(r, req, len, 0, (struct sockaddr *)&a, sizeof(a)) == (ssize_t)len,
	      "sendto: %s", E);
	CHECK(send(r, req, len, 0) < 0 && errno == EDESTADDRREQ, "send unconnected: %s", E);
	n = raw_wait(r, buf, sizeof(buf), is_echo_reply, 0x5a5a);
	CHECK(n == (ssize_t)(20 + len), "echo reply: %zd bytes", n);
	CHECK(ip->version == 4 && ip->ihl == 5 && ntohs(ip->tot_len) == n &&
	      ip->saddr == htonl(INADDR_LOOPBACK) && ip->daddr == htonl(INADDR_LOOPBACK),
	      "IP header: v%d ihl %d len %d", ip->version, ip->ihl, ntohs(ip->tot_len));
	CHECK(!memcmp(buf + 20 + 8, req + 8, len - 8), "payload differs");
	CHECK(csum(buf + 20, len) == 0, "bad ICMP checksum");
	/* recvfrom names the source, port 0 */
	len = echo_request(req, 0x5a5b, 8);
	CHECK(!connect(r, (struct sockaddr *)&a, sizeof(a)), "connect: %s", E);
	CHECK(send(r, req, len, 0) == (ssize_t)len, "send connected: %s", E);
	do {
		n = recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
	} while (n > 0 && !is_echo_reply(buf, n, 0x5a5b));
	CHECK(n > 0 && flen == sizeof(from) && from.sin_family == AF_INET &&
	      from.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && from.sin_port == 0,
	      "recvfrom %zd: %s", n, E);
	close(r);
	return 0;
}

/*
 * SOCK_DGRAM/IPPROTO_ICMP: EACCES outside net.ipv4.ping_group_range; in
 * it, the kernel writes the identifier (the socket's port) and checksum,
 * only echo requests may be sent, and the reply comes without IP header,
 * to that socket only; bind() chooses the identifier, once.
 */
static int t_ping_socket(void)
{
	struct sockaddr_in a = lo(0), from;
	socklen_t flen = sizeof(from);
	uint8_t req[64], buf[2048];
	const struct icmphdr *h = (const struct icmphdr *)buf;
	char old[64] = "";
	int p = -1, q = -1, fd, id, ok = -1;
	size_t len;
	ssize_t n;

	fd = open(PING_RANGE, O_RDONLY);
	CHECK(fd >= 0 && read(fd, old, sizeof(old) - 1) > 0, "%s: %s", PING_RANGE, E);
	close(fd);
	CHECK(!write_file(PING_RANGE, "1 0"), "write: %s", E);
	if (ping_eacces())
		goto out_restore;
	if (write_file(PING_RANGE, "0 0") || as_nobody(ping_eacces))
		goto out_restore;
	if (write_file(PING_RANGE, "0 2147483647"))
		goto out_restore;
	p = socket(family, SOCK_DGRAM, IPPROTO_ICMP);
	q = socket(family, SOCK_DGRAM, IPPROTO_ICMP);
	if (p < 0 || q < 0) {
		diag("ping socket in range: %s", E);
		goto out_restore;
	}
	ok = 0;
out_restore:
	CHECK(!write_file(PING_RANGE, old), "restore: %s", E);
	CHECK(!ok, "ping_group_range");
	CHECK(getint(p, SOL_SOCKET, SO_TYPE) == SOCK_DGRAM &&
	      getint(p, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_ICMP, "SO_TYPE %d SO_PROTOCOL %d",
	      getint(p, SOL_SOCKET, SO_TYPE), getint(p, SOL_SOCKET, SO_PROTOCOL));
	len = echo_request(req, 0x4242, 1);
	CHECK(send(p, req, len, 0) < 0 && errno == EDESTADDRREQ, "send: %s", E);
	CHECK(sendto(p, req, 4, 0, (struct sockaddr *)&a, sizeof(a)) < 0 &&
	      errno == EINVAL, "4 bytes: %s", E);
	req[0] = ICMP_TIMESTAMP;
	CHECK(sendto(p, req, len, 0, (struct sockaddr *)&a, sizeof(a)) < 0 &&
	      errno == EINVAL, "not an echo request: %s", E);
	req[0] = ICMP_ECHO;
	req[2] ^= 0xff;	/* a wrong checksum: the kernel writes its own */
	CHECK(sendto(p, req, len, 0, (struct sockaddr *)&a, sizeof(a)) == (ssize_t)len,
	      "sendto: %s", E);
	id = local_port(p);
	CHECK(id > 0, "no identifier after sending");
	CHECK(pollone(p, POLLIN, WAIT_MS) & POLLIN, "no reply");
	n = recvfrom(p, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
	CHECK(n == (ssize_t)len, "reply of %zd bytes, sent %zu: %s", n, len, E);
	CHECK(h->type == ICMP_ECHOREPLY && ntohs(h->un.echo.id) == id &&
	      ntohs(h->un.echo.sequence) == 1, "type %d id %d (port %d) seq %d",
	      h->type, ntohs(h->un.echo.id), id, ntohs(h->un.echo.sequence));
	CHECK(!memcmp(buf + 8, req + 8, len - 8), "payload differs");
	CHECK(csum(buf, n) == 0, "bad checksum");
	CHECK(from.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && from.sin_port == 0,
	      "from %x:%d", ntohl(from.sin_addr.s_addr), ntohs(from.sin_port));
	CHECK(recv(p, buf, sizeof(buf), MSG_DONTWAIT) < 0 && errno == EAGAIN,
	      "the request came back too: %s", E);
	/* bind: an identifier of one's own, once, and not after sending */
	a.sin_port = htons(4000);
	CHECK(bind(p, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EINVAL,
	      "bind after sending: %s", E);
	a.sin_port = htons(id == 4321 ? 4322 : 4321);
	CHECK(!bind(q, (struct sockaddr *)&a, sizeof(a)), "bind: %s", E);
	CHECK(local_port(q) == ntohs(a.sin_port), "bound identifier %d", local_port(q));
	CHECK(bind(q, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EINVAL,
	      "second bind: %s", E);
	a.sin_port = 0;
	CHECK(!connect(q, (struct sockaddr *)&a, sizeof(a)), "connect: %s", E);
	CHECK(send(q, req, len, 0) == (ssize_t)len, "send connected: %s", E);
	CHECK(pollone(q, POLLIN, WAIT_MS) & POLLIN, "no reply");
	CHECK(recv(q, buf, sizeof(buf), 0) == (ssize_t)len &&
	      ntohs(h->un.echo.id) == local_port(q), "reply to %d: %s", local_port(q), E);
	CHECK(recv(p, buf, sizeof(buf), MSG_DONTWAIT) < 0 && errno == EAGAIN,
	      "another socket's reply: %s", E);
	close(p);
	close(q);
	return 0;
}

static int is_udp_to(const uint8_t *p, ssize_t n, int port)
{
	const struct iphdr *ip = (const struct iphdr *)p;

	return n >= ip->ihl * 4 + 8 && ip->protocol == IPPROTO_UDP &&
	       ((p[ip->ihl * 4 + 2] << 8) | p[ip->ihl * 4 + 3]) == port;
}

/* A UDP socket's IP_TTL and IP_TOS are in the packets it sends. */
static int t_raw_sees_ttl_tos(void)
{
	int r = socket(family, SOCK_RAW, IPPROTO_UDP), u = sock(SOCK_DGRAM);
	int d = sock(SOCK_DGRAM);
	struct sockaddr_in a = lo(0);
	uint8_t buf[2048];
	const struct iphdr *ip = (const struct iphdr *)buf;
	int port;

	CHECK(r >= 0 && u >= 0 && d >= 0, "socket: %s", E);
	CHECK(!bind(d, (struct sockaddr *)&a, sizeof(a)), "bind: %s", E);
	port = local_port(d);
	a = lo(port);
	CHECK(!setint(u, IPPROTO_IP, IP_TTL, 33) && !setint(u, IPPROTO_IP, IP_TOS, 0x28),
	      "set: %s", E);
	CHECK(sendto(u, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)) == 1, "sendto: %s", E);
	CHECK(raw_wait(r, buf, sizeof(buf), is_udp_to, port) > 0, "not seen");
	CHECK(ip->ttl == 33 && ip->tos == 0x28, "TTL %d TOS %#x", ip->ttl, ip->tos);
	CHECK(!setint(u, IPPROTO_IP, IP_TTL, -1) && !setint(u, IPPROTO_IP, IP_TOS, 0),
	      "reset: %s", E);
	CHECK(sendto(u, "y", 1, 0, (struct sockaddr *)&a, sizeof(a)) == 1, "sendto: %s", E);
	CHECK(raw_wait(r, buf, sizeof(buf), is_udp_to, port) > 0, "not seen");
	CHECK(ip->ttl == 64 && ip->tos == 0, "default TTL %d TOS %#x", ip->ttl, ip->tos);
	close(r);
	close(u);
	close(d);
	return 0;
}

/* SYN (with ack: SYN-ACK) to or from port, TCP header at p + ihl*4 */
static int is_syn(const uint8_t *p, ssize_t n, int arg)
{
	const struct iphdr *ip = (const struct iphdr *)p;
	const uint8_t *t = p + ip->ihl * 4;
	int port = arg & 0xffff, ack = arg >> 16;
	int sport = (t[0] << 8) | t[1], dport = (t[2] << 8) | t[3];

	if (n < ip->ihl * 4 + 24 || ip->protocol != IPPROTO_TCP || !(t[13] & 0x02))
		return 0;
	if (!!(t[13] & 0x10) != ack)
		return 0;
	return ack ? sport == port : dport == port;
}

/* The MSS option of a SYN, or -1. */
static int syn_mss(const uint8_t *p)
{
	const struct iphdr *ip = (const struct iphdr *)p;
	const uint8_t *t = p + ip->ihl * 4;
	int i, hl = (t[12] >> 4) * 4;

	for (i = 20; i + 1 < hl;) {
		if (t[i] == 0)
			break;
		if (t[i] == 1) {
			i++;
			continue;
		}
		if (t[i] == 2 && t[i + 1] == 4)
			return (t[i + 2] << 8) | t[i + 3];
		if (t[i + 1] < 2)
			break;
		i += t[i + 1];
	}
	return -1;
}

/*
 * TCP_MAXSEG set before connect is the MSS the SYN announces, a listener's
 * the one its SYN-ACK announces; IP_TTL and IP_TOS are the SYN's.
 */
static int t_raw_sees_syn_mss(void)
{
	int r = socket(family, SOCK_RAW, IPPROTO_TCP), port, l = listener(&port);
	int c = sock(SOCK_STREAM), s;
	struct sockaddr_in a = lo(port);
	uint8_t buf[2048];
	const struct iphdr *ip = (const struct iphdr *)buf;

	CHECK(r >= 0 && l >= 0 && c >= 0, "socket: %s", E);
	CHECK(!setint(c, IPPROTO_TCP, TCP_MAXSEG, 1000) &&
	      !setint(l, IPPROTO_TCP, TCP_MAXSEG, 1200) &&
	      !setint(c, IPPROTO_IP, IP_TTL, 40) && !setint(c, IPPROTO_IP, IP_TOS, 0x20),
	      "set: %s", E);
	CHECK(!connect(c, (struct sockaddr *)&a, sizeof(a)), "connect: %s", E);
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", E);
	CHECK(raw_wait(r, buf, sizeof(buf), is_syn, port) > 0, "no SYN seen");
	CHECK(syn_mss(buf) == 1000, "SYN announces MSS %d", syn_mss(buf));
	CHECK(ip->ttl == 40 && ip->tos == 0x20, "SYN's TTL %d TOS %#x", ip->ttl, ip->tos);
	CHECK(raw_wait(r, buf, sizeof(buf), is_syn, port | 1 << 16) > 0, "no SYN-ACK seen");
	CHECK(syn_mss(buf) == 1200, "SYN-ACK announces MSS %d", syn_mss(buf));
	CHECK(ip->ttl == 64, "SYN-ACK's TTL %d", ip->ttl);
	close(r);
	close(c);
	close(s);
	close(l);
	return 0;
}

const struct sc_case sc_raw_cases[] = {
	{ "raw_icmp_echo", t_raw_icmp_echo },
	{ "ping_socket", t_ping_socket },
	{ "raw_sees_udp_ttl_tos", t_raw_sees_ttl_tos },
	{ "raw_sees_syn_mss", t_raw_sees_syn_mss },
	{ NULL, NULL }
};
