# shellcheck shell=sh
# Socket suites for the guest plan: lwip_sock.ko over lwIP's loopback, with
# Linux's own stack in the same guest as the reference.

sock_ko=/lwipk/modules/lwip_sock.ko

# sock_wait_listen PORT: wait (at most 10 s) until lwIP has a listener there.
sock_wait_listen() {
	wait_grep 10 ":$1 .* LISTEN$" /proc/lwip/tcp
}

# nic_wait_link up|down: wait (at most 30 s) for the NIC's link state in lwIP.
nic_wait_link() {
	wait_grep 30 "^en[0-9]* .* link $1" /proc/lwip/netifs
}

# A connection to the echo peer that sends while the link is down: lwcat
# reads /tmp/linkq (a FIFO, held open on fd 3) in 64 KiB reads. Linux's
# send() queues while the link is down; lwIP's tcp_output() finds no
# route (ERR_RTE) then, and once reported a send that had queued its
# data as failed (the bytes would be sent twice).
nic_link_send_start() {
	head -c 135168 /dev/urandom >/tmp/linkq.in	# 132 KiB
	rm -f /tmp/linkq /tmp/linkq.rc
	mkfifo /tmp/linkq
	(lwcat send "${NIC_PEER%:*}" "${NIC_PEER#*:}" --idle 60 </tmp/linkq \
		>/tmp/linkq.out 2>/tmp/linkq.err; echo $? >/tmp/linkq.rc) &
	exec 3>/tmp/linkq
	wait_grep 30 " $NIC_PEER ESTABLISHED\$" /proc/lwip/tcp
	ktap_result $? "nicsock.link_send_connected"
}

# With the link down: 132 KiB into the FIFO (64 KiB of it buffered) is
# taken only once lwcat's first send() of 64 KiB has returned and it
# reads again: a send() that fails ends lwcat and this write. Then wait
# until lwcat is back in read() on the empty FIFO (/proc/PID/syscall:
# read, fd 0), every byte handed to send() while the link is down.
nic_link_send_down() {
	nls_pid=$(pidof lwcat)
	cat /tmp/linkq.in >&3
	ktap_result $? "nicsock.send_while_link_down_queues"
	nls_left=300
	until [ "$(cut -d' ' -f1,2 "/proc/$nls_pid/syscall" 2>/dev/null)" = "0 0x0" ]; do
		nls_left=$((nls_left - 1))
		[ $nls_left -ge 0 ] || break
		sleep 0.1
	done
	ktap_result $((nls_left < 0)) "nicsock.send_while_link_down_all_sent"
	nls_tx=$(nic_tx_packets)
}

# With the link up again, lwIP sends what it queued without waiting for
# more from the application (its poll of the connection retries), the
# driver's TX counter moving by more than the gratuitous ARP; the echo
# comes back intact, each byte once.
nic_link_send_up() {
	nls_left=300
	while [ $(($(nic_tx_packets) - nls_tx)) -lt 20 ]; do
		nls_left=$((nls_left - 1))
		[ $nls_left -ge 0 ] || break
		sleep 0.1
	done
	ktap_result $((nls_left < 0)) "nicsock.link_up_sends_queued_data"
	exec 3>&-
	nls_left=600
	while [ ! -s /tmp/linkq.rc ] && [ $nls_left -gt 0 ]; do
		nls_left=$((nls_left - 1))
		sleep 0.1
	done
	sed 's/^/# /' /tmp/linkq.err
	[ "$(cat /tmp/linkq.rc)" = 0 ] && cmp -s /tmp/linkq.in /tmp/linkq.out
	ktap_result $? "nicsock.send_while_link_down_echo_intact"
	rm -f /tmp/linkq /tmp/linkq.in /tmp/linkq.out
}

# brownlazy_check NAME ARGS...: brownlazy must exit 0 and print its line.
brownlazy_check() {
	name=$1
	shift
	brownlazy "$@" >/tmp/brownlazy.out 2>&1
	rc=$?
	cat /tmp/brownlazy.out
	[ $rc -eq 0 ] && grep -qx 'brownlazy_guest(): got: brown lazy' /tmp/brownlazy.out
	ktap_result $? "$name"
}

