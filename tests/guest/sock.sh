# shellcheck shell=sh
# Socket suites for the guest plan: lwip_sock.ko over lwIP's loopback, with
# Linux's own stack in the same guest as the reference.

sock_ko=/lwipk/modules/lwip_sock.ko

# sock_wait_listen PORT: wait (at most 10 s) until lwIP has a listener there.
sock_wait_listen() {
	i=0
	while ! grep -q ":$1 .* LISTEN$" /proc/lwip/tcp; do
		i=$((i + 1))
		[ $i -le 100 ] || return 1
		sleep 0.1
	done
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
