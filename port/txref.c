// SPDX-License-Identifier: GPL-2.0
/*
 * Data lwIP sends without copying it: LWIP_HOOK_TCP_WRITE_REF (lwIP patch
 * 0013), for tcp_write() without TCP_WRITE_FLAG_COPY.
 *
 * lwip_sock.ko copies what a program sends into its socket's page fragment
 * (sk->sk_frag, as Linux's TCP does) before it takes the core lock, then
 * writes it without a copy. Each pbuf lwIP chains for such data holds a
 * reference on the fragment's page, dropped by the pbuf's free, whoever
 * frees it last: the sender once the data is acknowledged, or, over lo0
 * (which delivers a segment by reference, loopif.c), the receiver once its
 * program has read it. The bytes count against mem_limit as if lwIP had
 * allocated them, so memory pressure sees what it saw when lwIP copied.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>

#include "lwip/opt.h"
#include "lwip/pbuf.h"
#include "lwip/mem.h"
#include "lwipk_port.h"

/* A pbuf referencing data in a page it holds a reference on. */
struct lwipk_txref {
	struct pbuf_custom pc;
	struct page *page;	/* the head page, referenced */
	u16 charged;		/* bytes counted against mem_limit */
};

static void lwipk_txref_free(struct pbuf *p)
{
	struct lwipk_txref *r = container_of(p, struct lwipk_txref, pc.pbuf);

	lwipk_mem_uncharge(r->charged);
	put_page(r->page);
	mem_free(r);
}

/**
 * lwipk_tcp_write_ref() - LWIP_HOOK_TCP_WRITE_REF: the pbuf tcp_write()
 *	chains for data it does not copy.
 * @data: the data, in one (compound) page of the direct map, e.g. a page
 *	fragment: tcp_write() without NETCONN_COPY takes no other memory here
 * @len: its length
 *
 * Context: core lock held.
 * Return: a pbuf that keeps the page until it is freed, or NULL when out of
 * memory (or over mem_limit).
 */
struct pbuf *lwipk_tcp_write_ref(const u8 *data, u16 len)
{
	struct lwipk_txref *r;
	struct page *page;
	struct pbuf *p;

	if (WARN_ON_ONCE(!len || !virt_addr_valid(data)))
		return NULL;
	page = virt_to_head_page(data);
	if (WARN_ON_ONCE(virt_to_head_page(data + len - 1) != page))
		return NULL;
	if (!lwipk_mem_charge(len))
		return NULL;
	r = mem_malloc(sizeof(*r));
	if (!r)
		goto err_uncharge;
	r->page = page;
	r->charged = len;
	r->pc.custom_free_function = lwipk_txref_free;
	/* PBUF_REF: lwIP only reads the data (its pointer is not const) */
	p = pbuf_alloced_custom(PBUF_RAW, len, PBUF_REF, &r->pc,
				(void *)data, len);
	if (WARN_ON_ONCE(!p))
		goto err_free;
	get_page(page);
	return p;

err_free:
	mem_free(r);
err_uncharge:
	lwipk_mem_uncharge(len);
	return NULL;
}
