// SPDX-License-Identifier: GPL-2.0
/*
 * lwIP's sys_arch on Linux kernel primitives: semaphores, mutexes,
 * mailboxes, threads, time and the lightweight protection lock.
 *
 * Waits use TASK_IDLE: lwIP cannot abandon a wait half-way, so they must not
 * be cut short by signals, and an idle tcpip thread must not look like a hung
 * task. Everything here may be called from thread context; the parts marked
 * so are also safe from hard-IRQ and softirq context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/sched.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/slab.h>

#include "lwip/opt.h"
#include "lwip/sys.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"
#include "lwip/timeouts.h"
#include "lwip/priv/tcpip_priv.h"
#include "lwipk/lwipk.h"
#include "lwipk_port.h"

struct lwipk_sem {
	spinlock_t lock;		/* protects count */
	unsigned int count;
	wait_queue_head_t wait;
};

struct lwipk_mutex {
	struct mutex lock;	/* the lwIP mutex itself */
};

/*
 * A mailbox's ring starts small and doubles, up to the size lwIP asked
 * for, as messages pile up: every TCP socket has a 240-slot receive
 * mailbox, which an idle connection would otherwise carry at 2 KiB.
 */
struct lwipk_mbox {
	spinlock_t lock;		/* protects msgs, cap, head, count */
	void **msgs;			/* the ring, @cap slots */
	unsigned int cap;
	unsigned int head;		/* index of the oldest message */
	unsigned int count;
	unsigned int size;		/* the most slots */
	wait_queue_head_t not_empty;
	wait_queue_head_t not_full;
};

struct lwipk_thread {
	struct list_head node;
	struct task_struct *task;
	lwip_thread_fn fn;
	void *arg;
	struct completion done;
};

static atomic_t lwipk_nsems, lwipk_nmutexes, lwipk_nmboxes;
static LIST_HEAD(lwipk_threads);
static DEFINE_MUTEX(lwipk_threads_lock);	/* protects lwipk_threads */

/* Validity: a NULL pointer marks an invalid (or freed) object ----------- */

/**
 * sys_sem_valid() - whether @sem holds a semaphore.
 * @sem: the semaphore handle
 *
 * Return: 1 if valid, else 0.
 */
int sys_sem_valid(sys_sem_t *sem)
{
	return sem && *sem;
}

/**
 * sys_sem_set_invalid() - mark @sem as holding no semaphore.
 * @sem: the semaphore handle
 */
void sys_sem_set_invalid(sys_sem_t *sem)
{
	if (sem)
		*sem = NULL;
}

/**
 * sys_mutex_valid() - whether @mutex holds a mutex.
 * @mutex: the mutex handle
 *
 * Return: 1 if valid, else 0.
 */
int sys_mutex_valid(sys_mutex_t *mutex)
{
	return mutex && *mutex;
}

/**
 * sys_mutex_set_invalid() - mark @mutex as holding no mutex.
 * @mutex: the mutex handle
 */
void sys_mutex_set_invalid(sys_mutex_t *mutex)
{
	if (mutex)
		*mutex = NULL;
}

/**
 * sys_mbox_valid() - whether @mbox holds a mailbox.
 * @mbox: the mailbox handle
 *
 * Return: 1 if valid, else 0.
 */
int sys_mbox_valid(sys_mbox_t *mbox)
{
	return mbox && *mbox;
}

/**
 * sys_mbox_set_invalid() - mark @mbox as holding no mailbox.
 * @mbox: the mailbox handle
 */
void sys_mbox_set_invalid(sys_mbox_t *mbox)
{
	if (mbox)
		*mbox = NULL;
}

/* Time ---------------------------------------------------------------- */

/**
 * sys_now() - monotonic milliseconds, lwIP's clock for timeouts.
 *
 * The coarse clock, as of the last tick: lwIP's timers are 250 ms and up,
 * and it asks for the time on every pass of the tcpip thread and every
 * unlock of the core lock (lwipk_tcpip_kick_if_late()). Reading the
 * clocksource that often showed: under QEMU TCG the guest's is the HPET,
 * an emulated device, and read_hpet took 9% of a UDP flood's samples.
 *
 * Return: milliseconds since boot, wrapping at 2^32.
 */
