// SPDX-License-Identifier: GPL-2.0
/*
 * bench: one benchmark program for both stacks in the guest.
 *
 *   bench --family inet|lwip TEST [--time S] [--host A --port P] [options]
 *
 * The same code runs on Linux's own sockets (--family inet) and on lwIP's
 * (--family lwip, lwip_sock.ko). Every measurement is one line:
 *
 *   bench: metric=NAME stack=linux|lwip value=V unit=U
 *
 * Tests (with --host: against a host peer over the NIC, see
 * tests/host/bench-peer.c; without: over loopback 127.0.0.1, server thread
 * in this process):
 *   tcp_send   bulk TCP out: to the host "sink" (--host), or to a loopback
 *              server thread (reported as tcp_bulk_lo); Mbit/s of data the
 *              receiver got
 *   tcp_recv   bulk TCP in from the host "source" (--host only)
 *   tcp_rr     1-byte request/response ping-pong, transactions/s
 *   tcp_crr    connect, 1 byte each way, close: connections/s (loopback)
 *   udp_pps    64-byte datagrams (--size), sent as fast as possible:
 *              received datagrams/s and the loss in percent; with --host
 *              (e.g. 10.0.2.100, port 9) the frames the NIC sent per second,
 *              and the loss between socket and NIC (QEMU's user
 *              networking delivers no guest UDP to a host peer here)
 *   mem_conn   open --conns N (default 1000) loopback connections, report
 *              MemAvailable's drop per connection (both ends), and for
 *              lwip also lwIP's heap growth (/proc/lwip/mem)
 *   tx_ceiling the NIC's ceiling without a stack: MTU-sized frames
 *              (1514 bytes, broadcast, of an EtherType QEMU's user
 *              networking drops unread) pushed through the driver from
 *              the kernel for --time seconds, one frame reused, the
 *              doorbell rung once per 64 frames; Linux: the kernel's packet
 *              generator, pktgen (pktgen.ko loaded by the caller), on eth0,
 *              MPLS frames; lwip: lwip_e1000's debugfs tx_ceiling, EtherType
 *              0x88b5
 *   tx_ceiling_sock  (inet only) the same frames as lwip's from user space:
 *              a packet socket on eth0 bypassing the qdisc, in batches of
 *              64 (sendmmsg); metric tx_ceiling_sock
 *   tcp_rto    after the other tests: the retransmission timeouts so far
 *              (Linux: TcpExt TCPTimeouts; lwip: /proc/lwip/tcp "rto")
 *   profile    print the top (--top N) kernel symbols of /proc/profile
 *
 * Exit status 0 only when the measurement completed and made sense.
 */
#define _GNU_SOURCE	/* sendmmsg */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <netpacket/packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lwipk/af_lwip.h"

#define CHUNK (1 << 16)

static int family = AF_INET;
static const char *stack = "linux";
static double secs = 2.0;
static const char *host;
static int port;
static int conns = 1000;
static int dgram = 64;
static int top = 30;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report(const char *metric, double value, const char *unit)
{
	printf("bench: metric=%s_%s stack=%s value=%.6g unit=%s\n",
	       metric, host ? "nic" : "lo", stack, value, unit);
	fflush(stdout);
}

static int fail(const char *what)
{
	fprintf(stderr, "bench: %s: %s: %s\n", stack, what, strerror(errno));
	return -1;
}

static struct sockaddr_in addr_of(const char *ip, int p)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };

	sa.sin_port = htons(p);
	if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
		fprintf(stderr, "bench: bad address %s\n", ip);
		exit(2);
	}
	return sa;
}

static void nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* A connected TCP socket to ip:p, or -1. */
static int tcp_connect(const char *ip, int p)
{
	struct sockaddr_in sa = addr_of(ip, p);
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0)
		return fail("socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fail("connect");
		close(fd);
		return -1;
	}
	return fd;
}

