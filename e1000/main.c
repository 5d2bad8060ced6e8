// SPDX-License-Identifier: GPL-2.0
/*
 * lwip_e1000.ko: PCI driver for QEMU's Intel 8254x NICs, one lwIP netif each.
 *
 * probe: enable, regions, bus mastering, DMA mask, BAR 0, reset, MAC, link,
 * rings, netif, IRQ (shared INTx) last; remove undoes it in reverse order.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/interrupt.h>
#include <linux/idr.h>
#include <linux/inet.h>
#include <linux/seq_file.h>
#include <linux/sched.h>

#include "lwip/opt.h"
#include "lwip/tcpip.h"
#include "lwip/etharp.h"
#include "lwip/dhcp.h"
#include "netif/ethernet.h"
#include "lwipk/lwipk.h"
#include "lwip_e1000.h"

static char *ip[LWIP_E1000_MAX_NICS];
static char *netmask[LWIP_E1000_MAX_NICS];
static char *gw[LWIP_E1000_MAX_NICS];
static bool dhcp[LWIP_E1000_MAX_NICS];
module_param_array(ip, charp, NULL, 0444);
MODULE_PARM_DESC(ip, "IPv4 address per NIC (default 10.0.2.15, 10.0.3.15, ...)");
module_param_array(netmask, charp, NULL, 0444);
MODULE_PARM_DESC(netmask, "Netmask per NIC (default 255.255.255.0)");
module_param_array(gw, charp, NULL, 0444);
MODULE_PARM_DESC(gw, "Gateway per NIC (default 10.0.2.2, 10.0.3.2, ...); the first NIC is the default route");
module_param_array(dhcp, bool, NULL, 0444);
MODULE_PARM_DESC(dhcp, "Use lwIP's DHCP client instead of a static address, per NIC (e.g. dhcp=1,0)");

static bool csum_offload = true;
module_param(csum_offload, bool, 0444);
MODULE_PARM_DESC(csum_offload, "Let the NIC insert (TX) and check (RX) IPv4/TCP/UDP checksums (default on)");

/* rx_descs/tx_descs: refused at insmod unless a multiple of 8 in 8..4096 */
static int lwip_e1000_param_set_descs(const char *val, const struct kernel_param *kp)
{
	unsigned int n;

	if (kstrtouint(val, 0, &n) || n < LWIP_E1000_DESCS_MIN ||
	    n > LWIP_E1000_DESCS_MAX || n % 8) {
		pr_err("%s=%s: must be a multiple of 8 from %d to %d\n", kp->name,
		       val, LWIP_E1000_DESCS_MIN, LWIP_E1000_DESCS_MAX);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = n;
	return 0;
}

static const struct kernel_param_ops lwip_e1000_descs_ops = {
	.set = lwip_e1000_param_set_descs,
	.get = param_get_uint,
};

static unsigned int rx_descs = LWIP_E1000_RX_DESCS;
module_param_cb(rx_descs, &lwip_e1000_descs_ops, &rx_descs, 0444);
MODULE_PARM_DESC(rx_descs, "RX ring descriptors (and 2 KiB buffers) per NIC, a multiple of 8 (default 2048)");
static unsigned int tx_descs = LWIP_E1000_TX_DESCS;
module_param_cb(tx_descs, &lwip_e1000_descs_ops, &tx_descs, 0444);
MODULE_PARM_DESC(tx_descs, "TX ring descriptors (and 2 KiB buffers) per NIC, a multiple of 8 (default 64)");

static DEFINE_IDA(lwip_e1000_ida);

static const struct pci_device_id lwip_e1000_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_INTEL, 0x100e) },	/* 82540EM, QEMU "e1000" */
	{ PCI_DEVICE(PCI_VENDOR_ID_INTEL, 0x100f) },	/* 82545EM copper */
	{ PCI_DEVICE(PCI_VENDOR_ID_INTEL, 0x100c) },	/* 82544GC copper */
	{ }
};
MODULE_DEVICE_TABLE(pci, lwip_e1000_ids);

