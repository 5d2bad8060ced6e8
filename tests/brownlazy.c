// SPDX-License-Identifier: GPL-2.0
/*
 * brownlazy: one TCP connection over lwIP sockets. A server thread
 * accepts on 127.0.0.1:19 and sends "brown lazy"; a client thread
 * connects and receives it.
 *
 *   brownlazy [--addr A] [--port P] [--server-only|--client-only]
 *             [--family inet|lwip]
 *
 * With --server-only, --port 0 lets the kernel pick the port, and the
 * server says where it listens: "brownlazy_main(): listening on port N".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <lwipk/af_lwip.h>

#define MESSAGE "brown lazy"

static int family;
static struct sockaddr_in addr;
static int server_only;

/* The server says when it listens; the client waits for that. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int listening;	/* 1 listening, -1 failed; under lock */

static void set_listening(int state)
{
	pthread_mutex_lock(&lock);
	listening = state;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

static void *server(void *arg)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	int fd, conn, one = 1;
	long ok = 0;

	(void)arg;
	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0) {
		perror("brownlazy_main(): socket");
		set_listening(-1);
		return (void *)ok;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(fd, 1)) {
		perror("brownlazy_main(): bind/listen");
		set_listening(-1);
		goto out_close;
	}
	if (server_only) {
		struct sockaddr_in me;
		socklen_t melen = sizeof(me);

		if (!getsockname(fd, (struct sockaddr *)&me, &melen))
			printf("brownlazy_main(): listening on port %u\n", ntohs(me.sin_port));
		fflush(stdout);
	}
	set_listening(1);
	conn = accept(fd, (struct sockaddr *)&peer, &len);
	if (conn < 0) {
		perror("brownlazy_main(): accept");
		goto out_close;
	}
	printf("brownlazy_main(): got conn from port %u\n", ntohs(peer.sin_port));
	fflush(stdout);
	if (send(conn, MESSAGE, strlen(MESSAGE), 0) == (ssize_t)strlen(MESSAGE))
		ok = 1;
	else
		perror("brownlazy_main(): send");
	close(conn);
out_close:
	close(fd);
	return (void *)ok;
}

static void *client(void *arg)
{
	char buf[64];
	size_t got = 0;
	ssize_t n;
	long ok = 0;
	int fd;

	(void)arg;
	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0) {
		perror("brownlazy_guest(): socket");
		return (void *)ok;
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		perror("brownlazy_guest(): connect");
		goto out_close;
	}
	while (got < sizeof(buf) - 1 &&
	       (n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0)) > 0)
		got += n;
	buf[got] = '\0';
	printf("brownlazy_guest(): got: %s\n", buf);
	fflush(stdout);
	ok = !strcmp(buf, MESSAGE);
out_close:
	close(fd);
	return (void *)ok;
}

static void usage(void)
{
	fprintf(stderr, "usage: brownlazy [--addr A] [--port P] [--server-only|--client-only] [--family inet|lwip]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int run_server = 1, run_client = 1, i, state;
	const char *ip = "127.0.0.1";
	pthread_t st, ct;
	void *sok = (void *)1, *cok = (void *)1;
	long port = 19;

	family = lwip_family();
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--addr") && i + 1 < argc) {
			ip = argv[++i];
		} else if (!strcmp(argv[i], "--port") && i + 1 < argc) {
			port = strtol(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--server-only")) {
			run_client = 0;
		} else if (!strcmp(argv[i], "--client-only")) {
			run_server = 0;
		} else if (!strcmp(argv[i], "--family") && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "inet"))
				family = AF_INET;
			else if (!strcmp(argv[i], "lwip"))
				family = lwip_family();
			else
				usage();
		} else {
			usage();
		}
	}
	server_only = run_server && !run_client;
	if ((!run_server && !run_client) || port < (server_only ? 0 : 1) || port > 65535)
		usage();
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	if (inet_pton(AF_INET, ip, &addr.sin_addr) != 1)
		usage();

	if (run_server) {
		if (pthread_create(&st, NULL, server, NULL))
			return 1;
		pthread_mutex_lock(&lock);
		while (!listening)
			pthread_cond_wait(&cond, &lock);
		state = listening;
		pthread_mutex_unlock(&lock);
		if (state < 0)
			run_client = 0;
	}
	if (run_client && pthread_create(&ct, NULL, client, NULL))
		return 1;
	if (run_client)
		pthread_join(ct, &cok);
	if (run_server)
		pthread_join(st, &sok);
	if (run_server && state < 0)
		return 1;
	return sok && cok ? 0 : 1;
}
