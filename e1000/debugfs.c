// SPDX-License-Identifier: GPL-2.0
/*
 * lwip_e1000.ko: debugfs, /sys/kernel/debug/lwip_e1000/<PCI address>/.
 *
 * tx_ceiling measures what the driver and the emulated NIC carry without a
 * stack: writing a duration in milliseconds sends MTU-sized frames straight
 * into the TX ring for that long (broadcast, EtherType 0x88b5, "local
 * experimental": QEMU's user networking and any peer drop them); reading
 * gives the last run's frames, bytes, nanoseconds and ring-full retries.
 * make bench turns it into the NIC's ceiling, next to Linux's e1000 driven
 * by pktgen.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/etherdevice.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <asm/unaligned.h>

#include "lwip/opt.h"
#include "lwip/pbuf.h"
#include "lwip/tcpip.h"
#include "lwip_e1000.h"

#define LWIP_E1000_CEILING_MAX_MS	60000
#define LWIP_E1000_CEILING_ETHERTYPE	0x88b5
#define LWIP_E1000_CEILING_BATCH	64	/* frames per core-lock hold */

static struct dentry *lwip_e1000_debugfs_root;
static DEFINE_MUTEX(lwip_e1000_ceiling_lock);	/* one run at a time */

/* One MTU-sized frame from this NIC to everyone, that nobody takes. */
static struct pbuf *lwip_e1000_ceiling_frame(struct lwip_e1000_adapter *a)
{
	struct pbuf *p;
	u8 *f;

	LOCK_TCPIP_CORE();
	p = pbuf_alloc(PBUF_RAW, ETH_FRAME_LEN, PBUF_RAM);
	UNLOCK_TCPIP_CORE();
	if (!p)
		return NULL;
	f = p->payload;
	memset(f, 0, ETH_FRAME_LEN);
	eth_broadcast_addr(f);
	ether_addr_copy(f + ETH_ALEN, a->mac);
	put_unaligned_be16(LWIP_E1000_CEILING_ETHERTYPE, f + 2 * ETH_ALEN);
	return p;
}

/* Send frames for @ms milliseconds; the results go to a->ceiling. */
static int lwip_e1000_ceiling_run(struct lwip_e1000_adapter *a, unsigned int ms)
{
	struct lwip_e1000_ceiling c = { 0 };
	u64 start, end;
	struct pbuf *p;
	unsigned int k;
	int err = 0;

	if (!READ_ONCE(a->link_up))
		return -ENETDOWN;
	p = lwip_e1000_ceiling_frame(a);
	if (!p)
		return -ENOMEM;
	start = ktime_get_ns();
	end = start + (u64)ms * NSEC_PER_MSEC;
	do {
		LOCK_TCPIP_CORE();
		for (k = 0; k < LWIP_E1000_CEILING_BATCH; k++) {
			if (lwip_e1000_xmit(&a->netif, p) != ERR_OK) {
				c.ring_full++;	/* the device is behind */
				break;
			}
			c.frames++;
		}
		UNLOCK_TCPIP_CORE();
		if (signal_pending(current)) {
			err = -EINTR;
			break;
		}
		cond_resched();
	} while (ktime_get_ns() < end);
	c.ns = ktime_get_ns() - start;
	c.bytes = c.frames * ETH_FRAME_LEN;
	LOCK_TCPIP_CORE();
	pbuf_free(p);
	UNLOCK_TCPIP_CORE();
	a->ceiling = c;
	return err;
}

static ssize_t lwip_e1000_ceiling_write(struct file *file, const char __user *buf,
					size_t len, loff_t *ppos)
{
	struct lwip_e1000_adapter *a = file->private_data;
	unsigned int ms;
	int err;

	err = kstrtouint_from_user(buf, len, 0, &ms);
	if (err)
		return err;
	if (!ms || ms > LWIP_E1000_CEILING_MAX_MS)
		return -EINVAL;
	if (mutex_lock_interruptible(&lwip_e1000_ceiling_lock))
		return -EINTR;
	err = lwip_e1000_ceiling_run(a, ms);
	mutex_unlock(&lwip_e1000_ceiling_lock);
	return err ?: len;
}

static ssize_t lwip_e1000_ceiling_read(struct file *file, char __user *buf,
				       size_t len, loff_t *ppos)
{
	struct lwip_e1000_adapter *a = file->private_data;
	struct lwip_e1000_ceiling c;
	char text[128];
	int n;

	mutex_lock(&lwip_e1000_ceiling_lock);
	c = a->ceiling;
	mutex_unlock(&lwip_e1000_ceiling_lock);
	n = scnprintf(text, sizeof(text), "frames %llu bytes %llu ns %llu ring_full %llu\n",
		      c.frames, c.bytes, c.ns, c.ring_full);
	return simple_read_from_buffer(buf, len, ppos, text, n);
}

static const struct file_operations lwip_e1000_ceiling_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = lwip_e1000_ceiling_read,
	.write = lwip_e1000_ceiling_write,
	.llseek = default_llseek,
};

/**
 * lwip_e1000_debugfs_add() - the NIC's debugfs directory and files.
 * @a: the adapter, fully probed
 *
 * debugfs is a debugging aid: when it is missing or fails, the NIC works
 * on without it.
 */
void lwip_e1000_debugfs_add(struct lwip_e1000_adapter *a)
{
	if (!lwip_e1000_debugfs_root)
		lwip_e1000_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	a->debugfs = debugfs_create_dir(pci_name(a->pdev), lwip_e1000_debugfs_root);
	debugfs_create_file("tx_ceiling", 0600, a->debugfs, a,
			    &lwip_e1000_ceiling_fops);
}

/**
 * lwip_e1000_debugfs_remove() - remove what lwip_e1000_debugfs_add() made;
 *	waits for a tx_ceiling run in progress on it to end.
 * @a: the adapter
 */
void lwip_e1000_debugfs_remove(struct lwip_e1000_adapter *a)
{
	debugfs_remove(a->debugfs);
	a->debugfs = NULL;
}

/**
 * lwip_e1000_debugfs_exit() - remove the module's debugfs directory.
 */
void lwip_e1000_debugfs_exit(void)
{
	debugfs_remove(lwip_e1000_debugfs_root);
	lwip_e1000_debugfs_root = NULL;
}
