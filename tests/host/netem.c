// SPDX-License-Identifier: GPL-2.0
/*
 * netem: a network emulator between the guest's NIC and a tap device, and
 * the TCP peers behind it, for the netem suite (run inside the network
 * namespace scripts/test.sh makes).
 *
 *   netem --tap IF --bind PORT --to PORT --source FILE [--addr A]
 *         [--seed S] [--timeout S] [--idle S]
 *
 * Frames from the guest's QEMU socket netdev (UDP datagrams on 127.0.0.1:
 * PORT from the guest, to --to) go to the tap device IF and back, through
 * an impairment applied the same way in both directions, like Linux's
 * netem (whose qdisc this machine's kernel may not have): loss, duplication,
 * corruption (one bit past the Ethernet header), reordering (that share of
 * packets skips the delay), delay, rate. On A (default 10.0.9.1), on the
 * namespace's Linux stack: port 9 a sink (reads until EOF, answers the
 * sha256 of what it got and its longest stall, "HASH  - stall S": the
 * longest time in s from the accept or a read to the next read, then waits
 * for the close), port 19 a source (sends
 * FILE, then waits for the close); both give up a connection after --idle
 * seconds (default 30) without progress and reset it when they end.
 *
 * The guest drives it in band: a UDP datagram to A:4999 is not forwarded
 * but read as commands (separated by ';'), in the order of the guest's
 * frames:
 *   set [loss=P] [dup=P] [corrupt=P] [reorder=P] [delay=MS] [rate=KBIT]
 *       [draw=K]
 *   clear              no impairment, and the link up
 *   kill MS            after MS ms, and once a peer has moved 64 KiB of
 *                      the next transfer (it then stalls), SIGKILL the
 *                      peers (then restart them)
 *   flap MS DOWN       after MS ms, set IF down for DOWN ms, then up
 *   vanish MS          as kill, but drop every IP frame both ways instead
 *                      (until clear or set; ARP still passes)
 * Every command is logged on stdout. Exits after --timeout S (default 600).
 *
 * The same link for both stacks: each frame's random draws (loss,
 * duplication, corruption, reordering) come from the seed, the last set's
 * K and the frame's number in its direction since that set, not from one
 * stream shared by everything before. Two transfers set with the same K
 * (the guest gives each stack's Nth transfer the same) then see the same
 * fate for their Nth frame each way, whatever the stacks did before.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define QLEN	1000		/* netem's default limit, packets */
#define FRAME	2048
#define CTL_PORT 4999

struct pkt {
	long long at;		/* release time, us */
	int len;
	unsigned char d[FRAME];
};

struct queue {
	struct pkt p[QLEN];
	int n;
	long long next_tx;	/* rate: when the link is free, us */
	long drops;
};

static struct {
	double loss, dup, corrupt, reorder;
	long delay_us, rate_kbit;
	int vanished;
} em;

static struct queue q[2];	/* 0: guest -> tap, 1: tap -> guest */
static int udp_fd, tap_fd;
static struct sockaddr_in qemu_to;
static struct in_addr peer_addr;
static const char *tap_name, *source_file;
static int idle_s = 30;
static uint64_t rs;		/* the current frame's draws */
static uint64_t seed, draw_key;	/* --seed; set's draw=K */
static unsigned long frame_no[2];	/* frames impaired each way since the set */
static pid_t servers, emulator;
static long long t_kill = -1, t_flap = -1, t_up = -1, t_vanish = -1;
static long flap_down_ms;

static long long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

