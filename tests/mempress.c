// SPDX-License-Identifier: GPL-2.0
/*
 * mempress: many loopback TCP transfers at once under a small memory
 * budget; every transfer must make progress or fail with an error, and
 * POLLOUT must mean that a send can make progress.
 *
 *   mempress [--family inet|lwip] [--conns N] [--bytes B] [--deadline S]
 *            [--stall S] [--spin-max N] [--mode poll|blocking]
 *
 * One thread, one poll() loop over every socket: N non-blocking connects
 * to one listener (those refused, e.g. ENOBUFS, are counted, not failed),
 * then each connected client sends its 4-byte id and B bytes of its own
 * pattern with non-blocking send() when poll() says POLLOUT, and shuts
 * down; each accepted socket reads and checks every byte until EOF.
 *
 * Fails (exit 1) when a connection that was established neither got all
 * of its bytes through intact nor ended with an error; when one made no
 * progress (no byte sent or received, no error) for --stall seconds; when
 * send() returned EAGAIN right after poll() reported POLLOUT more than
 * --spin-max times in all; when no connection completed; or when the run
 * passed --deadline seconds. The summary line says what moved and how long
 * it took. --mode blocking: each connected client sends from a thread of
 * its own with blocking send() instead (the receivers stay in the loop). Meant to run with lwip.ko's mem_limit=131072 (or, for Linux,
 * net.ipv4.tcp_mem at 32 pages): see tests/guest/sock.sh.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <lwipk/af_lwip.h>

#define MAXCONN		1000
#define CHUNK		(64 * 1024)
#define PERIOD		251	/* the pattern repeats every PERIOD bytes */

enum cstate { C_CONNECTING, C_SENDING, C_SHUT, C_DONE, C_FAILED, C_REFUSED };

struct conn {
	int cfd, sfd;		/* client (sender), accepted (receiver) */
	enum cstate state;
	uint32_t id;
	size_t sent;		/* payload bytes sent, not counting the id */
	size_t got;		/* payload bytes received and checked */
	unsigned char idbuf[4];
	unsigned int idgot;
	int rx_eof;
	int err;		/* errno that ended it */
	double last;		/* last progress */
	int want_out;		/* poll() asked for POLLOUT */
	size_t tsent;		/* --mode blocking: the thread's progress */
	int tdone, terr;	/* ...its end, and its errno */
};

static struct conn conns[MAXCONN];
static unsigned char pat[CHUNK + PERIOD];
static int family, nconn = 200, established;
static size_t nbytes = 1 << 20;
static double deadline = 180, stall = 30;
static long spin_max = -1;
static int blocking;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The pattern of connection @id from stream offset @off on. */
static const unsigned char *pattern_at(uint32_t id, size_t off)
{
	return pat + (off + (size_t)id * 17) % PERIOD;
}

static struct sockaddr_in lo(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static void fail(struct conn *c, int err)
{
	c->state = C_FAILED;
	c->err = err;
	c->last = now();
}

/* --mode blocking: one client's whole send, blocking. */
static void *blocking_sender(void *arg)
{
	struct conn *c = arg;
	uint32_t id = htonl(c->id);
	size_t off = 0, left;
	ssize_t n;
	int err = 0;

	if (send(c->cfd, &id, sizeof(id), MSG_NOSIGNAL) != sizeof(id))
		err = errno ? errno : EIO;
	while (!err && off < nbytes) {
		left = nbytes - off;
		if (left > CHUNK)
			left = CHUNK;
		n = send(c->cfd, pattern_at(c->id, off), left, MSG_NOSIGNAL);
		if (n <= 0) {
			err = n < 0 ? errno : EIO;
			break;
		}
		off += n;
		__atomic_store_n(&c->tsent, off, __ATOMIC_RELAXED);
	}
	if (!err)
		shutdown(c->cfd, SHUT_WR);
	__atomic_store_n(&c->terr, err, __ATOMIC_RELAXED);
	__atomic_store_n(&c->tdone, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* A client connected: count it; --mode blocking: start its thread. */
static void begin(struct conn *c)
{
	pthread_attr_t attr;
	pthread_t t;
	int err;

	established++;
	if (!blocking)
		return;
	fcntl(c->cfd, F_SETFL, fcntl(c->cfd, F_GETFL) & ~O_NONBLOCK);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&t, &attr, blocking_sender, c);
	pthread_attr_destroy(&attr);
	if (err) {
		c->tdone = 1;
		c->terr = err;
	}
}

/* --mode blocking: what the sender thread did since the last look. */
static void blocking_look(struct conn *c)
{
	size_t sent = __atomic_load_n(&c->tsent, __ATOMIC_RELAXED);

	if (sent != c->sent) {
		c->sent = sent;
		c->last = now();
	}
	if (!__atomic_load_n(&c->tdone, __ATOMIC_ACQUIRE))
		return;
	c->sent = c->tsent;
	if (c->terr)
		fail(c, c->terr);
	else
		c->state = C_SHUT;
}

static void start(struct conn *c, int port)
{
	struct sockaddr_in a = lo(port);

	c->sfd = -1;
	c->last = now();
	c->cfd = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->cfd < 0) {
		c->state = C_REFUSED;
		c->err = errno;
		return;
	}
	if (!connect(c->cfd, (struct sockaddr *)&a, sizeof(a))) {
		c->state = C_SENDING;
		begin(c);
		return;
	}
	if (errno == EINPROGRESS) {
		c->state = C_CONNECTING;
		return;
	}
	c->state = C_REFUSED;
	c->err = errno;
	close(c->cfd);
	c->cfd = -1;
}

/* The client's connect finished (POLLOUT or an error). */
static void connected(struct conn *c)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(c->cfd, SOL_SOCKET, SO_ERROR, &err, &len))
		err = errno;
	if (err) {
		c->state = C_REFUSED;
		c->err = err;
		close(c->cfd);
		c->cfd = -1;
		return;
	}
	c->state = C_SENDING;
	c->last = now();
}