u32_t sys_now(void)
{
	return (u32_t)ktime_to_ms(ktime_get_coarse());
}

/**
 * sys_jiffies() - lwIP's coarse clock.
 *
 * Return: the kernel's jiffies counter, truncated to 32 bits.
 */
u32_t sys_jiffies(void)
{
	return (u32_t)jiffies;
}

/**
 * sys_init() - lwIP's hook for port set-up; everything is static here.
 */
void sys_init(void)
{
}

/* Convert lwIP's millisecond timeout (0 = forever) into jiffies. */
static long lwipk_timeout(u32_t ms)
{
	return ms ? msecs_to_jiffies(ms) : MAX_SCHEDULE_TIMEOUT;
}

/* The time waited, as lwIP wants it: never above the timeout. */
static u32_t lwipk_waited(ktime_t start, u32_t timeout)
{
	u32_t ms = (u32_t)ktime_ms_delta(ktime_get(), start);

	return timeout && ms > timeout ? timeout : ms;
}

/* Semaphores ----------------------------------------------------------- */

/**
 * sys_sem_new() - create a counting semaphore.
 * @sem: where to store it
 * @count: initial count
 *
 * Return: ERR_OK, or ERR_MEM.
 */
err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
	struct lwipk_sem *s = lwipk_alloc(sizeof(*s), GFP_KERNEL);

	if (!s) {
		*sem = NULL;
		SYS_STATS_INC(sem.err);
		return ERR_MEM;
	}
	spin_lock_init(&s->lock);
	s->count = count;
	init_waitqueue_head(&s->wait);
	atomic_inc(&lwipk_nsems);
	SYS_STATS_INC_USED(sem);
	*sem = s;
	return ERR_OK;
}

/**
 * sys_sem_free() - destroy a semaphore nobody waits on.
 * @sem: the semaphore
 */
void sys_sem_free(sys_sem_t *sem)
{
	if (WARN_ON_ONCE(!sem || !*sem))
		return;
	/* lwIP frees a semaphore only once nobody can wait on it any more. */
	WARN_ON_ONCE(waitqueue_active(&(*sem)->wait));
	lwipk_free(*sem);
	*sem = NULL;
	atomic_dec(&lwipk_nsems);
	SYS_STATS_DEC(sem.used);
}

/**
 * sys_sem_signal() - increment a semaphore, waking one waiter.
 * @sem: the semaphore
 *
 * Context: any, including hard IRQ.
 */
void sys_sem_signal(sys_sem_t *sem)
{
	struct lwipk_sem *s = *sem;
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	s->count++;
	spin_unlock_irqrestore(&s->lock, flags);
	wake_up(&s->wait);
}

static bool lwipk_sem_trydown(struct lwipk_sem *s)
{
	unsigned long flags;
	bool taken = false;

	spin_lock_irqsave(&s->lock, flags);
	if (s->count) {
		s->count--;
		taken = true;
	}
	spin_unlock_irqrestore(&s->lock, flags);
	return taken;
}

/**
 * sys_arch_sem_wait() - decrement a semaphore, waiting up to @timeout.
 * @sem: the semaphore
 * @timeout: milliseconds to wait, 0 for ever
 *
 * Return: the milliseconds waited, or SYS_ARCH_TIMEOUT.
 */
u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout)
{
	struct lwipk_sem *s = *sem;
	ktime_t start = ktime_get();
	long left;

	left = wait_event_idle_timeout(s->wait, lwipk_sem_trydown(s),
				       lwipk_timeout(timeout));
	if (!left)
		return SYS_ARCH_TIMEOUT;
	return lwipk_waited(start, timeout);
}

/* Mutexes ------------------------------------------------------------------ */

/**
 * sys_mutex_new() - create a mutex.
 * @mutex: where to store it
 *
 * Return: ERR_OK, or ERR_MEM.
 */
