// SPDX-License-Identifier: GPL-2.0
/*
 * sysfuzz: a seeded syscall fuzzer over lwip_sock.ko's family.
 *
 *   sysfuzz [--seed S] [--ops N] [--procs P] [--threads T] [--family lwip|inet]
 *           [--port BASE] [--hang S] [--inject-hang]
 *
 * P worker processes (fork), each with T threads sharing one table of fds,
 * run N operations in all, drawn from S: socket, bind, listen, connect,
 * accept4, send, recv, sendmsg, recvmsg, shutdown, close, poll, epoll,
 * ioctl, setsockopt and getsockopt over every option name of SOL_SOCKET,
 * IPPROTO_TCP and IPPROTO_IP (and names and levels beyond them, bad
 * lengths), dup, fcntl, fork mid-use, shutdown/close of an fd another
 * thread is blocked on; with bad pointers (NULL, unmapped, a read-only page
 * for output) and lengths (0, huge, negative as size_t), on 127.0.0.1,
 * TCP and UDP, ports BASE..BASE+15. A thread in each worker sends SIGALRM
 * (no SA_RESTART) and SIGUSR1 (SA_RESTART) to the others, so blocked calls
 * end. The parent process is the judge: every 2 s a fresh TCP connection
 * and echo must work, each step within 5 s (liveness), a call blocked
 * for longer than --hang seconds (default 30) is reported with its
 * operation and kernel stack, and every worker must exit. Prints KTAP; the
 * seed goes first ("# sysfuzz seed S"), to run again with --seed.
 * --inject-hang makes one thread block in recv with every signal blocked:
 * the watchdog must catch it (the test of the test).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lwipk/af_lwip.h>

#ifndef SIOCOUTQ
#define SIOCOUTQ	TIOCOUTQ
#endif

#define NFD		16	/* fds per worker's table */
#define NPORT		16
#define MAXSLOT		64
#define PAGE		4096

enum op {
	OP_IDLE, OP_SOCKET, OP_BIND, OP_LISTEN, OP_CONNECT, OP_ACCEPT, OP_SEND,
	OP_RECV, OP_SENDMSG, OP_RECVMSG, OP_SHUTDOWN, OP_CLOSE, OP_POLL,
	OP_EPOLL, OP_IOCTL, OP_SETSOCKOPT, OP_GETSOCKOPT, OP_NAME, OP_DUP,
	OP_FCNTL, OP_FORK, OP_KILL_BLOCKED, OP_N
};

static const char *const op_name[OP_N] = {
	"idle", "socket", "bind", "listen", "connect", "accept4", "send",
	"recv", "sendmsg", "recvmsg", "shutdown", "close", "poll", "epoll",
	"ioctl", "setsockopt", "getsockopt", "getsockname/peername", "dup",
	"fcntl", "fork", "shutdown/close of a blocked fd",
};

/* What each thread is doing, shared with the parent (the watchdog). */
struct slot {
	int op, fd, pid, tid;
	long long since;	/* ms, CLOCK_MONOTONIC */
	long done;
	long count[OP_N];
};

static struct slot *slots;
static int family, nprocs = 2, nthreads = 3, port_base = 42000;
static long total_ops = 4000;
static unsigned long long seed;
static char *ro_page, *bad_page;	/* read-only, unmapped */
/*
 * Where the kernel writes: BIG bytes and a guard page, so that a huge
 * length on a good buffer ends in EFAULT, not in the fuzzer's own memory.
 */
#define BIG		(64 << 20)
static char *big;

/* Per worker process */
static int fds[NFD];
static int nslot_proc, slot0;
static volatile int workers_stop;

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static int pick(uint64_t *s, int n)
{
	return (int)(rnd(s) % (uint64_t)n);
}

static struct sockaddr_in lo(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };

	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* A pointer for the kernel to read: good, NULL, unmapped. */
static const void *in_ptr(uint64_t *s, const void *good)
{
	switch (pick(s, 12)) {
	case 0: return NULL;
	case 1: return bad_page;
	default: return good;
	}
}

