/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private header of lwip_e1000.ko: registers and descriptors of the Intel
 * 8254x (as QEMU models them), and the adapter that ties one NIC to one lwIP
 * netif.
 *
 * Data path: IRQ (lwip_e1000_intr: read and clear the cause, mask) ->
 * threaded handler (lwip_e1000_poll: RX with a budget, link changes, unmask)
 * -> ethernet_input() under the tcpip core lock. TX: lwIP's linkoutput
 * (lwip_e1000_xmit) copies the pbuf chain into the next TX buffer; the tail
 * moves once, when lwIP lets go of the core lock (or when the ring fills), for
 * all the frames queued meanwhile; xmit reclaims what the NIC has finished.
 */
#ifndef LWIP_E1000_H
#define LWIP_E1000_H

#include <linux/types.h>
#include <linux/pci.h>
#include <linux/io.h>
#include <linux/seq_file.h>

#include "lwip/netif.h"
#include "lwipk/lwipk.h"

/* Registers (byte offsets into BAR 0) */
#define E1000_CTRL	0x0000	/* device control */
#define E1000_STATUS	0x0008	/* device status */
#define E1000_EERD	0x0014	/* EEPROM read */
#define E1000_ICR	0x00c0	/* interrupt cause read (clears on read) */
#define E1000_ITR	0x00c4	/* interrupt throttling */
#define E1000_IMS	0x00d0	/* interrupt mask set */
#define E1000_IMC	0x00d8	/* interrupt mask clear */
#define E1000_RCTL	0x0100	/* receive control */
#define E1000_TCTL	0x0400	/* transmit control */
#define E1000_TIPG	0x0410	/* transmit inter-packet gap */
#define E1000_RDBAL	0x2800	/* RX descriptor base, low/high */
#define E1000_RDBAH	0x2804
#define E1000_RDLEN	0x2808	/* RX ring length in bytes */
#define E1000_RDH	0x2810	/* RX head (device) / tail (driver) */
#define E1000_RDT	0x2818
#define E1000_RDTR	0x2820	/* RX interrupt delay */
#define E1000_TDBAL	0x3800	/* TX descriptor base, low/high */
#define E1000_TDBAH	0x3804
#define E1000_TDLEN	0x3808
#define E1000_TDH	0x3810
#define E1000_TDT	0x3818
#define E1000_MPC	0x4010	/* missed packets (QEMU: since power-on) */
#define E1000_RXCSUM	0x5000	/* RX checksum offload control */
#define E1000_MTA	0x5200	/* multicast table, 128 words */
#define E1000_RAL0	0x5400	/* receive address 0, low/high */
#define E1000_RAH0	0x5404

#define E1000_CTRL_SLU		BIT(6)	/* set link up */
#define E1000_CTRL_ASDE		BIT(5)	/* auto speed detection */
#define E1000_CTRL_LRST		BIT(3)	/* link reset */
#define E1000_CTRL_ILOS		BIT(7)	/* invert loss of signal */
#define E1000_CTRL_RST		BIT(26)	/* device reset (self-clearing) */
#define E1000_CTRL_PHY_RST	BIT(31)
#define E1000_STATUS_LU		BIT(1)	/* link up */
#define E1000_EERD_START	BIT(0)
#define E1000_EERD_DONE		BIT(4)
#define E1000_EERD_ADDR_SHIFT	8
#define E1000_EERD_DATA_SHIFT	16
#define E1000_RAH_AV		BIT(31)	/* address valid */

#define E1000_ICR_TXDW		BIT(0)	/* TX descriptor written back */
#define E1000_ICR_LSC		BIT(2)	/* link status change */
#define E1000_ICR_RXDMT0	BIT(4)	/* RX ring below minimum threshold */
#define E1000_ICR_RXO		BIT(6)	/* RX overrun */
#define E1000_ICR_RXT0		BIT(7)	/* RX timer: frames received */
#define E1000_IMS_WANTED	(E1000_ICR_LSC | E1000_ICR_RXDMT0 | \
				 E1000_ICR_RXO | E1000_ICR_RXT0)

