# shellcheck shell=sh
# lwiprun (tests/lwiprun.c): unmodified programs (BusyBox's nc, httpd,
# wget, ping) on lwIP through seccomp user notification, over lwIP's loopback.
# Needs lwip.ko loaded; loads and unloads lwip_sock.ko itself.

# lwiprun_probe NAME EXPECTED ARGS...: afprobe's line must be EXPECTED.
lwiprun_probe() {
	lp_name=$1 lp_want=$2
	shift 2
	lp_got=$("$@" 2>&1)
	echo "# $lp_name: $lp_got"
	[ "$lp_got" = "$lp_want" ]
	ktap_result $? "lwiprun.$lp_name"
}

# lwiprun_nc PORT WRAP: nc server and client both run as WRAP (e.g.
# "lwiprun" or "lwiprun sh -c"), a 1 MiB file from client to server, held
# open on a fifo until the connection's place in /proc/lwip/tcp was looked
# at. Prints "seen" or "unseen" to /tmp/lwiprun.seen; 0 when the file
# arrived whole.
lwiprun_nc() {
	ln_port=$1
	shift
	rm -f /tmp/lwiprun.fifo /tmp/lwiprun.idle /tmp/lwiprun.out
	mkfifo /tmp/lwiprun.fifo /tmp/lwiprun.idle
	# The server's stdin stays open (BusyBox's nc ends at stdin's EOF).
	exec 4<>/tmp/lwiprun.idle
	"$@" "busybox nc -l -p $ln_port >/tmp/lwiprun.out </tmp/lwiprun.idle" &
	ln_server=$!
	ln_ok=1
	# Linux's listener is not lwIP's: bounded wait on whichever stack.
	ln_hex=$(printf '%04X' "$ln_port")
	ln_left=100
	until grep -q ":$ln_port .* LISTEN$" /proc/lwip/tcp ||
	    grep -q ":$ln_hex 0\{8,32\}:0000 0A" /proc/net/tcp /proc/net/tcp6; do
		ln_left=$((ln_left - 1))
		if [ $ln_left -lt 0 ]; then
			echo "# nc: no listener on $ln_port"
			kill $ln_server
			wait $ln_server
			exec 4>&-
			echo unseen >/tmp/lwiprun.seen
			return 1
		fi
		sleep 0.1
	done
	"$@" "busybox nc 127.0.0.1 $ln_port </tmp/lwiprun.fifo" &
	ln_client=$!
	exec 3<>/tmp/lwiprun.fifo
	cat /tmp/lwiprun.data >&3
	if wait_grep 10 "127\.0\.0\.1:$ln_port .* ESTABLISHED$" /proc/lwip/tcp; then
		echo seen >/tmp/lwiprun.seen
	else
		echo unseen >/tmp/lwiprun.seen
	fi
	exec 3>&-
	wait $ln_client || ln_ok=0
	exec 4>&-
	wait $ln_server || ln_ok=0
	[ $ln_ok = 1 ] && cmp -s /tmp/lwiprun.data /tmp/lwiprun.out
}

# lwiprun_sh CMD: CMD run by sh under lwiprun (so the socket is made by a
# child process of lwiprun's CMD); --no-inet6, as dual-stack programs want.
lwiprun_sh() {
	lwiprun --no-inet6 sh -c "$1"
}

# linux_sh CMD: CMD run by sh, on Linux's stack.
linux_sh() {
	sh -c "$1"
}

