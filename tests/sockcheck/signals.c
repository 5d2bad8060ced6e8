// SPDX-License-Identifier: GPL-2.0
/* sockcheck, signals: EPIPE/SIGPIPE, EINTR, SA_RESTART. */
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

const struct sc_case sc_signals_cases[] = {
	{ "epipe_msg_nosignal", t_epipe_nosignal },
	{ "epipe_sigpipe", t_sigpipe },
	{ "eintr_sigalrm", t_eintr },
	{ "sa_restart_recv", t_sa_restart },
	{ NULL, NULL }
};
