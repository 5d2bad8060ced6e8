# shellcheck shell=sh
# The netem suite (PLAN=netem): the NIC on a tap device in a network
# namespace, through tests/host/netem.c, which impairs the frames both ways
# and runs the peers on the namespace's Linux stack (10.0.9.1: 9 a sink
# answering the sha256 it got, 19 a source of the harness's file, whose
# sha256 is NETEM_H2G_SHA). For each condition, NETEM_MIB MiB each way
# over lwIP (lwip_sock.ko) and then over Linux's own stack with Linux's
# e1000.ko (/lwipk/files), the guest sending the command in band (UDP to
# 10.0.9.1:4999). A transfer has a deadline and an idle limit; its result
# must be what the condition expects of the stack:
#   complete  done, with the right sha256, before the deadline
#   bound     any outcome (done or an error) before the deadline + 10 s
#   error     an error (not a silent success), before the deadline + 10 s
# NETEM_CONDS (names, space-separated) runs only those conditions, in its
# order, a name given twice twice; NETEM_DIRS (g2h, h2g) only those ways.
# Each line: NAME|COMMAND|LWIP|LINUX[|IDLE]; @T in COMMAND is the time into
# the transfer (a quarter of a second per MiB) when the event happens; IDLE
# multiplies the idle limit (at 10 % loss both ways, either stack's RTO
# backoff after a retransmission lost again and again can stall it for
# seconds: 5 in a row is 0.2 + 0.4 + ... + 3.2 s). The deadline and the
# idle limit are scaled by LWIPK_SLOW (a debug kernel).
netem_conditions='none|set|complete|complete
loss1|set loss=1|complete|complete
loss5|set loss=5|complete|complete
loss10|set loss=10|complete|complete|3
reorder25|set delay=10 reorder=25|complete|complete
dup1|set dup=1|complete|complete
corrupt0.5|set corrupt=0.5|complete|complete
delay50_loss1|set delay=50 loss=1|complete|complete
rate10|set rate=10000|complete|complete
rate10_delay100|set rate=10000 delay=100|complete|complete
flap|set rate=10000;flap @T 1000|complete|complete
peer_killed|set rate=10000;kill @T|error|error
peer_vanished|set rate=10000;vanish @T|error|error'

# netem_now: seconds since boot, to the hundredth.
netem_now() {
	cut -d' ' -f1 /proc/uptime
}

# netem_ctl FAMILY COMMAND: one command to the emulator, sent twice (the
# first may wait for ARP; every command is idempotent).
netem_ctl() {
	lwcat udp 10.0.9.1 4999 "$2" --family "$1"
	lwcat udp 10.0.9.1 4999 "$2" --family "$1"
}

# netem_rtos STACK: the guest's retransmission timeouts so far, lwIP's
# (port/proc.c counts them) or Linux's (TcpExt TCPTimeouts).
netem_rtos() {
	if [ "$1" = lwip ]; then
		sed -n 's/^retransmission timeouts: //p' /proc/lwip/tcp
	else
		awk '$1 == "TcpExt:" { if (!n) { for (i = 2; i <= NF; i++) if ($i == "TCPTimeouts") c = i; n = 1 }
			else print $c }' /proc/net/netstat
	fi
}

# netem_xfer STACK FAMILY COND g2h|h2g EXPECT: one transfer, judged.
netem_xfer() {
	nx_rto0=$(netem_rtos "$1")
	nx_t0=$(netem_now)
	if [ "$4" = g2h ]; then
		timeout $((netem_deadline + 10)) lwcat send 10.0.9.1 9 --family "$2" \
			--deadline "$netem_deadline" --idle "$netem_idle" \
			</tmp/netem.bin >/tmp/netem.out 2>/tmp/netem.err
		nx_rc=$?
		nx_want=$netem_g2h_sha
		nx_got=$(cut -d' ' -f1 /tmp/netem.out)
	else
		timeout $((netem_deadline + 10)) lwcat get 10.0.9.1 19 --family "$2" \
			--deadline "$netem_deadline" --idle "$netem_idle" \
			>/tmp/netem.out 2>/tmp/netem.err
		nx_rc=$?
		nx_want=$NETEM_H2G_SHA
		nx_got=$(sha256sum </tmp/netem.out | cut -d' ' -f1)
	fi
	nx_secs=$(awk -v a="$nx_t0" -v b="$(netem_now)" 'BEGIN { printf "%.2f", b - a }')
	if [ $nx_rc -eq 0 ] && [ "$nx_got" = "$nx_want" ]; then
		nx_result=ok
	elif [ $nx_rc -eq 0 ]; then
		nx_result=corrupt	# a silent success with wrong data: never right
	else
		nx_result=error
	fi
	nx_rtos=$(($(netem_rtos "$1") - nx_rto0))
	# The receiver's longest stall: the sink's (in its answer) guest->host,
	# lwcat's host->guest. The sender's own (lwcat send) also counts the
	# time its socket buffer was full, which Linux's grows up to 4 MiB.
	if [ "$4" = g2h ]; then
		nx_stall=$(sed -n 's/.* stall \([0-9.]*\)$/\1/p' /tmp/netem.out | head -n 1)
	else
		nx_stall=$(sed -n 's/.*longest stall \([0-9.]*\) s.*/\1/p' /tmp/netem.err | head -n 1)
	fi
	echo "netem: stack=$1 cond=$3 dir=$4 result=$nx_result secs=$nx_secs rc=$nx_rc rtos=$nx_rtos stall=${nx_stall:--}"
	sed 's/^/# /' /tmp/netem.err
	nx_in_time=$(awk -v s="$nx_secs" -v d=$((netem_deadline + 10)) 'BEGIN { print (s <= d) }')
	case $5:$nx_result in
	complete:ok|bound:ok|bound:error|error:error) [ "$nx_in_time" = 1 ] ;;
	*) false ;;
	esac
	ktap_result $? "netem.$1.$3.$4 # $nx_result in $nx_secs s, expected $5"
	# At 10 Mbit/s without loss, nothing but a delay-based exit (HyStart++,
	# lwip/patches/0007) ends lwIP's slow start before its whole send
	# buffer is in the queue: by the end of its data, ssthresh is set
	# (lwcat's tcp_info line).
	if [ "$1:$3:$4" = lwip:rate10:g2h ]; then
		nx_ssth=$(sed -n 's/.* ssthresh \([0-9a-z]*\)$/\1/p' /tmp/netem.err | head -n 1)
		[ -n "$nx_ssth" ] && [ "$nx_ssth" != inf ]
		ktap_result $? "netem.lwip.rate10.g2h_slow_start_ended # ssthresh ${nx_ssth:-none} (segments)"
	fi
}

