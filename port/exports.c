// SPDX-License-Identifier: GPL-2.0
/*
 * The part of lwIP's API that the other lwipk modules use, exported in the
 * LWIP symbol namespace (users say MODULE_IMPORT_NS(LWIP)). lwIP's sources
 * stay as upstream ships them, so the exports live here.
 */
#include <linux/export.h>

#include "lwip/opt.h"
#include "lwip/sys.h"
#include "lwip/api.h"
#include "lwip/netbuf.h"
#include "lwip/pbuf.h"
#include "lwip/tcpip.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "lwip/ip_addr.h"
#include "lwip/ip.h"
#include "lwip/etharp.h"
#include "lwip/dhcp.h"
#include "netif/ethernet.h"
#include "lwipk/lwipk.h"

/* sys_arch: for the self-test module and for drivers' threads */
EXPORT_SYMBOL_NS_GPL(sys_now, LWIP);
EXPORT_SYMBOL_NS_GPL(sys_sem_new, LWIP);
EXPORT_SYMBOL_NS_GPL(sys_sem_free, LWIP);
EXPORT_SYMBOL_NS_GPL(sys_sem_signal, LWIP);
EXPORT_SYMBOL_NS_GPL(sys_arch_sem_wait, LWIP);
EXPORT_SYMBOL_NS_GPL(sys_mutex_new, LWIP);
EXPORT_SYMBOL_NS_GPL(sys_mutex_free, LWIP);
EXPORT_SYMBOL_NS_GPL(sys_mutex_lock, LWIP);
EXPORT_SYMBOL_NS_GPL(sys_mutex_unlock, LWIP);
EXPORT_SYMBOL_NS_GPL(sys_mbox_new, LWIP);
EXPORT_SYMBOL_NS_GPL(sys_mbox_free, LWIP);
EXPORT_SYMBOL_NS_GPL(sys_mbox_post, LWIP);
EXPORT_SYMBOL_NS_GPL(sys_mbox_trypost, LWIP);
EXPORT_SYMBOL_NS_GPL(sys_mbox_trypost_fromisr, LWIP);
EXPORT_SYMBOL_NS_GPL(sys_arch_mbox_fetch, LWIP);
EXPORT_SYMBOL_NS_GPL(sys_arch_mbox_tryfetch, LWIP);
EXPORT_SYMBOL_NS_GPL(sys_thread_new, LWIP);
EXPORT_SYMBOL_NS_GPL(sys_arch_protect, LWIP);
EXPORT_SYMBOL_NS_GPL(sys_arch_unprotect, LWIP);

/* tcpip thread */
EXPORT_SYMBOL_NS_GPL(tcpip_input, LWIP);
EXPORT_SYMBOL_NS_GPL(tcpip_callback, LWIP);
EXPORT_SYMBOL_NS_GPL(tcpip_try_callback, LWIP);
EXPORT_SYMBOL_NS_GPL(lock_tcpip_core, LWIP);

/* netconn API */
EXPORT_SYMBOL_NS_GPL(netconn_new_with_proto_and_callback, LWIP);
EXPORT_SYMBOL_NS_GPL(netconn_prepare_delete, LWIP);
EXPORT_SYMBOL_NS_GPL(netconn_delete, LWIP);
EXPORT_SYMBOL_NS_GPL(netconn_getaddr, LWIP);
EXPORT_SYMBOL_NS_GPL(netconn_bind, LWIP);
EXPORT_SYMBOL_NS_GPL(netconn_connect, LWIP);
EXPORT_SYMBOL_NS_GPL(netconn_disconnect, LWIP);
EXPORT_SYMBOL_NS_GPL(netconn_listen_with_backlog, LWIP);
EXPORT_SYMBOL_NS_GPL(netconn_accept, LWIP);
EXPORT_SYMBOL_NS_GPL(netconn_recv, LWIP);
EXPORT_SYMBOL_NS_GPL(netconn_recv_udp_raw_netbuf_flags, LWIP);
EXPORT_SYMBOL_NS_GPL(netconn_recv_tcp_pbuf_flags, LWIP);
EXPORT_SYMBOL_NS_GPL(netconn_tcp_recvd, LWIP);
EXPORT_SYMBOL_NS_GPL(netconn_send, LWIP);
EXPORT_SYMBOL_NS_GPL(netconn_sendto, LWIP);
EXPORT_SYMBOL_NS_GPL(netconn_write_partly, LWIP);
EXPORT_SYMBOL_NS_GPL(netconn_write_vectors_partly, LWIP);
EXPORT_SYMBOL_NS_GPL(netconn_close, LWIP);
EXPORT_SYMBOL_NS_GPL(netconn_shutdown, LWIP);
EXPORT_SYMBOL_NS_GPL(netconn_err, LWIP);
EXPORT_SYMBOL_NS_GPL(netbuf_new, LWIP);
EXPORT_SYMBOL_NS_GPL(netbuf_delete, LWIP);
EXPORT_SYMBOL_NS_GPL(netbuf_alloc, LWIP);
EXPORT_SYMBOL_NS_GPL(netbuf_free, LWIP);
EXPORT_SYMBOL_NS_GPL(netbuf_ref, LWIP);
EXPORT_SYMBOL_NS_GPL(netbuf_data, LWIP);
EXPORT_SYMBOL_NS_GPL(netbuf_next, LWIP);
EXPORT_SYMBOL_NS_GPL(netbuf_first, LWIP);

