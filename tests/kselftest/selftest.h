/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private header of lwip_selftest.ko: a tiny KTAP test runner for the
 * port (port_tests.c) and the stack (stack_tests.c).
 */
#ifndef LWIPK_SELFTEST_H
#define LWIPK_SELFTEST_H

#include <linux/printk.h>

struct lwipk_test {
	const char *name;
	int (*run)(void);	/* 0 when the test passes */
};

/* Fail the current test with a KTAP diagnostic line when @cond is false. */
#define ST_EXPECT(cond, fmt, ...)					\
	do {								\
		if (!(cond)) {						\
			pr_info("# %s:%d: expected %s: " fmt "\n",	\
				__func__, __LINE__, #cond, ##__VA_ARGS__); \
			return -1;					\
		}							\
	} while (0)

extern const struct lwipk_test lwipk_port_tests[];
extern const unsigned int lwipk_port_ntests;
extern const struct lwipk_test lwipk_stack_tests[];
extern const unsigned int lwipk_stack_ntests;
extern const struct lwipk_test lwipk_nic_tests[];
extern const unsigned int lwipk_nic_ntests;
extern const struct lwipk_test lwipk_serve_tests[];
extern const unsigned int lwipk_serve_ntests;

/* suite=nic: the host's echo server, "ADDR:PORT", and how much to echo */
extern char *lwipk_selftest_peer;
extern unsigned long lwipk_selftest_peer_bytes;
/* suite=serve: the port to serve a TCP echo on, and how long to wait */
extern unsigned int lwipk_selftest_serve_port;
extern unsigned int lwipk_selftest_serve_ms;

#endif /* LWIPK_SELFTEST_H */
