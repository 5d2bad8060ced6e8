// SPDX-License-Identifier: GPL-2.0
/* sockcheck, signals: EPIPE/SIGPIPE, EINTR, SA_RESTART, O_ASYNC. */
#include "sockcheck.h"

static int t_epipe_nosignal(void)
{
	char buf[1000] = "";
	int c, s, i;
	ssize_t n = 0;

	CHECK(!pair(&c, &s), "pair: %s", E);
	close(c);
	CHECK(recv(s, buf, sizeof(buf), 0) == 0, "recv: %s", E);
	for (i = 0; i < 100; i++) {
		n = send(s, buf, sizeof(buf), MSG_NOSIGNAL);
		if (n < 0)
			break;
		usleep(10000);
	}
	CHECK(n < 0 && errno == EPIPE, "send %d: %zd %s", i, n, E);
	close(s);
	return 0;
}

static volatile sig_atomic_t signals;

static void on_signal(int sig)
{
	(void)sig;
	signals++;
}

static int t_sigpipe(void)
{
	char buf[1000] = "";
	int c, s, i;
	ssize_t n = 0;

	signal(SIGPIPE, on_signal);
	CHECK(!pair(&c, &s), "pair: %s", E);
	close(c);
	CHECK(recv(s, buf, sizeof(buf), 0) == 0, "recv: %s", E);
	for (i = 0; i < 100; i++) {
		n = send(s, buf, sizeof(buf), 0);
		if (n < 0)
			break;
		usleep(10000);
	}
	CHECK(n < 0 && errno == EPIPE, "send %d: %zd %s", i, n, E);
	CHECK(signals == 1, "%d SIGPIPEs", (int)signals);
	close(s);
	return 0;
}

static int t_eintr(void)
{
	struct sigaction sa;
	int c, s;
	char b;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	CHECK(!pair(&c, &s), "pair: %s", E);
	alarm(1);
	CHECK(recv(s, &b, 1, 0) < 0 && errno == EINTR, "recv: %s", E);
	CHECK(signals == 1, "%d signals", (int)signals);
	signal(SIGALRM, SIG_DFL);
	alarm(CASE_TIMEOUT);
	close(c);
	close(s);
	return 0;
}

static void *late_sender(void *arg)
{
	usleep(1500000);
	send(*(int *)arg, "z", 1, 0);
	return NULL;
}

static int t_sa_restart(void)
{
	struct sigaction sa;
	pthread_t t;
	int c, s;
	char b = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	CHECK(!pair(&c, &s), "pair: %s", E);
	pthread_create(&t, NULL, late_sender, &c);
	alarm(1);
	CHECK(recv(s, &b, 1, 0) == 1 && b == 'z', "recv: %s", E);
	pthread_join(t, NULL);
	CHECK(signals == 1, "%d signals", (int)signals);
	signal(SIGALRM, SIG_DFL);
	alarm(CASE_TIMEOUT);
	close(c);
	close(s);
	return 0;
}

/* wait_signal SIG FD CODE: SIG (blocked) arrives for FD with si_code CODE */
static int wait_signal(int sig, int fd, int code)
{
	struct timespec ts = { WAIT_MS / 1000, 0 };
	sigset_t set;
	siginfo_t si;

	sigemptyset(&set);
	sigaddset(&set, sig);
	if (sigtimedwait(&set, &si, &ts) != sig)
		return -1;
	return si.si_fd == fd && si.si_code == code ? 0 : -1;
}

/*
 * O_ASYNC with F_SETOWN: a signal when data arrives, when there is room to
 * write again after a send found none, and when the peer closes (F_SETSIG:
 * the fd and the band are in it).
 */
static int t_o_async(void)
{
	static char buf[65536];
	int c, s, sig = SIGRTMIN + 1;
	sigset_t set;
	ssize_t n;
	char b;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
	CHECK(!pair(&c, &s), "pair: %s", E);
	CHECK(!fcntl(s, F_SETOWN, getpid()) && !fcntl(s, F_SETSIG, sig) &&
	      !fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_ASYNC), "fcntl: %s", E);
	CHECK(send(c, "x", 1, 0) == 1, "send: %s", E);
	CHECK(!wait_signal(sig, s, POLL_IN), "no POLL_IN signal for the data: %s", E);
	CHECK(recv(s, &b, 1, 0) == 1 && b == 'x', "recv: %s", E);
	while (send(s, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	CHECK(errno == EAGAIN, "filling the send buffer: %s", E);
	do {
		n = recv(c, buf, sizeof(buf), MSG_DONTWAIT);
	} while (n > 0 || (n < 0 && errno == EAGAIN && pollone(c, POLLIN, 200)));
	CHECK(!wait_signal(sig, s, POLL_OUT), "no POLL_OUT signal once drained: %s", E);
	close(c);
	CHECK(!wait_signal(sig, s, POLL_IN), "no POLL_IN signal for the FIN: %s", E);
	close(s);
	return 0;
}

const struct sc_case sc_signals_cases[] = {
	{ "epipe_msg_nosignal", t_epipe_nosignal },
	{ "epipe_sigpipe", t_sigpipe },
	{ "eintr_sigalrm", t_eintr },
	{ "sa_restart_recv", t_sa_restart },
	{ "o_async_sigio", t_o_async },
	{ NULL, NULL }
};
