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
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>

#include "lwip/opt.h"
#include "lwip/pbuf.h"
#include "lwip/tcpip.h"
#include "lwip/stats.h"
#include "lwip/snmp.h"
#include "lwip_e1000.h"

#define RING_BYTES(desc)	(LWIP_E1000_RING_SIZE * sizeof(desc))
#define BUF_BYTES		(LWIP_E1000_RING_SIZE * LWIP_E1000_BUF_SIZE)
#define NEXT(i)			(((i) + 1) % LWIP_E1000_RING_SIZE)

static int lwip_e1000_ring_alloc(struct lwip_e1000_adapter *a,
				 struct lwip_e1000_ring *r, size_t desc_bytes)
{
	struct device *dev = &a->pdev->dev;

	r->desc = dma_alloc_coherent(dev, desc_bytes, &r->desc_dma, GFP_KERNEL);
	if (!r->desc)
		return -ENOMEM;
	r->bufs = dma_alloc_coherent(dev, BUF_BYTES, &r->bufs_dma, GFP_KERNEL);
	if (!r->bufs) {
		dma_free_coherent(dev, desc_bytes, r->desc, r->desc_dma);
		r->desc = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void lwip_e1000_ring_free(struct lwip_e1000_adapter *a,
				 struct lwip_e1000_ring *r, size_t desc_bytes)
{
	struct device *dev = &a->pdev->dev;

	if (r->bufs)
		dma_free_coherent(dev, BUF_BYTES, r->bufs, r->bufs_dma);
	if (r->desc)
		dma_free_coherent(dev, desc_bytes, r->desc, r->desc_dma);
	r->bufs = NULL;
	r->desc = NULL;
}

/**
 * lwip_e1000_rings_alloc() - allocate both rings and their buffers.
 * @a: the adapter
 *
 * Return: 0, or -ENOMEM.
 */
int lwip_e1000_rings_alloc(struct lwip_e1000_adapter *a)
{
	int err;

	err = lwip_e1000_ring_alloc(a, &a->rx, RING_BYTES(struct e1000_rx_desc));
	if (err)
		return err;
	err = lwip_e1000_ring_alloc(a, &a->tx, RING_BYTES(struct e1000_tx_desc));
	if (err)
		lwip_e1000_ring_free(a, &a->rx, RING_BYTES(struct e1000_rx_desc));
	return err;
}

/**
 * lwip_e1000_rings_free() - free what lwip_e1000_rings_alloc() allocated.
 * @a: the adapter; the device must no longer use the rings
 */
void lwip_e1000_rings_free(struct lwip_e1000_adapter *a)
{
	lwip_e1000_ring_free(a, &a->tx, RING_BYTES(struct e1000_tx_desc));
	lwip_e1000_ring_free(a, &a->rx, RING_BYTES(struct e1000_rx_desc));
}

/**
 * lwip_e1000_rings_start() - hand the rings to the device, enable RX and TX.
 * @a: the adapter
 */
void lwip_e1000_rings_start(struct lwip_e1000_adapter *a)
{
	struct e1000_rx_desc *rxd = a->rx.desc;
	struct e1000_tx_desc *txd = a->tx.desc;
	int i;

	memset(rxd, 0, RING_BYTES(*rxd));
	for (i = 0; i < LWIP_E1000_RING_SIZE; i++)
		rxd[i].addr = cpu_to_le64(a->rx.bufs_dma + i * LWIP_E1000_BUF_SIZE);
	a->rx.next = 0;
	ew32(a, E1000_RDBAL, lower_32_bits(a->rx.desc_dma));
	ew32(a, E1000_RDBAH, upper_32_bits(a->rx.desc_dma));
	ew32(a, E1000_RDLEN, RING_BYTES(*rxd));
	ew32(a, E1000_RDH, 0);
	/* The device owns [RDH, RDT): all but one descriptor. */
	ew32(a, E1000_RDT, LWIP_E1000_RING_SIZE - 1);
	ew32(a, E1000_RDTR, 0);
	ew32(a, E1000_RXCSUM, 0);
	ew32(a, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SZ_2048 |
	     E1000_RCTL_SECRC);

	memset(txd, 0, RING_BYTES(*txd));
	a->tx.next = 0;
	a->tx.clean = 0;
	ew32(a, E1000_TDBAL, lower_32_bits(a->tx.desc_dma));
	ew32(a, E1000_TDBAH, upper_32_bits(a->tx.desc_dma));
	ew32(a, E1000_TDLEN, RING_BYTES(*txd));
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

/* One received frame: copy it into a pbuf and give it to lwIP. */
static void lwip_e1000_rx_frame(struct lwip_e1000_adapter *a,
				const struct e1000_rx_desc *d, const u8 *buf)
{
	u16 len = le16_to_cpu(d->length);
	struct pbuf *p;

	if (!(d->status & E1000_RXD_STAT_EOP) || (d->errors & E1000_RXD_ERR_FRAME) ||
	    len > LWIP_E1000_BUF_SIZE || len < 14) {
		a->stats.rx_errors++;	/* chained (jumbo) or bad frame */
		LINK_STATS_INC(link.err);
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
 * lwip_e1000_rx_poll() - pass up to @budget received frames to lwIP.
 * @a: the adapter
 * @budget: the most frames to take
 *
 * Context: the IRQ thread; takes the tcpip core lock once for the batch.
 * Return: the number of descriptors processed.
 */
unsigned int lwip_e1000_rx_poll(struct lwip_e1000_adapter *a, unsigned int budget)
{
	struct e1000_rx_desc *ring = a->rx.desc;
	unsigned int done = 0, i = a->rx.next, last = 0;

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
		i = NEXT(i);
		done++;
	}
	UNLOCK_TCPIP_CORE();
	a->rx.next = i;
	/* writel() orders the cleared descriptors before the tail moves. */
	if (done)
		ew32(a, E1000_RDT, last);
	return done;
}

/* Take back the TX descriptors the device has finished with. */
static void lwip_e1000_tx_reclaim(struct lwip_e1000_adapter *a)
{
	struct e1000_tx_desc *ring = a->tx.desc;

	while (a->tx.clean != a->tx.next &&
	       (READ_ONCE(ring[a->tx.clean].status) & E1000_TXD_STAT_DD))
		a->tx.clean = NEXT(a->tx.clean);
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
	struct e1000_tx_desc *d;
	unsigned int i;

	lwip_e1000_tx_reclaim(a);
	i = a->tx.next;
	if (NEXT(i) == a->tx.clean) {	/* one slot stays empty */
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
	/* DD of this slot was seen (or it was never used): the device is
	 * done reading its buffer, which may now be overwritten.
	 */
	pbuf_copy_partial(p, a->tx.bufs + i * LWIP_E1000_BUF_SIZE, p->tot_len, 0);
	d = &((struct e1000_tx_desc *)a->tx.desc)[i];
	d->addr = cpu_to_le64(a->tx.bufs_dma + i * LWIP_E1000_BUF_SIZE);
	d->length = cpu_to_le16(p->tot_len);
	d->cso = 0;
	d->css = 0;
	d->special = 0;
	d->status = 0;
	d->cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
	a->tx.next = NEXT(i);
	a->stats.tx_packets++;
	a->stats.tx_bytes += p->tot_len;
	LINK_STATS_INC(link.xmit);
	MIB2_STATS_NETIF_ADD(netif, ifoutoctets, p->tot_len);
	if (((const u8 *)p->payload)[0] & 1)
		MIB2_STATS_NETIF_INC(netif, ifoutnucastpkts);
	else
		MIB2_STATS_NETIF_INC(netif, ifoutucastpkts);
	/* writel() orders descriptor and buffer before the tail moves. */
	ew32(a, E1000_TDT, a->tx.next);
	return ERR_OK;
}