/* A pointer for the kernel to write: good, NULL, unmapped, read-only. */
static void *out_ptr(uint64_t *s, void *good)
{
	switch (pick(s, 14)) {
	case 0: return NULL;
	case 1: return bad_page;
	case 2: return ro_page;
	default: return good;
	}
}

/* A length: mostly sane, sometimes 0, huge, or negative as size_t. */
static size_t length(uint64_t *s, size_t good)
{
	switch (pick(s, 16)) {
	case 0: return 0;
	case 1: return (size_t)-1;
	case 2: return (size_t)-good;
	case 3: return 1UL << 30;
	case 4: return 1;
	default: return 1 + pick(s, good);
	}
}

static socklen_t optlength(uint64_t *s)
{
	static const socklen_t lens[] = {
		0, 1, 2, 3, 4, 4, 4, 4, 8, 8, 16, 16, 64, 256, (socklen_t)-1,
		0x7fffffff,
	};

	return lens[pick(s, sizeof(lens) / sizeof(lens[0]))];
}

/* An fd of the table, mostly an open one; sometimes a bad one. */
static int fd_pick(uint64_t *s)
{
	int i, tries, fd = -1;

	if (!pick(s, 20))
		return pick(s, 2) ? -1 : 1000;
	for (tries = 0; tries < 4 && fd < 0; tries++) {
		i = pick(s, NFD);
		fd = __atomic_load_n(&fds[i], __ATOMIC_RELAXED);
	}
	return fd;
}

static void fd_put(uint64_t *s, int fd)
{
	int i = pick(s, NFD), old;

	if (fd < 0)
		return;
	old = __atomic_exchange_n(&fds[i], fd, __ATOMIC_RELAXED);
	if (old >= 0)
		close(old);
}

static void set_op(struct slot *sl, int op, int fd)
{
	sl->fd = fd;
	sl->since = now_ms();
	__atomic_store_n(&sl->op, op, __ATOMIC_RELEASE);
	if (op)
		sl->count[op]++;
}

static int do_sockopt(uint64_t *s, int fd, int get)
{
	static const int levels[] = {
		SOL_SOCKET, SOL_SOCKET, SOL_SOCKET, IPPROTO_TCP, IPPROTO_TCP,
		IPPROTO_IP, IPPROTO_IP, IPPROTO_UDP, IPPROTO_IPV6, 0xffff, -1, 1000,
	};
	static const int vals[] = { 0, 1, 2, 5, -1, 100, 65536, 0x7fffffff, 1 << 20 };
	union {
		int i[16];
		struct linger l;
		struct timeval tv;
		char c[64];
	} v;
	char *out = big + PAGE;
	int level = levels[pick(s, sizeof(levels) / sizeof(levels[0]))];
	int name = pick(s, 20) ? pick(s, 90) : (pick(s, 2) ? -1 : 0x7fffffff);
	socklen_t len = optlength(s), *lenp = &len;
	unsigned int k;

	for (k = 0; k < sizeof(v.i) / sizeof(v.i[0]); k++)
		v.i[k] = vals[pick(s, sizeof(vals) / sizeof(vals[0]))];
	if (level == SOL_SOCKET && name == SO_LINGER) {
		v.l.l_onoff = pick(s, 2);
		v.l.l_linger = pick(s, 8) ? pick(s, 3) : v.i[0];
	}
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
		v.tv.tv_sec = pick(s, 3);
		v.tv.tv_usec = pick(s, 8) ? pick(s, 1000000) : -1;
	}
	if (get) {
		memcpy(out, &v, sizeof(v));	/* some options read it first */
		if (!pick(s, 10))
			lenp = out_ptr(s, &len);
		return getsockopt(fd, level, name, out_ptr(s, out), lenp);
	}
	return setsockopt(fd, level, name, in_ptr(s, &v), len);
}