#define E1000_RCTL_EN		BIT(1)
#define E1000_RCTL_LPE		BIT(5)	/* long packets (up to 16 KiB) */
#define E1000_RCTL_BAM		BIT(15)	/* accept broadcast */
#define E1000_RCTL_SZ_2048	0	/* buffer size bits 17:16 = 00 */
#define E1000_RCTL_SECRC	BIT(26)	/* strip the Ethernet CRC */
#define E1000_TCTL_EN		BIT(1)
#define E1000_TCTL_PSP		BIT(3)	/* pad short packets */
#define E1000_TCTL_CT		(0x10 << 4)	/* collision threshold */
#define E1000_TCTL_COLD		(0x40 << 12)	/* collision distance, FD */
#define E1000_TIPG_COPPER	(10 | (8 << 10) | (6 << 20))
#define E1000_RXCSUM_IPOFL	BIT(8)	/* IP checksum offload */
#define E1000_RXCSUM_TUOFL	BIT(9)	/* TCP/UDP checksum offload */

/* Legacy descriptors, as the device reads and writes them (little endian) */
struct e1000_rx_desc {
	__le64 addr;
	__le16 length;
	__le16 csum;
	u8 status;
	u8 errors;
	__le16 special;
};

struct e1000_tx_desc {
	__le64 addr;
	__le16 length;
	u8 cso;
	u8 cmd;
	u8 status;
	u8 css;
	__le16 special;
};

#define E1000_RXD_STAT_DD	BIT(0)	/* descriptor done */
#define E1000_RXD_STAT_EOP	BIT(1)	/* end of packet */
#define E1000_RXD_STAT_IXSM	BIT(2)	/* ignore checksum indication */
#define E1000_RXD_STAT_TCPCS	BIT(5)	/* TCP/UDP checksum computed */
#define E1000_RXD_STAT_IPCS	BIT(6)	/* IP checksum computed */
#define E1000_RXD_ERR_TCPE	BIT(5)	/* TCP/UDP checksum error */
#define E1000_RXD_ERR_IPE	BIT(6)	/* IP checksum error */
#define E1000_RXD_ERR_FRAME	0x97	/* CE, SE, SEQ, CXE, RXE */
#define E1000_TXD_CMD_EOP	BIT(0)	/* end of packet */
#define E1000_TXD_CMD_IFCS	BIT(1)	/* insert FCS */
#define E1000_TXD_CMD_RS	BIT(3)	/* report status */
#define E1000_TXD_STAT_DD	BIT(0)

/*
 * Checksum offload uses the extended descriptors: a context descriptor says
 * where the IP and TCP/UDP checksums go, data descriptors then ask for them
 * (POPTS). Both share the legacy layout's size; cmd_len holds the command
 * byte (bits 31:24), the type (23:20) and the length (19:0).
 */
struct e1000_ctx_desc {
	u8 ipcss;		/* IP checksum start, offset, end */
	u8 ipcso;
	__le16 ipcse;
	u8 tucss;		/* TCP/UDP checksum start, offset, end (0: to EOP) */
	u8 tucso;
	__le16 tucse;
	__le32 cmd_len;
	u8 status;
	u8 hdr_len;
	__le16 mss;
};

struct e1000_data_desc {
	__le64 addr;
	__le32 cmd_len;
	u8 status;
	u8 popts;
	__le16 special;
};

#define E1000_TXD_DTYP_D	BIT(20)	/* data (vs 0: context) */
#define E1000_TXD_X_EOP		BIT(24)	/* the command byte, extended */
#define E1000_TXD_X_IFCS	BIT(25)
#define E1000_TXD_X_RS		BIT(27)
#define E1000_TXD_X_DEXT	BIT(29)	/* extended descriptor */
#define E1000_TXD_CTX_TCP	BIT(24)	/* TUCMD: TCP (else UDP) */
#define E1000_TXD_CTX_IP	BIT(25)	/* TUCMD: IPv4 */
#define E1000_TXD_POPTS_IXSM	BIT(0)	/* insert IP checksum */
#define E1000_TXD_POPTS_TXSM	BIT(1)	/* insert TCP/UDP checksum */

/*
 * Descriptors per ring (module parameters rx_descs, tx_descs): a multiple
 * of 8 (RDLEN/TDLEN are multiples of 128 bytes). QEMU's model sends a
 * frame as soon as TDT moves, so a short TX ring never fills. A full RX
 * ring is another matter: QEMU queues what arrives meanwhile, and the next
 * tail write delivers as many frames as there are free buffers and drops
 * the rest of the queue (counted in MPC). 40 parallel 1 MiB downloads from
 * the host lost about 5% of their frames with 128 descriptors, 0-3% with
 * 1024, none with 2048 (tests/guest/nic.sh, nic_pull), hence the default:
 * 4 MiB of buffers, the largest one allocation the page allocator gives.
 */
