// SPDX-License-Identifier: GPL-2.0
/*
 * lwip.ko: module init and exit.
 *
 * Init starts lwIP's tcpip thread (which brings up the loopback netif at
 * 127.0.0.1/8) and the /proc/lwip view. Exit stops the thread from inside
 * itself, joins every lwIP thread and frees what lwIP never frees, so that
 * the module can be loaded again any number of times.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/delay.h>

#include "lwip/opt.h"
#include "lwip/init.h"
#include "lwip/tcpip.h"
#include "lwip/priv/tcpip_priv.h"
#include "lwipk_port.h"
/* uapi/linux/timex.h names a leap second TIME_WAIT; lwIP names a TCP state */
#undef TIME_WAIT
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwipk/lwipk.h"

unsigned int lwipk_debug_flags;
module_param_named(debug, lwipk_debug_flags, uint, 0644);
MODULE_PARM_DESC(debug,
		 "lwIP debug message bits, in a debug build (make LWIPK_DEBUG=1): 0x1 etharp, 0x2 netif, 0x4 pbuf, 0x8 api_lib, 0x10 api_msg, 0x20 icmp, 0x40 ip, 0x80 reass, 0x100 udp, 0x200 tcp, 0x400 tcp_in, 0x800 tcp_out, 0x1000 tcp_rto, 0x2000 tcpip, 0x4000 dhcp, 0x8000 timers");

/* Static, so that stopping the stack can never fail for lack of memory. */
static struct tcpip_msg lwipk_stop_msg;

/**
 * lwipk_diag() - LWIP_PLATFORM_DIAG(): lwIP's debug output.
 * @fmt: printf format
 */
void lwipk_diag(const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_info("%pV", &vaf);
	va_end(args);
}

static void lwipk_tcpip_started(void *arg)
{
	complete(arg);
}

/*
 * Free the TCP connections lwIP still keeps (closing, or in TIME_WAIT) and
 * the packets lo0 has not delivered as lwIP frees them, not only their heap
 * blocks: their data may hold a socket's page (txref.c). No netconn is
 * left: lwip_sock.ko, which pins this module, is gone. Listeners hold no
 * data; lwipk_mem_release_all() takes them.
 */
static void lwipk_stack_release(void)
{
	while (tcp_active_pcbs)
		tcp_abandon(tcp_active_pcbs, 0);
	while (tcp_tw_pcbs)
		tcp_abandon(tcp_tw_pcbs, 0);
	lwipk_loopif_purge();
}

/*
 * Runs in the tcpip thread, with the core lock held, and ends the thread:
 * lwIP's tcpip_thread() never returns on its own.
 */
static void lwipk_tcpip_stop(void *arg)
{
	lwipk_stack_release();
	UNLOCK_TCPIP_CORE();
	lwipk_thread_exit();
}

/* Stop the tcpip thread, join all lwIP threads, free what is left. */
static size_t lwipk_stack_stop(void)
{
	struct tcpip_callback_msg *msg = (struct tcpip_callback_msg *)&lwipk_stop_msg;

	lwipk_stop_msg.type = TCPIP_MSG_CALLBACK_STATIC;
	lwipk_stop_msg.msg.cb.function = lwipk_tcpip_stop;
	lwipk_stop_msg.msg.cb.ctx = NULL;
	while (tcpip_callbackmsg_trycallback(msg) != ERR_OK)
		msleep(20);	/* the tcpip mailbox is full: let it drain */
	lwipk_threads_join_all();
	lwipk_core_lock_reset();
	return lwipk_mem_release_all();
}

static int __init lwipk_init(void)
{
	DECLARE_COMPLETION_ONSTACK(started);
	int ret;

#ifndef LWIP_DEBUG
	if (lwipk_debug_flags)
		pr_warn("debug=%#x has no effect: lwIP's debug messages need a debug build (make LWIPK_DEBUG=1)\n",
			lwipk_debug_flags);
#endif
	lwipk_harden_init();
	tcpip_init(lwipk_tcpip_started, &started);
	wait_for_completion(&started);

	LOCK_TCPIP_CORE();
	lwipk_sock_ext_id = tcp_ext_arg_alloc_id();
	lwipk_mss_ext_id = tcp_ext_arg_alloc_id();
	ret = lwipk_loopif_add();
	UNLOCK_TCPIP_CORE();
	if (ret)
		goto err_stop_stack;
	ret = lwipk_proc_init();
	if (ret)
		goto err_stop_stack;
	pr_info("lwIP %s up, loopback 127.0.0.1\n", LWIP_VERSION_STRING);
	return 0;

err_stop_stack:
	lwipk_stack_stop();
	return ret;
}

static void __exit lwipk_exit(void)
{
	size_t leftover;

	lwipk_proc_exit();
	leftover = lwipk_stack_stop();
	pr_info("lwIP down, %zu blocks released\n", leftover);
}
module_init(lwipk_init);
module_exit(lwipk_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("lwipk developers");
MODULE_DESCRIPTION("lwIP 2.2.1 TCP/IP stack with a Linux kernel sys_arch port");