static double rnd01(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return (double)((rs * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* splitmix64's finaliser: a well-mixed 64-bit value from any other */
static uint64_t mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The draws of the next frame in direction dir (see the top). */
static void frame_draws(int dir)
{
	rs = mix(seed ^ mix(draw_key ^ mix(((uint64_t)dir << 32) | frame_no[dir]++))) | 1;
}

static const char *opt(int argc, char **argv, const char *name, const char *def)
{
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return def;
}

static void say(const char *fmt, const char *arg)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	printf("netem: %ld.%03ld ", (long)tv.tv_sec, (long)tv.tv_usec / 1000);
	printf(fmt, arg);
	printf("\n");
	fflush(stdout);
}

/* --- the peers on the namespace's stack -------------------------------- */

static void conn_opts(int c, int sndbuf)
{
	struct timeval tv = { idle_s, 0 };
	struct linger l = { 1, 0 };

	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	if (sndbuf)
		setsockopt(c, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
}

/*
 * Done: from now on a graceful close. The abortive one (linger 0, so that
 * a killed peer resets) raced the answer: the sink had its EOF, answered,
 * and its exit's reset got there first when the answer was lost or
 * reordered (the guest's challenge ACK drew a second, acceptable reset).
 */
static void graceful(int c)
{
	struct linger l = { 0, 0 };

	setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

/* until the guest closes (or the idle time passes) */
static void wait_close(int c)
{
	char b[512];

	while (read(c, b, sizeof(b)) > 0)
		;
}

/*
 * Set (SIGUSR1) when the guest asks for a kill or a vanish: the peers then
 * move no more than STALL_AFTER bytes and wait, so that the transfer is
 * still under way when the peer dies, however fast or slow the guest is.
 */
static volatile sig_atomic_t stall;
#define STALL_AFTER	(64 * 1024)
static int servers_stalled;	/* the emulator's note of it: restart them */
/*
 * Set (SIGUSR2, in the emulator) when a peer reached its stall point: only
 * then do a kill's or a vanish's timers run, so that they hit a transfer in
 * progress even when the guest starts it late (a debug kernel takes a
 * second or more from its command to its connect).
 */
static volatile sig_atomic_t peer_stalled;

static void on_stall(int sig)
{
	(void)sig;
	stall = 1;
}

static void on_peer_stalled(int sig)
{
	(void)sig;
	peer_stalled = 1;
}

/*
 * Past STALL_AFTER bytes in stall mode: move nothing more; wait for the
 * kill, or, when the peer vanishes instead, for the guest to give up.
 */
static void stall_point(long long moved)
{
	if (!stall || moved < STALL_AFTER)
		return;
	kill(emulator, SIGUSR2);
	sleep(idle_s + 1);
	_exit(0);
}

static void sink(int c)
{
	static char buf[1 << 16];
	char cmd[64], hash[160] = "";
	FILE *t = tmpfile(), *p;
	long long last = now_us(), longest = 0;
	size_t len;
	ssize_t n;

	conn_opts(c, 0);
	if (!t)
		return;
	while ((n = read(c, buf, sizeof(buf))) > 0) {
		long long t_read = now_us();

		if (t_read - last > longest)
			longest = t_read - last;
		last = t_read;
		if (fwrite(buf, 1, n, t) != (size_t)n)
			return;
		stall_point(ftell(t));
	}
	if (n < 0)
		return;		/* a reset, or idle: no answer */
	fflush(t);
	snprintf(cmd, sizeof(cmd), "sha256sum </proc/self/fd/%d", fileno(t));
	p = popen(cmd, "r");
	if (!p || !fgets(hash, sizeof(hash), p))
		return;
	pclose(p);
	len = strcspn(hash, "\n");
	snprintf(hash + len, sizeof(hash) - len, " stall %.3f\n", longest / 1e6);
	graceful(c);
	if (write(c, hash, strlen(hash)) < 0)
		return;
	shutdown(c, SHUT_WR);
	wait_close(c);
}

static void source(int c)
{
	static char buf[1 << 16];
	int f = open(source_file, O_RDONLY);
	ssize_t n, w, off;
	long long sent = 0;

	conn_opts(c, 65536);	/* a small buffer: a kill leaves data unsent */
	if (f < 0)
		return;
	while ((n = read(f, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n; off += w) {
			w = write(c, buf + off, n - off);
			if (w <= 0)
				return;
		}
		sent += n;
		stall_point(sent);
	}
	graceful(c);
	shutdown(c, SHUT_WR);
	wait_close(c);
}

static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr = peer_addr };
	int one = 1, l = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_port = htons(port);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 16)) {
		perror("netem: listen");
		exit(1);
	}
	return l;
}

/* The peers: one process group, a process per connection. */
static pid_t servers_start(void)
{
	struct pollfd p[2];
	int c, i;
	pid_t pid;

	signal(SIGUSR1, on_stall);	/* before the fork: no window without it */
	/* listening before this returns: a connect right after is not refused */
	p[0].fd = listen_on(9);
	p[1].fd = listen_on(19);
	pid = fork();
	if (pid) {
		/* the group exists now, for a kill(-pid) right after this */
		setpgid(pid, pid);
		close(p[0].fd);
		close(p[1].fd);
		return pid;
	}
	setpgid(0, 0);
	signal(SIGCHLD, SIG_IGN);	/* no zombies */
	p[0].events = p[1].events = POLLIN;
	for (;;) {
		if (poll(p, 2, -1) < 0)
			continue;
		for (i = 0; i < 2; i++) {
			if (!(p[i].revents & POLLIN))
				continue;
			c = accept(p[i].fd, NULL, NULL);
			if (c < 0)
				continue;
			if (!fork()) {
				close(p[0].fd);
				close(p[1].fd);
				if (i == 0)
					sink(c);
				else
					source(c);
				_exit(0);
			}
			close(c);
		}
	}
}

static void servers_kill(void)
{
	kill(-servers, SIGKILL);
	kill(servers, SIGKILL);
	waitpid(servers, NULL, 0);
}

/* --- the link ---------------------------------------------------------- */

static void link_set(int up)
{
	struct ifreq r;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&r, 0, sizeof(r));
	snprintf(r.ifr_name, sizeof(r.ifr_name), "%s", tap_name);
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &r) < 0)
		perror("netem: SIOCGIFFLAGS");
	if (up)
		r.ifr_flags |= IFF_UP;
	else
		r.ifr_flags &= ~IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &r) < 0)
		perror("netem: SIOCSIFFLAGS");
	close(s);
	say("link %s", up ? "up" : "down");
}