/* A parameter's address, or the per-NIC default 10.0.<2+index>.<host>. */
static int lwip_e1000_param_addr(const char *param, int index, u8 host,
				 const char *what, ip4_addr_t *addr)
{
	u8 b[4];

	if (!param) {
		IP4_ADDR(addr, 10, 0, 2 + index, host);
		return 0;
	}
	if (!in4_pton(param, -1, b, -1, NULL)) {
		pr_err("bad %s '%s' for NIC %d\n", what, param, index);
		return -EINVAL;
	}
	IP4_ADDR(addr, b[0], b[1], b[2], b[3]);
	return 0;
}

static void lwip_e1000_show(struct seq_file *m, struct netif *netif)
{
	struct lwip_e1000_adapter *a = netif->state;
	const struct lwip_e1000_stats *s = &a->stats;

	seq_printf(m, "  e1000 %s rx_packets %llu rx_bytes %llu rx_dropped %llu rx_errors %llu rx_overruns %llu rx_missed %llu\n",
		   pci_name(a->pdev), s->rx_packets, s->rx_bytes, s->rx_dropped,
		   s->rx_errors, s->rx_overruns, (u64)(er32(a, E1000_MPC) - a->mpc_base));
	seq_printf(m, "  e1000 tx_packets %llu tx_bytes %llu tx_dropped %llu tx_ring_full %llu irqs %llu polls %llu\n",
		   s->tx_packets, s->tx_bytes, s->tx_dropped, s->tx_ring_full,
		   s->irqs, s->polls);
	seq_printf(m, "  e1000 csum_offload %s tx_csum_offloaded %llu rx_csum_errors %llu rx_multi_desc %llu\n",
		   a->csum_offload ? "on" : "off", s->tx_csum_offload, s->rx_csum_errors,
		   s->rx_multi_desc);
}

static const struct lwipk_netif_ops lwip_e1000_netif_ops = {
	.show = lwip_e1000_show,
};

static err_t lwip_e1000_netif_init(struct netif *netif)
{
	struct lwip_e1000_adapter *a = netif->state;

	netif->name[0] = 'e';
	netif->name[1] = 'n';
	netif->output = etharp_output;
	netif->linkoutput = lwip_e1000_xmit;
	netif->mtu = 1500;
	netif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(netif->hwaddr, a->mac, ETH_HWADDR_LEN);
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	if (a->csum_offload)	/* the device fills these in */
		NETIF_SET_CHECKSUM_CTRL(netif, NETIF_CHECKSUM_ENABLE_ALL &
					~(NETIF_CHECKSUM_GEN_IP | NETIF_CHECKSUM_GEN_UDP |
					  NETIF_CHECKSUM_GEN_TCP));
	return ERR_OK;
}

static int lwip_e1000_netif_add(struct lwip_e1000_adapter *a)
{
	int i = a->index;
	ip4_addr_t addr, mask, gateway;
	int err;

	err = lwip_e1000_param_addr(ip[i], i, 15, "ip", &addr);
	if (!err)
		err = lwip_e1000_param_addr(gw[i], i, 2, "gw", &gateway);
	if (!err && netmask[i])
		err = lwip_e1000_param_addr(netmask[i], i, 0, "netmask", &mask);
	else
		IP4_ADDR(&mask, 255, 255, 255, 0);
	if (err)
		return err;
	if (dhcp[i]) {
		ip4_addr_set_zero(&addr);
		ip4_addr_set_zero(&mask);
		ip4_addr_set_zero(&gateway);
	}

	LOCK_TCPIP_CORE();
	if (!netif_add(&a->netif, &addr, &mask, &gateway, a,
		       lwip_e1000_netif_init, ethernet_input)) {
		UNLOCK_TCPIP_CORE();
		return -ENOMEM;
	}
	lwipk_netif_set_ops(&a->netif, &lwip_e1000_netif_ops);
	a->link_up = lwip_e1000_link_is_up(a);
	if (a->link_up)
		netif_set_link_up(&a->netif);
	netif_set_up(&a->netif);
	if (i == 0)
		netif_set_default(&a->netif);
	if (dhcp[i] && dhcp_start(&a->netif) != ERR_OK)
		dev_warn(&a->pdev->dev, "DHCP did not start\n");
	UNLOCK_TCPIP_CORE();
	return 0;
}