static int do_ioctl(uint64_t *s, int fd)
{
	static const unsigned long cmds[] = {
		FIONREAD, SIOCOUTQ, FIONBIO, SIOCATMARK, FIOASYNC, SIOCGPGRP,
		SIOCSPGRP, 0x8906 /* SIOCGSTAMP_OLD */, SIOCPROTOPRIVATE,
		SIOCPROTOPRIVATE + 15, 0xdeadbeef, 0x1234, 0,
	};
	int v = pick(s, 2);
	unsigned long cmd = cmds[pick(s, sizeof(cmds) / sizeof(cmds[0]))];

	if (cmd == SIOCSPGRP)
		v = getpid();
	memcpy(big, &v, sizeof(v));
	return ioctl(fd, cmd, out_ptr(s, big));
}

static int do_msg(uint64_t *s, int fd, int send)
{
	static char buf[3][PAGE];
	struct iovec iov[4];
	struct sockaddr_in a = lo(port_base + pick(s, NPORT));
	char ctl[64];
	struct msghdr m = { 0 };
	int i, n = pick(s, 5), flags = pick(s, 2) ? MSG_DONTWAIT : 0;

	for (i = 0; i < n; i++) {
		iov[i].iov_base = send ? (void *)in_ptr(s, buf[i % 3]) : out_ptr(s, big + i * PAGE);
		iov[i].iov_len = length(s, PAGE);
	}
	m.msg_iov = pick(s, 12) ? iov : NULL;
	m.msg_iovlen = pick(s, 12) ? (size_t)n : (size_t)1 << 20;
	if (!pick(s, 3)) {
		m.msg_name = send ? (void *)in_ptr(s, &a) : out_ptr(s, &a);
		m.msg_namelen = pick(s, 4) ? sizeof(a) : optlength(s);
	}
	if (!pick(s, 6)) {
		memset(ctl, 0xa5, sizeof(ctl));
		m.msg_control = ctl;
		m.msg_controllen = pick(s, 2) ? sizeof(ctl) : 1;
	}
	if (!pick(s, 4))
		flags |= pick(s, 2) ? MSG_PEEK | MSG_TRUNC : MSG_WAITALL;
	if (send)
		return sendmsg(fd, &m, flags | MSG_NOSIGNAL);
	return recvmsg(fd, &m, flags);
}

static int do_epoll(uint64_t *s, int fd)
{
	struct epoll_event ev[8] = { 0 };
	int ep = fd_pick(s), r;

	if (!pick(s, 3)) {
		ep = epoll_create1(pick(s, 2) ? EPOLL_CLOEXEC : 0);
		fd_put(s, ep);
	}
	ev[0].events = EPOLLIN | EPOLLOUT | (pick(s, 2) ? EPOLLET : 0) |
		(pick(s, 3) ? 0 : EPOLLONESHOT) | EPOLLRDHUP;
	r = epoll_ctl(ep, 1 + pick(s, 3), fd, (void *)in_ptr(s, ev));
	if (pick(s, 2))
		r = epoll_wait(ep, out_ptr(s, ev), pick(s, 10) ? 8 : -1, pick(s, 30));
	return r;
}

static int do_poll(uint64_t *s)
{
	struct pollfd p[4];
	int i, n = 1 + pick(s, 4);

	for (i = 0; i < n; i++) {
		p[i].fd = fd_pick(s);
		p[i].events = (short)rnd(s);
	}
	return poll(out_ptr(s, p), pick(s, 20) ? (nfds_t)n : (nfds_t)1 << 30, pick(s, 40));
}

static void run_ops(uint64_t *s, struct slot *sl, long n, int forked);

/* fork mid-use: the child runs a few operations on the inherited fds
 * (single-threaded, a 100 ms itimer interrupting it), then exits. */
static int do_fork(uint64_t *s, struct slot *sl)
{
	struct itimerval it = { { 0, 100000 }, { 0, 100000 } };
	uint64_t cs = rnd(s) | 1;
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		static struct slot mine;	/* not the parent's shared one */

		setitimer(ITIMER_REAL, &it, NULL);
		run_ops(&cs, &mine, 8, 1);
		_exit(0);
	}
	(void)sl;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return 0;
}

