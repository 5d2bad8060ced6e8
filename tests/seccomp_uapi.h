/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seccomp user-notification ABI lwiprun uses, for musl-gcc builds:
 * Debian's musl-tools ships no <linux/...> headers. When the kernel's uapi
 * headers are there they are used; otherwise the same (stable, uapi)
 * definitions are spelled out here, from Linux 6.1's
 * include/uapi/linux/{filter,bpf_common,seccomp,audit}.h.
 */
#ifndef LWIPK_SECCOMP_UAPI_H
#define LWIPK_SECCOMP_UAPI_H

#include <stdint.h>
#include <sys/ioctl.h>

#if __has_include(<linux/seccomp.h>) && __has_include(<linux/filter.h>)
#include <linux/filter.h>
#include <linux/seccomp.h>
#else
struct sock_filter {
	uint16_t code;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
};

struct sock_fprog {
	unsigned short len;
	struct sock_filter *filter;
};

#define BPF_LD		0x00
#define BPF_JMP		0x05
#define BPF_RET		0x06
#define BPF_W		0x00
#define BPF_ABS		0x20
#define BPF_JEQ		0x10
#define BPF_K		0x00
#define BPF_STMT(code, k) { (unsigned short)(code), 0, 0, k }
#define BPF_JUMP(code, k, jt, jf) { (unsigned short)(code), jt, jf, k }

struct seccomp_data {
	int nr;
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t args[6];
};

struct seccomp_notif {
	uint64_t id;
	uint32_t pid;
	uint32_t flags;
	struct seccomp_data data;
};

struct seccomp_notif_resp {
	uint64_t id;
	int64_t val;
	int32_t error;
	uint32_t flags;
};

struct seccomp_notif_addfd {
	uint64_t id;
	uint32_t flags;
	uint32_t srcfd;
	uint32_t newfd;
	uint32_t newfd_flags;
};

#define SECCOMP_SET_MODE_FILTER			1
#define SECCOMP_FILTER_FLAG_NEW_LISTENER	(1UL << 3)
#define SECCOMP_RET_ERRNO			0x00050000U
#define SECCOMP_RET_USER_NOTIF			0x7fc00000U
#define SECCOMP_RET_ALLOW			0x7fff0000U
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE	(1UL << 0)
#define SECCOMP_ADDFD_FLAG_SEND			(1UL << 1)

#define SECCOMP_IOC_MAGIC		'!'
#define SECCOMP_IOCTL_NOTIF_RECV	_IOWR(SECCOMP_IOC_MAGIC, 0, struct seccomp_notif)
#define SECCOMP_IOCTL_NOTIF_SEND	_IOWR(SECCOMP_IOC_MAGIC, 1, struct seccomp_notif_resp)
#define SECCOMP_IOCTL_NOTIF_ID_VALID	_IOW(SECCOMP_IOC_MAGIC, 2, uint64_t)
#define SECCOMP_IOCTL_NOTIF_ADDFD	_IOW(SECCOMP_IOC_MAGIC, 3, struct seccomp_notif_addfd)
#endif

#endif /* LWIPK_SECCOMP_UAPI_H */
