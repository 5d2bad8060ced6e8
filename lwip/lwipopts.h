/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lwIP configuration for lwipk: lwIP 2.2.1 as a Linux kernel module.
 *
 * A kernel host has memory to spare, so pools come from the kernel
 * allocator (capped by the lwip.ko "mem_limit" parameter) instead of fixed
 * static arrays, and the TCP windows are sized for throughput.
 */
#ifndef LWIPK_LWIPOPTS_H
#define LWIPK_LWIPOPTS_H

/* --- Operating system: threads, core locking ------------------------- */
#define NO_SYS				0
#define SYS_LIGHTWEIGHT_PROT		1
#define LWIP_TCPIP_CORE_LOCKING		1
#define LWIP_TCPIP_CORE_LOCKING_INPUT	0
#ifndef __ASSEMBLY__
void sys_check_core_locking(void);
#endif
#define LWIP_ASSERT_CORE_LOCKED()	sys_check_core_locking()
#define LWIP_TIMERS			1
#define LWIP_TCPIP_TIMEOUT		0
#define TCPIP_THREAD_NAME		"lwip_tcpip"
#define TCPIP_THREAD_STACKSIZE		0
#define TCPIP_THREAD_PRIO		0
#define TCPIP_MBOX_SIZE			4096
#define DEFAULT_THREAD_STACKSIZE	0
/*
 * Receive mailboxes hold one pointer per segment or datagram until the socket
 * layer takes them (it drains a TCP netconn's whole mailbox at once). 240
 * entries cover a full 256 KiB window of 1460-byte segments. A UDP socket's
 * limit should be SO_RCVBUF's bytes, as on Linux, not a datagram count: 2048
 * small datagrams fit in its default half of 208 KiB. The port's mailboxes
 * start with 8 slots and grow on demand, so idle sockets pay for none of this.
 */
#define DEFAULT_TCP_RECVMBOX_SIZE	240
#define DEFAULT_UDP_RECVMBOX_SIZE	2048
#define DEFAULT_RAW_RECVMBOX_SIZE	256
#define DEFAULT_ACCEPTMBOX_SIZE		1024

/* --- Memory: the kernel allocator, capped (port/mem.c) --------------- */
#define MEM_CUSTOM_ALLOCATOR		1
#define MEM_CUSTOM_MALLOC		lwipk_mem_malloc
#define MEM_CUSTOM_CALLOC		lwipk_mem_calloc
#define MEM_CUSTOM_FREE			lwipk_mem_free
#define MEMP_MEM_MALLOC			1
#define MEM_ALIGNMENT			8
#define MEM_SIZE			(1024 * 1024)
#ifndef __ASSEMBLY__
#include <linux/types.h>
void *lwipk_mem_malloc(size_t size);
void *lwipk_mem_calloc(size_t count, size_t size);
void lwipk_mem_free(void *ptr);
#endif

/*
 * With MEMP_MEM_MALLOC these counts are not reservations: they size the
 * statistics and lwIP's own limits (e.g. when to start killing old PCBs).
 */
#define MEMP_NUM_RAW_PCB		64
#define MEMP_NUM_UDP_PCB		512
#define MEMP_NUM_TCP_PCB		1024
#define MEMP_NUM_TCP_PCB_LISTEN		256
#define MEMP_NUM_TCP_SEG		8192
#define MEMP_NUM_REASSDATA		64
#define MEMP_NUM_FRAG_PBUF		256
#define MEMP_NUM_ARP_QUEUE		64
#define MEMP_NUM_NETBUF			4096
#define MEMP_NUM_NETCONN		2048
#define MEMP_NUM_TCPIP_MSG_API		4096
#define MEMP_NUM_TCPIP_MSG_INPKT	4096
#define MEMP_NUM_SYS_TIMEOUT		(LWIP_NUM_SYS_TIMEOUT_INTERNAL + 16)
#define PBUF_POOL_SIZE			4096
/* Pool pbufs carry received Ethernet frames: one 1500-byte MTU frame each. */
#define PBUF_POOL_BUFSIZE \
	LWIP_MEM_ALIGN_SIZE(1500 + PBUF_LINK_ENCAPSULATION_HLEN + PBUF_LINK_HLEN)