/* shutdown or close an fd that another thread of this worker is using. */
static int do_kill_blocked(uint64_t *s)
{
	struct slot *o = &slots[slot0 + pick(s, nslot_proc)];
	int op = __atomic_load_n(&o->op, __ATOMIC_ACQUIRE), fd = o->fd, i;

	if (op == OP_IDLE || fd < 0)
		return -1;
	if (pick(s, 2))
		return shutdown(fd, SHUT_RDWR);
	for (i = 0; i < NFD; i++)
		if (__atomic_compare_exchange_n(&fds[i], &fd, -1, 0, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return close(fd);
	return -1;
}

static void one_op(uint64_t *s, struct slot *sl, int forked)
{
	static char buf[PAGE];
	struct sockaddr_in a = lo(port_base + pick(s, NPORT));
	socklen_t alen = sizeof(a);
	int op = 1 + pick(s, OP_N - 1), fd = fd_pick(s), r, type;

	if (forked && op == OP_FORK)
		op = OP_SEND;
	set_op(sl, op, fd);
	switch (op) {
	case OP_SOCKET:
		type = pick(s, 8) ? (pick(s, 2) ? SOCK_STREAM : SOCK_DGRAM) : pick(s, 12);
		if (pick(s, 4) == 0)
			type |= SOCK_NONBLOCK;
		r = socket(pick(s, 30) ? family : AF_INET, type,
			   pick(s, 10) ? 0 : pick(s, 300));
		if (!forked)
			fd_put(s, r);
		else if (r >= 0)
			close(r);
		break;
	case OP_BIND:
		if (!pick(s, 8))
			a.sin_port = 0;
		if (!pick(s, 16))
			a.sin_family = AF_UNIX;
		if (!pick(s, 16))
			a.sin_addr.s_addr = htonl(0x0a000001);
		bind(fd, in_ptr(s, &a), pick(s, 8) ? sizeof(a) : optlength(s));
		break;
	case OP_LISTEN:
		listen(fd, pick(s, 8) ? pick(s, 8) : (int)rnd(s));
		break;
	case OP_CONNECT:
		if (!pick(s, 10))
			a.sin_family = AF_UNSPEC;
		connect(fd, in_ptr(s, &a), pick(s, 8) ? sizeof(a) : optlength(s));
		break;
	case OP_ACCEPT:
		r = accept4(fd, pick(s, 2) ? out_ptr(s, &a) : NULL,
			    pick(s, 2) ? out_ptr(s, &alen) : NULL,
			    pick(s, 8) ? (pick(s, 2) ? SOCK_NONBLOCK : SOCK_CLOEXEC) : (int)rnd(s));
		if (!forked)
			fd_put(s, r);
		else if (r >= 0)
			close(r);
		break;
	case OP_SEND:
		if (pick(s, 3))
			send(fd, in_ptr(s, buf), length(s, sizeof(buf)),
			     MSG_NOSIGNAL | (pick(s, 2) ? MSG_DONTWAIT : 0) |
			     (pick(s, 8) ? 0 : MSG_OOB) | (pick(s, 8) ? 0 : MSG_MORE));
		else
			sendto(fd, in_ptr(s, buf), length(s, sizeof(buf)), MSG_NOSIGNAL,
			       pick(s, 4) ? in_ptr(s, &a) : NULL, pick(s, 4) ? sizeof(a) : optlength(s));
		break;
	case OP_RECV:
		if (pick(s, 3))
			recv(fd, out_ptr(s, big), length(s, sizeof(buf)),
			     (pick(s, 2) ? MSG_DONTWAIT : 0) | (pick(s, 4) ? 0 : MSG_PEEK) |
			     (pick(s, 6) ? 0 : MSG_WAITALL) | (pick(s, 8) ? 0 : MSG_OOB));
		else
			recvfrom(fd, out_ptr(s, big), length(s, sizeof(buf)), MSG_DONTWAIT,
				 out_ptr(s, &a), pick(s, 4) ? out_ptr(s, &alen) : NULL);
		break;
	case OP_SENDMSG:
		do_msg(s, fd, 1);
		break;
	case OP_RECVMSG:
		do_msg(s, fd, 0);
		break;
	case OP_SHUTDOWN:
		shutdown(fd, pick(s, 8) ? pick(s, 3) : (int)rnd(s));
		break;
	case OP_CLOSE:
		if (!forked) {
			int i = pick(s, NFD), old = __atomic_exchange_n(&fds[i], -1, __ATOMIC_RELAXED);

			if (old >= 0)
				close(old);
		}
		break;
	case OP_POLL:
		do_poll(s);
		break;
	case OP_EPOLL:
		if (!forked)
			do_epoll(s, fd);
		break;
	case OP_IOCTL:
		do_ioctl(s, fd);
		break;
	case OP_SETSOCKOPT:
		do_sockopt(s, fd, 0);
		break;
	case OP_GETSOCKOPT:
		do_sockopt(s, fd, 1);
		break;
	case OP_NAME:
		if (pick(s, 2))
			getsockname(fd, out_ptr(s, &a), out_ptr(s, &alen));
		else
			getpeername(fd, out_ptr(s, &a), out_ptr(s, &alen));
		break;
	case OP_DUP:
		if (!forked)
			fd_put(s, dup(fd));
		break;
	case OP_FCNTL:
		r = fcntl(fd, F_GETFL);
		if (r >= 0)
			fcntl(fd, F_SETFL, r ^ O_NONBLOCK);
		break;
	case OP_FORK:
		do_fork(s, sl);
		break;
	case OP_KILL_BLOCKED:
		if (!forked)
			do_kill_blocked(s);
		break;
	}
	set_op(sl, OP_IDLE, -1);
	sl->done++;
}

static void run_ops(uint64_t *s, struct slot *sl, long n, int forked)
{
	while (n-- > 0 && !workers_stop)
		one_op(s, sl, forked);
}

struct worker_thread {
	pthread_t t;
	uint64_t s;
	struct slot *sl;
	long n;
};

static int inject_hang;

/* --inject-hang: a recv that no signal ends, for the watchdog to catch. */
static void hang(struct slot *sl)
{
	int fd = socket(family, SOCK_DGRAM, 0);
	sigset_t all;
	char b;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	set_op(sl, OP_RECV, -1);	/* not for do_kill_blocked */
	recv(fd, &b, 1, 0);
}

static void *worker_main(void *arg)
{
	struct worker_thread *w = arg;

	w->sl->tid = (int)syscall(SYS_gettid);
	if (inject_hang && w->sl == &slots[0])
		hang(w->sl);
	run_ops(&w->s, w->sl, w->n, 0);
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
}

/* A fault in a worker: say what and where, for the report. */
static void on_fault(int sig, siginfo_t *si, void *uc)
{
	char msg[160];
	int n;

	(void)uc;
	n = snprintf(msg, sizeof(msg), "# worker %d: signal %d code %d addr %p from pid %d\n",
		     (int)getpid(), sig, si->si_code, si->si_addr, (int)si->si_pid);
	if (write(1, msg, n) < 0)
		_exit(128 + sig);
	_exit(128 + sig);
}

/* The worker's interrupter: signals the fuzzing threads, mostly the ones
 * that have been in a call for a while, until they are all done. */
static void worker(int p)
{
	struct worker_thread w[MAXSLOT];
	uint64_t s = seed * 7919 + p + 1;
	long n = total_ops / (nprocs * nthreads);
	int i, busy;

	for (i = 0; i < NFD; i++)
		fds[i] = -1;
	nslot_proc = nthreads;
	slot0 = p * nthreads;
	for (i = 0; i < nthreads; i++) {
		w[i].s = seed * 104729 + p * 131 + i + 1;
		w[i].sl = &slots[slot0 + i];
		w[i].sl->pid = getpid();
		w[i].n = n;
		pthread_create(&w[i].t, NULL, worker_main, &w[i]);
	}
	do {
		struct timespec ts = { 0, (10 + pick(&s, 60)) * 1000000L };

		nanosleep(&ts, NULL);
		busy = 0;
		for (i = 0; i < nthreads; i++) {
			struct slot *sl = w[i].sl;
			int op = __atomic_load_n(&sl->op, __ATOMIC_ACQUIRE);

			if (sl->done >= n)
				continue;
			busy = 1;
			if (op != OP_IDLE && now_ms() - sl->since > 50 + pick(&s, 100))
				pthread_kill(w[i].t, pick(&s, 4) ? SIGALRM : SIGUSR1);
			else if (!pick(&s, 20))
				pthread_kill(w[i].t, pick(&s, 2) ? SIGALRM : SIGUSR1);
		}
	} while (busy);
	for (i = 0; i < nthreads; i++)
		pthread_join(w[i].t, NULL);
	for (i = 0; i < NFD; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	_exit(0);
}

/* liveness: a fresh TCP connection (a listener on a port the stack picks)
 * and an echo, each step within 5 s. */
static int liveness(const char **why)
{
	struct timeval tv = { 5, 0 };
	struct sockaddr_in a = lo(0);
	socklen_t alen = sizeof(a);
	char msg[] = "sysfuzz liveness", got[sizeof(msg)];
	int l, c = -1, s = -1, one = 1, ok = -1;
	ssize_t n;

	*why = "socket/bind/listen";
	l = socket(family, SOCK_STREAM, 0);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &alen))
		goto out;
	*why = "connect";
	c = socket(family, SOCK_STREAM, 0);
	if (c < 0 || setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    connect(c, (struct sockaddr *)&a, sizeof(a)))
		goto out;
	*why = "accept";
	s = accept(l, NULL, NULL);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		goto out;
	*why = "echo";
	if (send(c, msg, sizeof(msg), MSG_NOSIGNAL) != sizeof(msg) ||
	    recv(s, got, sizeof(got), MSG_WAITALL) != sizeof(got) ||
	    send(s, got, sizeof(got), MSG_NOSIGNAL) != sizeof(got))
		goto out;
	n = recv(c, got, sizeof(got), MSG_WAITALL);
	if (n == sizeof(got) && !memcmp(got, msg, sizeof(msg)))
		ok = 0;
out:
	if (ok)
		*why = *why ? *why : "?";
	if (s >= 0)
		close(s);
	if (c >= 0)
		close(c);
	if (l >= 0)
		close(l);
	return ok;
}

static void kernel_stack(int pid, int tid)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stack", pid, tid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		printf("#     %s", line);
	fclose(f);
}

