// SPDX-License-Identifier: GPL-2.0
/*
 * lwip_e1000.ko: the RX and TX rings - the data path.
 *
 * Both rings use one coherent DMA block of descriptors and one of buffers
 * (a frame per buffer). RX copies each frame into a pbuf from lwIP's pool,
 * so the buffer goes straight back to the device; TX copies the pbuf chain
 * into the slot's buffer. Both run under the tcpip core lock: RX takes it
 * once per batch, TX is called by lwIP with it held, so the TX ring needs
 * no lock of its own.
 *
 * With checksum offload, the device inserts IPv4 header and TCP/UDP
 * checksums on TX (lwIP's per-netif GEN flags are off) and reports bad ones
 * on RX, which are dropped here; lwIP still verifies what it receives, since
 * it cannot be told per packet what the device checked.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <asm/unaligned.h>
#include <net/checksum.h>

#include "lwip/opt.h"
#include "lwip/pbuf.h"
#include "lwip/tcpip.h"
#include "lwip/stats.h"
#include "lwip/snmp.h"
#include "lwip_e1000.h"

/* Legacy, context and data descriptors all take 16 bytes. */
#define DESC_BYTES		16
#define RING_BYTES(r)		((r)->count * DESC_BYTES)
#define BUF_BYTES(r)		((r)->count * LWIP_E1000_BUF_SIZE)

static_assert(sizeof(struct e1000_rx_desc) == DESC_BYTES);
static_assert(sizeof(struct e1000_tx_desc) == DESC_BYTES);
static_assert(sizeof(struct e1000_ctx_desc) == DESC_BYTES);
static_assert(sizeof(struct e1000_data_desc) == DESC_BYTES);

/* The slot after @i on ring @r. */
static unsigned int ring_next(const struct lwip_e1000_ring *r, unsigned int i)
{
	return i + 1 == r->count ? 0 : i + 1;
}

/*
 * The TX doorbell, run at the unlock of the core lock (lwipk_defer()): one
 * tail write for every frame queued while lwIP held it, so that QEMU takes
 * them in one exit. writel() orders descriptors and buffers before it.
 */
static void lwip_e1000_tx_doorbell(struct lwipk_deferred *d)
{
	struct lwip_e1000_adapter *a = container_of(d, struct lwip_e1000_adapter,
						    tx_doorbell);

	ew32(a, E1000_TDT, a->tx.next);
}

/*
 * One ring: its descriptors and its buffers, each one coherent block. A
 * block the page allocator cannot give (too big for one allocation, or
 * memory too fragmented) fails quietly (__GFP_NOWARN): the caller says
 * which ring and probe fails with -ENOMEM.
 */
static int lwip_e1000_ring_alloc(struct lwip_e1000_adapter *a,
				 struct lwip_e1000_ring *r, unsigned int count)
{
	struct device *dev = &a->pdev->dev;