/* pbufs */
EXPORT_SYMBOL_NS_GPL(pbuf_alloc, LWIP);
EXPORT_SYMBOL_NS_GPL(pbuf_alloced_custom, LWIP);
EXPORT_SYMBOL_NS_GPL(pbuf_free, LWIP);
EXPORT_SYMBOL_NS_GPL(pbuf_free_header, LWIP);
EXPORT_SYMBOL_NS_GPL(pbuf_ref, LWIP);
EXPORT_SYMBOL_NS_GPL(pbuf_cat, LWIP);
EXPORT_SYMBOL_NS_GPL(pbuf_copy_partial, LWIP);
EXPORT_SYMBOL_NS_GPL(pbuf_take, LWIP);
EXPORT_SYMBOL_NS_GPL(pbuf_remove_header, LWIP);

/* netifs, for drivers */
EXPORT_SYMBOL_NS_GPL(netif_add, LWIP);
EXPORT_SYMBOL_NS_GPL(netif_list, LWIP);
EXPORT_SYMBOL_NS_GPL(netif_remove, LWIP);
EXPORT_SYMBOL_NS_GPL(netif_set_up, LWIP);
EXPORT_SYMBOL_NS_GPL(netif_set_down, LWIP);
EXPORT_SYMBOL_NS_GPL(netif_set_link_up, LWIP);
EXPORT_SYMBOL_NS_GPL(netif_set_link_down, LWIP);
EXPORT_SYMBOL_NS_GPL(netif_set_default, LWIP);
EXPORT_SYMBOL_NS_GPL(netif_set_addr, LWIP);
EXPORT_SYMBOL_NS_GPL(ethernet_input, LWIP);
EXPORT_SYMBOL_NS_GPL(etharp_output, LWIP);
EXPORT_SYMBOL_NS_GPL(dhcp_start, LWIP);
EXPORT_SYMBOL_NS_GPL(dhcp_release_and_stop, LWIP);
EXPORT_SYMBOL_NS_GPL(dhcp_supplied_address, LWIP);
EXPORT_SYMBOL_NS_GPL(dhcp_cleanup, LWIP);

/* addresses, TCP options and statistics, for the socket layer */
EXPORT_SYMBOL_NS_GPL(ip_addr_any, LWIP);
EXPORT_SYMBOL_NS_GPL(ip4_route, LWIP);
EXPORT_SYMBOL_NS_GPL(ip_addr_broadcast, LWIP);
EXPORT_SYMBOL_NS_GPL(tcp_output, LWIP);
EXPORT_SYMBOL_NS_GPL(tcp_backlog_delayed, LWIP);
EXPORT_SYMBOL_NS_GPL(tcp_backlog_accepted, LWIP);
EXPORT_SYMBOL_NS_GPL(tcp_ext_arg_set, LWIP);
EXPORT_SYMBOL_NS_GPL(tcp_ext_arg_get, LWIP);
EXPORT_SYMBOL_NS_GPL(lwip_stats, LWIP);

/*
 * lwIP functions whose names Linux exports too (tcp_abort, tcp_close,
 * tcp_connect, tcp_poll, tcp_shutdown, udp_disconnect) cannot be exported
 * under those names; a module calling them would bind to Linux's. The ones
 * our modules need get an lwipk_ name here.
 */

/**
 * lwipk_tcp_abort() - lwIP's tcp_abort(): send RST and free the PCB.
 * @pcb: the PCB; the caller holds the tcpip core lock
 */
void lwipk_tcp_abort(struct tcp_pcb *pcb)
{
	tcp_abort(pcb);
}
EXPORT_SYMBOL_NS_GPL(lwipk_tcp_abort, LWIP);
EXPORT_SYMBOL_NS_GPL(lwipk_loopif_tcp_mss, LWIP);

u8 lwipk_sock_ext_id = LWIP_TCP_PCB_NUM_EXT_ARG_ID_INVALID;
EXPORT_SYMBOL_NS_GPL(lwipk_sock_ext_id, LWIP);
u8 lwipk_mss_ext_id = LWIP_TCP_PCB_NUM_EXT_ARG_ID_INVALID;
EXPORT_SYMBOL_NS_GPL(lwipk_mss_ext_id, LWIP);