# sock_proc_bounded: /proc/lwip/tcp lists proc_tcp_max PCBs at most, then
# "... N more", and its counts still cover every PCB (sockcheck leaves
# thousands in TIME_WAIT behind it).
sock_proc_bounded() {
	spb_param=/sys/module/lwip/parameters/proc_tcp_max
	spb_old=$(cat $spb_param) || return 1
	echo 2 >$spb_param || return 1
	cat /proc/lwip/tcp >/tmp/proc-tcp
	echo "$spb_old" >$spb_param
	awk -v max=2 '
		/^[0-9.]+:[0-9]+ [0-9.]+:[0-9]+ [A-Z_0-9]+$/ { listed++ }
		$1 == "..." && $3 == "more" { more = $2 }
		$1 == "total:" { for (i = 3; i <= NF; i += 2) total += $i }
		END {
			printf "# /proc/lwip/tcp at proc_tcp_max %d: %d listed, %d more, %d in all\n",
				max, listed, more, total
			exit !(total > max && listed == max && more == total - max)
		}' /tmp/proc-tcp
}

sock_suite() {
	! insmod "$sock_ko" family=2 2>/dev/null
	ktap_result $? "sock.taken_family_refused"
	ktap_check sock.insmod insmod "$sock_ko"
	ktap_check sock.family_in_sysfs grep -qx 22 /sys/module/lwip_sock/parameters/family
	brownlazy_check sock.brownlazy_lwip_loopback
	brownlazy_check sock.brownlazy_linux_loopback --family inet
	sockcheck --family inet >/tmp/sockcheck-inet.ktap
	ktap_import sockcheck.inet /tmp/sockcheck-inet.ktap
	sockcheck --family lwip >/tmp/sockcheck-lwip.ktap
	ktap_import sockcheck.lwip /tmp/sockcheck-lwip.ktap
	sock_proc_bounded
	ktap_result $? "sock.proc_tcp_listing_bounded"

	# An open socket pins lwip_sock, which pins lwip.
	brownlazy --server-only --port 7777 >/tmp/brownlazy-server.out 2>&1 &
	server=$!
	sock_wait_listen 7777
	ktap_result $? "sock.server_listening"
	! rmmod lwip_sock 2>/dev/null
	ktap_result $? "sock.rmmod_refused_while_open"
	! rmmod lwip 2>/dev/null
	ktap_result $? "lwip.rmmod_refused_while_sock_loaded"
	brownlazy_check sock.brownlazy_client_only --client-only --port 7777
	wait $server
	ktap_result $? "sock.brownlazy_server_only"
	ktap_check sock.rmmod rmmod lwip_sock
}

# Memory pressure (issue 9): lwip.ko reloaded with a 128 KiB heap, 100
# loopback connections each sending 1 MiB (tests/mempress.c), from one
# poll() loop and from blocking threads: whatever
# connected must get every byte through or fail with an error, none may
# sit 30 s without progress, and POLLOUT must not end in EAGAIN more than
# mempress allows. Linux's stack at the same budget (net.ipv4.tcp_mem of
# 32 pages) runs it as the reference. Leaves lwip.ko loaded as before.
mem_pressure_suite() {
	mp_args="--conns 100 --bytes 1048576 --deadline 120 --stall 30"
	ktap_check mempress.rmmod_lwip rmmod lwip
	ktap_check mempress.insmod_lwip_128k insmod /lwipk/modules/lwip.ko mem_limit=131072
	ktap_check mempress.insmod_sock insmod "$sock_ko"
	# shellcheck disable=SC2086 # word splitting of the arguments wanted
	mempress --family lwip $mp_args >/tmp/mempress.out 2>&1
	rc=$?
	sed "s/^/# /" /tmp/mempress.out
	ktap_result $rc "mempress.lwip_100x1mib_at_128kib"
	# blocking senders, one thread each: they wait for memory in send()
	# shellcheck disable=SC2086
	mempress --family lwip $mp_args --mode blocking >/tmp/mempress.out 2>&1
	rc=$?
	sed "s/^/# /" /tmp/mempress.out
	ktap_result $rc "mempress.lwip_blocking_100x1mib_at_128kib"
	sed "s/^/# /" /proc/lwip/mem | head -n 1

	mp_tcp_mem=$(cat /proc/sys/net/ipv4/tcp_mem)
	echo "32 32 32" >/proc/sys/net/ipv4/tcp_mem
	# shellcheck disable=SC2086
	mempress --family inet $mp_args >/tmp/mempress.out 2>&1
	rc=$?
	echo "$mp_tcp_mem" >/proc/sys/net/ipv4/tcp_mem
	sed "s/^/# /" /tmp/mempress.out
	ktap_result $rc "mempress.inet_100x1mib_at_tcp_mem_32_pages"

	ktap_check mempress.rmmod_sock rmmod lwip_sock
	ktap_check mempress.rmmod_lwip_128k rmmod lwip
	ktap_check mempress.insmod_lwip insmod /lwipk/modules/lwip.ko
}

