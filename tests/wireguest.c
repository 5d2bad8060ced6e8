// SPDX-License-Identifier: GPL-2.0
/*
 * wireguest: the guest side of the wire tests (scripts/test.sh's "wire"
 * boot), on lwIP sockets, against tests/host/wirepeer.c as the only peer.
 *
 *   wireguest send ADDR PORT BYTES [CHUNK [DELAY_MS]]
 *   wireguest accept ADDR PORT BYTES [CHUNK [DELAY_MS]]
 *   wireguest echo ADDR PORT
 *
 * send connects to ADDR:PORT, accept listens there and takes one
 * connection; both then write BYTES of the pattern byte i = (i * 7 + 3) %
 * 251 in CHUNK-byte writes (default 1024) DELAY_MS apart (default 150), so
 * that writes keep coming while the peer's window grows from 0, shut
 * down their side and read until the peer closes. echo serves any number
 * of connections (a thread each) until one of them says "wirepeer: done":
 * then it closes every other connection with a reset, so that no lwIP
 * state outlives it, and exits 0. Exit status 0 only if all went through.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <lwipk/af_lwip.h>

#define DONE_LINE "wirepeer: done\n"

static struct sockaddr_in addr_of(const char *ip, const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };

	sa.sin_port = htons(atoi(port));
	if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
		fprintf(stderr, "wireguest: bad address %s\n", ip);
		exit(2);
	}
	return sa;
}

static int listener(const struct sockaddr_in *sa, int backlog)
{
	int fd = socket(lwip_family(), SOCK_STREAM, 0), one = 1;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) || listen(fd, backlog)) {
		perror("wireguest: listen");
		exit(1);
	}
	return fd;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * The pattern, CHUNK bytes a write, DELAY_MS between writes: lwIP queues
 * most of it while the window is 0 and tiny, and goes on being asked to
 * queue more as the window opens (the path the window test is about).
 */
static int send_pattern(int fd, long bytes, long chunk, long delay_ms)
{
	static unsigned char buf[1 << 16];
	struct timespec t0, pause = { .tv_sec = delay_ms / 1000,
				      .tv_nsec = delay_ms % 1000 * 1000000 };
	char drain[256];
	long sent = 0, i;
	ssize_t n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (sent < bytes) {
		long len = bytes - sent < chunk ? bytes - sent : chunk;

		for (i = 0; i < len; i++)
			buf[i] = (unsigned char)(((unsigned long)(sent + i) * 7 + 3) % 251);
		n = write(fd, buf, len);
		if (n <= 0) {
			perror("wireguest: write");
			return 1;
		}
		sent += n;
		nanosleep(&pause, NULL);
	}
	printf("wireguest: %ld bytes written in %ld ms\n", sent, ms_since(&t0));
	if (shutdown(fd, SHUT_WR)) {
		perror("wireguest: shutdown");
		return 1;
	}
	while ((n = read(fd, drain, sizeof(drain))) > 0)
		;	/* until the peer has it all and closes */
	if (n < 0) {
		perror("wireguest: read");
		return 1;
	}
	printf("wireguest: the peer closed after %ld ms\n", ms_since(&t0));
	return close(fd) != 0;
}

static int sender(int argc, char **argv, int accepting)
{
	struct sockaddr_in sa;
	long bytes, chunk, delay;
	int fd, l;

	if (argc < 5) {
		fprintf(stderr, "usage: wireguest send|accept ADDR PORT BYTES [CHUNK [DELAY_MS]]\n");
		return 2;
	}
	sa = addr_of(argv[2], argv[3]);
	bytes = atol(argv[4]);
	chunk = argc > 5 ? atol(argv[5]) : 1024;
	delay = argc > 6 ? atol(argv[6]) : 150;
	if (chunk <= 0 || chunk > 1 << 16 || delay < 0) {
		fprintf(stderr, "wireguest: CHUNK 1..65536, DELAY_MS >= 0\n");
		return 2;
	}
	if (accepting) {
		l = listener(&sa, 1);
		fprintf(stderr, "wireguest: listening\n");
		fd = accept(l, NULL, NULL);
		close(l);
	} else {
		fd = socket(lwip_family(), SOCK_STREAM, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		perror(accepting ? "wireguest: accept" : "wireguest: connect");
		return 1;
	}
	return send_pattern(fd, bytes, chunk, delay);
}

/* ---- echo: the fuzz's target, and its liveness check ------------------ */

#define MAX_ECHO 256

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int open_fds[MAX_ECHO];
static long conns, echoed;

static void fd_track(int fd, int add)
{
	int i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < MAX_ECHO; i++)
		if (open_fds[i] == (add ? -1 : fd)) {
			open_fds[i] = add ? fd : -1;
			break;
		}
	pthread_mutex_unlock(&lock);
}

/* The peer is done: reset whatever it left open, so nothing lingers. */
static void quit(void)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int i, left = 0;

	pthread_mutex_lock(&lock);
	for (i = 0; i < MAX_ECHO; i++)
		if (open_fds[i] >= 0) {
			setsockopt(open_fds[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			close(open_fds[i]);
			left++;
		}
	printf("wireguest: echo: %ld connections, %ld bytes echoed, %d reset at the end\n",
	       conns, echoed, left);
	fflush(stdout);
	_exit(0);
}

static void *echo_conn(void *arg)
{
	int fd = (int)(long)arg, done = 0;
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (write(fd, buf, n) != n)
			break;
		pthread_mutex_lock(&lock);
		echoed += n;
		pthread_mutex_unlock(&lock);
		done |= n >= (ssize_t)strlen(DONE_LINE) &&
			!memcmp(buf + n - strlen(DONE_LINE), DONE_LINE, strlen(DONE_LINE));
	}
	fd_track(fd, 0);
	close(fd);
	if (done && n == 0)	/* the peer closed after its last line */
		quit();
	return NULL;
}

static int echo_server(int argc, char **argv)
{
	struct sockaddr_in sa;
	pthread_attr_t attr;
	pthread_t t;
	int l, fd, i;

	if (argc < 4) {
		fprintf(stderr, "usage: wireguest echo ADDR PORT\n");
		return 2;
	}
	/*
	 * The fuzz resets live connections: a write into one is EPIPE, and
	 * the server goes on with the others, as servers do.
	 */
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < MAX_ECHO; i++)
		open_fds[i] = -1;
	sa = addr_of(argv[2], argv[3]);
	l = listener(&sa, 16);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	fprintf(stderr, "wireguest: echo: listening\n");
	for (;;) {
		fd = accept(l, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("wireguest: accept");
			return 1;
		}
		pthread_mutex_lock(&lock);
		conns++;
		pthread_mutex_unlock(&lock);
		fd_track(fd, 1);
		if (pthread_create(&t, &attr, echo_conn, (void *)(long)fd)) {
			fd_track(fd, 0);
			close(fd);
		}
	}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "send") || !strcmp(mode, "accept"))
		return sender(argc, argv, !strcmp(mode, "accept"));
	if (!strcmp(mode, "echo"))
		return echo_server(argc, argv);
	fprintf(stderr, "usage: wireguest send|accept ADDR PORT BYTES [CHUNK [DELAY_MS]]\n"
		"       wireguest echo ADDR PORT\n");
	return 2;
}
