# shellcheck shell=sh
# PLAN=progs: real programs on lwIP across the NIC, against real peers on
# the host (scripts/test.sh's progs boot runs those and judges what they
# got). Every guest program runs under lwiprun. First the guest serves:
# BusyBox httpd (to the host's curl), telnetd (to peer chat) and nc both
# ways (with the host's BusyBox nc); then it fetches and sends: BusyBox wget
# from the host's python3 http.server, tftp from QEMU's TFTP server, nc to a
# host peer; then Debian's iperf3 both ways against the host's iperf3
# server, on lwIP and then on Linux's e1000.ko and stack. Needs lwip.ko
# loaded. From the host, in /lwipk/files: big.bin (16 MiB), small.bin
# (1 MiB), iperf3 with its libraries, Linux's e1000.ko.

progs_files=/lwipk/files

# progs_same FILE1 FILE2: the same sha256 (both printed).
progs_same() {
	pm_a=$(sha256sum <"$1" | cut -d' ' -f1)
	pm_b=$(sha256sum <"$2" | cut -d' ' -f1)
	echo "# sha256 $pm_a $1"
	echo "# sha256 $pm_b $2"
	[ "$pm_a" = "$pm_b" ]
}

# iperf3_install: /tmp/iperf3 runs Debian's iperf3 (host_iperf3 in
# scripts/lib.sh put it and its libraries into /lwipk/files) through its
# own loader.
iperf3_install() {
	printf '#!/bin/sh\nexec %s/ld-linux-x86-64.so.2 --library-path %s %s/iperf3 "$@"\n' \
		$progs_files $progs_files $progs_files >/tmp/iperf3
	chmod +x /tmp/iperf3
}

# iperf3_mbit FILE: the receiver's Mbit/s in iperf3's output (-f m).
iperf3_mbit() {
	awk '/ receiver$/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") v = $i }
		END { print v }' "$1"
}

# iperf3_run send|recv SECONDS [WRAP...]: iperf3 -c the host's server
# (10.0.2.100:5201) for SECONDS, guest->host (send) or host->guest (recv,
# -R), run by WRAP (e.g. lwiprun); its output in /tmp/iperf3.out. 0 when it
# ran clean: exit status 0, a receiver's rate, and no error or warning line
# ("iperf3: error ...", or "getsockopt - Protocol not available" as it said
# before lwip_sock.ko had TCP_INFO).
iperf3_run() {
	ir_r=''
	[ "$1" = send ] || ir_r=1
	ir_t=$2
	shift 2
	"$@" /tmp/iperf3 -c 10.0.2.100 -p 5201 -t "$ir_t" -f m ${ir_r:+-R} >/tmp/iperf3.out 2>&1 &&
		! grep -qiE 'error|warning|not available|not supported' /tmp/iperf3.out && [ -n "$(iperf3_mbit /tmp/iperf3.out)" ]
}

# progs_iperf3 STACK [WRAP...]: iperf3 both ways, 3 s each, one result each.
progs_iperf3() {
	pi_stack=$1
	shift
	for pi_dir in send recv; do
		iperf3_run $pi_dir 3 "$@"
		pi_rc=$?
		sed 's/^/# /' /tmp/iperf3.out
		ktap_result $pi_rc "progs.iperf3_${pi_dir}_$pi_stack # $(iperf3_mbit /tmp/iperf3.out) Mbit/s"
	done
}

# progs_serve: httpd (8080), telnetd (2323), nc receiving (7000) and nc
# sending small.bin (7001), all under lwiprun; "lwipk-progs: servers ready"
# tells the host, which uses them in that order (through hostfwds), nc last.
# Both nc servers end with their connection; then httpd and telnetd are
# stopped.
progs_serve() {
	pv_t=$((600 * ${LWIPK_SLOW:-1}))
	mount -t devpts devpts /dev/pts
	mkfifo /tmp/progs.idle
	exec 4<>/tmp/progs.idle		# the receiving nc's stdin, never ending
	lwiprun --no-inet6 busybox httpd -f -p 8080 -h $progs_files &
	pv_httpd=$!
	lwiprun --no-inet6 busybox telnetd -F -K -l /bin/sh -p 2323 &
	pv_telnetd=$!
	timeout $pv_t lwiprun --no-inet6 busybox nc -l -p 7000 </tmp/progs.idle >/tmp/nc-h2g.bin &
	pv_h2g=$!
	timeout $pv_t lwiprun --no-inet6 busybox nc -l -p 7001 <$progs_files/small.bin &
	pv_g2h=$!
	sock_wait_listen 8080 && sock_wait_listen 2323 && sock_wait_listen 7000 &&
		sock_wait_listen 7001
	ktap_result $? "progs.servers_listening"
	echo "lwipk-progs: servers ready"
	wait $pv_h2g
	ktap_result $? "progs.nc_server_received_from_host"
	progs_same /tmp/nc-h2g.bin $progs_files/small.bin
	ktap_result $? "progs.nc_host_to_guest_1mib_sha256"
	wait $pv_g2h
	ktap_result $? "progs.nc_server_sent_to_host"
	kill $pv_httpd $pv_telnetd
	wait $pv_httpd
	ktap_result $(($? != 143)) "progs.httpd_ran_until_stopped"
	wait $pv_telnetd
	ktap_result $(($? != 143)) "progs.telnetd_ran_until_stopped"
	exec 4>&-
	rm -f /tmp/progs.idle /tmp/nc-h2g.bin
}

# progs_fetch: wget, tftp and nc as clients of the host.
progs_fetch() {
	lwiprun --no-inet6 busybox wget -q -O /tmp/big.wget http://10.0.2.100/big.bin &&
		progs_same /tmp/big.wget $progs_files/big.bin
	ktap_result $? "progs.wget_16mib_from_host_python_sha256"
	rm -f /tmp/big.wget
	lwiprun --no-inet6 busybox tftp -g -r small.bin -l /tmp/small.tftp 10.0.2.2 &&
		progs_same /tmp/small.tftp $progs_files/small.bin
	ktap_result $? "progs.tftp_1mib_from_qemu_tftp_sha256"
	rm -f /tmp/small.tftp
	# the host compares what its sink got
	lwiprun --no-inet6 busybox nc 10.0.2.100 9 <$progs_files/small.bin
	ktap_result $? "progs.nc_client_sent_1mib_to_host"
}

progs_suite() {
	ktap_check progs.insmod_e1000 insmod /lwipk/modules/lwip_e1000.ko
	ktap_check progs.insmod_sock insmod /lwipk/modules/lwip_sock.ko
	progs_serve
	progs_fetch
	iperf3_install
	progs_iperf3 lwip lwiprun --no-inet6
	lwiprun_rmmod_sock
	ktap_result $? "progs.rmmod_sock"
	ktap_check progs.rmmod_e1000 rmmod lwip_e1000
	nic_linux_up
	ktap_result $? "progs.linux_e1000_up"
	progs_iperf3 linux
	rmmod e1000
}