/* A listening TCP socket on 127.0.0.1:port, or -1. */
static int tcp_listen(int backlog)
{
	struct sockaddr_in sa = addr_of("127.0.0.1", port);
	int fd = socket(family, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return fail("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, backlog)) {
		fail("bind/listen");
		close(fd);
		return -1;
	}
	return fd;
}

static int write_full(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w <= 0)
			return -1;
		p += w;
		len -= w;
	}
	return 0;
}

/* Read one '\n'-terminated line (byte by byte: it is tiny). */
static int read_line(int fd, char *line, size_t size)
{
	size_t n = 0;

	while (n + 1 < size) {
		ssize_t r = read(fd, line + n, 1);

		if (r <= 0)
			return -1;
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	return 0;
}

/* --- loopback server threads ------------------------------------------ */

struct server {
	int lfd;
	int mode;			/* 's' sink, 'r' rr, 'c' crr, 'm' mem */
	unsigned long long bytes;
	int *fds;			/* mem: accepted sockets */
	int count;
	int err;
};

static void *server_main(void *arg)
{
	struct server *s = arg;
	static char buf[CHUNK];
	ssize_t n;
	int fd, i;

	switch (s->mode) {
	case 's':
	case 'r':
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0) {
			s->err = fail("accept");
			return NULL;
		}
		if (s->mode == 'r')
			nodelay(fd);
		while ((n = read(fd, buf, sizeof(buf))) > 0) {
			s->bytes += n;
			if (s->mode == 'r' && write_full(fd, buf, n))
				break;
		}
		close(fd);
		break;
	case 'c':
		for (;;) {
			char c = 0;

			fd = accept(s->lfd, NULL, NULL);
			if (fd < 0) {
				s->err = fail("accept");
				return NULL;
			}
			if (read(fd, &c, 1) != 1 || write(fd, &c, 1) != 1)
				s->err = -1;
			close(fd);
			if (c == 'Q')
				break;
			s->count++;
		}
		break;
	case 'm':
		for (i = 0; i < s->count; i++) {
			s->fds[i] = accept(s->lfd, NULL, NULL);
			if (s->fds[i] < 0) {
				s->err = fail("accept");
				return NULL;
			}
		}
		break;
	}
	return NULL;
}

static int server_start(struct server *s, pthread_t *t, int mode, int backlog)
{
	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->lfd = tcp_listen(backlog);
	if (s->lfd < 0)
		return -1;
	if (pthread_create(t, NULL, server_main, s)) {
		close(s->lfd);
		return -1;
	}
	return 0;
}

/* --- the tests ---------------------------------------------------------- */

static int tcp_send(void)
{
	static char buf[CHUNK];
	unsigned long long sent = 0, got;
	struct server srv;
	pthread_t t;
	char line[64];
	double t0, t1;
	int fd;

	memset(buf, 'x', sizeof(buf));
	if (!host && server_start(&srv, &t, 's', 4))
		return 1;
	fd = tcp_connect(host ? host : "127.0.0.1", port);
	if (fd < 0)
		return 1;
	t0 = now();
	while (now() - t0 < secs) {
		if (write_full(fd, buf, sizeof(buf)))
			return fail("write"), 1;
		sent += sizeof(buf);
	}
	shutdown(fd, SHUT_WR);
	if (host) {
		/* The sink answers with its count once it has seen our FIN. */
		if (read_line(fd, line, sizeof(line)))
			return fail("sink answer"), 1;
		got = strtoull(line, NULL, 10);
		t1 = now();
	} else {
		pthread_join(t, NULL);
		t1 = now();
		close(srv.lfd);
		got = srv.bytes;
	}
	close(fd);
	if (got != sent) {
		fprintf(stderr, "bench: %s: sent %llu, receiver got %llu\n", stack, sent, got);
		return 1;
	}
	report(host ? "tcp_send" : "tcp_bulk", got * 8 / (t1 - t0) / 1e6, "Mbit/s");
	return 0;
}