/* --- Protocols -------------------------------------------------------- */
#define LWIP_IPV4			1
#define LWIP_IPV6			0
#define LWIP_ARP			1
#define LWIP_ETHERNET			1
#define ARP_TABLE_SIZE			64
#define ARP_QUEUEING			1
#define ETHARP_SUPPORT_STATIC_ENTRIES	1
#define IP_FORWARD			0
#define IP_REASSEMBLY			1
#define IP_FRAG				1
#define IP_DEFAULT_TTL			64
#define LWIP_ICMP			1
#define LWIP_RAW			1
#define LWIP_UDP			1
#define LWIP_UDPLITE			0
#define LWIP_DHCP			1
#define LWIP_DHCP_DOES_ACD_CHECK	0
#define LWIP_AUTOIP			0
#define LWIP_ACD			0
#define LWIP_IGMP			0
#define LWIP_DNS			0
#define LWIP_ALTCP			0

/* --- TCP: sized for throughput and many connections ----------------- */
#define LWIP_TCP			1
/*
 * TCP_MSS caps the segment size; lwIP lowers it per route to the netif's MTU
 * (1460 on Ethernet) and advertises that. The loopback netif has no MTU, so
 * 127.0.0.1 connections start with the full cap; once up, each end raises
 * its own to 65000 (port/loopif.c, lwipk_loopif_tcp_mss(); not under a
 * mem_limit below 64 such segments), near Linux's 65483 on lo. The cap is
 * bound by lwIP's u16 arithmetic: TCP_SNDLOWAT + 4 * TCP_MSS < 64 KiB
 * (init.c's check on the compile-time value).
 */
#define TCP_MSS				14600
#define TCP_ETH_MSS			1460
#define LWIP_WND_SCALE			1
#define TCP_RCV_SCALE			3
#define TCP_WND				(256 * 1024)
#define TCP_SND_BUF			(256 * 1024)
#define TCP_SND_QUEUELEN		((4 * TCP_SND_BUF) / TCP_ETH_MSS)
#define TCP_SNDLOWAT			(4 * 1024)	/* a u16_t in lwIP */
#define TCP_SNDQUEUELOWAT		(TCP_SND_QUEUELEN / 2)
/*
 * Out-of-order data is kept up to twice the window: a received frame is
 * one pool pbuf (one MSS), so 512 pbufs hold 2.8 windows of 1448-byte
 * segments and a lost segment never costs the data behind it.
 */
#define TCP_QUEUE_OOSEQ			1
#define TCP_OOSEQ_MAX_BYTES		(2 * TCP_WND)
#define TCP_OOSEQ_MAX_PBUFS		512
#define TCP_LISTEN_BACKLOG		1
#define TCP_DEFAULT_LISTEN_BACKLOG	128
#define TCP_OVERSIZE			TCP_MSS
/*
 * Timestamps (RFC 7323) and SACK blocks (RFC 2018) sent, for a lossy link
 * (issue 12). Timestamps are what give a Linux sender an RTT sample from
 * an ACK of retransmitted data: without them its RTO only doubles. lwIP
 * echoes TSval (kept per RFC 7323 from the segment at Last.ACK.sent) and
 * sends sys_now() in ms, but does not time its own segments by TSecr.
 * With SACK the sender resends only the holes. As a sender, lwIP reads the
 * peer's SACK blocks into a scoreboard for its loss recovery, and probes
 * a silent tail (lwip/patches/0003 and 0004; doc/lwip.md).
 */
#define LWIP_TCP_TIMESTAMPS		1
#define LWIP_TCP_SACK_OUT		1
#define LWIP_TCP_KEEPALIVE		1
#define TCP_MAXRTX			12
/*
 * The maximum segment lifetime (TIME_WAIT lasts 2 MSL): lwip.ko's msl_ms
 * parameter, 60 s by default as Linux's TCP_TIMEWAIT_LEN / 2; tests lower
 * it to see TIME_WAIT expire (port/timewait.c).
 */
