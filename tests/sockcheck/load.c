// SPDX-License-Identifier: GPL-2.0
/* sockcheck, load and lifetime: many connections, churn through TIME_WAIT, killed peers. */
#include "sockcheck.h"

struct conn_job {
	int port;
	int ok;
};

static void *echo_server(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[16384];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		if (write_full(fd, buf, n) != n)
			break;
	close(fd);
	return NULL;
}

static void *acceptor(void *arg)
{
	int l = (int)(intptr_t)arg, i, fd;
	pthread_t t;

	for (i = 0; i < NCONN; i++) {
		fd = accept(l, NULL, NULL);
		if (fd < 0)
			return NULL;
		if (pthread_create(&t, NULL, echo_server, (void *)(intptr_t)fd)) {
			close(fd);
			return NULL;
		}
		pthread_detach(t);
	}
	return (void *)1;
}

static void *echo_client(void *arg)
{
	struct conn_job *job = arg;
	struct sockaddr_in a = lo(job->port);
	uint8_t *out = malloc(CONN_BYTES), *in = malloc(CONN_BYTES);
	int fd = sock(SOCK_STREAM), i;

	for (i = 0; i < CONN_BYTES; i++)
		out[i] = pattern(i + job->port + (intptr_t)job);
	if (fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    write_full(fd, out, CONN_BYTES) == CONN_BYTES &&
	    read_full(fd, in, CONN_BYTES) == CONN_BYTES &&
	    !memcmp(in, out, CONN_BYTES))
		job->ok = 1;
	if (fd >= 0)
		close(fd);
	free(out);
	free(in);
	return NULL;
}

static int t_concurrent(void)
{
	static struct conn_job jobs[NCONN];
	pthread_t acc, t[NCONN];
	int port, l = listener(&port), i, good = 0;
	pthread_attr_t attr;

	CHECK(l >= 0, "listener: %s", E);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_create(&acc, NULL, acceptor, (void *)(intptr_t)l);
	for (i = 0; i < NCONN; i++) {
		jobs[i].port = port;
		CHECK(!pthread_create(&t[i], &attr, echo_client, &jobs[i]), "thread %d", i);
	}
	for (i = 0; i < NCONN; i++) {
		pthread_join(t[i], NULL);
		good += jobs[i].ok;
	}
	pthread_join(acc, NULL);
	close(l);
	CHECK(good == NCONN, "%d of %d connections echoed correctly", good, NCONN);
	return 0;
}

/*
 * t_connect_churn's cycles. Under QEMU TCG, inet does 10,000 in about
 * 4 s, lwip in about 11 s: lo0 delivers in batches, so each cycle no
 * longer waits on its own tcpip wake-up. The case has its own time limit.
 */
#define CYCLES		10000

#define CHURN_TIMEOUT	(180 * slow)	/* seconds */

static int t_sigkill_peer(void)
{
	int port, l = listener(&port), s, base = -1, status, n;
	struct sockaddr_in a = lo(port);
	static char buf[64 * 1024];
	ssize_t got = 0, r;
	pid_t pid;

	CHECK(l >= 0, "listener: %s", E);
	if (family != AF_INET) {
		base = lwip_pcbs_settle(0);
		CHECK(base >= 0, "/proc/lwip/tcp: %s", E);
	}
	pid = fork();
	CHECK(pid >= 0, "fork: %s", E);
	if (!pid) {
		int fd = sock(SOCK_STREAM);

		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
			_exit(1);
		for (;;)
			send(fd, buf, sizeof(buf), 0);
	}
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", E);
	while (got < 256 * 1024 && (r = recv(s, buf, sizeof(buf), 0)) > 0)
		got += r;
	CHECK(got >= 256 * 1024, "recv %zd: %s", got, E);
	kill(pid, SIGKILL);
	CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status), "child");
	while ((r = recv(s, buf, sizeof(buf), 0)) > 0)
		;
	CHECK(r == 0 || errno == ECONNRESET, "after SIGKILL: %zd %s", r, E);
	close(s);
	close(l);
	if (family != AF_INET) {
		n = lwip_pcbs_settle(base);
		CHECK(n == base, "%d live lwIP PCBs, %d before", n, base);
	}
	return 0;
}