static void tap_open(void)
{
	struct ifreq r;

	tap_fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
	memset(&r, 0, sizeof(r));
	r.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(r.ifr_name, sizeof(r.ifr_name), "%s", tap_name);
	if (tap_fd < 0 || ioctl(tap_fd, TUNSETIFF, &r) < 0) {
		perror("netem: tap");
		exit(1);
	}
}

static void udp_open(int bind_port, int to_port)
{
	struct sockaddr_in me = { .sin_family = AF_INET };

	me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	me.sin_port = htons(bind_port);
	qemu_to = me;
	qemu_to.sin_port = htons(to_port);
	udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (udp_fd < 0 || bind(udp_fd, (struct sockaddr *)&me, sizeof(me))) {
		perror("netem: udp");
		exit(1);
	}
}

/* --- commands ------------------------------------------------------------ */

static void command(char *c)
{
	long long t = now_us();
	char *w, *save;
	long a = 0, b = 0;

	say("command: %s", c);
	if (!strncmp(c, "set", 3) || !strncmp(c, "clear", 5)) {
		if (q[0].drops || q[1].drops) {	/* beyond the impairment's own */
			printf("netem: queue or send drops since the last set: %ld to the tap, %ld to the guest\n",
			       q[0].drops, q[1].drops);
			fflush(stdout);
			q[0].drops = q[1].drops = 0;
		}
		memset(&em, 0, sizeof(em));
		draw_key = 0;
		frame_no[0] = frame_no[1] = 0;
		t_kill = t_flap = t_vanish = -1;
		if (servers_stalled) {	/* fresh peers for the next condition */
			servers_kill();
			servers = servers_start();
			servers_stalled = 0;
		}
		if (t_up >= 0) {
			link_set(1);
			t_up = -1;
		}
		for (w = strtok_r(c + 3, " \n", &save); w && c[0] == 's';
		     w = strtok_r(NULL, " \n", &save)) {
			if (sscanf(w, "loss=%lf", &em.loss) == 1 ||
			    sscanf(w, "dup=%lf", &em.dup) == 1 ||
			    sscanf(w, "corrupt=%lf", &em.corrupt) == 1 ||
			    sscanf(w, "reorder=%lf", &em.reorder) == 1 ||
			    sscanf(w, "rate=%ld", &em.rate_kbit) == 1 ||
			    sscanf(w, "draw=%" SCNu64, &draw_key) == 1)
				continue;
			if (sscanf(w, "delay=%ld", &em.delay_us) == 1)
				em.delay_us *= 1000;
		}
		return;
	}
	sscanf(c, "%*s %ld %ld", &a, &b);
	if (!strncmp(c, "kill", 4) || !strncmp(c, "vanish", 6)) {
		peer_stalled = 0;
		kill(-servers, SIGUSR1);	/* stall: see stall_point() */
		servers_stalled = 1;
	}
	if (!strncmp(c, "kill", 4))
		t_kill = t + a * 1000;
	else if (!strncmp(c, "flap", 4)) {
		t_flap = t + a * 1000;
		flap_down_ms = b;
	} else if (!strncmp(c, "vanish", 6))
		t_vanish = t + a * 1000;
}

