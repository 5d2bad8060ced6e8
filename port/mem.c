// SPDX-License-Identifier: GPL-2.0
/*
 * lwIP's heap and pools on the kernel allocator, with a hard cap.
 *
 * lwIP is built with MEM_CUSTOM_ALLOCATOR and MEMP_MEM_MALLOC, so every pbuf,
 * PCB, netconn and sys object comes through here. Each block carries a small
 * header that links it into one list: /proc/lwip/mem can say exactly what is
 * in use, and module exit can free what lwIP itself never frees (its timer
 * list, the tcpip mailbox).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/overflow.h>
#include <linux/export.h>
#include <linux/wait.h>

#include "lwip/opt.h"
#include "lwip/mem.h"
#include "lwipk_port.h"
#include "lwipk/lwipk.h"

static unsigned long mem_limit = 256UL << 20;
module_param(mem_limit, ulong, 0644);
MODULE_PARM_DESC(mem_limit, "Most bytes lwIP may allocate (default 256 MiB)");

struct lwipk_block {
	struct list_head node;
	size_t size;
} __aligned(16);

static LIST_HEAD(lwipk_blocks);
static DEFINE_SPINLOCK(lwipk_blocks_lock);	/* protects lwipk_blocks */
static atomic_long_t lwipk_bytes, lwipk_peak, lwipk_nblocks, lwipk_failures;

/*
 * Waiters for memory (lwip_sock.ko's senders): the highest level of use
 * that one of them waits for, -1 for none; lwipk_free() wakes them all
 * when use drops to it.
 */
static DECLARE_WAIT_QUEUE_HEAD(lwipk_mem_wq);
static atomic_long_t lwipk_mem_wake_at = ATOMIC_LONG_INIT(-1);

/**
 * lwipk_alloc() - allocate from lwIP's capped budget.
 * @size: bytes
 * @gfp: allocation flags; only GFP_KERNEL allocations may use vmalloc
 *
 * Return: memory (not zeroed), or NULL when over the cap or out of memory.
 */
void *lwipk_alloc(size_t size, gfp_t gfp)
{
	struct lwipk_block *b;
	unsigned long flags;
	size_t total;
	long bytes;

	if (check_add_overflow(size, sizeof(*b), &total))
		goto fail;
	bytes = atomic_long_add_return(total, &lwipk_bytes);
	if (bytes > READ_ONCE(mem_limit))
		goto undo_count;
	if (gfp == GFP_KERNEL)
		b = kvmalloc(total, gfp);
	else
		b = kmalloc(total, gfp | __GFP_NOWARN);
	if (!b)
		goto undo_count;
	b->size = total;
	spin_lock_irqsave(&lwipk_blocks_lock, flags);
	list_add(&b->node, &lwipk_blocks);
	spin_unlock_irqrestore(&lwipk_blocks_lock, flags);
	atomic_long_inc(&lwipk_nblocks);
	if (bytes > atomic_long_read(&lwipk_peak))
		atomic_long_set(&lwipk_peak, bytes);
	return b + 1;

undo_count:
	atomic_long_sub(total, &lwipk_bytes);
fail:
	atomic_long_inc(&lwipk_failures);
	return NULL;
}

/* Use dropped to @left bytes: wake the senders waiting for that (or less). */
static void lwipk_mem_freed(long left)
{
	if (unlikely(atomic_long_read(&lwipk_mem_wake_at) >= left) &&
	    atomic_long_xchg(&lwipk_mem_wake_at, -1) >= 0)
		wake_up_all(&lwipk_mem_wq);
}

/**
 * lwipk_free() - return memory from lwipk_alloc().
 * @ptr: the memory, or NULL
 */
void lwipk_free(void *ptr)
{
	struct lwipk_block *b;
	unsigned long flags;
	long left;

	if (!ptr)
		return;
	b = (struct lwipk_block *)ptr - 1;
	spin_lock_irqsave(&lwipk_blocks_lock, flags);
	list_del(&b->node);
	spin_unlock_irqrestore(&lwipk_blocks_lock, flags);
	left = atomic_long_sub_return(b->size, &lwipk_bytes);
	atomic_long_dec(&lwipk_nblocks);
	kvfree(b);
	lwipk_mem_freed(left);
}

/**
 * lwipk_mem_charge() - count @size bytes that lwIP references but did not
 *	allocate (data in a socket's pages, port/txref.c) against mem_limit,
 *	as if lwIP had allocated them.
 * @size: bytes
 *
 * Return: true, or false (nothing counted) when over the cap.
 */
bool lwipk_mem_charge(size_t size)
{
	long bytes = atomic_long_add_return(size, &lwipk_bytes);

	if (bytes > READ_ONCE(mem_limit)) {
		atomic_long_sub(size, &lwipk_bytes);
		atomic_long_inc(&lwipk_failures);
		return false;
	}
	if (bytes > atomic_long_read(&lwipk_peak))
		atomic_long_set(&lwipk_peak, bytes);
	return true;
}

