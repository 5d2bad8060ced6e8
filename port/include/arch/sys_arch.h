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

#define sys_sem_valid(sem)		((sem) && *(sem))
#define sys_sem_valid_val(sem)		((sem) != NULL)
#define sys_sem_set_invalid(sem)	do { if (sem) *(sem) = NULL; } while (0)
#define sys_sem_set_invalid_val(sem)	do { (sem) = NULL; } while (0)
#define sys_mutex_valid(mutex)		((mutex) && *(mutex))
#define sys_mutex_set_invalid(mutex)	do { if (mutex) *(mutex) = NULL; } while (0)
#define sys_mbox_valid(mbox)		((mbox) && *(mbox))
#define sys_mbox_valid_val(mbox)	((mbox) != NULL)
#define sys_mbox_set_invalid(mbox)	do { if (mbox) *(mbox) = NULL; } while (0)
#define sys_mbox_set_invalid_val(mbox)	do { (mbox) = NULL; } while (0)

/* The tcpip core lock tracks its owner so misuse can be caught. */
void sys_lock_tcpip_core(void);
void sys_unlock_tcpip_core(void);
void sys_mark_tcpip_thread(void);
#define LOCK_TCPIP_CORE()		sys_lock_tcpip_core()
#define UNLOCK_TCPIP_CORE()		sys_unlock_tcpip_core()
#define LWIP_MARK_TCPIP_THREAD()	sys_mark_tcpip_thread()

#endif /* LWIPK_ARCH_SYS_ARCH_H */