/* A UDP datagram from the guest to A:4999? Then it is a command. */
static int is_command(unsigned char *f, int len)
{
	int ihl, n;
	char text[256], *c, *save;

	if (len < 42 || f[12] != 8 || f[13] != 0 || f[23] != 17 ||
	    memcmp(f + 30, &peer_addr, 4))
		return 0;
	ihl = (f[14] & 15) * 4;
	if (len < 14 + ihl + 8 || ((f[14 + ihl + 2] << 8) | f[14 + ihl + 3]) != CTL_PORT)
		return 0;
	n = len - 14 - ihl - 8;
	if (n > (int)sizeof(text) - 1)
		n = sizeof(text) - 1;
	memcpy(text, f + 14 + ihl + 8, n);
	text[n] = 0;
	for (c = strtok_r(text, ";", &save); c; c = strtok_r(NULL, ";", &save))
		command(c);
	return 1;
}

/* --- the impairment -------------------------------------------------------- */

static void enqueue(int dir, unsigned char *f, int len, long long t)
{
	struct queue *qu = &q[dir];
	struct pkt *p;
	long long at = t;

	if (qu->n >= QLEN) {
		qu->drops++;
		return;
	}
	if (!(em.reorder > 0 && rnd01() * 100 < em.reorder)) {
		if (em.rate_kbit) {
			if (qu->next_tx < t)
				qu->next_tx = t;
			qu->next_tx += (long long)len * 8 * 1000 / em.rate_kbit;
			at = qu->next_tx;
		}
		at += em.delay_us;
	}
	p = &qu->p[qu->n++];
	p->at = at;
	p->len = len;
	memcpy(p->d, f, len);
	if (em.corrupt > 0 && len > 14 && rnd01() * 100 < em.corrupt)
		p->d[14 + (int)(rnd01() * (len - 14))] ^= 1 << (int)(rnd01() * 8);
}

static void impair(int dir, unsigned char *f, int len)
{
	long long t = now_us();

	frame_draws(dir);
	/* Vanished: every IP frame dropped; ARP still goes through, or a
	 * guest whose entry for the peer expired could not send the next
	 * command (Linux's does, after a minute without an answer). */
	if ((em.vanished && !(len > 13 && f[12] == 8 && f[13] == 6)) ||
	    (em.loss > 0 && rnd01() * 100 < em.loss))
		return;
	enqueue(dir, f, len, t);
	if (em.dup > 0 && rnd01() * 100 < em.dup)
		enqueue(dir, f, len, t);
}

static void deliver(int dir, struct pkt *p)
{
	if (dir == 0) {
		if (write(tap_fd, p->d, p->len) < 0)
			q[0].drops++;	/* e.g. the link is down */
	} else if (sendto(udp_fd, p->d, p->len, 0, (struct sockaddr *)&qemu_to,
			  sizeof(qemu_to)) < 0) {
		q[1].drops++;
	}
}