#ifndef __ASSEMBLY__
extern unsigned int lwipk_tcp_msl;
#endif
#define TCP_MSL				lwipk_tcp_msl
#define TCP_SYNMAXRTX			6
#define LWIP_TCP_RTO_TIME		1000
/*
 * lwIP's TCP clock: the fast timer (delayed ACKs, the tail loss probe)
 * every TCP_TMR_INTERVAL, the slow one (RTO, persist, keepalive) every
 * 2 * TCP_TMR_INTERVAL, and RTTs and RTOs are counted in slow ticks. With
 * lwIP's default, 250 ms, an RTO was never under 2 ticks, 0.5 to 1 s as
 * the timer's phase fell, twice that on a backoff, where Linux's is
 * 200 ms + RTT, and a delayed ACK waited up to 250 ms where Linux's waits
 * 40 ms; on a lossy link RTOs were all lwIP's time (issue 12). At 25 ms a
 * slow tick is 50 ms and a delayed ACK waits 25 ms at most. Once an RTT
 * sample has set it, the RTO (Linux's, lwip/patches/0005: SRTT + max(4
 * RTTVAR, 200 ms)) and the tail loss probe (0004) are timed in ms by a
 * timer of their own (0008), not in these ticks. The initial RTO stays
 * 1 s (LWIP_TCP_RTO_TIME), the other timeouts are in ms; only the persist
 * timer, in ticks, probes 10 times sooner (first after 150 ms).
 */
#define TCP_TMR_INTERVAL		25
/*
 * Two slots per PCB for lwip_sock.ko: lwipk_sock_ext_id (the guard, SO_RCVBUF
 * of listeners) and lwipk_mss_ext_id (TCP_MAXSEG, announced in SYNs)
 */
#define LWIP_TCP_PCB_NUM_EXT_ARGS	2
/*
 * lwIP counts no retransmission timeouts; port/proc.c does, as segments go
 * out, and lowers the MSS a SYN announces to a socket's TCP_MAXSEG
 */
#ifndef __ASSEMBLY__
struct tcp_pcb;
void *lwipk_tcp_out_hook(void *tcphdr, const struct tcp_pcb *pcb,
			 void *opts);
#endif
#define LWIP_HOOK_TCP_OUT_ADD_TCPOPTS(p, hdr, pcb, opts) \
	((u32_t *)lwipk_tcp_out_hook(hdr, pcb, opts))
/*
 * tcp_write() without a copy references the data by page (lwIP patch 0013,
 * port/txref.c): lwip_sock.ko's sends of a page fragment
 */
#ifndef __ASSEMBLY__
struct pbuf *lwipk_tcp_write_ref(const u8 *data, u16 len);
#endif
#define LWIP_HOOK_TCP_WRITE_REF(data, len)	lwipk_tcp_write_ref(data, len)
/* RFC 6528 initial sequence numbers, as Linux's (port/harden.c) */
#ifndef __ASSEMBLY__
struct ip4_addr;
u32 lwipk_tcp_isn(const struct ip4_addr *local_ip, u16 local_port,
		  const struct ip4_addr *remote_ip, u16 remote_port);
#endif
#define LWIP_HOOK_TCP_ISN(lip, lport, rip, rport) \
	lwipk_tcp_isn(lip, lport, rip, rport)

/* --- Netifs ------------------------------------------------------------ */
#define LWIP_NETIF_STATUS_CALLBACK	1
#define LWIP_NETIF_LINK_CALLBACK	1
#define LWIP_NETIF_REMOVE_CALLBACK	1
#define LWIP_NETIF_HOSTNAME		1
#define LWIP_CHECKSUM_CTRL_PER_NETIF	1
#define LWIP_NETIF_TX_SINGLE_PBUF	0
/*
 * Loopback is port/loopif.c's lo0, for 127.0.0.1/8 and, through the route
 * hook, for the netifs' own addresses; lwIP's queue-and-drain loopback is
 * off (see loopif.c for why).
 */
#define LWIP_HAVE_LOOPIF		0
#define LWIP_NETIF_LOOPBACK		0
#ifndef __ASSEMBLY__
struct netif;
struct ip4_addr;
struct netif *lwipk_route_src_hook(const struct ip4_addr *src,
				   const struct ip4_addr *dest);
#endif
#define LWIP_HOOK_IP4_ROUTE_SRC(src, dest)	lwipk_route_src_hook(src, dest)
/*
 * Packets from the wire with a source no peer can have (127/8, the netif's
 * own address, 0.0.0.0 but DHCP, multicast, broadcast) are dropped and
 * counted before lwIP looks at them (port/harden.c).
 */