/* Send what fits; return 1 when nothing at all could be sent (EAGAIN). */
static int sender(struct conn *c)
{
	size_t left, off;
	ssize_t n;

	for (;;) {
		if (c->sent == nbytes) {
			shutdown(c->cfd, SHUT_WR);
			c->state = C_SHUT;
			return 0;
		}
		if (c->sent == 0 && c->idgot == 0) {
			/* the id goes first, on its own */
			uint32_t id = htonl(c->id);

			n = send(c->cfd, &id, sizeof(id), MSG_NOSIGNAL);
			if (n == sizeof(id)) {
				c->idgot = 4;	/* sender side: id sent */
				c->last = now();
				return 0;	/* one send per POLLOUT */
			}
			/* lwIP and Linux take 4 bytes whole or not at all */
		} else {
			off = c->sent;
			left = nbytes - off;
			if (left > CHUNK)
				left = CHUNK;
			n = send(c->cfd, pattern_at(c->id, off), left, MSG_NOSIGNAL);
			if (n > 0) {
				c->sent += n;
				c->last = now();
				return 0;	/* one send per POLLOUT: fair */
			}
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 1;
		fail(c, n < 0 ? errno : EIO);
		return 0;
	}
}

/* Read and check what arrived on the receiver side. */
static void receiver(struct conn *c, unsigned char *buf)
{
	ssize_t n;

	for (;;) {
		n = recv(c->sfd, buf, CHUNK, 0);
		if (n == 0) {
			c->rx_eof = 1;
			if (c->got != nbytes)
				fail(c, EPIPE);
			return;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				fail(c, errno);
			return;
		}
		if (c->got + n > nbytes ||
		    memcmp(buf, pattern_at(c->id, c->got), n)) {
			fprintf(stderr, "mempress: conn %u: bad data at %zu\n",
				c->id, c->got);
			fail(c, EBADMSG);
			return;
		}
		c->got += n;
		c->last = now();
	}
}

/* An accepted socket not yet paired: it waits for its client's id. */
struct pending {
	int fd;
	unsigned int n;
	unsigned char id[4];
};

static struct pending pend[MAXCONN];
static int npend;

/* Read what there is of a pending socket's id; pair it when complete. */
static void pair(struct pending *p)
{
	uint32_t id;
	ssize_t n;

	n = recv(p->fd, p->id + p->n, sizeof(p->id) - p->n, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0)
		goto drop;
	p->n += n;
	if (p->n < sizeof(p->id))
		return;
	memcpy(&id, p->id, sizeof(id));
	id = ntohl(id);
	if (id >= (uint32_t)nconn || conns[id].sfd >= 0)
		goto drop;
	conns[id].sfd = p->fd;
	p->fd = -1;
	return;
drop:
	close(p->fd);
	p->fd = -1;
}

static int parse(int argc, char **argv)
{
	int i;

	family = lwip_family();
	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--family"))
			family = strcmp(argv[i + 1], "inet") ? lwip_family() : AF_INET;
		else if (!strcmp(argv[i], "--conns"))
			nconn = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--bytes"))
			nbytes = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--deadline"))
			deadline = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--stall"))
			stall = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--spin-max"))
			spin_max = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--mode"))
			blocking = !strcmp(argv[i + 1], "blocking");
		else
			return -1;
	}
	if (i != argc || nconn < 1 || nconn > MAXCONN)
		return -1;
	if (spin_max < 0)
		spin_max = 10L * nconn;
	return 0;
}

