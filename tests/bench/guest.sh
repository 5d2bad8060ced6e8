# shellcheck shell=sh
# The guest side of "make bench" (scripts/bench.sh boots it; not a test).
#   BENCH_MODE=nic-linux   Linux's e1000.ko (/lwipk/files) + Linux's stack;
#                          its NIC ceiling with pktgen.ko (/lwipk/files)
#   BENCH_MODE=nic-lwip    lwip.ko + lwip_e1000.ko + lwip_sock.ko
#   BENCH_MODE=lo          both stacks over loopback, BENCH_REPS rounds,
#                          the order alternating each round
#   BENCH_MODE=profile     the lwip NIC configuration, profiled
# BENCH_TIME is each measurement's duration in seconds. The host peers are
# guestfwd cmd: services on 10.0.2.100: 9 sink, 19 source, 7 rr, 5201 the
# host's iperf3 server (the NIC boots); with
# BENCH_NET=tap the NIC is on a tap device in a network namespace, the
# guest is 10.0.9.2 and the peers listen on 10.0.9.1 (metrics *_tap).
# shellcheck source=tests/guest/ktap.sh
. /lwipk/ktap.sh
# shellcheck source=tests/guest/progs.sh
. /lwipk/progs.sh
mod=/lwipk/modules
t=${BENCH_TIME:-2}
if [ "${BENCH_NET:-user}" = tap ]; then
	peer=10.0.9.1 addr=10.0.9.2 gw=10.0.9.1 net=tap
else
	peer=10.0.2.100 addr=10.0.2.15 gw=10.0.2.2 net=nic
fi

# line METRIC STACK VALUE UNIT: one measurement, as bench prints them.
line() {
	echo "bench: metric=$1 stack=$2 value=$3 unit=$4"
}

# lsmod_kib MODULE...: the sum of their lsmod sizes, in KiB.
lsmod_kib() {
	lsmod | awk -v want=" $* " 'index(want, " " $1 " ") { s += $2 }
		END { printf "%.1f\n", s / 1024 }'
}

# nic_up STACK: load the stack's NIC driver, report its module size and
# MemAvailable's drop across loading (and, for Linux, bringing eth0 up).
nic_up() {
	before=$(mem_available_kb)
	if [ "$1" = linux ]; then
		mods=e1000
		insmod /lwipk/files/e1000.ko || return 1
		ip link set eth0 up && ip addr add $addr/24 dev eth0 &&
			ip route add default via $gw || return 1
		i=0
		while [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ]; do
			i=$((i + 1))
			[ $i -le 100 ] || return 1
			sleep 0.1
		done
	else
		mods='lwip lwip_e1000 lwip_sock'
		insmod $mod/lwip.ko && insmod $mod/lwip_e1000.ko ip=$addr gw=$gw &&
			insmod $mod/lwip_sock.ko || return 1
	fi
	sleep 1
	after=$(mem_available_kb)
	[ $net = nic ] || return 0	# the same modules either way
	# shellcheck disable=SC2086 # one word per module
	line mod_size_nic "$1" "$(lsmod_kib $mods)" KiB
	line mem_insmod_nic "$1" $((before - after)) KiB
}

# rto_count FAMILY: retransmission timeouts so far, Linux's TcpExt
# TCPTimeouts or lwIP's count (since lwip.ko loaded).
rto_count() {
	if [ "$1" = inet ]; then
		awk '$1 == "TcpExt:" { if (!n) { for (i = 2; i <= NF; i++) if ($i == "TCPTimeouts") n = i; next }
			print $n; exit }' /proc/net/netstat
	else
		sed -n 's/^retransmission timeouts: //p' /proc/lwip/tcp
	fi
}

# nic_round STACK: every NIC measurement once, then the NIC's ceiling and
# the retransmission timeouts the TCP tests took.
nic_round() {
	if [ "$1" = linux ]; then f=inet; else f=lwip; fi
	rto0=$(rto_count $f)
	bench --family $f tcp_send --time "$t" --host $peer --port 9
	bench --family $f tcp_recv --time "$t" --host $peer --port 19
	bench --family $f tcp_rr --time "$t" --host $peer --port 7
	line tcp_rto_nic "$1" $(($(rto_count $f) - rto0)) timeouts
	[ $net = nic ] || return 0	# over tap: the TCP tests only
	nic_iperf3 "$1"
	# UDP to the guestfwd address: its MAC is known from the TCP tests
	bench --family $f udp_pps --time "$t" --host $peer --port 9
	# Linux's ceiling is pktgen's: loaded only now, so that its threads
	# are in none of the measurements above (mem_insmod_nic included).
	[ "$1" != linux ] || insmod /lwipk/files/pktgen.ko
	bench --family $f tx_ceiling --time "$t"
}

# nic_iperf3 STACK: Debian's iperf3 (scripts/bench.sh put it into
# /lwipk/files) both ways against the host's iperf3 server, the receiver's
# rate; for lwipk under lwiprun (tests/guest/progs.sh).
nic_iperf3() {
	iperf3_install
	for d in send recv; do
		if [ "$1" = linux ]; then
			iperf3_run $d "$t"
		else
			iperf3_run $d "$t" lwiprun --no-inet6
		fi || { sed 's/^/# /' /tmp/iperf3.out; continue; }
		line "iperf3_$d" "$1" "$(iperf3_mbit /tmp/iperf3.out)" Mbit/s
	done
}