static void lwip_e1000_netif_remove(struct lwip_e1000_adapter *a)
{
	LOCK_TCPIP_CORE();
	if (dhcp[a->index]) {
		dhcp_release_and_stop(&a->netif);
		dhcp_cleanup(&a->netif);
	}
	netif_set_down(&a->netif);
	netif_remove(&a->netif);
	UNLOCK_TCPIP_CORE();
}

static void lwip_e1000_link_changed(struct lwip_e1000_adapter *a)
{
	bool up = lwip_e1000_link_is_up(a);

	if (up == a->link_up)
		return;
	a->link_up = up;
	LOCK_TCPIP_CORE();
	if (up)
		netif_set_link_up(&a->netif);
	else
		netif_set_link_down(&a->netif);
	UNLOCK_TCPIP_CORE();
	dev_info(&a->pdev->dev, "link %s\n", up ? "up" : "down");
}

/* Hard IRQ: claim and clear the cause, mask the device, defer the work. */
static irqreturn_t lwip_e1000_intr(int irq, void *data)
{
	struct lwip_e1000_adapter *a = data;
	u32 icr = er32(a, E1000_ICR);	/* reading clears the causes */

	if (!icr)
		return IRQ_NONE;	/* shared line: not ours */
	a->stats.irqs++;
	atomic_or(icr, &a->pending);
	ew32(a, E1000_IMC, ~0u);	/* quiet until the thread is done */
	return IRQ_WAKE_THREAD;
}

/* IRQ thread: link changes, then RX in budgeted batches, then unmask. */
static irqreturn_t lwip_e1000_irq_thread(int irq, void *data)
{
	struct lwip_e1000_adapter *a = data;
	u32 icr = atomic_xchg(&a->pending, 0);

	/*
	 * IRQ threads start SCHED_FIFO. Ours does ordinary protocol work under
	 * lwIP's core lock; as a real-time thread it starved the tcpip thread
	 * and the readers it feeds during receive bursts (the kernel throttled
	 * it under make bench). It competes like any other thread instead.
	 */
	if (unlikely(!a->irq_thread_normal)) {
		sched_set_normal(current, 0);
		a->irq_thread_normal = true;
	}

	if (icr & E1000_ICR_RXO)
		a->stats.rx_overruns++;
	if (icr & E1000_ICR_LSC)
		lwip_e1000_link_changed(a);
	/* Until a poll comes back short with nothing new behind it: a frame
	 * that arrives after that has latched RXT0, so unmasking raises the
	 * interrupt again and nothing waits. Or until remove() started: under
	 * a steady load the ring may never drain, and remove() waits for this
	 * thread (20 s and a hung task on the debug kernel, where each frame
	 * costs much more).
	 */
	for (;;) {
		if (READ_ONCE(a->removing))
			break;
		a->stats.polls++;
		if (lwip_e1000_rx_poll(a, LWIP_E1000_RX_BUDGET) < LWIP_E1000_RX_BUDGET &&
		    !lwip_e1000_rx_pending(a))
			break;
		cond_resched();
	}
	/*
	 * remove() sets a->removing, masks the device and waits for this
	 * thread (synchronize_irq()) before it masks once more and frees the
	 * IRQ. A run that saw the flag clear may unmask after remove's first
	 * mask: remove's second mask, after the wait, covers it; a run that
	 * starts after the flag is set never unmasks. So no interrupt is left
	 * enabled on the shared line once the handler is gone.
	 */
	if (!READ_ONCE(a->removing))
		lwip_e1000_irq_enable(a);
	return IRQ_HANDLED;
}