	r->count = count;
	r->desc = dma_alloc_coherent(dev, RING_BYTES(r), &r->desc_dma,
				     GFP_KERNEL | __GFP_NOWARN);
	if (!r->desc)
		return -ENOMEM;
	r->bufs = dma_alloc_coherent(dev, BUF_BYTES(r), &r->bufs_dma,
				     GFP_KERNEL | __GFP_NOWARN);
	if (!r->bufs) {
		dma_free_coherent(dev, RING_BYTES(r), r->desc, r->desc_dma);
		r->desc = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void lwip_e1000_ring_free(struct lwip_e1000_adapter *a,
				 struct lwip_e1000_ring *r)
{
	struct device *dev = &a->pdev->dev;

	if (r->bufs)
		dma_free_coherent(dev, BUF_BYTES(r), r->bufs, r->bufs_dma);
	if (r->desc)
		dma_free_coherent(dev, RING_BYTES(r), r->desc, r->desc_dma);
	r->bufs = NULL;
	r->desc = NULL;
}

/**
 * lwip_e1000_rings_alloc() - allocate both rings and their buffers.
 * @a: the adapter
 * @rx_descs: RX descriptors, a multiple of 8
 * @tx_descs: TX descriptors, a multiple of 8
 *
 * Return: 0, or -ENOMEM (said with dev_err()).
 */
int lwip_e1000_rings_alloc(struct lwip_e1000_adapter *a, unsigned int rx_descs,
			   unsigned int tx_descs)
{
	int err;

	err = lwip_e1000_ring_alloc(a, &a->rx, rx_descs);
	if (err) {
		dev_err(&a->pdev->dev, "cannot allocate the RX ring: %u descriptors and %u KiB of buffers\n",
			rx_descs, rx_descs * LWIP_E1000_BUF_SIZE / 1024);
		return err;
	}
	err = lwip_e1000_ring_alloc(a, &a->tx, tx_descs);
	if (err) {
		dev_err(&a->pdev->dev, "cannot allocate the TX ring: %u descriptors and %u KiB of buffers\n",
			tx_descs, tx_descs * LWIP_E1000_BUF_SIZE / 1024);
		goto err_free_rx;
	}
	return 0;

err_free_rx:
	lwip_e1000_ring_free(a, &a->rx);
	return err;
}

/**
 * lwip_e1000_rings_free() - free what lwip_e1000_rings_alloc() allocated.
 * @a: the adapter; the device must no longer use the rings
 */
void lwip_e1000_rings_free(struct lwip_e1000_adapter *a)
{
	lwip_e1000_ring_free(a, &a->tx);
	lwip_e1000_ring_free(a, &a->rx);
}

/**
 * lwip_e1000_rings_start() - hand the rings to the device, enable RX and TX.
 * @a: the adapter
 */
void lwip_e1000_rings_start(struct lwip_e1000_adapter *a)
{
	struct e1000_rx_desc *rxd = a->rx.desc;
	struct e1000_tx_desc *txd = a->tx.desc;
	unsigned int i;

	memset(rxd, 0, RING_BYTES(&a->rx));
	for (i = 0; i < a->rx.count; i++)
		rxd[i].addr = cpu_to_le64(a->rx.bufs_dma + i * LWIP_E1000_BUF_SIZE);
	a->rx.next = 0;
	a->rx_discarding = false;
	ew32(a, E1000_RDBAL, lower_32_bits(a->rx.desc_dma));
	ew32(a, E1000_RDBAH, upper_32_bits(a->rx.desc_dma));
	ew32(a, E1000_RDLEN, RING_BYTES(&a->rx));
	ew32(a, E1000_RDH, 0);
	/* The device owns [RDH, RDT): all but one descriptor. */
	ew32(a, E1000_RDT, a->rx.count - 1);
	ew32(a, E1000_RDTR, 0);
	ew32(a, E1000_RXCSUM, a->csum_offload ?
	     E1000_RXCSUM_IPOFL | E1000_RXCSUM_TUOFL : 0);
	/* LPE: frames longer than 1522 bytes come in (over several buffers)
	 * and are dropped here whole and counted (rx_multi_desc), rather than
	 * dropped unseen by the device.
	 */
	ew32(a, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SZ_2048 |
	     E1000_RCTL_LPE | E1000_RCTL_SECRC);

	memset(txd, 0, RING_BYTES(&a->tx));
	a->tx_doorbell.fn = lwip_e1000_tx_doorbell;
	a->tx.next = 0;
	a->tx.clean = 0;
	a->tx_ctx = 0;
	ew32(a, E1000_TDBAL, lower_32_bits(a->tx.desc_dma));
	ew32(a, E1000_TDBAH, upper_32_bits(a->tx.desc_dma));
	ew32(a, E1000_TDLEN, RING_BYTES(&a->tx));
	ew32(a, E1000_TDH, 0);
	ew32(a, E1000_TDT, 0);
	ew32(a, E1000_TIPG, E1000_TIPG_COPPER);
	ew32(a, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP | E1000_TCTL_CT |
	     E1000_TCTL_COLD);
}

/**
 * lwip_e1000_rings_stop() - stop RX and TX DMA.
 * @a: the adapter
 */
void lwip_e1000_rings_stop(struct lwip_e1000_adapter *a)
{
	ew32(a, E1000_RCTL, 0);
	ew32(a, E1000_TCTL, 0);
	er32(a, E1000_STATUS);	/* flush the writes */
}

/*
 * One received frame: copy it into a pbuf and give it to lwIP. A frame the
 * device split over several descriptors (EOP clear: longer than a buffer)
 * is dropped whole: its first descriptor starts a discard that lasts up to
 * and including the descriptor with EOP, even across polls
 * (a->rx_discarding), so no part of it ever reaches lwIP.
 */
static void lwip_e1000_rx_frame(struct lwip_e1000_adapter *a,
				const struct e1000_rx_desc *d, const u8 *buf)
{
	u16 len = le16_to_cpu(d->length);
	bool eop = d->status & E1000_RXD_STAT_EOP;
	struct pbuf *p;

	if (a->rx_discarding || !eop) {
		if (!a->rx_discarding) {	/* count the frame once */
			a->stats.rx_errors++;
			a->stats.rx_multi_desc++;
			LINK_STATS_INC(link.lenerr);
			MIB2_STATS_NETIF_INC(&a->netif, ifinerrors);
		}
		a->rx_discarding = !eop;
		return;
	}
	if ((d->errors & E1000_RXD_ERR_FRAME) || len > LWIP_E1000_BUF_SIZE || len < 14) {
		a->stats.rx_errors++;	/* bad frame */
		LINK_STATS_INC(link.err);
		MIB2_STATS_NETIF_INC(&a->netif, ifinerrors);
		return;
	}
	if (a->csum_offload && !(d->status & E1000_RXD_STAT_IXSM) &&
	    (d->errors & (E1000_RXD_ERR_IPE | E1000_RXD_ERR_TCPE))) {
		a->stats.rx_csum_errors++;
		LINK_STATS_INC(link.chkerr);
		MIB2_STATS_NETIF_INC(&a->netif, ifinerrors);
		return;
	}
	p = pbuf_alloc(PBUF_RAW, len, PBUF_POOL);
	if (!p) {
		a->stats.rx_dropped++;
		LINK_STATS_INC(link.memerr);
		MIB2_STATS_NETIF_INC(&a->netif, ifindiscards);
		return;
	}
	pbuf_take(p, buf, len);
	a->stats.rx_packets++;
	a->stats.rx_bytes += len;
	LINK_STATS_INC(link.recv);
	MIB2_STATS_NETIF_ADD(&a->netif, ifinoctets, len);
	if (buf[0] & 1)		/* group bit of the destination MAC */
		MIB2_STATS_NETIF_INC(&a->netif, ifinnucastpkts);
	else
		MIB2_STATS_NETIF_INC(&a->netif, ifinucastpkts);
	if (a->netif.input(p, &a->netif) != ERR_OK) {
		pbuf_free(p);
		a->stats.rx_dropped++;
		LINK_STATS_INC(link.drop);
	}
}

/**
 * lwip_e1000_rx_pending() - whether the next RX descriptor is done.
 * @a: the adapter
 *
 * Context: the IRQ thread (the only reader of the RX ring).
 * Return: true if the device has written back a frame not yet taken.
 */
bool lwip_e1000_rx_pending(struct lwip_e1000_adapter *a)
{
	const struct e1000_rx_desc *d = &((struct e1000_rx_desc *)a->rx.desc)[a->rx.next];

	return READ_ONCE(d->status) & E1000_RXD_STAT_DD;
}

/**
 * lwip_e1000_rx_poll() - pass up to @budget received frames to lwIP.
 * @a: the adapter
 * @budget: the most descriptors to take
 *
 * Buffers go back to the device every LWIP_E1000_RX_REFILL descriptors, not
 * once at the end: a device that finds the ring full holds frames back in
 * QEMU's queue, and the first tail write after that delivers as many as
 * there are free buffers and drops all the others (counted in MPC), so the
 * ring must never run dry while a batch is being handed to lwIP.
 *
 * Context: the IRQ thread; takes the tcpip core lock once for the batch.
 * Return: the number of descriptors processed.
 */
unsigned int lwip_e1000_rx_poll(struct lwip_e1000_adapter *a, unsigned int budget)
{
	struct e1000_rx_desc *ring = a->rx.desc;
	unsigned int done = 0, i = a->rx.next, last = 0, held = 0;

	LOCK_TCPIP_CORE();
	while (done < budget) {
		struct e1000_rx_desc *d = &ring[i];

		if (!(READ_ONCE(d->status) & E1000_RXD_STAT_DD))
			break;
		/* Read length and errors only after seeing DD set. */
		dma_rmb();
		lwip_e1000_rx_frame(a, d, a->rx.bufs + i * LWIP_E1000_BUF_SIZE);
		d->status = 0;
		last = i;
		i = ring_next(&a->rx, i);
		done++;
		/* writel() orders the cleared descriptors before the tail moves. */
		if (++held == LWIP_E1000_RX_REFILL) {
			ew32(a, E1000_RDT, last);
			held = 0;
		}
	}
	a->rx.next = i;
	if (held)
		ew32(a, E1000_RDT, last);
	UNLOCK_TCPIP_CORE();
	return done;
}

/* Take back the TX descriptors the device has finished with. */
static void lwip_e1000_tx_reclaim(struct lwip_e1000_adapter *a)
{
	struct e1000_tx_desc *ring = a->tx.desc;

	while (a->tx.clean != a->tx.next &&
	       (READ_ONCE(ring[a->tx.clean].status) & E1000_TXD_STAT_DD))
		a->tx.clean = ring_next(&a->tx, a->tx.clean);
}

/* No room for a context and a data descriptor; one slot stays empty. */
static bool lwip_e1000_tx_full(struct lwip_e1000_adapter *a)
{
	unsigned int next = ring_next(&a->tx, a->tx.next);

	return next == a->tx.clean || ring_next(&a->tx, next) == a->tx.clean;
}

/*
 * Checksum offload for the IPv4 frame in @buf: seed the TCP/UDP checksum
 * with the pseudo-header sum (the device sums from tucss to the end and
 * stores the complement), write a context descriptor at slot *@i if the
 * layout differs from the last one, and return the data descriptor's POPTS.
 * IP fragments get only the header checksum: the device would sum just the
 * fragment (lwIP leaves their UDP checksum 0, "none", with GEN_UDP off).
 */
static u8 lwip_e1000_tx_csum(struct lwip_e1000_adapter *a, u8 *buf,
			     unsigned int len, unsigned int *i)
{
	const unsigned int ip = ETH_HLEN;
	unsigned int ihl, l4len, cso = 0;
	struct e1000_ctx_desc *c;
	u8 proto;
	u32 key;

	if (len < ip + 20 || get_unaligned_be16(buf + 12) != ETH_P_IP ||
	    (buf[ip] >> 4) != 4)
		return 0;
	ihl = (buf[ip] & 0xf) * 4;
	proto = buf[ip + 9];
	if (ihl < 20 || len < ip + ihl + 8)
		return 0;
	if (!(get_unaligned_be16(buf + ip + 6) & 0x3fff)) {	/* MF, offset */
		if (proto == IPPROTO_TCP && len >= ip + ihl + 20)
			cso = 16;
		else if (proto == IPPROTO_UDP)
			cso = 6;
	}
	if (cso) {
		l4len = get_unaligned_be16(buf + ip + 2) - ihl;
		put_unaligned(~csum_tcpudp_magic(get_unaligned((__be32 *)(buf + ip + 12)),
						 get_unaligned((__be32 *)(buf + ip + 16)),
						 l4len, proto, 0),
			      (__sum16 *)(buf + ip + ihl + cso));
	}
	key = BIT(31) | ihl | cso << 8 | proto << 16;
	if (key != a->tx_ctx) {
		c = &((struct e1000_ctx_desc *)a->tx.desc)[*i];
		c->ipcss = ip;
		c->ipcso = ip + 10;
		c->ipcse = cpu_to_le16(ip + ihl - 1);
		c->tucss = cso ? ip + ihl : 0;
		c->tucso = cso ? ip + ihl + cso : 0;
		c->tucse = 0;
		c->cmd_len = cpu_to_le32(E1000_TXD_X_DEXT | E1000_TXD_X_RS |
					 E1000_TXD_CTX_IP |
					 (proto == IPPROTO_TCP ? E1000_TXD_CTX_TCP : 0));
		c->status = 0;
		c->hdr_len = 0;
		c->mss = 0;
		a->tx_ctx = key;
		*i = ring_next(&a->tx, *i);
	}
	return E1000_TXD_POPTS_IXSM | (cso ? E1000_TXD_POPTS_TXSM : 0);
}

/**
 * lwip_e1000_xmit() - lwIP's linkoutput: queue one frame for transmission.
 * @netif: the netif
 * @p: the frame, a pbuf chain
 *
 * Context: any lwIP context; the tcpip core lock is held.
 * Return: ERR_OK, ERR_MEM when the ring is full, ERR_VAL when @p is too big.
 */
err_t lwip_e1000_xmit(struct netif *netif, struct pbuf *p)
{
	struct lwip_e1000_adapter *a = netif->state;
	unsigned int i, len = p->tot_len;
	struct e1000_tx_desc *d;
	u8 *buf, popts = 0;

	lwip_e1000_tx_reclaim(a);
	i = a->tx.next;
	if (lwip_e1000_tx_full(a)) {
		/* full of frames not rung in yet: ring now, take back */
		ew32(a, E1000_TDT, i);
		lwip_e1000_tx_reclaim(a);
	}
	if (lwip_e1000_tx_full(a)) {
		a->stats.tx_ring_full++;
		a->stats.tx_dropped++;
		LINK_STATS_INC(link.memerr);
		MIB2_STATS_NETIF_INC(netif, ifoutdiscards);
		return ERR_MEM;
	}
	if (p->tot_len > LWIP_E1000_BUF_SIZE) {
		a->stats.tx_dropped++;
		LINK_STATS_INC(link.lenerr);
		MIB2_STATS_NETIF_INC(netif, ifouterrors);
		return ERR_VAL;
	}
	/* The frame goes in the buffer of the slot its data descriptor will
	 * use; DD of that slot was seen (or it was never used), so the device
	 * is done reading it.
	 */
	buf = a->tx.bufs + i * LWIP_E1000_BUF_SIZE;
	pbuf_copy_partial(p, buf, len, 0);
	if (a->csum_offload) {
		unsigned int data = i;

		popts = lwip_e1000_tx_csum(a, buf, len, &data);
		if (data != i) {	/* a context took slot i: move the frame on */
			memcpy(a->tx.bufs + data * LWIP_E1000_BUF_SIZE, buf, len);
			i = data;
		}
	}
	d = &((struct e1000_tx_desc *)a->tx.desc)[i];
	if (popts) {
		struct e1000_data_desc *x = (struct e1000_data_desc *)d;

		x->addr = cpu_to_le64(a->tx.bufs_dma + i * LWIP_E1000_BUF_SIZE);
		x->cmd_len = cpu_to_le32(len | E1000_TXD_DTYP_D | E1000_TXD_X_EOP |
					 E1000_TXD_X_IFCS | E1000_TXD_X_RS |
					 E1000_TXD_X_DEXT);
		x->status = 0;
		x->popts = popts;
		x->special = 0;
		a->stats.tx_csum_offload++;
	} else {
		d->addr = cpu_to_le64(a->tx.bufs_dma + i * LWIP_E1000_BUF_SIZE);
		d->length = cpu_to_le16(len);
		d->cso = 0;
		d->css = 0;
		d->special = 0;
		d->status = 0;
		d->cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
	}
	a->tx.next = ring_next(&a->tx, i);
	a->stats.tx_packets++;
	a->stats.tx_bytes += p->tot_len;
	LINK_STATS_INC(link.xmit);
	MIB2_STATS_NETIF_ADD(netif, ifoutoctets, p->tot_len);
	if (((const u8 *)p->payload)[0] & 1)
		MIB2_STATS_NETIF_INC(netif, ifoutnucastpkts);
	else
		MIB2_STATS_NETIF_INC(netif, ifoutucastpkts);
	lwipk_defer(&a->tx_doorbell);
	return ERR_OK;
}