err_t sys_mutex_new(sys_mutex_t *mutex)
{
	struct lwipk_mutex *m = lwipk_alloc(sizeof(*m), GFP_KERNEL);

	if (!m) {
		*mutex = NULL;
		SYS_STATS_INC(mutex.err);
		return ERR_MEM;
	}
	mutex_init(&m->lock);
	atomic_inc(&lwipk_nmutexes);
	SYS_STATS_INC_USED(mutex);
	*mutex = m;
	return ERR_OK;
}

/**
 * sys_mutex_free() - destroy an unlocked mutex.
 * @mutex: the mutex
 */
void sys_mutex_free(sys_mutex_t *mutex)
{
	if (WARN_ON_ONCE(!mutex || !*mutex))
		return;
	mutex_destroy(&(*mutex)->lock);
	lwipk_free(*mutex);
	*mutex = NULL;
	atomic_dec(&lwipk_nmutexes);
	SYS_STATS_DEC(mutex.used);
}

/**
 * sys_mutex_lock() - take a mutex, sleeping as long as needed.
 * @mutex: the mutex
 */
void sys_mutex_lock(sys_mutex_t *mutex)
{
	mutex_lock(&(*mutex)->lock);
}

/**
 * sys_mutex_unlock() - release a mutex taken by the current thread.
 * @mutex: the mutex
 */
void sys_mutex_unlock(sys_mutex_t *mutex)
{
	mutex_unlock(&(*mutex)->lock);
}

/* The tcpip core lock ---------------------------------------------------- */

static struct task_struct *lwipk_core_owner;
static struct task_struct *lwipk_tcpip_task;

/*
 * Waking the tcpip thread for new timeouts. The thread sleeps on its mailbox
 * until its next lwIP timeout is due. Another thread that, holding the core
 * lock, adds an earlier timeout (the TCP timer after a connect, say) would
 * otherwise not be served until some message or later timeout arrives. So the
 * thread notes, under the lock, when it means to wake; an unlock that finds an
 * earlier timeout posts it a no-op message. All of this is under the lock.
 */
static bool lwipk_tcpip_asleep;		/* between its unlock and lock */
static bool lwipk_tcpip_forever;	/* ... with no timeout due */
static u32_t lwipk_tcpip_wake_at;	/* ... else wakes at this sys_now() */
static bool lwipk_tcpip_kicked;		/* a wake message is queued */
static struct tcpip_msg lwipk_wake_msg;

static void lwipk_tcpip_woken(void *arg)
{
	lwipk_tcpip_kicked = false;
}

static void lwipk_tcpip_note_sleep(void)
{
	u32_t sleep = sys_timeouts_sleeptime();

	lwipk_tcpip_asleep = true;
	lwipk_tcpip_forever = sleep == SYS_TIMEOUTS_SLEEPTIME_INFINITE;
	lwipk_tcpip_wake_at = sys_now() + sleep;
}

static void lwipk_tcpip_kick_if_late(void)
{
	u32_t sleep;

	if (!lwipk_tcpip_asleep || lwipk_tcpip_kicked)
		return;
	sleep = sys_timeouts_sleeptime();
	if (sleep == SYS_TIMEOUTS_SLEEPTIME_INFINITE)
		return;
	if (!lwipk_tcpip_forever &&
	    (s32_t)(sys_now() + sleep - lwipk_tcpip_wake_at) >= 0)
		return;
	lwipk_wake_msg.type = TCPIP_MSG_CALLBACK_STATIC;
	lwipk_wake_msg.msg.cb.function = lwipk_tcpip_woken;
	if (tcpip_callbackmsg_trycallback((struct tcpip_callback_msg *)&lwipk_wake_msg) == ERR_OK)
		lwipk_tcpip_kicked = true;
}

static struct lwipk_deferred *lwipk_deferred_head;	/* core lock */

/**
 * lwipk_defer() - run @d->fn when the current holder lets go of the core
 *	lock (once, however often deferred until then).
 * @d: the work; the caller holds the core lock
 */
