// SPDX-License-Identifier: GPL-2.0
/*
 * lwiprun: run a command, and every process it starts, with its AF_INET
 * sockets on lwIP (lwip_sock.ko) instead of Linux's stack, unmodified.
 *
 *	lwiprun [--no-inet6] CMD ARGS...
 *
 * How: a seccomp filter sends socket(AF_INET, ...) to this process (the
 * supervisor) as a user notification; the supervisor makes the socket
 * itself on the lwip family and puts it into the caller with
 * SECCOMP_IOCTL_NOTIF_ADDFD + SECCOMP_ADDFD_FLAG_SEND, which adds the fd and
 * answers the socket() call with its number in one step. Every other system
 * call is allowed by the filter in the kernel: the only cost is on socket().
 * The filter is inherited across fork and exec, so CMD's children are
 * covered too.
 *
 * SOCK_RAW and ICMP datagram ("ping") sockets go to lwIP too when the
 * caller could make them on Linux (CAP_NET_RAW; its group in
 * net.ipv4.ping_group_range): lwiprun makes the socket with its own
 * credentials, so it looks at the caller's in /proc/PID/status first, and
 * lets a caller who may not continue to Linux's AF_INET, which refuses it
 * as it should. Other types and protocols continue to Linux's AF_INET
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE).
 * --no-inet6: socket(AF_INET6) fails with EAFNOSUPPORT in the kernel, so
 * that dual-stack programs fall back to IPv4 (and so to lwIP).
 *
 * SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1/2 sent to lwiprun are passed on
 * to CMD. Exits with CMD's status (128 + N when it was killed by signal N); it
 * stops supervising when CMD exits: a descendant left running after that
 * gets ENOSYS from socket(AF_INET).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "lwipk/af_lwip.h"
#include "seccomp_uapi.h"

/* AUDIT_ARCH_*: <linux/audit.h> may be missing (musl-gcc). */
#if defined(__x86_64__)
#define LWIPRUN_ARCH 0xc000003eU	/* AUDIT_ARCH_X86_64 */
#elif defined(__aarch64__)
#define LWIPRUN_ARCH 0xc00000b7U	/* AUDIT_ARCH_AARCH64 */
#else
#error "lwiprun: unknown architecture (add its AUDIT_ARCH_*)"
#endif

/* The low 32 bits of argument N: socket()'s arguments are ints. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(n) (offsetof(struct seccomp_data, args) + 8 * (n))
#else
#define ARG_LO(n) (offsetof(struct seccomp_data, args) + 8 * (n) + 4)
#endif

#define SOCK_TYPE_MASK 0xf

static int lwip_fam;
static volatile pid_t child_pid;

/* Signals meant for "the command" reach CMD: lwiprun is only its wrapper. */
static void forward(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

static void forward_signals(void)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2 };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sa.sa_flags = SA_RESTART;
	for (unsigned int i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/*
 * install_filter() - socket(AF_INET) goes to the supervisor, socket(AF_INET6)
 * fails with EAFNOSUPPORT when no_inet6, everything else is allowed.
 * Another architecture's calls (a 32-bit program) are allowed as they are:
 * lwiprun does not cover them. Returns the listener fd, or -1.
 */
static int install_filter(int no_inet6)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, LWIPRUN_ARCH, 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, no_inet6 ? AF_INET6 : AF_INET, 2, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EAFNOSUPPORT),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	/* Unprivileged filters need it; it also keeps setuid programs sane. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		perror("lwiprun: PR_SET_NO_NEW_PRIVS");
		return -1;
	}
	int fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			 SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (fd < 0)
		perror("lwiprun: seccomp");
	return fd;
}

/*
 * status_field() - the value after "KEY:" in /proc/PID/status, into buf;
 * 0, or -1 when there is none.
 */
static int status_field(pid_t pid, const char *key, char *buf, size_t n)
{
	char path[64], line[512];
	size_t klen = strlen(key);
	int found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			snprintf(buf, n, "%s", line + klen + 1);
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

#define CAP_NET_RAW_BIT 13

/* caller_may_raw() - whether the caller has CAP_NET_RAW (effective). */
static int caller_may_raw(pid_t pid)
{
	char buf[64];

	if (status_field(pid, "CapEff", buf, sizeof(buf)))
		return 0;
	return (strtoull(buf, NULL, 16) >> CAP_NET_RAW_BIT) & 1;
}

/*
 * caller_may_ping() - whether the caller's effective group or one of its
 * groups is in net.ipv4.ping_group_range, as Linux's ping_init_sock() asks.
 */
static int caller_may_ping(pid_t pid)
{
	unsigned long low, high, gid;
	char buf[512], *p, *end;
	FILE *f = fopen("/proc/sys/net/ipv4/ping_group_range", "r");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "%lu %lu", &low, &high);
	fclose(f);
	if (n != 2 || status_field(pid, "Gid", buf, sizeof(buf)))
		return 0;
	strtoul(buf, &p, 10);			/* real */
	gid = strtoul(p, NULL, 10);		/* effective */
	if (gid >= low && gid <= high)
		return 1;
	if (status_field(pid, "Groups", buf, sizeof(buf)))
		return 0;
	for (p = buf;; p = end) {
		gid = strtoul(p, &end, 10);
		if (end == p)
			return 0;
		if (gid >= low && gid <= high)
			return 1;
	}
}