# lo_round FAMILY: every loopback measurement once (ports differ per test,
# so no test waits for another's TIME_WAIT). tcp_crr comes last: the
# TIME_WAIT connections it leaves (two minutes each) slow lwIP down, as it
# walks them linearly; tcp_bulk_lo_after_crr measures by how much.
lo_round() {
	rto0=$(rto_count "$1")
	bench --family "$1" tcp_send --time "$t" --port 5101
	bench --family "$1" tcp_rr --time "$t" --port 5102
	bench --family "$1" udp_pps --time "$t" --port 5104
	bench --family "$1" mem_conn --conns "${BENCH_CONNS:-1000}" --port 5105
	bench --family "$1" tcp_crr --time "$t" --port 5103
	bench --family "$1" tcp_send --time "$t" --port 5106 |
		sed 's/metric=tcp_bulk_lo /metric=tcp_bulk_lo_after_crr /'
	if [ "$1" = inet ]; then s=linux; else s=lwip; fi
	line tcp_rto_lo $s $(($(rto_count "$1") - rto0)) timeouts
}

# lwip_fresh: reload lwip.ko and lwip_sock.ko, so every round starts with
# an lwIP without the previous rounds' TIME_WAIT connections.
lwip_fresh() {
	rmmod lwip_sock 2>/dev/null
	rmmod lwip 2>/dev/null
	insmod $mod/lwip.ko && insmod $mod/lwip_sock.ko
}

# e1000_counters: the lwip_e1000 counters as "name value" lines.
e1000_counters() {
	awk '$1 == "e1000" { for (i = 2; i < NF; i++)
		if ($(i + 1) ~ /^[0-9]+$/) print $i, $(i + 1) }' /proc/lwip/netifs
}

# profiled NAME CMD...: CMD with the lwIP and driver counters around it.
profiled() {
	name=$1
	shift
	echo "## $name: $*"
	e1000_counters >/tmp/c0
	cp /proc/lwip/stats /tmp/s0
	"$@"
	e1000_counters >/tmp/c1
	echo "### driver counters (delta), and per packet"
	awk 'NR == FNR { a[$1] = $2; next } { d[$1] = $2 - a[$1]; print "  " $1, d[$1] }
	     END { p = d["rx_packets"] + d["tx_packets"]
		if (p) printf "  irqs/packet %.3f  polls/packet %.3f  (%d packets)\n",
			d["irqs"] / p, d["polls"] / p, p }' /tmp/c0 /tmp/c1
	echo "### lwIP stats after (before: the previous section's after)"
	cat /proc/lwip/stats
	cat /proc/lwip/mem
}

profile_mode() {
	nic_up lwip || return 1
	echo "# lwipk profile: guest $(uname -r), $(nproc) CPUs, BENCH_TIME=$t"
	echo "### lwIP stats before"
	cat /proc/lwip/stats
	profiled tcp_send bench --family lwip tcp_send --time "$t" --host $peer --port 9
	profiled tcp_recv bench --family lwip tcp_recv --time "$t" --host $peer --port 19
	profiled tcp_rr bench --family lwip tcp_rr --time "$t" --host $peer --port 7

	echo "## kernel profile (/proc/profile, profile=2) of tcp_send"
	echo 0 >/proc/sys/kernel/kptr_restrict
	echo 0 >/proc/profile		# any write resets the counters
	bench --family lwip tcp_send --time "$t" --host $peer --port 9
	bench profile --top 30

	# Debian's kernel has no function profiler: count calls with the
	# function tracer on our modules instead (calls, not time).
	tr=/sys/kernel/debug/tracing
	echo "## calls into lwip*.ko during 1 s of tcp_send (ftrace function tracer)"
	if [ -f $tr/set_ftrace_filter ]; then
		echo 8192 >$tr/buffer_size_kb
		for m in lwip lwip_e1000 lwip_sock; do
			echo ":mod:$m" >>$tr/set_ftrace_filter
		done
		echo function >$tr/current_tracer
		bench --family lwip tcp_send --time 1 --host $peer --port 9
		echo 0 >$tr/tracing_on		# a tracer change would clear it
		awk '$1 != "#" && NF >= 5 { split($5, f, "+"); n[f[1]]++; all++ }
			END { for (x in n) printf "%10d %5.1f%%  %s\n", n[x], 100 * n[x] / all, x }' \
			$tr/trace | sort -rn | head -n 40
		grep -E '^# entries-in-buffer' $tr/trace
		echo nop >$tr/current_tracer
		echo 1 >$tr/tracing_on
		echo >$tr/set_ftrace_filter
	else
		echo "# no ftrace in this kernel"
	fi
}

case ${BENCH_MODE:-lo} in
nic-linux|nic-lwip)
	s=${BENCH_MODE#nic-}
	nic_up "$s" || { echo "bench: error: $s NIC did not come up"; exit 1; }
	nic_round "$s" | sed "s/_nic stack=/_$net stack=/"
	;;
lo)
	r=0
	while [ $r -lt "${BENCH_REPS:-5}" ]; do
		r=$((r + 1))
		lwip_fresh || exit 1
		echo "bench: round $r"
		if [ $((r % 2)) -eq 1 ]; then
			lo_round inet
			lo_round lwip
		else
			lo_round lwip
			lo_round inet
		fi
	done
	;;
profile)
	profile_mode
	;;
esac