void lwipk_defer(struct lwipk_deferred *d)
{
	if (d->queued)
		return;
	d->queued = true;
	d->next = lwipk_deferred_head;
	lwipk_deferred_head = d;
}
EXPORT_SYMBOL_NS_GPL(lwipk_defer, LWIP);

/* Run what drivers deferred to this unlock (core lock held). */
static void lwipk_run_deferred(void)
{
	while (lwipk_deferred_head) {
		struct lwipk_deferred *d = lwipk_deferred_head;

		lwipk_deferred_head = d->next;
		d->queued = false;
		d->fn(d);
	}
}

/**
 * sys_lock_tcpip_core() - LOCK_TCPIP_CORE(): take lwIP's core lock.
 */
void sys_lock_tcpip_core(void)
{
	sys_mutex_lock(&lock_tcpip_core);
	WRITE_ONCE(lwipk_core_owner, current);
	if (current == lwipk_tcpip_task)
		lwipk_tcpip_asleep = false;
}
EXPORT_SYMBOL_NS_GPL(sys_lock_tcpip_core, LWIP);

/**
 * sys_unlock_tcpip_core() - UNLOCK_TCPIP_CORE(): release lwIP's core lock.
 */
void sys_unlock_tcpip_core(void)
{
	WARN_ON_ONCE(READ_ONCE(lwipk_core_owner) != current);
	if (lwipk_tcpip_task)
		lwipk_lo_unlock_drain();	/* may add timeouts: first */
	lwipk_run_deferred();		/* after lo0: it may send too */
	if (!lwipk_tcpip_task)
		;	/* not started, or stopping */
	else if (current == lwipk_tcpip_task)
		lwipk_tcpip_note_sleep();
	else
		lwipk_tcpip_kick_if_late();
	WRITE_ONCE(lwipk_core_owner, NULL);
	sys_mutex_unlock(&lock_tcpip_core);
}
EXPORT_SYMBOL_NS_GPL(sys_unlock_tcpip_core, LWIP);

/**
 * sys_mark_tcpip_thread() - note which task is the tcpip thread.
 */
void sys_mark_tcpip_thread(void)
{
	WRITE_ONCE(lwipk_tcpip_task, current);
}

/**
 * sys_check_core_locking() - LWIP_ASSERT_CORE_LOCKED(): catch lwIP core
 * functions called without the core lock (once the stack is running).
 */
void sys_check_core_locking(void)
{
	if (!READ_ONCE(lwipk_tcpip_task))
		return;	/* lwip_init() runs before the thread exists */
	WARN_ONCE(READ_ONCE(lwipk_core_owner) != current,
		  "lwip: core function called without the tcpip core lock\n");
}
EXPORT_SYMBOL_NS_GPL(sys_check_core_locking, LWIP);

/**
 * lwipk_core_lock_reset() - forget the tcpip thread once it has exited.
 */
void lwipk_core_lock_reset(void)
{
	WRITE_ONCE(lwipk_tcpip_task, NULL);
	WRITE_ONCE(lwipk_core_owner, NULL);
	lwipk_tcpip_asleep = false;
	lwipk_tcpip_kicked = false;
}

/* Mailboxes ---------------------------------------------------------------- */

#define LWIPK_MBOX_DEFAULT_SIZE 128
#define LWIPK_MBOX_START_SLOTS	8

/**
 * sys_mbox_new() - create a bounded mailbox.
 * @mbox: where to store it
 * @size: capacity in messages (0: a default)
 *
 * Return: ERR_OK, or ERR_MEM.
 */
err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
	struct lwipk_mbox *mb;

	if (size <= 0)
		size = LWIPK_MBOX_DEFAULT_SIZE;
	mb = lwipk_alloc(sizeof(*mb), GFP_KERNEL);
	if (!mb)
		goto err_none;
	mb->cap = min(size, LWIPK_MBOX_START_SLOTS);
	mb->msgs = lwipk_alloc(array_size(mb->cap, sizeof(*mb->msgs)), GFP_KERNEL);
	if (!mb->msgs)
		goto err_free_mbox;
	spin_lock_init(&mb->lock);
	mb->head = 0;
	mb->count = 0;
	mb->size = size;
	init_waitqueue_head(&mb->not_empty);
	init_waitqueue_head(&mb->not_full);
	atomic_inc(&lwipk_nmboxes);
	SYS_STATS_INC_USED(mbox);
	*mbox = mb;
	return ERR_OK;

