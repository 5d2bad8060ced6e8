#!/usr/bin/env bash
# bench-report.sh RAW.CSV [SECONDS]: bench/results.md and bench/results.png
# from make bench's samples (median, min-max, lwipk/Linux ratio per metric).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"
csv=$1
took=${2:-}
out=$(dirname "$csv")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One row per metric and stack: metric stack median min max n unit; and in
# failed: metric stack count, of the samples marked failed (unit failed:...,
# a netem transfer that did not give the outcome measured).
tail -n +2 "$csv" | awk -F, '$6 ~ /^failed/ { n[$3 " " $4]++ } END { for (k in n) print k, n[k] }' >"$tmp/failed"
tail -n +2 "$csv" | awk -F, '$6 !~ /^failed/ { print $3, $4, $5, $6 }' | sort -k1,1 -k2,2 -k3,3g |
	awk 'function flush() {
		if (!n) return
		med = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		print key, med, v[1], v[n], n, unit
		n = 0
	}
	{ k = $1 " " $2; if (k != key) { flush(); key = k } v[++n] = $3; unit = $4 }
	END { flush() }' >"$tmp/stats"

# What each metric is, and whether more is better (+) or less (-).
cat >"$tmp/desc" <<'EOF'
tcp_send_nic + TCP bulk guest->host (NIC, host sink)
tcp_recv_nic + TCP bulk host->guest (NIC, host source)
tcp_rr_nic + TCP 1-byte request/response (NIC, host responder)
iperf3_send + Debian's iperf3 guest->host (NIC, the host's iperf3 -s; lwipk under lwiprun)
iperf3_recv + Debian's iperf3 host->guest (-R; NIC, the host's iperf3 -s; lwipk under lwiprun)
udp_pps_nic + UDP 64-byte datagrams sent by the NIC (guest->host)
udp_loss_nic - UDP loss between socket and NIC (guest->host)
tcp_rto_nic - TCP retransmission timeouts during the three NIC TCP tests
tcp_send_tap + TCP bulk guest->host (NIC on tap, the host's own stack as sink)
tcp_recv_tap + TCP bulk host->guest (NIC on tap, the host's own stack as source)
tcp_rr_tap + TCP 1-byte request/response (NIC on tap, host responder)
tcp_rto_tap - TCP retransmission timeouts during the three tap TCP tests
tx_ceiling_nic + NIC ceiling: MTU-sized frames sent from the kernel through the driver, no stack (Linux: pktgen; lwipk: debugfs tx_ceiling)
tx_ceiling_mbit_nic + NIC ceiling in Mbit/s (1514-byte frames)
tcp_bulk_lo + TCP bulk over loopback (server thread)
tcp_bulk_lo_after_crr + TCP bulk over loopback, right after tcp_crr (its TIME_WAITs)
tcp_rr_lo + TCP 1-byte request/response over loopback
tcp_crr_lo + TCP connect/1 byte/close over loopback
udp_pps_lo + UDP 64-byte datagrams received over loopback
udp_loss_lo - UDP loss over loopback
tcp_rto_lo - TCP retransmission timeouts during a loopback round
mem_conn_lo - memory per idle loopback connection (both ends, MemAvailable)
mem_conn_heap_lo - lwIP heap per idle loopback connection (/proc/lwip/mem)
mod_size_nic - module size, NIC driver (+ stack for lwipk) (lsmod)
mem_insmod_nic - MemAvailable drop after loading the NIC configuration
EOF
# The netem rows: one per condition of tests/guest/netem.sh and direction
# (@Ns in a command: N s into the transfer, a quarter of a second per MiB).
# MiB per transfer: from the samples' config (netem-8MiB), else NETEM_MIB.
mib=$(awk -F, '$1 ~ /^netem-[0-9]+MiB$/ { sub(/^netem-/, "", $1); sub(/MiB$/, "", $1); print $1; exit }' "$csv")
netem_table | awk -F'|' -v mib="${mib:-${NETEM_MIB:-8}}" '{
	what = $2; sub(/^set ?/, "", what); gsub(/;/, "; ", what); gsub(/@T/, "@" mib / 4 "s", what)
	if (what == "") what = "no impairment"
	for (d = 0; d < 2; d++) {
		m = "netem_" $1 "_" (d ? "h2g" : "g2h"); way = d ? "host->guest" : "guest->host"
		if ($3 == "error")
			print m, "-", "netem " what ": seconds until the transfer fails (" way "; the time to detect the loss of the peer)"
		else {
			print m, "-", "netem " what ": seconds to move " mib " MiB " way ($3 == "bound" ? " (completed transfers only)" : "")
			stall[++n] = "netem_stall_" $1 "_" (d ? "h2g" : "g2h") " - netem " what ": the longest time without progress at the receiver, " way " (completed transfers)"
		}
	}
}
END { for (i = 1; i <= n; i++) print stall[i] }' >>"$tmp/desc"
cat >>"$tmp/desc" <<'EOF'
netem_rtos - TCP retransmission timeouts during one netem boot (all its transfers)
netem_stall_max - the longest time a completed netem transfer made no progress at its receiver (all conditions)
netem_fail - netem transfers with no time: not done by the deadline, or not the expected error, or never reported (no sample in their rows)
EOF

# cell ROW: "median (min-max)" of a stats row, or a dash.
cell() {
	[ -n "$1" ] || { echo "—"; return; }
	# shellcheck disable=SC2086 # the row splits into fields on purpose
	set -- $1
	echo "$(fmt "$3") ($(fmt "$4")-$(fmt "$5"))"
}

fmt() { awk -v x="$1" 'BEGIN { if (x >= 100) printf "%.0f", x; else if (x >= 10) printf "%.1f", x; else printf "%.3g", x }'; }

{
	echo "# lwipk benchmark: lwIP (lwipk) vs Linux's own stack"
	echo
	echo "Produced by \`make bench\` (scripts/bench.sh); every sample is in [raw.csv](raw.csv)."
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), shared with other QEMU guests (noisy)"
	echo "- guest: Debian kernel $(cat "$top/deps/kver" 2>/dev/null), QEMU $(qemu-system-x86_64 --version | head -n 1 | sed 's/.*version //'), accel ${ACCEL:-tcg,thread=multi}"
	echo "- QEMU: \`qemu-system-x86_64 -m 1024 -smp 2 -accel tcg,thread=multi -device e1000,netdev=n0 -netdev user,id=n0,restrict=on,guestfwd=...-cmd:bench-peer ...\` (scripts/guest.sh)"
	echo "- NIC: Linux = in-tree e1000.ko + Linux's stack; lwipk = lwip.ko + lwip_e1000.ko + lwip_sock.ko; one boot per configuration and repetition, alternating"
	echo "- tap (as root): the same NIC boots on a tap device in a network namespace made for the run, the host's own stack as the peer (bench-peer --listen on 10.0.9.1); *_tap rows"
	echo "- loopback: both stacks in one boot, order alternating per round; lwip.ko and lwip_sock.ko reloaded before each round (a fresh lwIP: no earlier round's TIME_WAITs)"
	echo "- per measurement ${BENCH_TIME:-2} s; repetitions: see n${took:+; whole run took $took s}"
	echo
	echo "| metric | better | Linux median (min-max) | lwipk median (min-max) | unit | lwipk/Linux | n |"
	echo "|---|---|---|---|---|---|---|"
} >"$out/results.md"
: >"$tmp/ratios"
while read -r metric dir desc; do
	lx=$(awk -v m="$metric" '$1 == m && $2 == "linux"' "$tmp/stats")
	lw=$(awk -v m="$metric" '$1 == m && $2 == "lwip"' "$tmp/stats")
	fx=$(awk -v m="$metric" '$1 == m && $2 == "linux" { print $3 }' "$tmp/failed")
	fw=$(awk -v m="$metric" '$1 == m && $2 == "lwip" { print $3 }' "$tmp/failed")
	[ -n "$lx$lw$fx$fw" ] || continue
	# shellcheck disable=SC2086 # the rows split into fields on purpose
	unit=$(set -- ${lx:-$lw}; echo "${7:-s}")
	# shellcheck disable=SC2086
	n=$(set -- ${lw:-$lx}; echo "${6:-0}")
	# shellcheck disable=SC2086 # (netem: a failed transfer gives no sample)
	nx=$(set -- $lx; echo "${6:-0}") nw=$(set -- $lw; echo "${6:-0}")
	if [ "$nx" != "$nw" ] && { [ -n "$fx$fw" ] || { [ -n "$lx" ] && [ -n "$lw" ]; }; }; then
		n="lwipk $nw, Linux $nx"
	fi
	ratio=n/a
	if [ -n "$lx" ] && [ -n "$lw" ]; then
		# shellcheck disable=SC2086
		ratio=$(awk -v a="$(set -- $lw; echo "$3")" -v b="$(set -- $lx; echo "$3")" \
			'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }')
	fi
	if [ "$dir" = + ]; then better="more"; else better="less"; fi
	echo "| $metric: $desc | $better | $(cell "$lx")${fx:+, $fx failed} | $(cell "$lw")${fw:+, $fw failed} | $unit | $ratio | $n |" >>"$out/results.md"
	case $metric in *loss* | *rto* | netem_*) ;; *)
		if [ "$dir" = + ]; then c=0x3070b0; else c=0xd08020; fi
		[ "$ratio" = n/a ] || echo "$metric $ratio $c" >>"$tmp/ratios" ;;
	esac