/* Send what is due; return the ms until the next thing to do. */
static int release(void)
{
	long long t = now_us(), next = t + 100000, timers[4];
	int dir, i, k;

	for (dir = 0; dir < 2; dir++) {
		struct queue *qu = &q[dir];

		for (;;) {	/* the earliest due packet first, in order */
			k = -1;
			for (i = 0; i < qu->n; i++)
				if (qu->p[i].at <= t && (k < 0 || qu->p[i].at < qu->p[k].at))
					k = i;
			if (k < 0)
				break;
			deliver(dir, &qu->p[k]);
			memmove(&qu->p[k], &qu->p[k + 1], (qu->n - k - 1) * sizeof(qu->p[0]));
			qu->n--;
		}
		for (i = 0; i < qu->n; i++)
			if (qu->p[i].at < next)
				next = qu->p[i].at;
	}
	timers[0] = peer_stalled ? t_kill : -1;
	timers[1] = t_flap;
	timers[2] = t_up;
	timers[3] = peer_stalled ? t_vanish : -1;
	for (i = 0; i < 4; i++)
		if (timers[i] >= 0 && timers[i] < next)
			next = timers[i];
	return next > t ? (int)((next - t + 999) / 1000) : 0;
}

static void timers_run(void)
{
	long long t = now_us();

	if (t_kill >= 0 && t >= t_kill && peer_stalled) {
		t_kill = -1;
		servers_kill();
		say("%s", "peers killed");
		servers = servers_start();
		servers_stalled = 0;
	}
	if (t_flap >= 0 && t >= t_flap) {
		t_flap = -1;
		link_set(0);
		t_up = t + flap_down_ms * 1000;
	}
	if (t_up >= 0 && t >= t_up) {
		t_up = -1;
		link_set(1);
	}
	if (t_vanish >= 0 && t >= t_vanish && peer_stalled) {
		t_vanish = -1;
		em.vanished = 1;
		say("%s", "the peer vanished: every IP frame dropped");
	}
}

int main(int argc, char **argv)
{
	static unsigned char f[FRAME];
	long long end;
	struct pollfd p[2];
	int ms, i;
	ssize_t n;

	tap_name = opt(argc, argv, "--tap", NULL);
	source_file = opt(argc, argv, "--source", NULL);
	if (!tap_name || !source_file || !opt(argc, argv, "--bind", NULL) ||
	    !opt(argc, argv, "--to", NULL) ||
	    inet_pton(AF_INET, opt(argc, argv, "--addr", "10.0.9.1"), &peer_addr) != 1) {
		fprintf(stderr, "usage: netem --tap IF --bind PORT --to PORT --source FILE "
			"[--addr A] [--seed S] [--timeout S] [--idle S]\n");
		return 2;
	}
	seed = strtoull(opt(argc, argv, "--seed", "1"), NULL, 0);
	idle_s = atoi(opt(argc, argv, "--idle", "30"));
	end = now_us() + atoll(opt(argc, argv, "--timeout", "600")) * 1000000LL;
	signal(SIGPIPE, SIG_IGN);
	emulator = getpid();
	signal(SIGUSR2, on_peer_stalled);
	tap_open();
	udp_open(atoi(opt(argc, argv, "--bind", "0")), atoi(opt(argc, argv, "--to", "0")));
	servers = servers_start();
	printf("netem: ready, seed %s\n", opt(argc, argv, "--seed", "1"));
	fflush(stdout);
	p[0].fd = udp_fd;
	p[1].fd = tap_fd;
	p[0].events = p[1].events = POLLIN;
	while (now_us() < end) {
		timers_run();
		ms = release();
		if (poll(p, 2, ms) <= 0)
			continue;
		for (i = 0; i < 2; i++) {
			if (!(p[i].revents & POLLIN))
				continue;
			while ((n = read(p[i].fd, f, sizeof(f))) > 0)
				if (i == 1 || !is_command(f, n))
					impair(i, f, n);
		}
	}
	printf("netem: time is up; queue or send drops %ld to the tap, %ld to the guest\n",
	       q[0].drops, q[1].drops);
	servers_kill();
	return 0;
}