/**
 * lwipk_mem_uncharge() - undo lwipk_mem_charge().
 * @size: the bytes it counted
 */
void lwipk_mem_uncharge(size_t size)
{
	lwipk_mem_freed(atomic_long_sub_return(size, &lwipk_bytes));
}

/**
 * lwipk_mem_used() - bytes lwIP has allocated now, headers included.
 *
 * Return: the bytes counted against mem_limit.
 */
long lwipk_mem_used(void)
{
	return atomic_long_read(&lwipk_bytes);
}
EXPORT_SYMBOL_NS_GPL(lwipk_mem_used, LWIP);

/**
 * lwipk_mem_limit() - the module parameter mem_limit.
 *
 * Return: the most bytes lwIP may allocate.
 */
unsigned long lwipk_mem_limit(void)
{
	return READ_ONCE(mem_limit);
}
EXPORT_SYMBOL_NS_GPL(lwipk_mem_limit, LWIP);

/**
 * lwipk_mem_wait_queue() - the wait queue lwipk_mem_want() wakes.
 *
 * Return: the queue, for poll_wait() or add_wait_queue().
 */
wait_queue_head_t *lwipk_mem_wait_queue(void)
{
	return &lwipk_mem_wq;
}
EXPORT_SYMBOL_NS_GPL(lwipk_mem_wait_queue, LWIP);

/**
 * lwipk_mem_want() - wake lwipk_mem_wait_queue() once use drops to
 *	@level bytes. The caller is on the queue first and looks at
 *	lwipk_mem_used() again after this call, so no free is missed.
 * @level: the use to wait for
 */
void lwipk_mem_want(long level)
{
	long cur = atomic_long_read(&lwipk_mem_wake_at);

	do {
		if (cur >= level)
			break;
	} while (!atomic_long_try_cmpxchg(&lwipk_mem_wake_at, &cur, level));
	smp_mb__after_atomic();	/* against lwipk_free()'s update of the use */
	if (atomic_long_read(&lwipk_bytes) <= level &&
	    atomic_long_xchg(&lwipk_mem_wake_at, -1) >= 0)
		wake_up_all(&lwipk_mem_wq);
}
EXPORT_SYMBOL_NS_GPL(lwipk_mem_want, LWIP);

/* lwIP may allocate with interrupts off or under a spinlock. */
static gfp_t lwipk_gfp(void)
{
	return preemptible() ? GFP_KERNEL : GFP_ATOMIC;
}

/**
 * lwipk_mem_malloc() - mem_malloc() and memp_malloc() for lwIP.
 * @size: bytes
 *
 * Return: memory, or NULL.
 */
void *lwipk_mem_malloc(size_t size)
{
	return lwipk_alloc(size, lwipk_gfp());
}

/**
 * lwipk_mem_calloc() - mem_calloc() for lwIP.
 * @count: elements
 * @size: bytes each
 *
 * Return: zeroed memory, or NULL.
 */
void *lwipk_mem_calloc(size_t count, size_t size)
{
	size_t bytes;
	void *p;

	if (check_mul_overflow(count, size, &bytes))
		return NULL;
	p = lwipk_alloc(bytes, lwipk_gfp());
	if (p)
		memset(p, 0, bytes);
	return p;
}

/**
 * lwipk_mem_free() - mem_free() and memp_free() for lwIP.
 * @ptr: the memory, or NULL
 */
void lwipk_mem_free(void *ptr)
{
	lwipk_free(ptr);
}

/**
 * lwipk_mem_release_all() - free every block still allocated.
 *
 * Called at module exit, once no lwIP code can run any more.
 *
 * Return: the number of blocks freed.
 */
size_t lwipk_mem_release_all(void)
{
	struct lwipk_block *b, *tmp;
	size_t n = 0;

	list_for_each_entry_safe(b, tmp, &lwipk_blocks, node) {
		list_del(&b->node);
		kvfree(b);
		n++;
	}
	atomic_long_set(&lwipk_bytes, 0);
	atomic_long_set(&lwipk_nblocks, 0);
	return n;
}

/**
 * lwipk_mem_show() - the allocator's state, for /proc/lwip/mem.
 * @m: the seq_file
 */
void lwipk_mem_show(struct seq_file *m)
{
	seq_printf(m, "heap: used %ld peak %ld limit %lu blocks %ld failures %ld\n",
		   atomic_long_read(&lwipk_bytes), atomic_long_read(&lwipk_peak),
		   READ_ONCE(mem_limit), atomic_long_read(&lwipk_nblocks),
		   atomic_long_read(&lwipk_failures));
}