done <"$tmp/desc"
{
	echo
	echo "Ratio = lwipk median / Linux median: above 1 is lwipk ahead for \"more\" rows, behind for \"less\" rows."
	echo "UDP over the NIC counts the frames the NIC sent (its driver's counter): QEMU's user networking delivered no guest UDP to a host socket (10.0.2.2 -> 127.0.0.1, with restrict=on and, in a one-off check, off), so the loss is only socket-to-NIC. The datagrams go to 10.0.2.100, whose MAC the TCP tests resolved (lwIP silently drops what queues behind a pending ARP request)."
	awk '$1 == "tcp_send_nic" { send[$2] = $3 } $1 == "tcp_recv_nic" { recv[$2] = $3 }
	     $1 == "tx_ceiling_mbit_nic" { ceil[$2] = $3 }
	     END { for (s in ceil) if (ceil[s] > 0)
		printf "NIC ceiling (%s): %.0f Mbit/s of 1514-byte frames through the driver alone, sent from the kernel; its TCP bulk send is %.1f%% of that, receive %.1f%%.\n",
			s == "lwip" ? "lwipk, debugfs tx_ceiling" : "Linux, pktgen", ceil[s],
			100 * send[s] / ceil[s], 100 * recv[s] / ceil[s] }' "$tmp/stats" | sort
	echo "tcp_rto: retransmission timeouts counted by each stack (Linux: TcpExt TCPTimeouts; lwipk: /proc/lwip/tcp, counted by lwip.ko as lwIP resends after a timeout); the target is 0 on these loss-free links."
	echo "mem_conn: 1,000 loopback connections (2,000 sockets) opened, idle; MemAvailable after drop_caches (plus per-CPU free pages) before and after, per connection."
	if grep -q '^netem_' "$tmp/stats"; then
		echo "netem_*: the NIC on a QEMU socket netdev through tests/host/netem.c (loss, delay, reordering... applied both ways; its commands are explained at the top of [tests/host/netem.c](../tests/host/netem.c)) to a tap device in a network namespace, the host's Linux stack as the peer (\`make netem\`'s boot, scripts/lib.sh netem_up); one boot per repetition, each condition both ways on both stacks, lwipk's round first in odd repetitions and Linux's in even ones. A transfer has a ${NETEM_DEADLINE:-120} s deadline and a ${NETEM_IDLE:-20} s idle limit. A transfer that does not give the outcome measured (done with the right data; for the peer killed or vanished, an error) gives no sample (n counts only the others): its row says \"N failed\" for that stack, and netem_fail counts it (with any transfer a boot never reported)."
	fi
	echo "mod_size: lsmod size of e1000.ko (Linux's stack is built in) vs lwip.ko + lwip_e1000.ko + lwip_sock.ko."
	echo "Every sample is one boot's (NIC) or one round's (loopback) value; min-max is over the repetitions; the machine was shared with other QEMU guests, so spreads are wide." 
	echo
	echo "![lwipk/Linux ratios](results.png)"
} >>"$out/results.md"

if command -v gnuplot >/dev/null && [ -s "$tmp/ratios" ]; then
	gnuplot <<EOF
set terminal pngcairo size 1000,540 noenhanced
set output "$out/results.png"
set title "lwipk / Linux, median ratio (blue: more is better; orange: less is better)"
set style fill solid 0.85 border -1
set boxwidth 0.7
set logscale y 2
set yrange [0.03:16]
set format y "%g"
set ylabel "lwipk / Linux (log scale)"
set xtics rotate by -35
set xrange [-0.6:*]
set grid ytics
set key off
plot "$tmp/ratios" using 0:2:3:xtic(1) with boxes linecolor rgb variable, \\
	"" using 0:2:(sprintf("%.2f", \$2)) with labels offset 0,0.8, \\
	1 with lines linewidth 2 linecolor rgb "#c03030"
EOF
fi
echo "bench: wrote $out/results.md${took:+ and results.png}"