#define LWIP_E1000_DESCS_MIN	8
#define LWIP_E1000_DESCS_MAX	4096
#define LWIP_E1000_RX_DESCS	2048
#define LWIP_E1000_TX_DESCS	64
#define LWIP_E1000_BUF_SIZE	2048	/* one frame per buffer, RCTL_SZ_2048 */
#define LWIP_E1000_RX_BUDGET	64	/* frames per core-lock acquisition */
#define LWIP_E1000_RX_REFILL	16	/* RX buffers given back per tail write */
#define LWIP_E1000_MAX_NICS	4

/* Counters shown in /proc/lwip/netifs; written by one context each. */
struct lwip_e1000_stats {
	u64 rx_packets, rx_bytes, rx_dropped, rx_errors, rx_overruns;
	u64 rx_multi_desc;	/* frames over several descriptors, dropped */
	u64 tx_packets, tx_bytes, tx_dropped, tx_ring_full, tx_csum_offload;
	u64 rx_csum_errors;
	u64 irqs, polls;
};

/* The last run of the TX ceiling test (debugfs tx_ceiling). */
struct lwip_e1000_ceiling {
	u64 frames, bytes, ns, ring_full;
};

struct lwip_e1000_ring {
	void *desc;		/* descriptors, coherent DMA */
	dma_addr_t desc_dma;
	u8 *bufs;		/* @count buffers, coherent DMA */
	dma_addr_t bufs_dma;
	unsigned int count;	/* descriptors, and buffers */
	unsigned int next;	/* RX: next to check; TX: next to fill */
	unsigned int clean;	/* TX: oldest not yet reclaimed */
};

struct lwip_e1000_adapter {
	struct pci_dev *pdev;
	u8 __iomem *hw;
	int index;			/* which NIC, for per-NIC parameters */
	struct netif netif;
	struct lwip_e1000_ring rx, tx;
	struct lwip_e1000_stats stats;
	atomic_t pending;		/* ICR causes for the IRQ thread */
	bool csum_offload;		/* checksums by the device, both ways */
	u32 tx_ctx;			/* the context last given, 0: none */
	struct lwipk_deferred tx_doorbell; /* TDT, at the core lock's unlock */
	u8 mac[6];
	bool link_up;
	bool rx_discarding;		/* inside a multi-descriptor frame */
	bool removing;			/* remove() started: never unmask */
	u32 mpc_base;			/* MPC at probe: QEMU's counts from
					 * power-on and does not clear on read
					 */
	bool irq_thread_normal;		/* the IRQ thread left SCHED_FIFO */
	struct dentry *debugfs;		/* this NIC's debugfs directory */
	struct lwip_e1000_ceiling ceiling;
};

static inline u32 er32(struct lwip_e1000_adapter *a, u32 reg)
{
	return readl(a->hw + reg);
}

static inline void ew32(struct lwip_e1000_adapter *a, u32 reg, u32 val)
{
	writel(val, a->hw + reg);
}

/* hw.c */
int lwip_e1000_reset(struct lwip_e1000_adapter *a);
int lwip_e1000_read_mac(struct lwip_e1000_adapter *a);
void lwip_e1000_link_setup(struct lwip_e1000_adapter *a);
bool lwip_e1000_link_is_up(struct lwip_e1000_adapter *a);
void lwip_e1000_irq_enable(struct lwip_e1000_adapter *a);
void lwip_e1000_irq_disable(struct lwip_e1000_adapter *a);

/* rings.c */
int lwip_e1000_rings_alloc(struct lwip_e1000_adapter *a, unsigned int rx_descs,
			   unsigned int tx_descs);
void lwip_e1000_rings_free(struct lwip_e1000_adapter *a);
void lwip_e1000_rings_start(struct lwip_e1000_adapter *a);
void lwip_e1000_rings_stop(struct lwip_e1000_adapter *a);
bool lwip_e1000_rx_pending(struct lwip_e1000_adapter *a);
unsigned int lwip_e1000_rx_poll(struct lwip_e1000_adapter *a, unsigned int budget);
err_t lwip_e1000_xmit(struct netif *netif, struct pbuf *p);

/* debugfs.c */
void lwip_e1000_debugfs_add(struct lwip_e1000_adapter *a);
void lwip_e1000_debugfs_remove(struct lwip_e1000_adapter *a);
void lwip_e1000_debugfs_exit(void);

#endif /* LWIP_E1000_H */