# lwiprun_http: BusyBox httpd under lwiprun serving 4 MiB to one wget,
# then to 4 in parallel, each under lwiprun, sha256 compared.
lwiprun_http() {
	lh_sum=$(busybox sha256sum </tmp/lwiprun.www/file | cut -d' ' -f1)
	lwiprun busybox httpd -f -p 127.0.0.1:5601 -h /tmp/lwiprun.www &
	lh_httpd=$!
	sock_wait_listen 5601 || { kill $lh_httpd; wait $lh_httpd; return 1; }
	lh_bad=0
	lh_got=$(lwiprun busybox wget -q -O - http://127.0.0.1:5601/file | busybox sha256sum | cut -d' ' -f1)
	[ "$lh_got" = "$lh_sum" ] || lh_bad=$((lh_bad + 1))
	lh_pids=''
	for i in 1 2 3 4; do
		lwiprun busybox wget -q -O /tmp/lwiprun.get$i http://127.0.0.1:5601/file &
		lh_pids="$lh_pids $!"
	done
	for p in $lh_pids; do
		wait "$p" || lh_bad=$((lh_bad + 1))
	done
	for i in 1 2 3 4; do
		lh_got=$(busybox sha256sum </tmp/lwiprun.get$i | cut -d' ' -f1)
		[ "$lh_got" = "$lh_sum" ] || lh_bad=$((lh_bad + 1))
	done
	kill $lh_httpd
	wait $lh_httpd
	echo "# httpd: $lh_bad bad downloads of 5"
	[ $lh_bad -eq 0 ]
}

# lwip_icmp_recv: lwIP's count of ICMP messages received (/proc/lwip/stats).
lwip_icmp_recv() {
	awk '$1 == "icmp" { print $5 }' /proc/lwip/stats
}

# lwiprun_ping: BusyBox ping (a raw ICMP socket, as root) under lwiprun:
# 3 replies, and lwIP's ICMP saw the requests and replies.
lwiprun_ping() {
	lp_before=$(lwip_icmp_recv)
	lwiprun busybox ping -c 3 127.0.0.1 >/tmp/lwiprun.ping 2>&1
	lp_rc=$?
	lp_after=$(lwip_icmp_recv)
	cat /tmp/lwiprun.ping
	echo "# ping: exit $lp_rc, lwIP's ICMP received $lp_before -> $lp_after"
	[ $lp_rc -eq 0 ] && grep -q '3 packets received' /tmp/lwiprun.ping &&
		[ "$lp_after" -ge $((lp_before + 6)) ]
}

lwiprun_suite() {
	ktap_check lwiprun.insmod_sock insmod /lwipk/modules/lwip_sock.ko
	head -c 1048576 /dev/urandom >/tmp/lwiprun.data
	mkdir -p /tmp/lwiprun.www
	head -c 4194304 /dev/urandom >/tmp/lwiprun.www/file

	lwiprun_probe inet_is_lwip "domain 22" lwiprun afprobe inet
	lwiprun_probe inet_udp_is_lwip "domain 22" lwiprun afprobe inet dgram
	lwiprun_probe inet_without_is_linux "domain 2" afprobe inet
	lwiprun_probe raw_is_lwip "domain 22" lwiprun afprobe inet raw
	lwiprun_probe raw_unprivileged_continues_to_linux "error Operation not permitted" \
		lwiprun runas 65534 afprobe inet raw
	# AF_INET6 left as the kernel has it: "domain 10" on Debian's kernel, no
	# such family on the debug kernel (built without IPv6).
	lwiprun_probe inet6_as_without "$(afprobe inet6 2>&1)" lwiprun afprobe inet6
	lwiprun_probe no_inet6_eafnosupport "error Address family not supported by protocol" \
		lwiprun --no-inet6 afprobe inet6

	lwiprun_nc 5600 lwiprun_sh
	ktap_result $? "lwiprun.nc_file_through_child_shell"
	grep -qx seen /tmp/lwiprun.seen
	ktap_result $? "lwiprun.nc_connection_in_proc_lwip_tcp"
	lwiprun_nc 5602 linux_sh
	ktap_result $? "lwiprun.nc_file_without_lwiprun"
	grep -qx unseen /tmp/lwiprun.seen
	ktap_result $? "lwiprun.nc_without_lwiprun_not_in_proc_lwip_tcp"

	lwiprun_http
	ktap_result $? "lwiprun.httpd_wget_4m_sha256_x5"

	lwiprun_ping
	ktap_result $? "lwiprun.busybox_ping_3_through_lwip"

	lwiprun false
	[ $? -eq 1 ]
	ktap_result $? "lwiprun.exit_status_1"
	lwiprun sh -c 'exit 7'
	[ $? -eq 7 ]
	ktap_result $? "lwiprun.exit_status_7"
	lwiprun sh -c 'kill -TERM $$'
	[ $? -eq 143 ]
	ktap_result $? "lwiprun.killed_by_sigterm_143"
	rm -rf /tmp/lwiprun.www /tmp/lwiprun.data /tmp/lwiprun.out /tmp/lwiprun.get* /tmp/lwiprun.ping
	lwiprun_rmmod_sock
	ktap_result $? "lwiprun.rmmod_sock"
}

# lwiprun_rmmod_sock: unload lwip_sock.ko after programs' sockets closed;
# the last connections may still be closing in lwIP: 10 s at most.
lwiprun_rmmod_sock() {
	lr_left=100
	until rmmod lwip_sock 2>/dev/null; do
		lr_left=$((lr_left - 1))
		[ $lr_left -ge 0 ] || break
		sleep 0.1
	done
	! grep -q '^lwip_sock ' /proc/modules
}
