// SPDX-License-Identifier: GPL-2.0
/*
 * sockcheck: socket conformance of lwip_sock.ko against Linux's own stack.
 *
 *   sockcheck [--family inet|lwip] [--case SUBSTRING]
 *
 * --case runs only the cases whose names contain SUBSTRING.
 * Prints KTAP; every case runs in a child process with a time limit and
 * passes only when the result is what Linux (--family inet) does. The
 * exit status is non-zero when a case failed.
 *
 * The cases live in one file per area (addr.c, stream.c, ...), each with a
 * table of its own; this file runs the tables in order.
 */
#include "sockcheck.h"


static const struct sc_case *const tables[] = {
	sc_addr_cases, sc_stream_cases, sc_poll_cases, sc_options_cases,
	sc_signals_cases, sc_udp_cases, sc_raw_cases, sc_load_cases, sc_timewait_cases,
	sc_hardening_cases,
	sc_badinput_cases,
};

#define NTABLES	(sizeof(tables) / sizeof(tables[0]))

/* run_case: one case in a child under a time limit; 0 when it passed. */
static int run_case(const struct sc_case *c)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		alarm(CASE_TIMEOUT);
		_exit(c->fn() ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status))
		diag("killed by signal %d", WTERMSIG(status));
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

int main(int argc, char **argv)
{
	const struct sc_case *c;
	const char *only = NULL;
	int n = 0, i = 0, failed = 0;
	unsigned int t;

	family = lwip_family();
	if (getenv("LWIPK_SLOW") && atoi(getenv("LWIPK_SLOW")) > 1)
		slow = atoi(getenv("LWIPK_SLOW"));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--family") && i + 1 < argc &&
		    !strcmp(argv[i + 1], "inet")) {
			family = AF_INET;
			i++;
		} else if (!strcmp(argv[i], "--family") && i + 1 < argc &&
			   !strcmp(argv[i + 1], "lwip")) {
			i++;
		} else if (!strcmp(argv[i], "--case") && i + 1 < argc) {
			only = argv[++i];
		} else {
			fprintf(stderr, "usage: sockcheck [--family inet|lwip] [--case SUBSTRING]\n");
			return 2;
		}
	}
	for (t = 0; t < NTABLES; t++)
		for (c = tables[t]; c->name; c++)
			n++;
	printf("KTAP version 1\n1..%d\n# family %d\n", n, family);
	fflush(stdout);
	i = 0;
	for (t = 0; t < NTABLES; t++) {
		for (c = tables[t]; c->name; c++) {
			i++;
			if (only && !strstr(c->name, only)) {
				printf("ok %d %s # SKIP not selected\n", i, c->name);
			} else if (!run_case(c)) {
				printf("ok %d %s\n", i, c->name);
			} else {
				printf("not ok %d %s\n", i, c->name);
				failed++;
			}
			fflush(stdout);
		}
	}
	diag("%d of %d failed", failed, n);
	return failed ? 1 : 0;
}
