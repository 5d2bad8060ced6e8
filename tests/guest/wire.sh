# shellcheck shell=sh
# The wire suite for the guest plan (PLAN=wire): lwip_e1000.ko on a QEMU
# socket netdev whose only peer is the host's wirepeer (tests/host/
# wirepeer.c), 10.0.2.100 on raw frames. scripts/test.sh runs the peer's
# steps in the order these run: frames longer than a receive buffer, a zero window that opens by a few bytes,
# with the guest connecting, then with the peer connecting; then the frame
# fuzzer against an echo server here. Then lwIP's heap must be back to its
# baseline and every module must unload.

# wire_heap: lwIP's heap now, "USED BLOCKS TIME_WAIT LIVE" (LIVE: PCBs in
# any state but LISTEN and TIME_WAIT).
wire_heap() {
	awk '$1 == "total:" {
		for (i = 2; i < NF; i += 2)
			if ($i == "TIME_WAIT") tw = $(i + 1)
			else if ($i != "LISTEN") live += $(i + 1)
	} END { printf "%d %d\n", tw, live }' /proc/lwip/tcp >/tmp/wire-tcp
	read -r wh_tw wh_live </tmp/wire-tcp
	awk -v tw="$wh_tw" -v live="$wh_live" \
		'$1 == "heap:" { print $3, $9, tw, live }' /proc/lwip/mem
}

# wire_heap_back USED BLOCKS: wait (60 s at most: the fuzz's half-open
# connections time out) until no PCB is live and the heap is back to that
# baseline but for the TIME_WAIT PCBs (one block, 512 bytes each) and 16 KiB.
wire_heap_back() {
	whb_i=0
	while :; do
		# shellcheck disable=SC2046 # four numbers, meant to split
		set -- "$1" "$2" $(wire_heap)
		if [ "$6" -eq 0 ] && [ $(($4 - $2)) -le $(($5 + 16)) ] &&
		    [ $(($3 - $1)) -le $(($5 * 512 + 16384)) ]; then
			echo "# lwIP heap: $3 bytes in $4 blocks, $5 in TIME_WAIT (baseline $1 in $2)"
			return 0
		fi
		whb_i=$((whb_i + 1))
		if [ $whb_i -ge 120 ]; then
			echo "# lwIP heap: $3 bytes in $4 blocks, $5 in TIME_WAIT, $6 live (baseline $1 in $2)"
			cat /proc/lwip/tcp /proc/lwip/mem | sed 's/^/# /'
			return 1
		fi
		sleep 0.5
	done
}

# wire_send NAME send|accept ADDR PORT: the guest's end of a window test.
wire_send() {
	ws_name=$1
	shift
	timeout 180 wireguest "$@" "${WIRE_BYTES:-65536}" >/tmp/wire-send.out 2>&1
	ws_rc=$?
	sed 's/^/# /' /tmp/wire-send.out
	ktap_result $ws_rc "$ws_name"
}

# wire_martians: the martian drop counters, "TOTAL LOOPBACK OWN ZERO MCAST".
wire_martians() {
	awk '$1 == "martian" && $2 == "drop" { print $3, $5, $7, $9, $11 }' /proc/lwip/stats
}

wire_suite() {
	ktap_check wire.insmod_lwip insmod /lwipk/modules/lwip.ko
	ktap_check wire.insmod_e1000 insmod /lwipk/modules/lwip_e1000.ko
	ktap_check wire.insmod_sock insmod /lwipk/modules/lwip_sock.ko
	# shellcheck disable=SC2046 # four numbers, meant to split
	set -- $(wire_heap)
	wire_used=$1 wire_blocks=$2
	echo "# lwIP heap at the start: $wire_used bytes in $wire_blocks blocks"

	# The peer's 8 frames of 2100-9000 bytes, each over several RX
	# descriptors: dropped whole and counted once each (the peer checks
	# that none of the echo requests inside them is answered).
	wait_grep 600 ' rx_multi_desc 8$' /proc/lwip/netifs
	ktap_result $? "wire.giant_frames_dropped_whole_and_counted"
	grep ' rx_multi_desc ' /proc/lwip/netifs | sed 's/^/#/'

	# The peer's zero-window receiver: it checks the bytes and the window.
	wire_send wire.window_guest_connects send 10.0.2.100 9
	wire_send wire.window_peer_connects accept 10.0.2.15 9

	# The peer's harden step: ISNs of 16 SYNs, then 10 packets with martian
	# sources (3 from 127.0.0.1, 3 from our own address, 2 from 0.0.0.0, 2
	# multicast or broadcast) that must be dropped, each counted as such.
	wire_m0=$(wire_martians)
	timeout 300 wireguest echo 10.0.2.15 7 >/tmp/wire-echo.out 2>&1 &
	wire_echo=$!
	sock_wait_listen 7
	echo "lwipk-wire: harden echo server ready"
	wait $wire_echo
	wire_rc=$?
	sed 's/^/# /' /tmp/wire-echo.out
	ktap_result $wire_rc "wire.harden_echo_server"
	wire_m1=$(wire_martians)
	echo "# martian drops (total loopback own zero mcast): before $wire_m0, after $wire_m1"
	# shellcheck disable=SC2086 # five numbers each, meant to split
	set -- $wire_m0 $wire_m1
	[ $# -eq 10 ] && [ $(($6 - $1)) -eq 10 ] && [ $(($7 - $2)) -eq 3 ] &&
		[ $(($8 - $3)) -eq 3 ] && [ $(($9 - $4)) -eq 2 ] && [ $((${10} - $5)) -eq 2 ]
	ktap_result $? "wire.martians_dropped_and_counted"

	# The fuzz: the peer's liveness checks and last word go to this server.
	timeout "${WIRE_FUZZ_TIME:-300}" wireguest echo 10.0.2.15 7 >/tmp/wire-echo.out 2>&1 &
	wire_echo=$!
	sock_wait_listen 7
	ktap_result $? "wire.echo_server_listening"
	echo "lwipk-wire: echo server ready"
	wait $wire_echo
	wire_rc=$?
	sed 's/^/# /' /tmp/wire-echo.out
	ktap_result $wire_rc "wire.echo_server_lived_through_the_fuzz"
	wire_heap_back "$wire_used" "$wire_blocks"
	ktap_result $? "wire.heap_back_to_baseline"

	ktap_check wire.rmmod_sock rmmod lwip_sock
	ktap_check wire.rmmod_e1000 rmmod lwip_e1000
	ktap_check wire.rmmod_lwip rmmod lwip
}