# netem_round STACK FAMILY: every condition (or NETEM_CONDS's, in its order:
# a name given twice runs twice), both ways (or NETEM_DIRS's). Each stack's
# Nth transfer is set with draw=N: the emulator gives both stacks' Nth
# transfers the same random fate frame by frame (the same link), and
# repetitions different ones.
netem_round() {
	nr_k=0
	for nr_want in ${NETEM_CONDS:-$(echo "$netem_conditions" | cut -d'|' -f1)}; do
		nr_line=$(echo "$netem_conditions" | grep "^$nr_want|")
		if [ -z "$nr_line" ]; then
			ktap_result 1 "netem.$1.$nr_want # no such condition"
			continue
		fi
		IFS='|' read -r nr_name nr_cmd nr_lwip nr_linux nr_idle <<EOF
$nr_line
EOF
		nr_expect=$nr_lwip
		[ "$1" = lwip ] || nr_expect=$nr_linux
		nr_cmd=$(echo "$nr_cmd" | sed "s/@T/$((NETEM_MIB * 250))/")
		netem_idle=$((netem_idle0 * ${nr_idle:-1}))
		for nr_dir in ${NETEM_DIRS:-g2h h2g}; do
			nr_k=$((nr_k + 1))
			netem_ctl "$2" "set draw=$nr_k${nr_cmd#set}"
			netem_xfer "$1" "$2" "$nr_name" "$nr_dir" "$nr_expect"
		done
		netem_ctl "$2" clear
	done
}

netem_suite() {
	netem_deadline=$((${NETEM_DEADLINE:-20} * ${LWIPK_SLOW:-1}))
	netem_idle0=$((${NETEM_IDLE:-5} * ${LWIPK_SLOW:-1}))
	dd if=/dev/urandom of=/tmp/netem.bin bs=1M count="$NETEM_MIB" 2>/dev/null
	netem_g2h_sha=$(sha256sum </tmp/netem.bin | cut -d' ' -f1)

	if [ "${NETEM_ORDER:-}" = linux-first ]; then
		netem_linux
		netem_lwip
	else
		netem_lwip
		netem_linux
	fi
}

# netem_lwip, netem_linux: every condition on one stack, its modules loaded
# and unloaded around them (NETEM_ORDER=linux-first runs Linux's first:
# make bench alternates, so that drift on a shared machine falls on both).
netem_lwip() {
	# up with its link, as Linux's with its carrier below: after Linux's
	# round, a bench boot's first connect found no link (ENETUNREACH)
	ktap_check netem.lwip.insmod eval 'insmod /lwipk/modules/lwip.ko &&
		insmod /lwipk/modules/lwip_e1000.ko ip=10.0.9.2 gw=10.0.9.1 &&
		insmod /lwipk/modules/lwip_sock.ko && nic_wait_link up'
	# shellcheck disable=SC2046 # four numbers, meant to split
	set -- $(wire_heap)
	netem_used=$1 netem_blocks=$2
	netem_round lwip lwip
	wire_heap_back "$netem_used" "$netem_blocks"
	ktap_result $? "netem.lwip.heap_back"
	ktap_check netem.lwip.rmmod eval 'rmmod lwip_sock && rmmod lwip_e1000 && rmmod lwip'
}

netem_linux() {
	ktap_check netem.linux.up eval 'insmod /lwipk/files/e1000.ko &&
		ip link set eth0 up && ip addr add 10.0.9.2/24 dev eth0 &&
		wait_grep 10 "^1$" /sys/class/net/eth0/carrier'
	netem_round linux inet
	ktap_check netem.linux.rmmod rmmod e1000
}