err_free_mbox:
	lwipk_free(mb);
err_none:
	*mbox = NULL;
	SYS_STATS_INC(mbox.err);
	return ERR_MEM;
}

/**
 * sys_mbox_free() - destroy a mailbox; lwIP drains it first.
 * @mbox: the mailbox
 */
void sys_mbox_free(sys_mbox_t *mbox)
{
	struct lwipk_mbox *mb;

	if (WARN_ON_ONCE(!mbox || !*mbox))
		return;
	mb = *mbox;
	if (mb->count)
		pr_warn("mailbox freed with %u messages in it\n", mb->count);
	lwipk_free(mb->msgs);
	lwipk_free(mb);
	*mbox = NULL;
	atomic_dec(&lwipk_nmboxes);
	SYS_STATS_DEC(mbox.used);
}

/*
 * Double a full ring that may still grow; the lock is held on entry and on
 * return, and dropped to allocate. Return: what the caller frees after
 * unlocking (the old ring, an unused new one, or NULL).
 */
static void **lwipk_mbox_grow(struct lwipk_mbox *mb, unsigned long *flags)
	__must_hold(&mb->lock)
{
	unsigned int want = min(mb->cap * 2, mb->size), i;
	void **ring, **old;

	spin_unlock_irqrestore(&mb->lock, *flags);
	ring = lwipk_alloc(array_size(want, sizeof(*ring)), GFP_NOWAIT);
	spin_lock_irqsave(&mb->lock, *flags);
	if (!ring || mb->cap >= want)
		return ring;	/* no memory (the ring stays full), or raced */
	for (i = 0; i < mb->count; i++)
		ring[i] = mb->msgs[(mb->head + i) % mb->cap];
	old = mb->msgs;
	mb->msgs = ring;
	mb->cap = want;
	mb->head = 0;
	return old;
}

/* Context: any; never sleeps. */
static bool lwipk_mbox_tryput(struct lwipk_mbox *mb, void *msg)
{
	void **spare = NULL;
	unsigned long flags;
	bool put = false;

	spin_lock_irqsave(&mb->lock, flags);
	if (mb->count == mb->cap && mb->cap < mb->size)
		spare = lwipk_mbox_grow(mb, &flags);
	if (mb->count < mb->cap) {
		mb->msgs[(mb->head + mb->count) % mb->cap] = msg;
		mb->count++;
		put = true;
	}
	spin_unlock_irqrestore(&mb->lock, flags);
	if (spare)
		lwipk_free(spare);
	if (put)
		wake_up(&mb->not_empty);
	return put;
}

static bool lwipk_mbox_tryget(struct lwipk_mbox *mb, void **msg)
{
	unsigned long flags;
	bool got = false;

	spin_lock_irqsave(&mb->lock, flags);
	if (mb->count) {
		if (msg)
			*msg = mb->msgs[mb->head];
		mb->head = (mb->head + 1) % mb->cap;
		mb->count--;
		got = true;
	}
	spin_unlock_irqrestore(&mb->lock, flags);
	if (got)
		wake_up(&mb->not_full);
	return got;
}

/**
 * sys_mbox_post() - post a message, sleeping while the mailbox is full.
 * @mbox: the mailbox
 * @msg: the message
 */
void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
	struct lwipk_mbox *mb = *mbox;

	wait_event_idle(mb->not_full, lwipk_mbox_tryput(mb, msg));
}

/**
 * sys_mbox_trypost() - post a message if there is room.
 * @mbox: the mailbox
 * @msg: the message
 *
 * Context: any; never sleeps.
 * Return: ERR_OK, or ERR_MEM when the mailbox is full.
 */
err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
	if (lwipk_mbox_tryput(*mbox, msg))
		return ERR_OK;
	SYS_STATS_INC(mbox.err);
	return ERR_MEM;
}

