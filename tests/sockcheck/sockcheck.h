// SPDX-License-Identifier: GPL-2.0
/*
 * sockcheck.h: what the case files share: the checks, the helpers, the
 * case tables (one per area file).
 */
#ifndef SOCKCHECK_H
#define SOCKCHECK_H
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <lwipk/af_lwip.h>

#ifndef SIOCOUTQ
#define SIOCOUTQ	TIOCOUTQ
#endif

/* seconds, times LWIPK_SLOW (the harness's slow guests: KERNEL=debug) */
#define CASE_TIMEOUT	(60 * slow)
#define BIG		(4 << 20)
#define NCONN		200
#define CONN_BYTES	(64 * 1024)
#define CHECK(cond, ...) do {						\
		if (!(cond)) {						\
			diag("%s:%d: %s", __func__, __LINE__, #cond);	\
			diag(__VA_ARGS__);				\
			return -1;					\
		}							\
	} while (0)

/* errno of the last call, for diagnostics */
#define E strerror(errno)
#define WAIT_MS		5000

struct lwip_heap {
	long used;
	long blocks;
	unsigned int time_wait;
};

/* the family under test: AF_INET or lwip_sock.ko's */
extern int family;
/* $LWIPK_SLOW, 1 by default: how much slower than usual this guest runs */
extern int slow;

void diag(const char *fmt, ...);
struct sockaddr_in lo(int port);
int sock(int type);
int local_port(int fd);
int listener(int *port);
int pair(int *c, int *s);
int closed_port(void);
ssize_t read_full(int fd, void *buf, size_t len);
ssize_t write_full(int fd, const void *buf, size_t len);
int pollone(int fd, short events, int ms);
uint8_t pattern(size_t i);
long elapsed_ms(const struct timespec *t0);
int epwait(int ep, int ms);
int epwatch(int fd, unsigned int events);
int wait_inq(int fd, int n);
int lwip_live_pcbs(void);
int lwip_pcbs_settle(int base);
long lwip_time_wait(void);
int lwip_heap(struct lwip_heap *h);
int lwip_tw_max(void);
int getint(int fd, int level, int name);
int setint(int fd, int level, int name, int v);
long fill_nonblock(int fd, const char *buf, size_t len);
int connect_nb(int port);
long rto_count(void);

/* A case: 0 when it behaved as Linux does, -1 (after a diag) when not. */
struct sc_case {
	const char *name;
	int (*fn)(void);
};

extern const struct sc_case sc_addr_cases[];
extern const struct sc_case sc_stream_cases[];
extern const struct sc_case sc_poll_cases[];
extern const struct sc_case sc_options_cases[];
extern const struct sc_case sc_signals_cases[];
extern const struct sc_case sc_udp_cases[];
extern const struct sc_case sc_load_cases[];
extern const struct sc_case sc_badinput_cases[];
extern const struct sc_case sc_timewait_cases[];
extern const struct sc_case sc_hardening_cases[];
extern const struct sc_case sc_raw_cases[];

#endif