# Sockets across the NIC, with peers on the host that scripts/test.sh runs:
# brownlazy both ways (host server behind guestfwd 10.0.2.100:19, guest
# server reached by a hostfwd) and 32 MiB each way with sha256 on both ends.
nic_sock_suite() {
	ktap_check nicsock.insmod_e1000 insmod /lwipk/modules/lwip_e1000.ko
	ktap_check nicsock.insmod_sock insmod "$sock_ko"
	brownlazy_check nicsock.brownlazy_guest_client_to_host_server \
		--client-only --addr 10.0.2.100 --port 19

	timeout 300 brownlazy --server-only --addr 10.0.2.15 --port 19 \
		>/tmp/brownlazy-server.out 2>&1 &
	server=$!
	sock_wait_listen 19 && echo "lwipk-nic: brownlazy server ready"
	wait $server
	rc=$?
	cat /tmp/brownlazy-server.out
	[ $rc -eq 0 ] && grep -q '^brownlazy_main(): got conn from port ' /tmp/brownlazy-server.out
	ktap_result $? "nicsock.brownlazy_guest_server_for_host_client"

	dd if=/dev/urandom of=/tmp/blob bs=1M count=32 2>/dev/null
	echo "lwipk-bulk: g2h sha256 $(sha256sum </tmp/blob | cut -d' ' -f1)"
	ktap_check nicsock.bulk_32mib_guest_to_host_sent \
		lwcat send 10.0.2.100 9 </tmp/blob
	rm -f /tmp/blob

	(timeout 300 lwcat recv 10.0.2.15 9000 | sha256sum >/tmp/h2g.sha) &
	receiver=$!
	sock_wait_listen 9000 && echo "lwipk-nic: bulk receiver ready"
	wait $receiver
	echo "lwipk-bulk: h2g sha256 $(cut -d' ' -f1 /tmp/h2g.sha)"

	# The host takes the link down and up again (QMP set_link), while a
	# connection to the echo peer sends.
	nic_link_send_start
	echo "lwipk-nic: link test ready"
	nic_wait_link down
	ktap_result $? "nicsock.link_down_reaches_lwip"
	nic_link_send_down
	echo "lwipk-nic: link down done"
	nic_wait_link up
	ktap_result $? "nicsock.link_up_reaches_lwip"
	nic_link_send_up
	nic_echo nicsock.echo_after_link_flap "$NIC_PEER" 1048576

	nic_pull nicsock
	nic_rmmod_under_load nicsock

	ktap_check nicsock.rmmod_sock rmmod lwip_sock
	ktap_check nicsock.rmmod_e1000 rmmod lwip_e1000
	nic_linux_pull
}

# Two guests, both on lwIP, joined by a QEMU socket netdev (UDP on the
# host's loopback): ROLE=server (10.0.8.1) serves brownlazy, ROLE=client
# (10.0.8.2) connects to it, retrying while the other guest boots.
nic_pair_suite() {
	if [ "$ROLE" = server ]; then
		ktap_check pair.insmod_e1000 insmod /lwipk/modules/lwip_e1000.ko \
			ip=10.0.8.1 gw=10.0.8.2
		ktap_check pair.insmod_sock insmod "$sock_ko"
		timeout 300 brownlazy --server-only --addr 10.0.8.1 --port 19 \
			>/tmp/brownlazy-server.out 2>&1
		rc=$?
		cat /tmp/brownlazy-server.out
		[ $rc -eq 0 ] && grep -q '^brownlazy_main(): got conn from port ' /tmp/brownlazy-server.out
		ktap_result $? "pair.server_served_the_other_guest"
	else
		ktap_check pair.insmod_e1000 insmod /lwipk/modules/lwip_e1000.ko \
			ip=10.0.8.2 gw=10.0.8.1
		ktap_check pair.insmod_sock insmod "$sock_ko"
		i=0
		while [ $i -lt 60 ]; do
			i=$((i + 1))
			timeout 10 brownlazy --client-only --addr 10.0.8.1 --port 19 \
				>/tmp/brownlazy.out 2>&1 && break
		done
		cat /tmp/brownlazy.out
		grep -qx 'brownlazy_guest(): got: brown lazy' /tmp/brownlazy.out
		ktap_result $? "pair.client_got_brown_lazy_from_the_other_guest # attempts: $i"
	fi
	ktap_check pair.rmmod_sock rmmod lwip_sock
	ktap_check pair.rmmod_e1000 rmmod lwip_e1000
}
