// SPDX-License-Identifier: GPL-2.0
/*
 * lwip_selftest.ko: runs the port and stack self tests when loaded and
 * reports them in KTAP through the kernel log ("lwip_selftest: " prefix).
 *
 * Parameters: suite=port|stack|all picks what runs; inject=warn makes the
 * module WARN on purpose, to prove the test harness catches kernel warnings.
 */
#define pr_fmt(fmt) "lwip_selftest: " fmt

#include <linux/module.h>
#include <linux/string.h>

#include "selftest.h"

static char *suite = "all";
module_param(suite, charp, 0444);
MODULE_PARM_DESC(suite, "Which tests run: port, stack, all (default: both), nic or serve");

char *lwipk_selftest_peer;
module_param_named(peer, lwipk_selftest_peer, charp, 0444);
MODULE_PARM_DESC(peer, "suite=nic: the host's TCP echo server, ADDR:PORT");

unsigned long lwipk_selftest_peer_bytes = 1 << 20;
module_param_named(peer_bytes, lwipk_selftest_peer_bytes, ulong, 0444);
MODULE_PARM_DESC(peer_bytes, "suite=nic: bytes to echo through the NIC (default 1 MiB)");

unsigned int lwipk_selftest_serve_port = 7;
module_param_named(serve_port, lwipk_selftest_serve_port, uint, 0444);
MODULE_PARM_DESC(serve_port, "suite=serve: TCP port of the echo server (default 7)");

unsigned int lwipk_selftest_serve_ms = 60000;
module_param_named(serve_ms, lwipk_selftest_serve_ms, uint, 0444);
MODULE_PARM_DESC(serve_ms, "suite=serve: how long to wait for the client (default 60000 ms)");

static char *inject = "";
module_param(inject, charp, 0444);
MODULE_PARM_DESC(inject, "Harness check: 'warn' raises a kernel WARNING on purpose, 'fail' adds a failing test");

static void lwipk_run(const struct lwipk_test *tests, unsigned int n,
		      unsigned int *num, unsigned int *failed)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		int ret = tests[i].run();

		++*num;
		if (ret)
			++*failed;
		pr_info("%sok %u %s\n", ret ? "not " : "", *num, tests[i].name);
	}
}

static int __init lwipk_selftest_init(void)
{
	bool port = !strcmp(suite, "all") || !strcmp(suite, "port");
	bool stack = !strcmp(suite, "all") || !strcmp(suite, "stack");
	bool nic = !strcmp(suite, "nic");
	bool serve = !strcmp(suite, "serve");
	unsigned int num = 0, failed = 0;

	if (!port && !stack && !nic && !serve) {
		pr_err("unknown suite '%s' (port, stack, all, nic or serve)\n", suite);
		return -EINVAL;
	}
	if (!strcmp(inject, "warn"))
		WARN(1, "lwip_selftest: deliberate warning (inject=warn)\n");

	pr_info("KTAP version 1\n");
	pr_info("1..%u\n", (port ? lwipk_port_ntests : 0) +
		(stack ? lwipk_stack_ntests : 0) + (nic ? lwipk_nic_ntests : 0) +
		(serve ? lwipk_serve_ntests : 0) + !strcmp(inject, "fail"));
	if (!strcmp(inject, "fail")) {
		failed++;
		pr_info("not ok %u inject.deliberate_failure\n", ++num);
	}
	if (port)
		lwipk_run(lwipk_port_tests, lwipk_port_ntests, &num, &failed);
	if (stack)
		lwipk_run(lwipk_stack_tests, lwipk_stack_ntests, &num, &failed);
	if (nic)
		lwipk_run(lwipk_nic_tests, lwipk_nic_ntests, &num, &failed);
	if (serve)
		lwipk_run(lwipk_serve_tests, lwipk_serve_ntests, &num, &failed);
	pr_info("# %u passed, %u failed\n", num - failed, failed);
	/* as lib/test_*.c: a failed test fails the insmod, for any caller */
	return failed ? -EINVAL : 0;
}

static void __exit lwipk_selftest_exit(void)
{
}

module_init(lwipk_selftest_init);
module_exit(lwipk_selftest_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lwipk self tests: the sys_arch port and the lwIP stack");
MODULE_IMPORT_NS(LWIP);
