// SPDX-License-Identifier: GPL-2.0
/*
 * Self tests of lwip.ko's sys_arch port: timing, counting, blocking and
 * interrupt-context behaviour of the primitives lwIP is built on.
 */
#define pr_fmt(fmt) "lwip_selftest: " fmt

#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/slab.h>

#include "lwip/opt.h"
#include "lwip/sys.h"
#include "lwipk/lwipk.h"
#include "selftest.h"

static s64 ms_since(ktime_t start)
{
	return ktime_ms_delta(ktime_get(), start);
}

/* A 200 ms wait on an empty semaphore times out after 200-300 ms. */
static int test_sem_timeout(void)
{
	sys_sem_t sem;
	ktime_t start;
	u32_t ret;
	s64 ms;

	ST_EXPECT(sys_sem_new(&sem, 0) == ERR_OK, "sem_new");
	start = ktime_get();
	ret = sys_arch_sem_wait(&sem, 200);
	ms = ms_since(start);
	sys_sem_free(&sem);
	ST_EXPECT(ret == SYS_ARCH_TIMEOUT, "ret %u", ret);
	ST_EXPECT(ms >= 200 && ms <= 300, "waited %lld ms", ms);
	return 0;
}

struct signal_later {
	sys_sem_t *sem;
	unsigned int delay_ms;
};

static void signal_later_fn(void *arg)
{
	struct signal_later *s = arg;

	msleep(s->delay_ms);
	sys_sem_signal(s->sem);
}

/* A wait that succeeds returns the time actually waited. */
static int test_sem_wait_time(void)
{
	struct signal_later s;
	sys_thread_t t;
	sys_sem_t sem;
	u32_t ret;

	ST_EXPECT(sys_sem_new(&sem, 0) == ERR_OK, "sem_new");
	s.sem = &sem;
	s.delay_ms = 100;
	t = sys_thread_new("st_signal", signal_later_fn, &s, 0, 0);
	ST_EXPECT(t, "thread");
	ret = sys_arch_sem_wait(&sem, 2000);
	lwipk_thread_join(t);
	sys_sem_free(&sem);
	ST_EXPECT(ret != SYS_ARCH_TIMEOUT, "timed out");
	ST_EXPECT(ret >= 90 && ret <= 300, "waited %u ms", ret);
	return 0;
}

/* Counting: N signals allow exactly N waits; 0 means wait for ever. */
static int test_sem_counting(void)
{
	struct signal_later s;
	sys_thread_t t;
	sys_sem_t sem;
	int i;

	ST_EXPECT(sys_sem_new(&sem, 3) == ERR_OK, "sem_new");
	for (i = 0; i < 3; i++)
		ST_EXPECT(sys_arch_sem_wait(&sem, 10) != SYS_ARCH_TIMEOUT, "wait %d", i);
	ST_EXPECT(sys_arch_sem_wait(&sem, 10) == SYS_ARCH_TIMEOUT, "4th wait");
	sys_sem_signal(&sem);
	sys_sem_signal(&sem);
	ST_EXPECT(sys_arch_sem_wait(&sem, 10) != SYS_ARCH_TIMEOUT, "after signal 1");
	ST_EXPECT(sys_arch_sem_wait(&sem, 10) != SYS_ARCH_TIMEOUT, "after signal 2");
	ST_EXPECT(sys_arch_sem_wait(&sem, 10) == SYS_ARCH_TIMEOUT, "third");

	s.sem = &sem;
	s.delay_ms = 50;
	t = sys_thread_new("st_signal", signal_later_fn, &s, 0, 0);
	ST_EXPECT(t, "thread");
	ST_EXPECT(sys_arch_sem_wait(&sem, 0) != SYS_ARCH_TIMEOUT, "forever");
	lwipk_thread_join(t);
	sys_sem_free(&sem);
	return 0;
}

/* Bounded ring: FIFO, ERR_MEM when full, EMPTY and timeouts when empty. */
static int test_mbox_full_empty(void)
{
	uintptr_t i;
	sys_mbox_t mb;
	ktime_t start;
	void *msg;
	u32_t ret;
	s64 ms;

	ST_EXPECT(sys_mbox_new(&mb, 4) == ERR_OK, "mbox_new");
	for (i = 1; i <= 4; i++)
		ST_EXPECT(sys_mbox_trypost(&mb, (void *)i) == ERR_OK, "post %lu", i);
	ST_EXPECT(sys_mbox_trypost(&mb, (void *)5) == ERR_MEM, "full");
	for (i = 1; i <= 4; i++) {
		ST_EXPECT(sys_arch_mbox_tryfetch(&mb, &msg) == 0, "fetch %lu", i);
		ST_EXPECT(msg == (void *)i, "order: got %p", msg);
	}
	ST_EXPECT(sys_arch_mbox_tryfetch(&mb, &msg) == SYS_MBOX_EMPTY, "empty");
	start = ktime_get();
	ret = sys_arch_mbox_fetch(&mb, &msg, 100);
	ms = ms_since(start);
	sys_mbox_free(&mb);
	ST_EXPECT(ret == SYS_ARCH_TIMEOUT, "fetch on empty: %u", ret);
	ST_EXPECT(ms >= 100 && ms <= 200, "waited %lld ms", ms);
	return 0;
}