#ifndef __ASSEMBLY__
struct pbuf;
int lwipk_ip4_input_hook(struct pbuf *p, struct netif *inp);
#endif
#define LWIP_HOOK_IP4_INPUT(p, inp)	lwipk_ip4_input_hook(p, inp)
#define LWIP_LOOPBACK_MAX_PBUFS		0
#define LWIP_NETIF_LOOPBACK_MULTITHREADING 1
#define LWIP_SINGLE_NETIF		0
#define LWIP_NUM_NETIF_CLIENT_DATA	1
#define PBUF_LINK_ENCAPSULATION_HLEN	0
#define ETH_PAD_SIZE			0

/* --- APIs: netconn only (lwip_sock.ko is our socket layer) ------------ */
#define LWIP_NETCONN			1
#define LWIP_SOCKET			0
#define LWIP_NETIF_API			0
#define LWIP_SO_SNDTIMEO		1
#define LWIP_SO_RCVTIMEO		1
#define LWIP_SO_RCVBUF			1
#define LWIP_SO_LINGER			1
#define RECV_BUFSIZE_DEFAULT		INT_MAX
#define LWIP_NETCONN_FULLDUPLEX		0
#define LWIP_NETCONN_SEM_PER_THREAD	0
#define SO_REUSE			1
#define SO_REUSE_RXTOALL		0

/* --- Statistics (read through /proc/lwip) ----------------------------- */
#define LWIP_STATS			1
#define LWIP_STATS_DISPLAY		1	/* also gives the pools their names */
#define LWIP_STATS_LARGE		1	/* 32-bit counters: 16 bits wrap in a second */
#define LINK_STATS			1
#define ETHARP_STATS			1
#define IP_STATS			1
#define IPFRAG_STATS			1
#define ICMP_STATS			1
#define UDP_STATS			1
#define TCP_STATS			1
#define MEM_STATS			1
#define MEMP_STATS			1
#define SYS_STATS			1
#define MIB2_STATS			1

/*
 * --- Debugging: a debug build (make LWIPK_DEBUG=1) compiles lwIP's debug
 * messages in, and lwip.ko's "debug" parameter picks the modules at run time.
 * Each *_DEBUG value is a constant (so lwIP's "#if TCP_DEBUG" helpers are
 * built) carrying its module's bit above lwIP's own flag byte; the run-time
 * mask is LWIP_DBG_TYPES_ON, which LWIP_DEBUGF() ANDs with that value. The
 * default build leaves them out: lwIP calls its debug helpers (e.g.
 * tcp_debug_print) for every packet whenever they are compiled in.
 */
#ifndef __ASSEMBLY__
extern unsigned int lwipk_debug_flags;
#endif
#ifdef LWIPK_DEBUG
#define LWIP_DEBUG			1
#define LWIP_DBG_MIN_LEVEL		LWIP_DBG_LEVEL_ALL
#define LWIP_DBG_TYPES_ON		(lwipk_debug_flags << 8)
#define LWIPK_DBG(bit)			(LWIP_DBG_ON | ((bit) << 8))
#define ETHARP_DEBUG			LWIPK_DBG(0x001)
#define NETIF_DEBUG			LWIPK_DBG(0x002)
#define PBUF_DEBUG			LWIPK_DBG(0x004)
#define API_LIB_DEBUG			LWIPK_DBG(0x008)
#define API_MSG_DEBUG			LWIPK_DBG(0x010)
#define ICMP_DEBUG			LWIPK_DBG(0x020)
#define IP_DEBUG			LWIPK_DBG(0x040)
#define IP_REASS_DEBUG			LWIPK_DBG(0x080)
#define UDP_DEBUG			LWIPK_DBG(0x100)
#define TCP_DEBUG			LWIPK_DBG(0x200)
#define TCP_INPUT_DEBUG			LWIPK_DBG(0x400)
#define TCP_OUTPUT_DEBUG		LWIPK_DBG(0x800)
#define TCP_RTO_DEBUG			LWIPK_DBG(0x1000)
#define TCPIP_DEBUG			LWIPK_DBG(0x2000)
#define DHCP_DEBUG			LWIPK_DBG(0x4000)
#define TIMERS_DEBUG			LWIPK_DBG(0x8000)
#endif /* LWIPK_DEBUG */

#endif /* LWIPK_LWIPOPTS_H */
