# shellcheck shell=sh
# NIC suites for the guest plan: lwip_e1000.ko against QEMU's user network.
# NIC_PEER (ADDR:PORT) is the host's echo service, set by scripts/test.sh
# through a guestfwd; NIC2_PEER the same on a second NIC's network.

nic_ko=/lwipk/modules/lwip_e1000.ko

# nic_wait_addr IFACE ADDR: wait (at most 15 s) until lwIP shows the address.
nic_wait_addr() {
	wait_grep 15 "^$1 .* addr $2 " /proc/lwip/netifs
}

# nic_echo NAME PEER BYTES: the self test's TCP echo through a NIC.
nic_echo() {
	selftest_run suite=nic "peer=$2" "peer_bytes=$3"
	ktap_import "$1" /tmp/selftest.ktap
}

# nic_tx_packets: the driver's tx_packets counter.
nic_tx_packets() {
	awk '$1 == "e1000" && $2 == "tx_packets" { print $3 }' /proc/lwip/netifs
}

# The driver's TX ceiling (debugfs tx_ceiling, through bench): it sends,
# the driver counts what it sent, and bad durations are refused.
nic_ceiling_checks() {
	ceil=$(echo /sys/kernel/debug/lwip_e1000/*/tx_ceiling)
	tx0=$(nic_tx_packets)
	bench --family lwip tx_ceiling --time 0.3 >/tmp/ceiling.out 2>&1
	rc=$?
	sed 's/^/# /' /tmp/ceiling.out
	frames=$(sed -n 's/^frames \([0-9]*\) .*/\1/p' "$ceil")
	tx1=$(nic_tx_packets)
	[ $rc -eq 0 ] && [ "${frames:-0}" -gt 0 ] && [ $((tx1 - tx0)) -ge "$frames" ]
	ktap_result $? "e1000.tx_ceiling_sends_and_counts"
	! echo 0 >"$ceil" 2>/dev/null && ! echo 60001 >"$ceil" 2>/dev/null &&
		! echo x >"$ceil" 2>/dev/null
	ktap_result $? "e1000.tx_ceiling_refuses_bad_durations"
}

# The main NIC suite: static address, 32 MiB echo, counters, DHCP, cycles.
nic_suite() {
	ktap_check e1000.insmod insmod "$nic_ko"
	ktap_check e1000.static_address_up \
		grep -q '^en[0-9]* .* addr 10\.0\.2\.15 mask 255\.255\.255\.0 gw 10\.0\.2\.2 .* up link up default' /proc/lwip/netifs
	nic_echo e1000.echo_32mib "$NIC_PEER" 33554432
	awk '$1 == "e1000" && $2 ~ /^0000:/ { rx = $4 }
	     $1 == "e1000" && $2 == "tx_packets" { tx = $3; irq = $11 }
	     END { exit !(rx > 20000 && tx > 20000 && irq > 0) }' /proc/lwip/netifs
	ktap_result $? "e1000.counters_in_proc"
	grep -q '^  e1000 csum_offload on tx_csum_offloaded [1-9]' /proc/lwip/netifs
	ktap_result $? "e1000.tx_checksums_offloaded"
	nic_ceiling_checks
	ktap_check e1000.rmmod rmmod lwip_e1000

	! insmod "$nic_ko" rx_descs=12 2>/dev/null && ! insmod "$nic_ko" tx_descs=8192 2>/dev/null &&
		! insmod "$nic_ko" tx_descs=0 2>/dev/null
	ktap_result $? "e1000.bad_ring_sizes_refused"
	# 4096 descriptors want 8 MiB of buffers in one allocation, more than
	# the page allocator ever gives: probe fails with its own message and
	# no allocator WARNING, the module stays loaded without a netif.
	dmesg -c >/dev/null
	insmod "$nic_ko" rx_descs=4096 tx_descs=4096 &&
		dmesg | grep -q 'lwip_e1000 .*: cannot allocate the RX ring: 4096 descriptors' &&
		dmesg | grep -q 'probe of .* failed with error -12' &&
		! dmesg | grep -q 'WARNING' && ! grep -q '^en' /proc/lwip/netifs
	ktap_result $? "e1000.unallocatable_ring_refused_quietly"
	dmesg | grep lwip_e1000 | sed 's/^/# /'
	ktap_check e1000.rmmod_after_failed_probe rmmod lwip_e1000
	ktap_check e1000.insmod_ring_sizes insmod "$nic_ko" rx_descs=512 tx_descs=8
	nic_echo e1000.echo_ring_sizes "$NIC_PEER" 4194304
	rmmod lwip_e1000

	ktap_check e1000.insmod_csum_offload_off insmod "$nic_ko" csum_offload=0
	nic_echo e1000.echo_software_checksums "$NIC_PEER" 4194304
	rmmod lwip_e1000

	insmod "$nic_ko" dhcp=1 && nic_wait_addr 'en[0-9]*' '10\.0\.2\.15'
	ktap_result $? "e1000.dhcp_gets_10.0.2.15"
	nic_echo e1000.dhcp_echo "$NIC_PEER" 1048576
	rmmod lwip_e1000

	load_cycles e1000 "$nic_ko" 1 suite=nic "peer=$NIC_PEER" peer_bytes=262144
}

# One NIC model (QEMU -device MODEL): probe, address, 1 MiB echo.
nic_model_suite() {
	ktap_check "model_$NIC_MODEL.insmod" insmod "$nic_ko"
	nic_echo "model_$NIC_MODEL.echo" "$NIC_PEER" 1048576
	ktap_check "model_$NIC_MODEL.insmod_sock" insmod /lwipk/modules/lwip_sock.ko
	brownlazy_check "model_$NIC_MODEL.brownlazy_to_host_server" \
		--client-only --addr 10.0.2.100 --port 19
	ktap_check "model_$NIC_MODEL.rmmod_sock" rmmod lwip_sock
	ktap_check "model_$NIC_MODEL.rmmod" rmmod lwip_e1000
}

# On a tap device to a network namespace of the host: the host's own Linux
# stack pings the guest and echoes TCP both ways (scripts/test.sh drives
# the host side once the guest says it is ready).
nic_tap_suite() {
	ktap_check tap.insmod insmod "$nic_ko" ip=10.0.9.2 gw=10.0.9.1
	echo "lwipk-tap: ready"
	selftest_run suite=serve serve_ms=120000
	ktap_import tap.host_to_guest_tcp /tmp/selftest.ktap
	nic_echo tap.guest_to_host_tcp 10.0.9.1:7 4194304
	ktap_check tap.rmmod rmmod lwip_e1000
}

# Two NICs, each its own netif and network, each carrying traffic.
nic_two_suite() {
	ktap_check two_nics.insmod insmod "$nic_ko"
	[ "$(grep -c '^en[0-9]* .* up link up' /proc/lwip/netifs)" -eq 2 ]
	ktap_result $? "two_nics.two_netifs_up"
	nic_echo two_nics.first_echo "$NIC_PEER" 1048576
	nic_echo two_nics.second_echo "$NIC2_PEER" 1048576
	awk '$1 == "e1000" && $2 ~ /^0000:/ { n += ($4 > 500) } END { exit n != 2 }' /proc/lwip/netifs
	ktap_result $? "two_nics.both_received"
	ktap_check two_nics.rmmod rmmod lwip_e1000
}

# nic_stat NAME: one lwip_e1000 counter from /proc/lwip/netifs (first NIC).
nic_stat() {
	awk -v k="$1" '$1 == "e1000" { for (i = 2; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' \
		/proc/lwip/netifs
}

# nic_pull NAME: the RX ring under load: 40 parallel downloads of 1 MiB
# from the host (guestfwd 10.0.2.100:80, one "peer source-stdio" each) into
# lwIP, every byte checked; then the frames the device dropped because the
# ring was full (QEMU's MPC, rx_missed) must be at most 1% of those
# received. (128 descriptors, the old default, lost about 5% here.)
nic_pull() {
	np_m0=$(nic_stat rx_missed) np_r0=$(nic_stat rx_packets)
	pull 10.0.2.100 80 40 1048576 --timeout 300 >/tmp/pull.out 2>&1
	np_rc=$?
	np_m=$(($(nic_stat rx_missed) - np_m0)) np_r=$(($(nic_stat rx_packets) - np_r0))
	sed 's/^/# /' /tmp/pull.out
	echo "# lwIP, rx_descs=$(cat /sys/module/lwip_e1000/parameters/rx_descs): $np_r frames received, $np_m lost at the ring"
	ktap_result $np_rc "$1.pull_40x1mib_intact"
	[ $np_rc -eq 0 ] && [ $((np_m * 100)) -le $np_r ]
	ktap_result $? "$1.pull_ring_loss_at_most_1pct # $np_m of $np_r"
}

# nic_rmmod_under_load NAME: rmmod lwip_e1000 while 40 downloads pour in
# (the IRQ thread busy), then load it again and carry traffic: remove must
# not race the IRQ thread's unmask, nor hang, nor warn.
nic_rmmod_under_load() {
	pull 10.0.2.100 80 40 1048576 --timeout 60 >/dev/null 2>&1 &
	nr_pull=$!
	nr_r0=$(nic_stat rx_packets)
	nr_i=0
	while [ $(($(nic_stat rx_packets) - nr_r0)) -lt 2000 ] && [ $nr_i -lt 300 ]; do
		nr_i=$((nr_i + 1))
		sleep 0.1
	done
	echo "# rmmod after $(($(nic_stat rx_packets) - nr_r0)) frames of the downloads"
	rmmod lwip_e1000
	ktap_result $? "$1.rmmod_during_rx_load"
	kill $nr_pull 2>/dev/null
	wait $nr_pull
	ktap_check "$1.insmod_after_rmmod_under_load" insmod "$nic_ko"
	nic_echo "$1.echo_after_rmmod_under_load" "$NIC_PEER" 1048576
}

# nic_linux_pull: the same 40 downloads on Linux's own e1000.ko and stack,
# for comparison (not judged: the loss is reported). Linux adds MPC into
# rx_missed_errors every 2 s as if it cleared on read, but QEMU's does not
# clear: the step it takes once the load is over is MPC itself.
nic_linux_pull() {
	nic_linux_up
	ktap_result $? "linux_e1000.up"
	nl_m0=$(nic_linux_mpc) nl_r0=$(cat /sys/class/net/eth0/statistics/rx_packets)
	pull 10.0.2.100 80 40 1048576 --family inet --timeout 300 >/tmp/pull.out 2>&1
	ktap_result $? "linux_e1000.pull_40x1mib_intact"
	sed 's/^/# /' /tmp/pull.out
	echo "# Linux e1000.ko, 256 descriptors: $(($(cat /sys/class/net/eth0/statistics/rx_packets) - nl_r0)) frames received, $(($(nic_linux_mpc) - nl_m0)) lost at the ring"
	rmmod e1000
}

# nic_linux_up: Linux's own e1000.ko (/lwipk/files) and stack on the NIC,
# 10.0.2.15 with 10.0.2.2 as the gateway, its carrier up (10 s at most).
nic_linux_up() {
	insmod /lwipk/files/e1000.ko && ip link set eth0 up &&
		ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2 &&
		wait_grep 10 1 /sys/class/net/eth0/carrier
}

# nic_linux_mpc: QEMU's MPC, as two steps of Linux's rx_missed_errors tell.
nic_linux_mpc() {
	nlm=/sys/class/net/eth0/statistics/rx_missed_errors
	for _ in 1 2; do
		nlm_a=$(cat $nlm) nlm_i=0
		while [ "$(cat $nlm)" = "$nlm_a" ] && [ $nlm_i -lt 50 ]; do
			nlm_i=$((nlm_i + 1))
			sleep 0.1
		done
	done
	echo $(($(cat $nlm) - nlm_a))
}