static int tcp_recv(void)
{
	static char buf[CHUNK];
	unsigned long long got = 0;
	double t0, t;
	ssize_t n;
	int fd;

	if (!host) {
		fprintf(stderr, "bench: tcp_recv needs --host (tcp_send covers loopback)\n");
		return 2;
	}
	fd = tcp_connect(host, port);
	if (fd < 0)
		return 1;
	t0 = now();
	while ((t = now()) - t0 < secs) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return fail("read"), 1;
		got += n;
	}
	close(fd);
	report("tcp_recv", got * 8 / (t - t0) / 1e6, "Mbit/s");
	return got ? 0 : 1;
}

static int tcp_rr(void)
{
	unsigned long long n = 0;
	struct server srv;
	pthread_t t;
	double t0, t1;
	char c = 'r';
	int fd;

	if (!host && server_start(&srv, &t, 'r', 4))
		return 1;
	fd = tcp_connect(host ? host : "127.0.0.1", port);
	if (fd < 0)
		return 1;
	nodelay(fd);
	t0 = now();
	while ((t1 = now()) - t0 < secs) {
		if (write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1)
			return fail("request/response"), 1;
		n++;
	}
	close(fd);
	if (!host) {
		pthread_join(t, NULL);
		close(srv.lfd);
	}
	report("tcp_rr", n / (t1 - t0), "trans/s");
	return n ? 0 : 1;
}

static int tcp_crr(void)
{
	unsigned long long n = 0;
	struct server srv;
	pthread_t t;
	double t0, t1;
	char c;
	int fd;

	if (host) {
		fprintf(stderr, "bench: tcp_crr is loopback only\n");
		return 2;
	}
	if (server_start(&srv, &t, 'c', 128))
		return 1;
	t0 = now();
	while ((t1 = now()) - t0 < secs) {
		fd = tcp_connect("127.0.0.1", port);
		if (fd < 0)
			return 1;
		c = 'c';
		if (write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1)
			return fail("crr exchange"), 1;
		close(fd);
		n++;
	}
	fd = tcp_connect("127.0.0.1", port);
	c = 'Q';
	if (fd < 0 || write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1)
		return fail("crr stop"), 1;
	close(fd);
	pthread_join(t, NULL);
	close(srv.lfd);
	if (srv.err || (unsigned long long)srv.count != n) {
		fprintf(stderr, "bench: %s: crr: %llu connects, server saw %d\n",
			stack, n, srv.count);
		return 1;
	}
	report("tcp_crr", n / (t1 - t0), "conn/s");
	return 0;
}

struct udp_rx {
	int fd;
	unsigned long long count;
	volatile int done;
};

static void *udp_rx_main(void *arg)
{
	struct udp_rx *u = arg;
	char buf[2048];
	double last = 0;
	ssize_t n;

	for (;;) {
		n = recv(u->fd, buf, sizeof(buf), 0);
		if (n > 0 && buf[0] == 'E')
			break;
		if (n > 0) {
			u->count++;
			continue;
		}
		/* A timeout: give up 3 s after the sender said it stopped. */
		if (u->done && !last)
			last = now();
		if (last && now() - last > 3)
			break;
	}
	u->done = 2;
	return NULL;
}

/*
 * Frames the NIC sent so far: Linux's eth0 counter, or lwip_e1000's
 * (/proc/lwip/netifs "e1000 tx_packets N"). -1 when there is none.
 */
static long long nic_tx_packets(void)
{
	char line[256], *p;
	long long v = -1;
	FILE *f;

	if (family == AF_INET) {
		f = fopen("/sys/class/net/eth0/statistics/tx_packets", "re");
		if (f && fscanf(f, "%lld", &v) != 1)
			v = -1;
	} else {
		f = fopen("/proc/lwip/netifs", "re");
		while (f && fgets(line, sizeof(line), f))
			if ((p = strstr(line, " tx_packets ")))
				v = strtoll(p + 12, NULL, 10);
	}
	if (f)
		fclose(f);
	return v;
}

