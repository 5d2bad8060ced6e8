/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private header of lwip.ko's Linux port (port/): what the port's files
 * share with each other and nothing else.
 */
#ifndef LWIPK_PORT_H
#define LWIPK_PORT_H

#include <linux/types.h>
#include <linux/seq_file.h>

/* mem.c: the capped allocator behind mem_malloc() and the sys objects. */
void *lwipk_alloc(size_t size, gfp_t gfp);
void lwipk_free(void *ptr);
bool lwipk_mem_charge(size_t size);
void lwipk_mem_uncharge(size_t size);
size_t lwipk_mem_release_all(void);
void lwipk_mem_show(struct seq_file *m);

/* sys_arch.c: threads and the tcpip core. */
void lwipk_threads_join_all(void);
void lwipk_sys_show(struct seq_file *m);
void lwipk_core_show(struct seq_file *m);
void lwipk_core_lock_reset(void);
void lwipk_thread_exit(void);

/* loopif.c: lo0, 127.0.0.1/8. */
int lwipk_loopif_add(void);
void lwipk_lo_unlock_drain(void);
void lwipk_loopif_purge(void);
struct netif;
bool lwipk_loopif_is(const struct netif *netif);

/* harden.c: ISNs, ephemeral ports, martian sources. */
void lwipk_harden_init(void);
void lwipk_martian_show(struct seq_file *m);

/* timewait.c: the TIME_WAIT cap. */
void lwipk_tw_show(struct seq_file *m);

/* proc.c: the read-only /proc/lwip view. */
int lwipk_proc_init(void);
void lwipk_proc_exit(void);

#endif /* LWIPK_PORT_H */
