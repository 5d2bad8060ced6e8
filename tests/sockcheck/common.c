// SPDX-License-Identifier: GPL-2.0
/* sockcheck: the helpers every area's cases use. */
#include "sockcheck.h"

int family;
int slow = 1;

void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

struct sockaddr_in lo(int port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

int sock(int type)
{
	return socket(family, type, 0);
}

int local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len))
		return -1;
	return ntohs(a.sin_port);
}

/* A TCP listener on 127.0.0.1 at an ephemeral port. */
int listener(int *port)
{
	struct sockaddr_in a = lo(0);
	int fd = sock(SOCK_STREAM);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 256)) {
		close(fd);
		return -1;
	}
	*port = local_port(fd);
	return fd;
}

/* A connected TCP pair: *c the client, *s the accepted end. */
int pair(int *c, int *s)
{
	struct sockaddr_in a;
	int l, port;

	l = listener(&port);
	if (l < 0)
		return -1;
	a = lo(port);
	*c = sock(SOCK_STREAM);
	if (*c < 0 || connect(*c, (struct sockaddr *)&a, sizeof(a))) {
		close(l);
		return -1;
	}
	*s = accept(l, NULL, NULL);
	close(l);
	return *s < 0 ? -1 : 0;
}

/* A port nobody listens on: bound once, then closed. */
int closed_port(void)
{
	struct sockaddr_in a = lo(0);
	int fd = sock(SOCK_STREAM), port;

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	port = local_port(fd);
	close(fd);
	return port;
}

ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = recv(fd, (char *)buf + got, len - got, 0);
		if (n <= 0)
			return n < 0 ? -1 : (ssize_t)got;
		got += n;
	}
	return got;
}

ssize_t write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = send(fd, (const char *)buf + done, len - done, MSG_NOSIGNAL);
		if (n < 0)
			return -1;
		done += n;
	}
	return done;
}

int pollone(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (poll(&p, 1, ms) < 0)
		return -1;
	return p.revents;
}

uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 7 + (i >> 13));
}

long elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* The events of one epoll_wait() on @ep, 0 for none, -1 on error. */
int epwait(int ep, int ms)
{
	struct epoll_event ev;
	int n = epoll_wait(ep, &ev, 1, ms);

	return n < 0 ? -1 : n ? (int)ev.events : 0;
}

int epwatch(int fd, unsigned int events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
		if (ep >= 0)
			close(ep);
		return -1;
	}
	return ep;
}

/* Wait (at most WAIT_MS) until FIONREAD on @fd says at least @n bytes. */
int wait_inq(int fd, int n)
{
	struct timespec t0;
	int have = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (elapsed_ms(&t0) < WAIT_MS) {
		if (ioctl(fd, FIONREAD, &have))
			return -1;
		if (have >= n)
			return 0;
		usleep(1000);
	}
	return -1;
}

/* lwIP's PCBs other than LISTEN and TIME_WAIT (/proc/lwip/tcp), or -1. */
int lwip_live_pcbs(void)
{
	unsigned int n[11];
	char line[4096];
	FILE *f = fopen("/proc/lwip/tcp", "re");
	int live = -1, i;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "total: CLOSED %u LISTEN %u SYN_SENT %u SYN_RCVD %u ESTABLISHED %u FIN_WAIT_1 %u FIN_WAIT_2 %u CLOSE_WAIT %u CLOSING %u LAST_ACK %u TIME_WAIT %u",
			   &n[0], &n[1], &n[2], &n[3], &n[4], &n[5], &n[6],
			   &n[7], &n[8], &n[9], &n[10]) == 11) {
			for (live = 0, i = 0; i < 10; i++)
				live += i == 1 ? 0 : n[i];
		}
	fclose(f);
	return live;
}

/* Wait (bounded) until lwIP's live PCBs are down to @base. */
int lwip_pcbs_settle(int base)
{
	struct timespec t0;
	int n = lwip_live_pcbs();

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (n > base && elapsed_ms(&t0) < 20000) {
		usleep(20000);
		n = lwip_live_pcbs();
	}
	return n;
}