static int udp_pps(void)
{
	struct sockaddr_in to, sa = addr_of("127.0.0.1", port);
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	unsigned long long sent = 0, got = 0, errs = 0;
	struct udp_rx rx = { .fd = -1 };
	long long tx0 = 0, tx1;
	char buf[2048];
	pthread_t t;
	double t0, t1;
	int fd, i;

	memset(buf, 'u', sizeof(buf));
	if (dgram < 1 || dgram > (int)sizeof(buf))
		return 2;
	fd = socket(family, SOCK_DGRAM, 0);
	if (fd < 0)
		return fail("udp socket"), 1;
	if (host) {
		/*
		 * QEMU's user networking here delivers no guest UDP to a host
		 * socket (10.0.2.2 -> 127.0.0.1 stayed silent), so no host
		 * peer can count them: the NIC's driver counts what it sent.
		 */
		to = addr_of(host, port);
		/*
		 * Resolve the peer's MAC first: lwIP keeps only a few packets
		 * queued behind a pending ARP request and silently drops the
		 * rest (sendto still succeeds), and a sending flood can delay
		 * the ARP reply's processing for most of a second.
		 */
		sendto(fd, buf, dgram, 0, (struct sockaddr *)&to, sizeof(to));
		usleep(300000);
		tx0 = nic_tx_packets();
		if (tx0 < 0)
			return fail("no NIC tx counter"), 1;
	} else {
		rx.fd = socket(family, SOCK_DGRAM, 0);
		if (rx.fd < 0 || bind(rx.fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fail("udp bind"), 1;
		setsockopt(rx.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (pthread_create(&t, NULL, udp_rx_main, &rx))
			return 1;
		to = sa;
	}
	t0 = now();
	while ((t1 = now()) - t0 < secs) {
		for (i = 0; i < 16; i++) {
			if (sendto(fd, buf, dgram, 0, (struct sockaddr *)&to, sizeof(to)) == dgram)
				sent++;
			else
				errs++;
		}
	}
	if (host) {
		usleep(200000);		/* the ring drains */
		tx1 = nic_tx_packets();
		got = tx1 > tx0 ? tx1 - tx0 : 0;
		if (got > sent)		/* ARP and the like */
			got = sent;
	} else {
		rx.done = 1;
		buf[0] = 'E';
		for (i = 0; i < 200 && rx.done != 2; i++) {
			sendto(fd, buf, dgram, 0, (struct sockaddr *)&to, sizeof(to));
			usleep(20000);
		}
		pthread_join(t, NULL);
		close(rx.fd);
		got = rx.count;
	}
	close(fd);
	if (!sent || got > sent) {
		fprintf(stderr, "bench: %s: udp: sent %llu (%llu errors), got %llu\n",
			stack, sent, errs, got);
		return 1;
	}
	report("udp_pps", got / (t1 - t0), "pkt/s");
	report("udp_loss", 100.0 * (sent - got) / sent, "%");
	return got ? 0 : 1;
}

/*
 * Give the slab caches' empty pages back (and, on a KASAN kernel, the
 * objects its quarantine holds: they are freed in bulk at any moment and
 * would make the reading jump), so that MemAvailable counts live objects.
 */
static void shrink_slabs(void)
{
	glob_t g;
	size_t i;
	FILE *f;

	if (glob("/sys/kernel/slab/*/shrink", 0, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc; i++) {
		f = fopen(g.gl_pathv[i], "we");
		if (f) {
			fputs("1\n", f);
			fclose(f);
		}
	}
	globfree(&g);
}

/* MemAvailable after dropping caches, plus the per-CPU free pages. */
static long mem_available_kb(void)
{
	char line[256];
	long avail = -1, pcp = 0, v;
	FILE *f;

	sync();
	f = fopen("/proc/sys/vm/drop_caches", "we");
	if (f) {
		fputs("3\n", f);
		fclose(f);
	}
	shrink_slabs();
	f = fopen("/proc/meminfo", "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &v) == 1)
			avail = v;
	if (f)
		fclose(f);
	f = fopen("/proc/zoneinfo", "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &v) == 1)
			pcp += v;
	if (f)
		fclose(f);
	return avail < 0 ? -1 : avail + pcp * 4;
}

static long lwip_heap_used(void)
{
	char line[256];
	long used = -1;
	FILE *f = fopen("/proc/lwip/mem", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "heap: used %ld", &used) == 1)
			break;
	if (f)
		fclose(f);
	return used;
}

static void abort_close(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

static int mem_conn(void)
{
	struct rlimit rl;
	struct server srv;
	long m0, m1, h0, h1;
	pthread_t t;
	int *cfd, i, ret = 0;

	if (host)
		return 2;
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	cfd = calloc(conns, sizeof(*cfd));
	memset(&srv, 0, sizeof(srv));
	srv.fds = calloc(conns, sizeof(*srv.fds));
	if (!cfd || !srv.fds)
		return 1;
	m0 = mem_available_kb();
	h0 = lwip_heap_used();
	srv.mode = 'm';
	srv.count = conns;
	srv.lfd = tcp_listen(128);
	if (srv.lfd < 0 || pthread_create(&t, NULL, server_main, &srv))
		return 1;
	for (i = 0; i < conns; i++) {
		cfd[i] = tcp_connect("127.0.0.1", port);
		if (cfd[i] < 0) {
			fprintf(stderr, "bench: %s: connection %d failed\n", stack, i);
			conns = i;
			ret = 1;
			break;
		}
	}
	if (ret) {
		pthread_cancel(t);
	}
	pthread_join(t, NULL);
	usleep(200000);
	m1 = mem_available_kb();
	h1 = lwip_heap_used();
	/*
	 * Abort (SO_LINGER 0: RST, no TIME_WAIT) so that the thousands of
	 * connections do not linger and slow down whatever runs next: lwIP
	 * walks its TIME_WAIT list linearly, and this test is about idle
	 * memory, not about closing.
	 */
	for (i = 0; i < conns; i++) {
		abort_close(cfd[i]);
		if (!ret)
			abort_close(srv.fds[i]);
	}
	close(srv.lfd);
	if (ret || srv.err || m0 < 0 || m1 < 0)
		return 1;
	report("mem_conn", (m0 - m1) * 1024.0 / conns, "B/conn");
	if (family != AF_INET && h0 >= 0 && h1 >= 0)
		report("mem_conn_heap", (double)(h1 - h0) / conns, "B/conn");
	return m0 > m1 ? 0 : 1;
}

/* --- /proc/profile against /proc/kallsyms --------------------------------- */

struct sym {
	unsigned long addr;
	char name[128];
	unsigned long hits;
};

static int by_addr(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int by_hits(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->hits < y->hits ? 1 : x->hits > y->hits ? -1 : 0;
}

static int profile(void)
{
	static unsigned int prof[1 << 22];
	unsigned long stext = 0, total, beyond, addr;
	struct sym *syms = NULL;
	size_t n = 0, cap = 0, words, i;
	char line[256], type, name[128];
	FILE *f;

	f = fopen("/proc/profile", "re");
	if (!f)
		return fail("/proc/profile (boot with profile=2)"), 1;
	words = fread(prof, sizeof(prof[0]), sizeof(prof) / sizeof(prof[0]), f);
	fclose(f);
	f = fopen("/proc/kallsyms", "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %127s", &addr, &type, name) != 3)
			continue;
		if (!strcmp(name, "_stext"))
			stext = addr;
		if (type != 't' && type != 'T')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			syms = realloc(syms, cap * sizeof(*syms));
			if (!syms)
				return 1;
		}
		syms[n].addr = addr;
		snprintf(syms[n].name, sizeof(syms[n].name), "%s", name);
		syms[n].hits = 0;
		n++;
	}
	if (f)
		fclose(f);
	if (words < 2 || !stext || !n) {
		fprintf(stderr, "bench: profile: no data (words %zu, _stext %lx)\n", words, stext);
		return 1;
	}
	qsort(syms, n, sizeof(*syms), by_addr);
	/*
	 * Word 0 is the bytes per bucket; bucket k counts the ticks at
	 * _stext + k * step, and the last one every tick beyond the kernel's
	 * text: the modules' (lwip*.ko's) share.
	 */
	beyond = prof[words - 1];
	total = beyond;
	for (i = 1; i + 1 < words; i++) {
		size_t lo = 0, hi = n;

		if (!prof[i])
			continue;
		addr = stext + (i - 1) * (unsigned long)prof[0];
		while (hi - lo > 1) {
			size_t mid = (lo + hi) / 2;

			if (syms[mid].addr <= addr)
				lo = mid;
			else
				hi = mid;
		}
		syms[lo].hits += prof[i];
		total += prof[i];
	}
	qsort(syms, n, sizeof(*syms), by_hits);
	printf("# /proc/profile: %lu ticks; %lu (%.1f%%) outside the kernel's text (modules)\n",
	       total, beyond, total ? 100.0 * beyond / total : 0.0);
	for (i = 0; i < n && i < (size_t)top && syms[i].hits; i++)
		printf("%8lu %5.1f%% %s\n", syms[i].hits, 100.0 * syms[i].hits / total,
		       syms[i].name);
	free(syms);
	return 0;
}

#define FRAME_LEN	1514	/* an Ethernet frame at MTU 1500, without FCS */
#define CEILING_BATCH	64

/* @name (tx_ceiling, tx_ceiling_sock) in frames/s, @name_mbit in Mbit/s. */
static void report_ceiling(const char *name, double frames, double t)
{
	char mbit[64];

	snprintf(mbit, sizeof(mbit), "%s_mbit", name);
	report(name, frames / t, "frames/s");
	report(mbit, frames * FRAME_LEN * 8 / t / 1e6, "Mbit/s");
}

/* Linux from user space: a packet socket on eth0, the qdisc bypassed, sendmmsg batches. */
static int tx_ceiling_sock(void)
{
	static char frame[FRAME_LEN];
	struct mmsghdr msgs[CEILING_BATCH];
	struct sockaddr_ll to = { .sll_family = AF_PACKET };
	struct iovec iov = { frame, sizeof(frame) };
	unsigned int mac[ETH_ALEN], one = 1;
	unsigned long long frames = 0;
	double t0, t1;
	FILE *f;
	int fd, i, n;

	f = fopen("/sys/class/net/eth0/address", "re");
	if (!f || fscanf(f, "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1], &mac[2],
			 &mac[3], &mac[4], &mac[5]) != ETH_ALEN)
		return fail("eth0 address"), 1;
	fclose(f);
	memset(frame, 0xff, ETH_ALEN);
	for (i = 0; i < ETH_ALEN; i++)
		frame[ETH_ALEN + i] = mac[i];
	frame[12] = 0x88;
	frame[13] = 0xb5;
	fd = socket(AF_PACKET, SOCK_RAW, 0);	/* protocol 0: sends only */
	if (fd < 0)
		return fail("packet socket"), 1;
	to.sll_ifindex = if_nametoindex("eth0");
	to.sll_halen = ETH_ALEN;
	memset(to.sll_addr, 0xff, ETH_ALEN);
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < CEILING_BATCH; i++) {
		msgs[i].msg_hdr.msg_name = &to;
		msgs[i].msg_hdr.msg_namelen = sizeof(to);
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = now();
	while ((t1 = now()) - t0 < secs) {
		n = sendmmsg(fd, msgs, CEILING_BATCH, 0);
		if (n > 0)
			frames += n;
		else if (errno != ENOBUFS && errno != EAGAIN)
			return fail("sendmmsg"), 1;
	}
	close(fd);
	report_ceiling("tx_ceiling_sock", frames, t1 - t0);
	return frames ? 0 : 1;
}

#define PKTGEN		"/proc/net/pktgen/"

/*
 * Write one pktgen command to /proc/net/pktgen/@file, in one write() and
 * newline-terminated: pgctrl drops a command's last byte, taking it for
 * the newline.
 */
static int pktgen_write(const char *file, const char *cmd)
{
	char path[64], line[128];
	ssize_t n;
	int fd, len;

	snprintf(path, sizeof(path), PKTGEN "%s", file);
	len = snprintf(line, sizeof(line), "%s\n", cmd);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(path);
	n = write(fd, line, len);
	close(fd);
	if (n != len) {
		fprintf(stderr, "bench: %s: pktgen %s \"%s\": %s\n", stack, file, cmd,
			n < 0 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

/*
 * Linux from the kernel: pktgen's kpktgend_0 thread sends on eth0 until
 * stopped. As lwip_e1000's loop: one 1514-byte frame (pkt_size excludes the
 * FCS) reused (clone_skb; rebuilt every 1000 frames), doorbells batched by
 * 64 (burst: xmit_more), no pause. The frame is pktgen's UDP/IPv4 behind an
 * MPLS label: EtherType 0x8847, which QEMU's user networking drops as it
 * drops lwip's 0x88b5, where plain IPv4 would go through its IP and UDP
 * input first. "start" blocks until the run ends: a child writes it, and
 * "stop" ends it after --time seconds. pktgen's own result, frames sent and
 * microseconds between its start and stop, is the measurement.
 */
static int tx_ceiling_linux(void)
{
	static const char *const setup[][2] = {
		{ "kpktgend_0", "rem_device_all" },
		{ "kpktgend_0", "add_device eth0" },
		{ "eth0", "count 0" },
		{ "eth0", "pkt_size 1514" },
		{ "eth0", "clone_skb 1000" },
		{ "eth0", "burst 64" },
		{ "eth0", "delay 0" },
		{ "eth0", "dst_mac ff:ff:ff:ff:ff:ff" },
		{ "eth0", "dst 10.0.2.100" },
		{ "eth0", "mpls 00010040" },	/* label 16, TTL 64; pktgen sets S */
	};
	struct timespec ts = { (time_t)secs, (long)((secs - (time_t)secs) * 1e9) };
	unsigned long long us, cus, dus, frames;
	char line[256];
	int status, ok = 0;
	unsigned int i;
	FILE *f;
	pid_t pid;

	if (access(PKTGEN "pgctrl", W_OK))
		return fail("no pktgen (insmod pktgen.ko)"), 1;
	for (i = 0; i < sizeof(setup) / sizeof(setup[0]); i++)
		if (pktgen_write(setup[i][0], setup[i][1]))
			return 1;
	pid = fork();
	if (pid < 0)
		return fail("fork"), 1;
	if (!pid)
		_exit(pktgen_write("pgctrl", "start") ? 1 : 0);
	nanosleep(&ts, NULL);
	if (pktgen_write("pgctrl", "stop"))
		kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return fail("pktgen start"), 1;
	f = fopen(PKTGEN "eth0", "re");
	if (!f)
		return fail(PKTGEN "eth0"), 1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Result: OK: %llu(c%llu+d%llu) usec, %llu",
			   &us, &cus, &dus, &frames) == 4)
			ok = 1;
	fclose(f);
	pktgen_write("kpktgend_0", "rem_device_all");
	if (!ok || !us || !frames) {
		fprintf(stderr, "bench: %s: no pktgen result in " PKTGEN "eth0\n", stack);
		return 1;
	}
	report_ceiling("tx_ceiling", frames, us / 1e6);
	return 0;
}

/* lwip: lwip_e1000's debugfs tx_ceiling, run for --time seconds. */
static int tx_ceiling_lwip(void)
{
	unsigned long long frames, bytes, ns, full;
	char path[256];
	glob_t g;
	FILE *f;
	int ok;

	if (glob("/sys/kernel/debug/lwip_e1000/*/tx_ceiling", 0, NULL, &g) || !g.gl_pathc)
		return fail("no lwip_e1000 debugfs tx_ceiling"), 1;
	snprintf(path, sizeof(path), "%s", g.gl_pathv[0]);
	globfree(&g);
	f = fopen(path, "we");
	if (!f)
		return fail(path), 1;
	ok = fprintf(f, "%d\n", (int)(secs * 1000)) > 0;
	if (fclose(f) || !ok)
		return fail("tx_ceiling run"), 1;
	f = fopen(path, "re");
	if (!f)
		return fail(path), 1;
	ok = fscanf(f, "frames %llu bytes %llu ns %llu ring_full %llu",
		    &frames, &bytes, &ns, &full) == 4;
	fclose(f);
	if (!ok || !ns || !frames)
		return fail("tx_ceiling result"), 1;
	report_ceiling("tx_ceiling", frames, ns / 1e9);
	return 0;
}

static int tx_ceiling(void)
{
	if (!host)
		host = "nic";	/* a NIC measurement: metric_nic */
	return family == AF_INET ? tx_ceiling_linux() : tx_ceiling_lwip();
}

static int tx_ceiling_sock_test(void)
{
	if (family != AF_INET) {
		fprintf(stderr, "bench: tx_ceiling_sock: --family inet only\n");
		return 2;
	}
	if (!host)
		host = "nic";
	return tx_ceiling_sock();
}

static int usage(void)
{
	fprintf(stderr, "usage: bench [--family inet|lwip] tcp_send|tcp_recv|tcp_rr|tcp_crr|"
		"udp_pps|mem_conn|tx_ceiling|tx_ceiling_sock|profile\n"
		"       [--time S] [--host A] [--port P]"
		" [--size BYTES] [--conns N] [--top N]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *test = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (a[0] != '-') {
			test = a;
			continue;
		}
		if (!v)
			return usage();
		i++;
		if (!strcmp(a, "--family")) {
			if (!strcmp(v, "lwip")) {
				family = lwip_family();
				stack = "lwip";
			} else if (strcmp(v, "inet")) {
				return usage();
			}
		} else if (!strcmp(a, "--time")) {
			secs = atof(v);
		} else if (!strcmp(a, "--host")) {
			host = v;
		} else if (!strcmp(a, "--port")) {
			port = atoi(v);
		} else if (!strcmp(a, "--size")) {
			dgram = atoi(v);
		} else if (!strcmp(a, "--conns")) {
			conns = atoi(v);
		} else if (!strcmp(a, "--top")) {
			top = atoi(v);
		} else {
			return usage();
		}
	}
	if (!test)
		return usage();
	if (!port && strcmp(test, "profile"))
		port = 5001;
	if (!strcmp(test, "tcp_send"))
		return tcp_send();
	if (!strcmp(test, "tcp_recv"))
		return tcp_recv();
	if (!strcmp(test, "tcp_rr"))
		return tcp_rr();
	if (!strcmp(test, "tcp_crr"))
		return tcp_crr();
	if (!strcmp(test, "udp_pps"))
		return udp_pps();
	if (!strcmp(test, "mem_conn"))
		return mem_conn();
	if (!strcmp(test, "tx_ceiling"))
		return tx_ceiling();
	if (!strcmp(test, "tx_ceiling_sock"))
		return tx_ceiling_sock_test();
	if (!strcmp(test, "profile"))
		return profile();
	return usage();
}