struct poster {
	sys_mbox_t *mb;
	atomic_t posted;
};

static void poster_fn(void *arg)
{
	struct poster *p = arg;

	sys_mbox_post(p->mb, (void *)2);	/* blocks: the mailbox is full */
	atomic_set(&p->posted, 1);
}

/* sys_mbox_post() blocks while the mailbox is full. */
static int test_mbox_post_blocks(void)
{
	struct poster p;
	sys_thread_t t;
	sys_mbox_t mb;
	void *msg;

	ST_EXPECT(sys_mbox_new(&mb, 1) == ERR_OK, "mbox_new");
	ST_EXPECT(sys_mbox_trypost(&mb, (void *)1) == ERR_OK, "fill");
	p.mb = &mb;
	atomic_set(&p.posted, 0);
	t = sys_thread_new("st_poster", poster_fn, &p, 0, 0);
	ST_EXPECT(t, "thread");
	msleep(100);
	ST_EXPECT(!atomic_read(&p.posted), "post did not block");
	ST_EXPECT(sys_arch_mbox_fetch(&mb, &msg, 1000) != SYS_ARCH_TIMEOUT, "fetch 1");
	ST_EXPECT(msg == (void *)1, "first message %p", msg);
	ST_EXPECT(sys_arch_mbox_fetch(&mb, &msg, 1000) != SYS_ARCH_TIMEOUT, "fetch 2");
	ST_EXPECT(msg == (void *)2, "second message %p", msg);
	lwipk_thread_join(t);
	ST_EXPECT(atomic_read(&p.posted), "poster finished");
	sys_mbox_free(&mb);
	return 0;
}

#define IRQ_POSTS 8

struct irq_poster {
	struct hrtimer timer;
	sys_mbox_t *mb;
	unsigned int fired;
	unsigned int ok, full, not_hardirq;
};

static enum hrtimer_restart irq_poster_fn(struct hrtimer *timer)
{
	struct irq_poster *p = container_of(timer, struct irq_poster, timer);

	if (!in_hardirq())
		p->not_hardirq++;
	if (sys_mbox_trypost_fromisr(p->mb, (void *)(uintptr_t)(p->fired + 1)) == ERR_OK)
		p->ok++;
	else
		p->full++;
	if (++p->fired == IRQ_POSTS)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, ms_to_ktime(2));
	return HRTIMER_RESTART;
}

