/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lwIP's operating-system abstraction on Linux kernel primitives.
 *
 * The objects themselves live in port/sys_arch.c; lwIP only handles
 * pointers to them, so this header stays free of kernel internals.
 */
#ifndef LWIPK_ARCH_SYS_ARCH_H
#define LWIPK_ARCH_SYS_ARCH_H

#define SYS_MBOX_NULL	NULL
#define SYS_SEM_NULL	NULL

struct lwipk_sem;
struct lwipk_mutex;
struct lwipk_mbox;
struct lwipk_thread;

typedef struct lwipk_sem *sys_sem_t;
typedef struct lwipk_mutex *sys_mutex_t;
typedef struct lwipk_mbox *sys_mbox_t;
typedef struct lwipk_thread *sys_thread_t;
typedef unsigned long sys_prot_t;

/*
 * sys_{sem,mutex,mbox}_valid() and _set_invalid() are functions in
 * port/sys_arch.c: a NULL pointer is an invalid object.
 */

/* The tcpip core lock tracks its owner so misuse can be caught. */
void sys_lock_tcpip_core(void);
void sys_unlock_tcpip_core(void);
void sys_mark_tcpip_thread(void);
#define LOCK_TCPIP_CORE()		sys_lock_tcpip_core()
#define UNLOCK_TCPIP_CORE()		sys_unlock_tcpip_core()
#define LWIP_MARK_TCPIP_THREAD()	sys_mark_tcpip_thread()

#endif /* LWIPK_ARCH_SYS_ARCH_H */
