// SPDX-License-Identifier: GPL-2.0
/*
 * A cap on lwIP's TIME_WAIT connections, as Linux's tcp_max_tw_buckets.
 *
 * lwIP keeps every actively closed connection in TIME_WAIT for 2 MSL (two
 * minutes) and recycles those PCBs only when memory runs out, while it has
 * 16,384 ephemeral ports: a client that connects and closes faster than
 * about 140 times a second runs out of ports. Measured in the guest, bench
 * tcp_crr for 30 s left 16,383 connections in TIME_WAIT and connect() then
 * timed out. Linux caps TIME_WAIT sockets at tcp_max_tw_buckets (4,096 in
 * the guest) and closes further ones at once; here a timer in the tcpip
 * thread frees the oldest beyond tw_max. It runs while lwIP has TIME_WAIT
 * connections, armed again by lwipk_tw_watch() when sockets close.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "lwip/opt.h"
#include "lwip/timeouts.h"
#include "lwip/tcpip.h"
/* uapi/linux/timex.h names a leap second TIME_WAIT; lwIP names a TCP state */
#undef TIME_WAIT
#include "lwip/priv/tcp_priv.h"
#include "lwipk/lwipk.h"
#include "lwipk_port.h"

static unsigned int tw_max = 4096;
module_param(tw_max, uint, 0644);
MODULE_PARM_DESC(tw_max, "Most TCP connections kept in TIME_WAIT, the oldest freed beyond (default 4096, Linux's tcp_max_tw_buckets in a 1 GiB guest; 0: no limit)");

/* lwipopts.h's TCP_MSL: TIME_WAIT lasts 2 * msl_ms */
unsigned int lwipk_tcp_msl = 60000;
module_param_named(msl_ms, lwipk_tcp_msl, uint, 0644);
MODULE_PARM_DESC(msl_ms, "TCP maximum segment lifetime in ms: TIME_WAIT lasts twice that (default 60000, as Linux)");

#define LWIPK_TW_TRIM_MS	250

static bool lwipk_tw_armed;		/* core lock */
static unsigned long lwipk_tw_freed;	/* written under the core lock */

/* Free the TIME_WAIT PCBs beyond the newest tw_max (core lock held). */
static void lwipk_tw_trim(void *arg)
{
	unsigned int max = READ_ONCE(tw_max), n = 1;
	struct tcp_pcb *keep = tcp_tw_pcbs, *old;

	/* TCP_REG() puts the newest first: keep is the max-th newest */
	while (max && keep && n < max) {
		keep = keep->next;
		n++;
	}
	if (max && keep) {
		old = keep->next;
		keep->next = NULL;
		while (old) {	/* purged when they entered TIME_WAIT */
			struct tcp_pcb *next = old->next;

			tcp_free(old);
			WRITE_ONCE(lwipk_tw_freed, lwipk_tw_freed + 1);
			old = next;
		}
	}
	lwipk_tw_armed = !!tcp_tw_pcbs;
	if (lwipk_tw_armed)
		sys_timeout(LWIPK_TW_TRIM_MS, lwipk_tw_trim, NULL);
}

/**
 * lwipk_tw_watch() - see that TIME_WAIT stays within tw_max: called when a
 *	connection may have entered TIME_WAIT (a socket closed).
 *
 * Context: the tcpip core lock is held.
 */
void lwipk_tw_watch(void)
{
	if (lwipk_tw_armed)
		return;
	lwipk_tw_armed = true;
	sys_timeout(LWIPK_TW_TRIM_MS, lwipk_tw_trim, NULL);
}
EXPORT_SYMBOL_NS_GPL(lwipk_tw_watch, LWIP);

/**
 * lwipk_tw_show() - the cap and what it freed, for /proc/lwip/tcp.
 * @m: the file
 */
void lwipk_tw_show(struct seq_file *m)
{
	seq_printf(m, "time_wait: max %u freed %lu\n", READ_ONCE(tw_max),
		   READ_ONCE(lwipk_tw_freed));
}