/* trypost_fromisr from hard-IRQ context (an hrtimer): delivered or ERR_MEM. */
static int test_mbox_trypost_irq(void)
{
	struct irq_poster p = { 0 };
	unsigned int got = 0;
	sys_mbox_t mb;
	void *msg;

	ST_EXPECT(sys_mbox_new(&mb, IRQ_POSTS / 2) == ERR_OK, "mbox_new");
	p.mb = &mb;
	hrtimer_init(&p.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	p.timer.function = irq_poster_fn;
	hrtimer_start(&p.timer, ms_to_ktime(2), HRTIMER_MODE_REL_HARD);
	msleep(100);
	hrtimer_cancel(&p.timer);
	while (sys_arch_mbox_tryfetch(&mb, &msg) == 0) {
		got++;
		ST_EXPECT(msg == (void *)(uintptr_t)got, "order: %p at %u", msg, got);
	}
	sys_mbox_free(&mb);
	ST_EXPECT(p.fired == IRQ_POSTS, "fired %u", p.fired);
	ST_EXPECT(!p.not_hardirq, "%u callbacks outside hard IRQ", p.not_hardirq);
	ST_EXPECT(p.ok == IRQ_POSTS / 2 && p.full == IRQ_POSTS / 2,
		  "ok %u full %u", p.ok, p.full);
	ST_EXPECT(got == p.ok, "fetched %u of %u", got, p.ok);
	return 0;
}

#define MUTEX_ROUNDS 20000

struct mutex_race {
	sys_mutex_t mutex;
	unsigned long counter;
	int inside;
	atomic_t overlaps;
	sys_sem_t done;
};

static void mutex_race_fn(void *arg)
{
	struct mutex_race *r = arg;
	unsigned int i;

	for (i = 0; i < MUTEX_ROUNDS; i++) {
		unsigned long c;

		sys_mutex_lock(&r->mutex);
		if (READ_ONCE(r->inside))
			atomic_inc(&r->overlaps);
		WRITE_ONCE(r->inside, 1);
		c = READ_ONCE(r->counter);
		if (!(i % 1024))
			cond_resched();	/* give the other thread a chance */
		WRITE_ONCE(r->counter, c + 1);
		WRITE_ONCE(r->inside, 0);
		sys_mutex_unlock(&r->mutex);
	}
	sys_sem_signal(&r->done);
}

/* Two threads incrementing under the mutex never overlap or lose counts. */
static int test_mutex_exclusion(void)
{
	struct mutex_race *r = kzalloc(sizeof(*r), GFP_KERNEL);
	sys_thread_t a, b;
	int ret = -1;

	if (!r)
		return -1;
	if (sys_mutex_new(&r->mutex) != ERR_OK)
		goto free_race;
	if (sys_sem_new(&r->done, 0) != ERR_OK)
		goto free_mutex;
	a = sys_thread_new("st_mutex_a", mutex_race_fn, r, 0, 0);
	b = sys_thread_new("st_mutex_b", mutex_race_fn, r, 0, 0);
	if (a)
		sys_arch_sem_wait(&r->done, 0);
	if (b)
		sys_arch_sem_wait(&r->done, 0);
	lwipk_thread_join(a);
	lwipk_thread_join(b);
	if (a && b && r->counter == 2 * MUTEX_ROUNDS && !atomic_read(&r->overlaps))
		ret = 0;
	else
		pr_info("# mutex: counter %lu overlaps %d\n", r->counter,
			atomic_read(&r->overlaps));
	sys_sem_free(&r->done);
free_mutex:
	sys_mutex_free(&r->mutex);
free_race:
	kfree(r);
	return ret;
}

static void thread_fn(void *arg)
{
	atomic_inc(arg);
}

/* Threads start, run their function and are joined. */
static int test_thread_start_stop(void)
{
	sys_thread_t t[4];
	atomic_t runs = ATOMIC_INIT(0);
	int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		t[i] = sys_thread_new("st_thread", thread_fn, &runs, 0, 0);
		ST_EXPECT(t[i], "thread %d", i);
	}
	for (i = 0; i < ARRAY_SIZE(t); i++)
		lwipk_thread_join(t[i]);
	ST_EXPECT(atomic_read(&runs) == ARRAY_SIZE(t), "runs %d", atomic_read(&runs));
	return 0;
}

/* sys_now() never goes backwards and follows real time. */
static int test_sys_now(void)
{
	u32_t prev = sys_now(), now, start;
	int i;

	for (i = 0; i < 2000; i++) {
		now = sys_now();
		ST_EXPECT((s32)(now - prev) >= 0, "went back %u -> %u", prev, now);
		prev = now;
		if (!(i % 100))
			usleep_range(100, 200);
	}
	start = sys_now();
	msleep(100);
	now = sys_now();
	ST_EXPECT(now - start >= 100 && now - start <= 200, "100 ms took %u", now - start);
	return 0;
}

/* SYS_ARCH_PROTECT nests, keeps interrupts off inside, restores them. */
static int test_protect_nesting(void)
{
	sys_prot_t outer, inner;
	bool off_outer, off_inner, off_after_inner;

	outer = sys_arch_protect();
	off_outer = irqs_disabled();
	inner = sys_arch_protect();
	off_inner = irqs_disabled();
	sys_arch_unprotect(inner);
	off_after_inner = irqs_disabled();
	sys_arch_unprotect(outer);
	ST_EXPECT(off_outer && off_inner && off_after_inner, "irqs were on inside");
	ST_EXPECT(!irqs_disabled(), "irqs still off after");
	return 0;
}

const struct lwipk_test lwipk_port_tests[] = {
	{ "port_sem_timeout_200ms", test_sem_timeout },
	{ "port_sem_wait_returns_time", test_sem_wait_time },
	{ "port_sem_counting", test_sem_counting },
	{ "port_mbox_full_empty_timeout", test_mbox_full_empty },
	{ "port_mbox_post_blocks_when_full", test_mbox_post_blocks },
	{ "port_mbox_trypost_from_hardirq", test_mbox_trypost_irq },
	{ "port_mutex_exclusion", test_mutex_exclusion },
	{ "port_thread_start_join", test_thread_start_stop },
	{ "port_sys_now_monotonic", test_sys_now },
	{ "port_protect_nesting", test_protect_nesting },
};

const unsigned int lwipk_port_ntests = ARRAY_SIZE(lwipk_port_tests);
