// SPDX-License-Identifier: GPL-2.0
/*
 * pull: many parallel TCP downloads into the guest, every byte checked.
 *
 *   pull ADDR PORT CONNS BYTES [--family inet|lwip] [--timeout S]
 *
 * Opens CONNS connections to ADDR:PORT (the host's "peer source-stdio
 * BYTES" behind a guestfwd, one per connection), then reads all of them at
 * once with poll() until each ends. Every connection must deliver exactly
 * BYTES of the pattern (the byte at offset o is o % 251) and then close.
 * Prints one line: connections intact, bytes, elapsed time of the whole and
 * of the slowest connection. Exit status 0 only if every connection was
 * intact within S seconds (default 300).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <lwipk/af_lwip.h>

#define MAX_CONNS	256

struct conn {
	long got;	/* bytes so far, all of them as the pattern says */
	int bad;	/* a wrong byte came (or the connection failed) */
	int done;	/* EOF or error seen */
	double end;	/* seconds from the start when it ended */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static struct conn c[MAX_CONNS];
	static struct pollfd pfd[MAX_CONNS];
	static unsigned char buf[1 << 16];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int family = lwip_family(), conns, open_conns, intact = 0, i;
	double timeout = 300, start, slowest = 0;
	long bytes;

	for (i = 5; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--family"))
			family = !strcmp(argv[i + 1], "inet") ? AF_INET : lwip_family();
		else if (!strcmp(argv[i], "--timeout"))
			timeout = atof(argv[i + 1]);
	}
	if (argc < 5 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1 ||
	    (conns = atoi(argv[3])) < 1 || conns > MAX_CONNS ||
	    (bytes = atol(argv[4])) < 0) {
		fprintf(stderr, "usage: pull ADDR PORT CONNS BYTES [--family inet|lwip] [--timeout S]\n");
		return 2;
	}
	sa.sin_port = htons(atoi(argv[2]));
	start = now();
	for (i = 0; i < conns; i++) {
		pfd[i].fd = socket(family, SOCK_STREAM, 0);
		pfd[i].events = POLLIN;
		if (pfd[i].fd < 0 ||
		    connect(pfd[i].fd, (struct sockaddr *)&sa, sizeof(sa))) {
			fprintf(stderr, "pull: connection %d: %s\n", i, strerror(errno));
			return 1;
		}
	}
	for (open_conns = conns; open_conns > 0;) {
		double left = timeout - (now() - start);
		int n = left > 0 ? poll(pfd, conns, left * 1000) : 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* the time is up (or poll failed) */
		for (i = 0; i < conns; i++) {
			ssize_t r, k;

			if (!pfd[i].revents)
				continue;
			r = read(pfd[i].fd, buf, sizeof(buf));
			if (r < 0 && errno == EINTR)
				continue;
			for (k = 0; k < r; k++)
				if (buf[k] != (c[i].got + k) % 251)
					c[i].bad = 1;
			if (r > 0) {
				c[i].got += r;
				continue;
			}
			if (r < 0)
				c[i].bad = 1;
			c[i].done = 1;
			c[i].end = now() - start;
			close(pfd[i].fd);
			pfd[i].fd = -1;
			open_conns--;
		}
	}
	for (i = 0; i < conns; i++) {
		if (c[i].done && !c[i].bad && c[i].got == bytes) {
			intact++;
			if (c[i].end > slowest)
				slowest = c[i].end;
		} else {
			fprintf(stderr, "pull: connection %d: %ld bytes%s%s\n", i, c[i].got,
				c[i].bad ? ", wrong bytes" : "",
				c[i].done ? "" : ", did not end");
		}
	}
	printf("pull: %d of %d connections intact, %ld bytes each, %.2f s, slowest %.2f s\n",
	       intact, conns, bytes, now() - start, slowest);
	return intact != conns;
}