/* lwIP's connections in TIME_WAIT (/proc/lwip/tcp), or -1. */
long lwip_time_wait(void)
{
	FILE *f = fopen("/proc/lwip/tcp", "re");
	char line[4096];
	unsigned int tw;
	long n = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "total: CLOSED %*u LISTEN %*u SYN_SENT %*u SYN_RCVD %*u ESTABLISHED %*u FIN_WAIT_1 %*u FIN_WAIT_2 %*u CLOSE_WAIT %*u CLOSING %*u LAST_ACK %*u TIME_WAIT %u",
			   &tw) == 1)
			n = tw;
	if (f)
		fclose(f);
	return n;
}

/*
 * lwIP's heap and TIME_WAIT count as one snapshot: the two files are read
 * apart, and lwip.ko's tw_max timer may free TIME_WAIT PCBs in between, so
 * the count is read before and after the heap until it holds still.
 */
int lwip_heap(struct lwip_heap *h)
{
	char line[4096];
	long tw0, tw1;
	int found, try;
	FILE *f;

	for (try = 0; try < 20; try++) {
		tw0 = lwip_time_wait();
		f = fopen("/proc/lwip/mem", "re");
		if (!f || tw0 < 0)
			goto fail;
		found = 0;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "heap: used %ld peak %*d limit %*u blocks %ld",
				   &h->used, &h->blocks) == 2)
				found = 1;
		fclose(f);
		tw1 = lwip_time_wait();
		if (!found)
			return -1;
		if (tw0 == tw1) {
			h->time_wait = tw1;
			return 0;
		}
	}
	return -1;

fail:
	if (f)
		fclose(f);
	return -1;
}

/* lwip.ko's tw_max parameter, or -1. */
int lwip_tw_max(void)
{
	FILE *f = fopen("/sys/module/lwip/parameters/tw_max", "re");
	int v = -1;

	if (f && fscanf(f, "%d", &v) != 1)
		v = -1;
	if (f)
		fclose(f);
	return v;
}

int getint(int fd, int level, int name)
{
	socklen_t len = sizeof(int);
	int v = -1;

	if (getsockopt(fd, level, name, &v, &len) || len != sizeof(int))
		return -1;
	return v;
}

int setint(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

/*
 * Send @buf over and over, non-blocking, until the socket stays
 * unwritable for half a second (acknowledgements may be delayed that
 * long); the bytes taken, or -1. Byte i of the stream is buf[i % len].
 */
long fill_nonblock(int fd, const char *buf, size_t len)
{
	long total = 0;
	ssize_t n;

	for (;;) {
		n = send(fd, buf + total % len, len - total % len,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			total += n;
			continue;
		}
		if (n < 0 && errno != EAGAIN)
			return -1;
		if (!(pollone(fd, POLLOUT, 500) & POLLOUT))
			return total;
	}
}

/* A non-blocking connect to @port; the socket, connecting or connected. */
int connect_nb(int port)
{
	struct sockaddr_in a = lo(port);
	int fd = sock(SOCK_STREAM);

	if (fd < 0)
		return -1;
	if (fcntl(fd, F_SETFL, O_NONBLOCK) ||
	    (connect(fd, (struct sockaddr *)&a, sizeof(a)) && errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Retransmission timeouts so far: Linux's TcpExt TCPTimeouts
 * (/proc/net/netstat), lwIP's count in /proc/lwip/tcp; -1 if unreadable.
 */
long rto_count(void)
{
	char names[4096], values[4096], *n, *v, *sn, *sv;
	long found = -1;
	FILE *f;

	if (family != AF_INET) {
		f = fopen("/proc/lwip/tcp", "re");
		while (f && fgets(names, sizeof(names), f))
			sscanf(names, "retransmission timeouts: %ld", &found);
		if (f)
			fclose(f);
		return found;
	}
	f = fopen("/proc/net/netstat", "re");
	while (f && fgets(names, sizeof(names), f) && fgets(values, sizeof(values), f)) {
		if (strncmp(names, "TcpExt:", 7))
			continue;
		n = strtok_r(names, " \n", &sn);
		v = strtok_r(values, " \n", &sv);
		while (n && v && strcmp(n, "TCPTimeouts")) {
			n = strtok_r(NULL, " \n", &sn);
			v = strtok_r(NULL, " \n", &sv);
		}
		if (n && v)
			found = atol(v);
	}
	if (f)
		fclose(f);
	return found;
}