/*
 * CYCLES sequential connect/accept/close cycles over
 * 127.0.0.1, one byte sent on each. For lwip, TIME_WAIT must come down to
 * lwip.ko's tw_max within 2 s (a timer trims it every 250 ms), and the
 * heap must come back to its baseline but for the PCBs left in TIME_WAIT
 * (2 MSL: they outlive the case): one heap block each, and no more than
 * TW_PCB_BYTES of it.
 */
#define TW_PCB_BYTES	512

#define HEAP_SLACK	(16 * 1024)

static int t_connect_churn(void)
{
	int port, l = listener(&port), i, c, s, base = 0;
	int cycles = CYCLES;
	struct sockaddr_in a = lo(port);
	struct lwip_heap h0 = { 0 }, h1 = { 0 };
	struct timespec t0, tc;
	long tw, ms, cms, slow_cycles = 0, worst = 0;
	int twmax;
	char b = 'c';

	CHECK(l >= 0, "listener: %s", E);
	alarm(CHURN_TIMEOUT);
	if (family != AF_INET) {
		base = lwip_pcbs_settle(0);
		CHECK(!lwip_heap(&h0), "/proc/lwip/mem: %s", E);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < cycles; i++) {
		clock_gettime(CLOCK_MONOTONIC, &tc);
		c = sock(SOCK_STREAM);
		CHECK(c >= 0, "cycle %d socket: %s", i, E);
		CHECK(!connect(c, (struct sockaddr *)&a, sizeof(a)), "cycle %d connect: %s", i, E);
		s = accept(l, NULL, NULL);
		CHECK(s >= 0, "cycle %d accept: %s", i, E);
		CHECK(send(c, &b, 1, 0) == 1 && recv(s, &b, 1, 0) == 1, "cycle %d data: %s", i, E);
		close(c);
		close(s);
		cms = elapsed_ms(&tc);
		slow_cycles += cms >= 100;
		worst = cms > worst ? cms : worst;
	}
	ms = elapsed_ms(&t0);
	diag("%d cycles in %ld ms; %ld took 100 ms or more, the slowest %ld ms",
	     cycles, ms, slow_cycles, worst);
	close(l);
	if (family == AF_INET)
		return 0;
	CHECK(lwip_pcbs_settle(base) == base, "live PCBs did not return to %d", base);
	CHECK(!lwip_heap(&h1), "/proc/lwip/mem: %s", E);
	/* lwip.ko's tw_max caps TIME_WAIT, as tcp_max_tw_buckets does Linux's */
	twmax = lwip_tw_max();
	CHECK(twmax >= 0, "no /sys/module/lwip/parameters/tw_max");
	clock_gettime(CLOCK_MONOTONIC, &tc);
	while (twmax && h1.time_wait > (unsigned int)twmax && elapsed_ms(&tc) < 2000) {
		usleep(50000);
		CHECK(!lwip_heap(&h1), "/proc/lwip/mem: %s", E);
	}
	CHECK(!twmax || h1.time_wait <= (unsigned int)twmax,
	      "%u connections in TIME_WAIT, tw_max %d", h1.time_wait, twmax);
	tw = (long)h1.time_wait - h0.time_wait;
	if (tw < 0)
		tw = 0;	/* the cap freed TIME_WAITs from before the case */
	diag("heap used %ld -> %ld, blocks %ld -> %ld, TIME_WAIT %u -> %u",
	     h0.used, h1.used, h0.blocks, h1.blocks, h0.time_wait, h1.time_wait);
	CHECK(h1.blocks - h0.blocks <= tw + 16, "%ld heap blocks more for %ld TIME_WAIT PCBs",
	      h1.blocks - h0.blocks, tw);
	CHECK(h1.used - h0.used <= tw * TW_PCB_BYTES + HEAP_SLACK,
	      "%ld heap bytes more for %ld TIME_WAIT PCBs", h1.used - h0.used, tw);
	return 0;
}

/*
 * Bulk data over 127.0.0.1 in writes of mixed sizes: lwip copies the
 * small ones into its segments and references the others in the sending
 * socket's pages (port/txref.c), which lo0 loops by reference. First
 * BULK_EARLY bytes the sender closes on before the receiver reads a byte
 * (the receiver then holds the only references), then BULK_TOTAL from a
 * thread while the receiver reads. Every byte arrives in order, and for
 * lwip the heap comes back to its baseline: every reference dropped.
 */