static int lwip_e1000_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct lwip_e1000_adapter *a;
	int err;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->pdev = pdev;
	a->csum_offload = csum_offload;
	a->index = ida_alloc_max(&lwip_e1000_ida, LWIP_E1000_MAX_NICS - 1, GFP_KERNEL);
	if (a->index < 0) {
		err = a->index;
		dev_err(&pdev->dev, "more than %d NICs\n", LWIP_E1000_MAX_NICS);
		goto err_free_adapter;
	}
	err = pci_enable_device_mem(pdev);
	if (err)
		goto err_free_index;
	err = pci_request_mem_regions(pdev, KBUILD_MODNAME);
	if (err)
		goto err_disable_device;
	pci_set_master(pdev);
	err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (err)
		err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (err) {
		dev_err(&pdev->dev, "no usable DMA mask\n");
		goto err_release_regions;
	}
	a->hw = pci_ioremap_bar(pdev, 0);
	if (!a->hw) {
		err = -ENOMEM;
		goto err_release_regions;
	}
	pci_set_drvdata(pdev, a);
	err = lwip_e1000_reset(a);
	if (err)
		goto err_unmap;
	err = lwip_e1000_read_mac(a);
	if (err) {
		dev_err(&pdev->dev, "no valid MAC address\n");
		goto err_unmap;
	}
	lwip_e1000_link_setup(a);
	a->mpc_base = er32(a, E1000_MPC);
	err = lwip_e1000_rings_alloc(a, rx_descs, tx_descs);
	if (err)
		goto err_unmap;
	lwip_e1000_rings_start(a);
	err = lwip_e1000_netif_add(a);
	if (err)
		goto err_stop_rings;
	err = request_threaded_irq(pdev->irq, lwip_e1000_intr, lwip_e1000_irq_thread,
				   IRQF_SHARED, KBUILD_MODNAME, a);
	if (err) {
		dev_err(&pdev->dev, "cannot get IRQ %d: %d\n", pdev->irq, err);
		goto err_remove_netif;
	}
	lwip_e1000_irq_enable(a);
	lwip_e1000_debugfs_add(a);	/* optional: no error to undo */
	dev_info(&pdev->dev, "%pM on lwIP netif en%u, link %s\n", a->mac,
		 a->netif.num, a->link_up ? "up" : "down");
	return 0;

err_remove_netif:
	lwip_e1000_netif_remove(a);
err_stop_rings:
	lwip_e1000_reset(a);	/* stops all DMA */
	lwip_e1000_rings_free(a);
err_unmap:
	iounmap(a->hw);
err_release_regions:
	pci_clear_master(pdev);
	pci_release_mem_regions(pdev);
err_disable_device:
	pci_disable_device(pdev);
err_free_index:
	ida_free(&lwip_e1000_ida, a->index);
err_free_adapter:
	kfree(a);
	return err;
}

static void lwip_e1000_remove(struct pci_dev *pdev)
{
	struct lwip_e1000_adapter *a = pci_get_drvdata(pdev);

	lwip_e1000_debugfs_remove(a);	/* waits for a tx_ceiling run */
	WRITE_ONCE(a->removing, true);	/* the IRQ thread unmasks no more */
	lwip_e1000_irq_disable(a);
	synchronize_irq(pdev->irq);	/* waits for a running IRQ thread */
	lwip_e1000_irq_disable(a);	/* in case it unmasked before the flag */
	free_irq(pdev->irq, a);
	lwip_e1000_netif_remove(a);
	lwip_e1000_rings_stop(a);
	lwip_e1000_reset(a);		/* no DMA after this */
	lwip_e1000_rings_free(a);
	iounmap(a->hw);
	pci_clear_master(pdev);
	pci_release_mem_regions(pdev);
	pci_disable_device(pdev);
	ida_free(&lwip_e1000_ida, a->index);
	kfree(a);
}

static struct pci_driver lwip_e1000_driver = {
	.name = KBUILD_MODNAME,
	.id_table = lwip_e1000_ids,
	.probe = lwip_e1000_probe,
	.remove = lwip_e1000_remove,
};

static int __init lwip_e1000_init(void)
{
	return pci_register_driver(&lwip_e1000_driver);
}
module_init(lwip_e1000_init);

static void __exit lwip_e1000_exit(void)
{
	pci_unregister_driver(&lwip_e1000_driver);
	lwip_e1000_debugfs_exit();
}
module_exit(lwip_e1000_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Intel 8254x (QEMU e1000) driver for the lwIP stack");
MODULE_IMPORT_NS(LWIP);