/*
 * lwip_can() - whether lwip_sock.ko takes this socket: TCP, UDP, and for a
 * caller that Linux would let make them, raw and ping sockets.
 */
static int lwip_can(pid_t pid, int type, int protocol)
{
	switch (type & SOCK_TYPE_MASK) {
	case SOCK_STREAM:
		return protocol == 0 || protocol == IPPROTO_TCP;
	case SOCK_DGRAM:
		if (protocol == IPPROTO_ICMP)
			return caller_may_ping(pid);
		return protocol == 0 || protocol == IPPROTO_UDP;
	case SOCK_RAW:
		return protocol >= 0 && protocol < 256 && caller_may_raw(pid);
	default:
		return 0;
	}
}

/* respond() - answer a notification with -err, or let it go on (cont). */
static void respond(int listener, uint64_t id, int err, int cont)
{
	struct seccomp_notif_resp resp = {
		.id = id,
		.error = -err,
		.flags = cont ? SECCOMP_USER_NOTIF_FLAG_CONTINUE : 0,
	};

	/* ENOENT: the caller is gone (killed) meanwhile; nothing to answer. */
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
		perror("lwiprun: SECCOMP_IOCTL_NOTIF_SEND");
}

/*
 * handle() - one socket(AF_INET, type, protocol) call: an lwip socket put
 * into the caller, which returns its fd number. Nothing is read from the
 * caller's memory (the arguments are registers, copied in the
 * notification), and ADDFD fails with ENOENT when the caller died or was
 * interrupted meanwhile; but lwip_can() may read the caller's
 * /proc/PID/status, which SECCOMP_IOCTL_NOTIF_ID_VALID then confirms was
 * the caller's.
 */
static void handle(int listener, const struct seccomp_notif *req)
{
	int type = (int)req->data.args[1], protocol = (int)req->data.args[2];
	uint64_t id = req->id;

	/* what /proc said must be the caller's, not a later pid's */
	if (!lwip_can(req->pid, type, protocol) ||
	    ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0) {
		respond(listener, req->id, 0, 1);
		return;
	}
	/* Same type flags: SOCK_NONBLOCK is on the file, shared by ADDFD. */
	int fd = socket(lwip_fam, type | SOCK_CLOEXEC, protocol);
	if (fd < 0) {
		respond(listener, req->id, errno, 0);
		return;
	}
	struct seccomp_notif_addfd add = {
		.id = req->id,
		.flags = SECCOMP_ADDFD_FLAG_SEND,
		.srcfd = fd,
		.newfd = 0,
		.newfd_flags = (type & SOCK_CLOEXEC) ? O_CLOEXEC : 0,
	};
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0 && errno != ENOENT) {
		int err = errno;

		perror("lwiprun: SECCOMP_IOCTL_NOTIF_ADDFD");
		respond(listener, req->id, err, 0);
	}
	close(fd);
}

/* exit_status() - CMD's status as a shell reports it. */
static int exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/*
 * supervise() - answer notifications until the child exits (its pidfd
 * becomes readable), then reap it. lwiprun itself runs under the filter
 * too (it installed it before forking, so that no fd passing is needed):
 * that is safe as it only ever makes lwip-family sockets, which the filter
 * allows.
 */
static int supervise(int listener, pid_t child)
{
	int pidfd = syscall(SYS_pidfd_open, child, 0);
	struct pollfd p[2] = {
		{ .fd = listener, .events = POLLIN },
		{ .fd = pidfd, .events = POLLIN },
	};
	int status;

	if (pidfd < 0) {
		perror("lwiprun: pidfd_open");
		kill(child, SIGKILL);
	}
	while (pidfd >= 0) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("lwiprun: poll");
			break;
		}
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		struct seccomp_notif req;

		memset(&req, 0, sizeof(req));	/* the kernel wants it zeroed */
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			/* ENOENT: the caller went away before we read it. */
			if (errno != ENOENT && errno != EINTR)
				perror("lwiprun: SECCOMP_IOCTL_NOTIF_RECV");
			continue;
		}
		handle(listener, &req);
	}
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	return exit_status(status);
}

static void usage(void)
{
	fprintf(stderr, "usage: lwiprun [--no-inet6] CMD [ARGS...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int no_inet6 = 0, i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--no-inet6"))
			no_inet6 = 1;
		else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else
			usage();
	}
	if (i >= argc)
		usage();
	/* Read once, before the filter: the supervisor's only socket family. */
	lwip_fam = lwip_family();

	int listener = install_filter(no_inet6);
	if (listener < 0)
		return 1;
	pid_t child = fork();
	if (child < 0) {
		perror("lwiprun: fork");
		return 1;
	}
	if (child == 0) {
		close(listener);
		execvp(argv[i], argv + i);
		fprintf(stderr, "lwiprun: %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	child_pid = child;
	forward_signals();
	return supervise(listener, child);
}
