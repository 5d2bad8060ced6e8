// SPDX-License-Identifier: GPL-2.0
/*
 * lwip_e1000.ko: hardware access - reset, MAC address, link, interrupts.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/etherdevice.h>

#include "lwip_e1000.h"

/**
 * lwip_e1000_reset() - reset the device and leave its interrupts masked.
 * @a: the adapter
 *
 * Return: 0, or -EIO if the reset bit never clears.
 */
int lwip_e1000_reset(struct lwip_e1000_adapter *a)
{
	int i;

	ew32(a, E1000_IMC, ~0u);
	ew32(a, E1000_RCTL, 0);
	ew32(a, E1000_TCTL, 0);
	er32(a, E1000_STATUS);	/* flush the posted writes before the reset */
	usleep_range(10000, 20000);
	ew32(a, E1000_CTRL, er32(a, E1000_CTRL) | E1000_CTRL_RST);
	for (i = 0; i < 100; i++) {
		usleep_range(1000, 2000);
		if (!(er32(a, E1000_CTRL) & E1000_CTRL_RST))
			break;
	}
	if (er32(a, E1000_CTRL) & E1000_CTRL_RST) {
		dev_err(&a->pdev->dev, "device reset did not complete\n");
		return -EIO;
	}
	ew32(a, E1000_IMC, ~0u);
	er32(a, E1000_ICR);	/* drop causes latched during the reset */
	return 0;
}

static int lwip_e1000_eeprom_word(struct lwip_e1000_adapter *a, u8 addr, u16 *word)
{
	u32 v = 0;
	int i;

	ew32(a, E1000_EERD, E1000_EERD_START | (addr << E1000_EERD_ADDR_SHIFT));
	for (i = 0; i < 1000; i++) {
		v = er32(a, E1000_EERD);
		if (v & E1000_EERD_DONE)
			break;
		udelay(5);
	}
	if (!(v & E1000_EERD_DONE))
		return -EIO;
	*word = v >> E1000_EERD_DATA_SHIFT;
	return 0;
}

/**
 * lwip_e1000_read_mac() - the MAC address, from receive address 0 or EEPROM.
 * @a: the adapter; a->mac is filled in
 *
 * Return: 0, or -EADDRNOTAVAIL when neither source has a valid address.
 */
int lwip_e1000_read_mac(struct lwip_e1000_adapter *a)
{
	u32 ral = er32(a, E1000_RAL0), rah = er32(a, E1000_RAH0);
	u16 w;
	int i;

	if (rah & E1000_RAH_AV) {
		a->mac[0] = ral;
		a->mac[1] = ral >> 8;
		a->mac[2] = ral >> 16;
		a->mac[3] = ral >> 24;
		a->mac[4] = rah;
		a->mac[5] = rah >> 8;
		if (is_valid_ether_addr(a->mac))
			return 0;
	}
	for (i = 0; i < 3; i++) {
		if (lwip_e1000_eeprom_word(a, i, &w))
			return -EADDRNOTAVAIL;
		a->mac[2 * i] = w & 0xff;
		a->mac[2 * i + 1] = w >> 8;
	}
	if (!is_valid_ether_addr(a->mac))
		return -EADDRNOTAVAIL;
	/* Make the device filter on the address we use. */
	ew32(a, E1000_RAL0, a->mac[0] | a->mac[1] << 8 | a->mac[2] << 16 |
	     a->mac[3] << 24);
	ew32(a, E1000_RAH0, a->mac[4] | a->mac[5] << 8 | E1000_RAH_AV);
	return 0;
}

/**
 * lwip_e1000_link_setup() - bring the link up (auto speed, full duplex).
 * @a: the adapter
 */
void lwip_e1000_link_setup(struct lwip_e1000_adapter *a)
{
	u32 ctrl = er32(a, E1000_CTRL);
	int i;

	ctrl |= E1000_CTRL_SLU | E1000_CTRL_ASDE;
	ctrl &= ~(E1000_CTRL_LRST | E1000_CTRL_PHY_RST | E1000_CTRL_ILOS);
	ew32(a, E1000_CTRL, ctrl);
	for (i = 0; i < 128; i++)	/* no multicast */
		ew32(a, E1000_MTA + 4 * i, 0);
}

/**
 * lwip_e1000_link_is_up() - STATUS.LU.
 * @a: the adapter
 *
 * Return: true if the link is up.
 */
bool lwip_e1000_link_is_up(struct lwip_e1000_adapter *a)
{
	return er32(a, E1000_STATUS) & E1000_STATUS_LU;
}

/**
 * lwip_e1000_irq_enable() - unmask the interrupts the driver handles.
 * @a: the adapter
 */
void lwip_e1000_irq_enable(struct lwip_e1000_adapter *a)
{
	ew32(a, E1000_IMS, E1000_IMS_WANTED);
}

/**
 * lwip_e1000_irq_disable() - mask every interrupt and wait for the write.
 * @a: the adapter
 */
void lwip_e1000_irq_disable(struct lwip_e1000_adapter *a)
{
	ew32(a, E1000_IMC, ~0u);
	er32(a, E1000_STATUS);	/* flush: no new interrupt after this */
}