/**
 * sys_mbox_trypost_fromisr() - sys_mbox_trypost() from interrupt context.
 * @mbox: the mailbox
 * @msg: the message
 *
 * Context: any, including hard IRQ and softirq.
 * Return: ERR_OK, or ERR_MEM when the mailbox is full.
 */
err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
	return sys_mbox_trypost(mbox, msg);
}

/**
 * sys_arch_mbox_fetch() - take the oldest message, waiting up to @timeout.
 * @mbox: the mailbox
 * @msg: where to store the message (may be NULL to drop it)
 * @timeout: milliseconds to wait, 0 for ever
 *
 * Return: the milliseconds waited, or SYS_ARCH_TIMEOUT.
 */
u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout)
{
	struct lwipk_mbox *mb = *mbox;
	ktime_t start = ktime_get();
	long left;

	/*
	 * The tcpip thread comes here between messages, without the core
	 * lock: when they never run out (a flood from the wire, or packets
	 * looping on lwIP's loopback), the wait below never sleeps, and
	 * without this the thread would hold its CPU until a soft lockup.
	 */
	cond_resched();
	left = wait_event_idle_timeout(mb->not_empty,
				       lwipk_mbox_tryget(mb, msg),
				       lwipk_timeout(timeout));
	if (!left) {
		if (msg)
			*msg = NULL;
		return SYS_ARCH_TIMEOUT;
	}
	return lwipk_waited(start, timeout);
}

/**
 * sys_arch_mbox_tryfetch() - take the oldest message if there is one.
 * @mbox: the mailbox
 * @msg: where to store the message (may be NULL to drop it)
 *
 * Return: 0, or SYS_MBOX_EMPTY.
 */
u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
	return lwipk_mbox_tryget(*mbox, msg) ? 0 : SYS_MBOX_EMPTY;
}

/* Threads ------------------------------------------------------------------- */

static int lwipk_thread_main(void *data)
{
	struct lwipk_thread *t = data;

	t->fn(t->arg);
	/* Completes and exits in core kernel code, so rmmod may follow. */
	kthread_complete_and_exit(&t->done, 0);
}

/**
 * sys_thread_new() - start a kernel thread running @fn(@arg).
 * @name: thread name
 * @fn: thread function
 * @arg: its argument
 * @stacksize: ignored (kernel threads have a fixed stack)
 * @prio: ignored
 *
 * The thread is joined by lwipk_thread_join(), or at the latest when lwip.ko
 * is unloaded.
 *
 * Return: the thread, or NULL.
 */
sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg,
			    int stacksize, int prio)
{
	struct lwipk_thread *t = kzalloc(sizeof(*t), GFP_KERNEL);
	struct task_struct *task;

	if (!t)
		return NULL;
	t->fn = fn;
	t->arg = arg;
	init_completion(&t->done);
	mutex_lock(&lwipk_threads_lock);
	list_add_tail(&t->node, &lwipk_threads);
	mutex_unlock(&lwipk_threads_lock);

	task = kthread_create(lwipk_thread_main, t, "%s", name);
	if (!IS_ERR(task)) {
		t->task = task;
		wake_up_process(task);
	} else {
		pr_err("cannot start thread %s: %pe\n", name, task);
		mutex_lock(&lwipk_threads_lock);
		list_del(&t->node);
		mutex_unlock(&lwipk_threads_lock);
		kfree(t);
		return NULL;
	}
	return t;
}

static void lwipk_thread_reap(struct lwipk_thread *t)
{
	while (!wait_for_completion_timeout(&t->done, 10 * HZ))
		pr_warn("waiting for an lwIP thread to finish\n");
	mutex_lock(&lwipk_threads_lock);
	list_del(&t->node);
	mutex_unlock(&lwipk_threads_lock);
	kfree(t);
}

/**
 * lwipk_thread_exit() - end the calling lwIP thread now, as if its function
 * had returned. Used to stop the tcpip thread, whose loop never returns.
 */
