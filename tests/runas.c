// SPDX-License-Identifier: GPL-2.0
/*
 * runas UID PROGRAM [ARG...]: run PROGRAM as user and group UID, with no
 * supplementary groups (the guest has no /etc/passwd for su). For checks
 * of what an unprivileged user may open, e.g. runas 65534 cat /proc/lwip/tcp.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t id;

	if (argc < 3) {
		fprintf(stderr, "usage: runas UID PROGRAM [ARG...]\n");
		return 2;
	}
	id = (uid_t)strtoul(argv[1], NULL, 10);
	if (setgroups(0, NULL) || setgid(id) || setuid(id)) {
		perror("runas");
		return 2;
	}
	execvp(argv[2], argv + 2);
	perror("runas: exec");
	return 127;
}