int main(int argc, char **argv)
{
	static struct pollfd pfd[3 * MAXCONN + 1];
	static struct conn *pconn[3 * MAXCONN + 1];
	static int pidx[3 * MAXCONN + 1];
	static unsigned char buf[CHUNK];
	long spins = 0, pollouts = 0;
	int l, port, i, n, one = 1, live, stuck = 0;
	int completed = 0, failed = 0, refused = 0;
	double t0, t, worst = 0;
	unsigned long long moved = 0;
	struct sockaddr_in a = lo(0);
	socklen_t alen = sizeof(a);

	if (parse(argc, argv)) {
		fprintf(stderr, "usage: mempress [--family inet|lwip] [--conns N] [--bytes B] [--deadline S] [--stall S] [--spin-max N] [--mode poll|blocking]\n");
		return 2;
	}
	for (i = 0; i < (int)sizeof(pat); i++)
		pat[i] = (i % PERIOD) * 89 + 7;
	l = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, nconn) ||
	    getsockname(l, (struct sockaddr *)&a, &alen)) {
		perror("mempress: listener");
		return 1;
	}
	port = ntohs(a.sin_port);
	t0 = now();
	for (i = 0; i < nconn; i++) {
		conns[i].id = i;
		start(&conns[i], port);
	}
	for (;;) {
		t = now();
		n = 0;
		live = 0;
		pfd[n].fd = l;
		pfd[n].events = POLLIN;
		pconn[n++] = NULL;
		for (i = 0; i < nconn; i++) {
			struct conn *c = &conns[i];

			if (c->state == C_REFUSED || c->state == C_DONE ||
			    c->state == C_FAILED)
				continue;
			live++;
			if (blocking && c->state == C_SENDING) {
				blocking_look(c);
				if (c->state == C_FAILED)
					continue;
			}
			if (t - c->last > worst)
				worst = t - c->last;
			if (c->state != C_CONNECTING && t - c->last > stall) {
				fprintf(stderr, "mempress: conn %d stuck %.0f s: sent %zu got %zu\n",
					i, t - c->last, c->sent, c->got);
				stuck++;
				fail(c, ETIMEDOUT);
				continue;
			}
			c->want_out = c->state == C_CONNECTING ||
				      c->state == C_SENDING;
			if (!blocking || c->state == C_CONNECTING) {
				pfd[n].fd = c->cfd;
				pfd[n].events = c->want_out ? POLLOUT : 0;
				pconn[n++] = c;
			}
			if (c->sfd >= 0) {
				pfd[n].fd = c->sfd;
				pfd[n].events = POLLIN;
				pconn[n++] = c;
			}
		}
		for (i = 0; i < npend; i++) {
			if (pend[i].fd < 0) {
				pend[i--] = pend[--npend];
				continue;
			}
			pfd[n].fd = pend[i].fd;
			pfd[n].events = POLLIN;
			pidx[n] = i;
			pconn[n++] = NULL;
		}
		if (!live || t - t0 > deadline)
			break;
		if (poll(pfd, n, 1000) < 0) {
			perror("mempress: poll");
			return 1;
		}
		while ((pfd[0].revents & POLLIN) && npend < MAXCONN) {
			int fd = accept4(l, NULL, NULL, SOCK_NONBLOCK);

			if (fd < 0)
				break;
			pend[npend].fd = fd;
			pend[npend++].n = 0;
		}
		for (i = 1; i < n; i++) {
			struct conn *c = pconn[i];
			short re = pfd[i].revents;

			if (!c) {
				if (re)
					pair(&pend[pidx[i]]);
				continue;
			}
			if (!re || c->state == C_FAILED)
				continue;
			if (pfd[i].fd == c->sfd) {
				receiver(c, buf);
				continue;
			}
			if (c->state == C_CONNECTING) {
				connected(c);
				if (c->state == C_SENDING)
					begin(c);
				continue;
			}
			if (c->state != C_SENDING)
				continue;
			if (re & POLLOUT) {
				pollouts++;
				spins += sender(c);
			} else if (re & (POLLERR | POLLHUP)) {
				sender(c);	/* it reports the error */
			}
		}
		for (i = 0; i < nconn; i++) {
			struct conn *c = &conns[i];

			if (c->state == C_SHUT && c->rx_eof && c->got == nbytes) {
				c->state = C_DONE;
				completed++;
			}
			/* a sender thread may still be in send(): keep its fd */
			if ((c->state == C_DONE || c->state == C_FAILED) &&
			    c->cfd >= 0 && (!blocking || c->tdone)) {
				close(c->cfd);
				c->cfd = -1;
				if (c->sfd >= 0)
					close(c->sfd);
				c->sfd = -1;
			}
		}
	}
	t = now() - t0;
	for (i = 0; i < nconn; i++) {
		moved += conns[i].got;
		if (conns[i].state == C_FAILED)
			failed++;
		if (conns[i].state == C_REFUSED)
			refused++;
		if (conns[i].state == C_SENDING || conns[i].state == C_SHUT ||
		    conns[i].state == C_CONNECTING)
			stuck++;	/* live at the deadline */
	}
	printf("mempress: family %s conns %d bytes %zu: established %d completed %d failed %d (stuck %d) refused %d; moved %llu bytes in %.1f s; pollout %ld, eagain after pollout %ld (max %ld); longest without progress %.1f s\n",
	       family == AF_INET ? "inet" : "lwip", nconn, nbytes, established,
	       completed, failed, stuck, refused, moved, t, pollouts, spins,
	       spin_max, worst);
	for (i = 0; i < nconn && failed; i++)
		if (conns[i].state == C_FAILED)
			printf("mempress: conn %d failed: %s (sent %zu got %zu)\n",
			       i, strerror(conns[i].err), conns[i].sent,
			       conns[i].got);
	if (stuck || !completed || spins > spin_max || t > deadline ||
	    completed + failed != established)
		return 1;
	return 0;
}