void lwipk_thread_exit(void)
{
	struct lwipk_thread *t, *self = NULL;

	mutex_lock(&lwipk_threads_lock);
	list_for_each_entry(t, &lwipk_threads, node)
		if (t->task == current)
			self = t;
	mutex_unlock(&lwipk_threads_lock);
	WARN_ON_ONCE(!self);
	kthread_complete_and_exit(self ? &self->done : NULL, 0);
}

void lwipk_thread_join(sys_thread_t thread)
{
	if (thread)
		lwipk_thread_reap(thread);
}
EXPORT_SYMBOL_NS_GPL(lwipk_thread_join, LWIP);

/**
 * lwipk_threads_join_all() - join every thread still known (module exit).
 */
void lwipk_threads_join_all(void)
{
	struct lwipk_thread *t;

	for (;;) {
		mutex_lock(&lwipk_threads_lock);
		t = list_first_entry_or_null(&lwipk_threads,
					     struct lwipk_thread, node);
		mutex_unlock(&lwipk_threads_lock);
		if (!t)
			break;
		lwipk_thread_reap(t);
	}
}

/* Lightweight protection ------------------------------------------------ */

/*
 * SYS_ARCH_PROTECT must nest and work against IRQs and other CPUs: a
 * spinlock taken with interrupts off, re-entered by its owning CPU.
 */
static DEFINE_SPINLOCK(lwipk_prot_lock);
static int lwipk_prot_cpu = -1;		/* owner, or -1 */
static unsigned int lwipk_prot_depth;	/* nesting on the owner */

/**
 * sys_arch_protect() - enter lwIP's critical section (nestable).
 *
 * Context: any, including hard IRQ.
 * Return: state for sys_arch_unprotect().
 */
sys_prot_t sys_arch_protect(void)
	__acquires(&lwipk_prot_lock)
{
	unsigned long flags;
	int cpu;

	local_irq_save(flags);
	cpu = smp_processor_id();
	if (READ_ONCE(lwipk_prot_cpu) != cpu) {
		spin_lock(&lwipk_prot_lock);
		WRITE_ONCE(lwipk_prot_cpu, cpu);
	} else {
		__acquire(&lwipk_prot_lock);	/* nested: for sparse only */
	}
	lwipk_prot_depth++;
	return flags;
}

/**
 * sys_arch_unprotect() - leave lwIP's critical section.
 * @pval: what the matching sys_arch_protect() returned
 */
void sys_arch_unprotect(sys_prot_t pval)
	__releases(&lwipk_prot_lock)
{
	if (!--lwipk_prot_depth) {
		WRITE_ONCE(lwipk_prot_cpu, -1);
		spin_unlock(&lwipk_prot_lock);
	} else {
		__release(&lwipk_prot_lock);	/* nested: for sparse only */
	}
	local_irq_restore(pval);
}

/**
 * lwipk_sys_show() - the sys objects in use, for /proc/lwip/mem.
 * @m: the seq_file
 */
void lwipk_sys_show(struct seq_file *m)
{
	struct lwipk_thread *t;
	unsigned int nthreads = 0;

	mutex_lock(&lwipk_threads_lock);
	list_for_each_entry(t, &lwipk_threads, node)
		nthreads++;
	mutex_unlock(&lwipk_threads_lock);
	seq_printf(m, "sys: sems %d mutexes %d mboxes %d threads %u\n",
		   atomic_read(&lwipk_nsems), atomic_read(&lwipk_nmutexes),
		   atomic_read(&lwipk_nmboxes), nthreads);
}

/**
 * lwipk_core_show() - who holds the tcpip core lock, for /proc/lwip/core;
 * read without taking the lock, so it answers even when the lock is stuck.
 * @m: the seq_file
 */
void lwipk_core_show(struct seq_file *m)
{
	struct task_struct *owner;

	/* Task structs are freed after an RCU grace period. */
	rcu_read_lock();
	owner = READ_ONCE(lwipk_core_owner);
	if (owner)
		seq_printf(m, "core lock: held by %s[%d]\n", owner->comm,
			   task_pid_nr(owner));
	else
		seq_puts(m, "core lock: free\n");
	rcu_read_unlock();
}