static const char *arg(int argc, char **argv, const char *name, const char *def)
{
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return def;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	long long start, last_live = 0, worst = 0, t0;
	int nslots, i, p, live_checks = 0, live_fail = 0, hang_s, running, hung = 0;
	int exited = 0, status;
	pid_t pids[MAXSLOT];
	const char *why;
	long ops = 0;
	int count[OP_N] = { 0 };
	static const int faults[] = { SIGSEGV, SIGFPE, SIGBUS, SIGILL, SIGSYS };
	char *m;

	seed = strtoull(arg(argc, argv, "--seed", "0"), NULL, 0);
	if (!seed)
		seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
	total_ops = atol(arg(argc, argv, "--ops", "4000"));
	nprocs = atoi(arg(argc, argv, "--procs", "2"));
	nthreads = atoi(arg(argc, argv, "--threads", "3"));
	port_base = atoi(arg(argc, argv, "--port", "42000"));
	hang_s = atoi(arg(argc, argv, "--hang", "30"));
	for (i = 1; i < argc; i++)
		inject_hang |= !strcmp(argv[i], "--inject-hang");
	family = strcmp(arg(argc, argv, "--family", "lwip"), "inet") ? lwip_family() : AF_INET;
	nslots = nprocs * nthreads;
	if (nprocs < 1 || nthreads < 1 || nslots > MAXSLOT || total_ops < 0) {
		fprintf(stderr, "sysfuzz: bad --procs/--threads/--ops\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("KTAP version 1\n1..4\n");
	printf("# sysfuzz seed %llu ops %ld procs %d threads %d family %d\n",
	       seed, total_ops, nprocs, nthreads, family);

	slots = mmap(NULL, sizeof(*slots) * MAXSLOT, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	big = mmap(NULL, BIG + PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (slots == MAP_FAILED || m == MAP_FAILED || big == MAP_FAILED)
		return 1;
	mprotect(big + BIG, PAGE, PROT_NONE);
	ro_page = m;
	bad_page = m + PAGE;
	mprotect(ro_page, PAGE, PROT_READ);
	munmap(bad_page, PAGE);
	memset(slots, 0, sizeof(*slots) * MAXSLOT);
	for (i = 0; i < MAXSLOT; i++)
		slots[i].fd = -1;
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: calls end with EINTR */
	sigaction(SIGIO, &sa, NULL);	/* FIOASYNC and O_ASYNC */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	for (i = 0; i < (int)(sizeof(faults) / sizeof(faults[0])); i++)
		sigaction(faults[i], &sa, NULL);

	start = now_ms();
	for (p = 0; p < nprocs; p++) {
		pids[p] = fork();
		if (!pids[p])
			worker(p);
	}
	/* The judge: liveness every 2 s, the watchdog, the workers' exits. */
	running = nprocs;
	while (running > 0) {
		for (p = 0; p < nprocs; p++) {
			if (pids[p] > 0 && waitpid(pids[p], &status, WNOHANG) == pids[p]) {
				pids[p] = 0;
				running--;
				for (i = p * nthreads; i < (p + 1) * nthreads; i++)
					slots[i].op = OP_IDLE;	/* not a hang */
				if (WIFEXITED(status) && !WEXITSTATUS(status))
					exited++;
				else
					printf("# worker %d ended with status 0x%x\n", p, status);
			}
		}
		for (i = 0; i < nslots && !hung; i++) {
			struct slot *sl = &slots[i];
			int op = __atomic_load_n(&sl->op, __ATOMIC_ACQUIRE);

			if (op != OP_IDLE && now_ms() - sl->since > hang_s * 1000LL) {
				printf("# HANG: worker %d thread %d (pid %d tid %d) in %s on fd %d for %lld ms after %ld ops\n",
				       i / nthreads, i % nthreads, sl->pid, sl->tid, op_name[op],
				       sl->fd, now_ms() - sl->since, sl->done);
				kernel_stack(sl->pid, sl->tid);
				hung = 1;
			}
		}
		if (hung) {
			for (p = 0; p < nprocs; p++)
				if (pids[p] > 0)
					kill(pids[p], SIGKILL);
			t0 = now_ms();	/* a task stuck in the kernel may not die */
			for (p = 0; p < nprocs; p++)
				while (pids[p] > 0 && waitpid(pids[p], &status, WNOHANG) != pids[p] &&
				       now_ms() - t0 < 10000)
					usleep(100000);
			break;
		}
		if (now_ms() - last_live >= 2000) {
			t0 = now_ms();
			live_checks++;
			if (liveness(&why)) {
				live_fail++;
				printf("# liveness check %d failed at %s: %s (%lld ms)\n",
				       live_checks, why, strerror(errno), now_ms() - t0);
			}
			if (now_ms() - t0 > worst)
				worst = now_ms() - t0;
			last_live = now_ms();
		}
		usleep(100000);
	}
	for (i = 0; i < nslots; i++) {
		ops += slots[i].done;
		for (p = 0; p < OP_N; p++)
			count[p] += slots[i].count[p];
	}
	printf("# %ld ops in %lld ms by %d processes x %d threads\n", ops,
	       now_ms() - start, nprocs, nthreads);
	printf("#");
	for (p = 1; p < OP_N; p++)
		printf(" %s=%d", op_name[p], count[p]);
	printf("\n");
	printf("%s 1 workers_exited # %d of %d\n", exited == nprocs ? "ok" : "not ok",
	       exited, nprocs);
	printf("%s 2 no_call_blocked_over_%ds\n", hung ? "not ok" : "ok", hang_s);
	printf("%s 3 liveness # %d checks, %d failed, slowest %lld ms\n",
	       live_fail ? "not ok" : "ok", live_checks, live_fail, worst);
	t0 = now_ms();
	i = liveness(&why);
	printf("%s 4 final_liveness # %lld ms%s%s\n", i ? "not ok" : "ok", now_ms() - t0,
	       i ? ", failed at " : "", i ? why : "");
	return hung || live_fail || i || exited != nprocs;
}