#define BULK_EARLY	(160 * 1024)
#define BULK_TOTAL	(8 << 20)

struct bulk_job {
	int fd;
	size_t len;
	int err;
};

static const size_t bulk_sizes[] = { 1, 2047, 2048, 4095, 32769, 70001, 5000 };

static void *bulk_send(void *arg)
{
	static uint8_t out[70001];
	struct bulk_job *job = arg;
	size_t off = 0, i = 0, n;

	while (off < job->len) {
		n = bulk_sizes[i++ % (sizeof(bulk_sizes) / sizeof(bulk_sizes[0]))];
		if (n > job->len - off)
			n = job->len - off;
		for (size_t k = 0; k < n; k++)
			out[k] = pattern(off + k);
		if (write_full(job->fd, out, n) != (ssize_t)n) {
			job->err = errno;
			break;
		}
		off += n;
	}
	close(job->fd);
	return NULL;
}

/* Read @fd to its end: 0 when exactly @len bytes of pattern() came. */
static int bulk_recv(int fd, size_t len)
{
	static uint8_t in[65536];
	size_t got = 0;
	ssize_t n;

	while ((n = recv(fd, in, sizeof(in), 0)) > 0) {
		for (ssize_t k = 0; k < n; k++)
			if (got + k >= len || in[k] != pattern(got + k)) {
				diag("byte %zu of %zu wrong", got + k, len);
				return -1;
			}
		got += n;
	}
	if (n < 0 || got != len) {
		diag("got %zu of %zu bytes: %s", got, len, n < 0 ? E : "EOF");
		return -1;
	}
	return 0;
}

static int t_bulk_by_reference(void)
{
	int port, l = listener(&port), base = 0;
	struct sockaddr_in a = lo(port);
	struct lwip_heap h0 = { 0 }, h1 = { 0 };
	struct bulk_job job = { 0 };
	pthread_t t;
	long tw;

	CHECK(l >= 0, "listener: %s", E);
	if (family != AF_INET) {
		base = lwip_pcbs_settle(0);
		CHECK(!lwip_heap(&h0), "/proc/lwip/mem: %s", E);
	}
	for (int round = 0; round < 2; round++) {
		int c = sock(SOCK_STREAM), s, bad;

		CHECK(c >= 0, "socket: %s", E);
		CHECK(!connect(c, (struct sockaddr *)&a, sizeof(a)), "connect: %s", E);
		s = accept(l, NULL, NULL);
		CHECK(s >= 0, "accept: %s", E);
		job.fd = c;
		job.len = round ? BULK_TOTAL : BULK_EARLY;
		if (!round) {
			bulk_send(&job);	/* all of it queued, then closed */
		} else {
			CHECK(!pthread_create(&t, NULL, bulk_send, &job), "pthread_create");
		}
		bad = bulk_recv(s, job.len);
		close(s);	/* which also ends a sender still sending */
		if (round)
			pthread_join(t, NULL);
		CHECK(!bad, "round %d: not intact", round);
		CHECK(!job.err, "round %d send: %s", round, strerror(job.err));
	}
	close(l);
	if (family == AF_INET)
		return 0;
	CHECK(lwip_pcbs_settle(base) == base, "live PCBs did not return to %d", base);
	CHECK(!lwip_heap(&h1), "/proc/lwip/mem: %s", E);
	tw = (long)h1.time_wait - h0.time_wait;
	if (tw < 0)
		tw = 0;
	diag("heap used %ld -> %ld, blocks %ld -> %ld, TIME_WAIT %u -> %u",
	     h0.used, h1.used, h0.blocks, h1.blocks, h0.time_wait, h1.time_wait);
	CHECK(h1.used - h0.used <= tw * TW_PCB_BYTES + HEAP_SLACK,
	      "%ld heap bytes more for %ld TIME_WAIT PCBs", h1.used - h0.used, tw);
	return 0;
}

const struct sc_case sc_load_cases[] = {
	{ "concurrent_200_echo_64k", t_concurrent },
	{ "sigkill_peer_mid_transfer", t_sigkill_peer },
	{ "connect_churn", t_connect_churn },
	{ "bulk_by_reference", t_bulk_by_reference },
	{ NULL, NULL }
};
