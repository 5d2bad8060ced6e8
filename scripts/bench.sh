#!/usr/bin/env bash
# make bench: lwIP (lwipk) against Linux's own stack, in the same guest.
#
# NIC: one boot per configuration and repetition, the two configurations
# alternating (Linux, lwipk, lwipk, Linux, ...) so slow drift of a shared
# machine lands on both. As root, the NIC runs again on a tap device in a
# network namespace made (and removed) here, with bench-peer listening on
# the host's own stack there (metrics *_tap); BENCH_TAP=0 skips it.
# The NIC boots also run Debian's iperf3 both ways against the host's.
# Loopback: one boot with both stacks, the order alternating each round.
# Netem (root): make netem's boot (tests/host/netem.c between the NIC and
# a tap device), each condition both ways on lwipk then Linux, NETEM_MIB
# (8) MiB a transfer: a row netem_COND_DIR of seconds per condition and
# direction (netem_bench below). Every sample goes to bench/raw.csv; bench/
# results.md has the medians, min-max and lwipk/Linux ratios, and
# bench/results.png charts the ratios (not the netem rows). Scratch logs go
# to bench/raw/.
#
#   BENCH_REPS=N (default 5)   repetitions of each configuration
#   BENCH_TIME=S (default 2)   seconds per measurement
#   BENCH_NETEM_REPS=N (default 1)  netem boots; BENCH_NETEM=0 skips them.
#                              One boot at 8 MiB is about 10 minutes: make
#                              netem's run in doc/testing.md spent 580 s in
#                              its transfers (338 lwipk, 242 Linux). Measured
#                              here (BENCH_ONLY=netem, TCG, shared machine):
#                              every condition at 1 MiB, 233 s (145 of them
#                              the peer vanishing: the 20 s idle limit);
#                              NETEM_CONDS='none loss1 peer_killed' at 2 MiB,
#                              25 s a boot
#   NETEM_MIB, NETEM_DEADLINE, NETEM_IDLE, NETEM_CONDS, NETEM_DIRS, SEED
#                              as make netem
#                              (8 MiB, 120 s, 20 s, all conditions)
#   BENCH_ONLY='nic tap lo netem'  only those steps
#   PROFILE=1                  instead: profile the lwipk NIC configuration
#                              into bench/profile.txt
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"
reps=${BENCH_REPS:-5}
secs=${BENCH_TIME:-2}
netem_reps=${BENCH_NETEM_REPS:-1}
[ "${BENCH_NETEM:-1}" = 1 ] || netem_reps=0
# As make netem: 8 MiB a transfer, a 120 s deadline, 20 s idle limit.
export NETEM_MIB=${NETEM_MIB:-8}	# for bench-report.sh's descriptions too
NETEM_IDLE=${NETEM_IDLE:-20}
out=$top/bench
raw=$out/raw
mkdir -p "$raw"
kver=${KVER:-$(cat "$DEPS/kver")}
# Linux's e1000.ko, and pktgen.ko for Linux's NIC ceiling (tx_ceiling).
e1000=$DEPS/kernel/$kver/e1000.ko pktgen=$DEPS/kernel/$kver/pktgen.ko
for f in "$e1000" "$pktgen"; do
	[ -f "$f" ] || { echo "bench: no $f: run 'make deps'" >&2; exit 1; }
done
bp=$top/build/host/bench-peer
[ -x "$bp" ] || { echo "bench: no $bp: run 'make'" >&2; exit 1; }

# The host peers: one bench-peer per guest connection, no host port.
fwd="guestfwd=tcp:10.0.2.100:9-cmd:$bp sink"
fwd+=",guestfwd=tcp:10.0.2.100:19-cmd:$bp source"
fwd+=",guestfwd=tcp:10.0.2.100:7-cmd:$bp rr"

start=$(date +%s)
# The namespaces of the tap and netem boots; interrupted (Ctrl-C, kill):
# the guests and peers ended (scripts/lib.sh on_interrupt), they removed.
ns=lwipk-bench-$$
nns=lwipk-bench-netem-$$
tap_cleanup() {
	ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns del "$ns" 2>/dev/null || true
}
interrupted() {
	tap_cleanup
	netem_down "$nns" 2>/dev/null
	echo "bench: interrupted" >&2
}
on_interrupt interrupted

# boot NAME TIMEOUT [guest.sh options...]: the bench guest, its log in
# $raw/NAME.log; inside the command prefix in run_in (the tap namespace).
run_in=()
boot() {
	local name=$1 timeout=$2
	shift 2
	bg_wait "${run_in[@]}" "$top/scripts/guest.sh" --script "$top/tests/bench/guest.sh" --timeout "$timeout" \
		--log "$raw/$name.log" --net "$fwd" --file "$e1000" --file "$pktgen" \
		--env "BENCH_TIME=$secs" "$@" >/dev/null 2>&1 || true
	clean_end "$name"
}
# clean_end NAME: say so if the guest of $raw/NAME.log did not end cleanly.
clean_end() {
	if ! grep -q '^lwipk-guest: end rc=0$' "$raw/$1.log"; then
		echo "bench: $1: the guest did not finish cleanly (see $raw/$1.log)" >&2
	fi
}
# step NAME: whether this run includes the step NAME (all unless BENCH_ONLY says).
step() { [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" $1 "* ]]; }

if [ "${PROFILE:-}" = 1 ]; then
	boot profile 600 --env BENCH_MODE=profile --append profile=2
	{
		echo "# make bench PROFILE=1, $(date -u '+%Y-%m-%d %H:%M UTC'), BENCH_TIME=$secs"
		echo "# host: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
		echo "# guest: QEMU TCG, lwip.ko + lwip_e1000.ko + lwip_sock.ko, e1000 on user networking"
		sed -n '/^# lwipk profile/,/^lwipk-guest: end/p' "$raw/profile.log" |
			grep -v '^lwipk-guest: end'
	} >"$out/profile.txt"
	echo "bench: wrote $out/profile.txt ($(($(date +%s) - start)) s)"
	exit 0
fi

csv=$out/raw.csv
echo "config,rep,metric,stack,value,unit" >"$csv"
# collect CONFIG REP LOG: the log's "bench:" lines, as CSV rows.
collect() {
	sed -n 's/^bench: metric=\([^ ]*\) stack=\([^ ]*\) value=\([^ ]*\) unit=\([^ ]*\)$/\1,\2,\3,\4/p' "$3" |
		awk -v c="$1" -v r="$2" '{ print c "," r "," $0 }' >>"$csv"
}

# nic_rounds CONFIG [guest.sh options...]: the NIC boots, $reps of each
# stack, alternating; samples under CONFIG (nic, tap).
nic_rounds() {
	local config=$1 r=0 s order
	shift
	while [ "$r" -lt "$reps" ]; do
		r=$((r + 1))
		if [ $((r % 2)) -eq 1 ]; then order="linux lwip"; else order="lwip linux"; fi
		for s in $order; do
			echo "bench: $config, $s, repetition $r/$reps ($(($(date +%s) - start)) s)"
			boot "$config-$s-$r" 300 --env "BENCH_MODE=nic-$s" "$@"
			collect "$config" "$r" "$raw/$config-$s-$r.log"
		done
	done
}
# Debian's iperf3 in the NIC boots (tests/guest/progs.sh runs it), against
# the host's iperf3 server on 127.0.0.1 (metrics iperf3_send, iperf3_recv).
if step nic; then
	host_iperf3 "$raw/iperf3-server.out" || { echo "bench: no iperf3 server" >&2; exit 1; }
	nic_rounds nic "${iperf3_opts[@]}"
	kill "$iperf3_pid"
fi

# tap_bench: the NIC rounds again, on lwtap0 in namespace $ns, the peers
# listening on 10.0.9.1 (sink 9, source 19, rr 7) on the host's stack.
tap_bench() {
	local mode port
	trap tap_cleanup EXIT
	if ! netns_tap "$ns"; then
		echo "bench: no tap namespace" >&2
		return
	fi
	for mode in sink:9 source:19 rr:7; do
		port=${mode#*:}
		ip netns exec "$ns" "$bp" "${mode%:*}" --timeout 3600 --listen 10.0.9.1 "$port" &
	done
	run_in=(ip netns exec "$ns")
	nic_rounds tap --tap lwtap0 --env BENCH_NET=tap
	run_in=()
	tap_cleanup
	trap - EXIT
}
if step tap && [ "${BENCH_TAP:-1}" = 1 ] && [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null; then
	tap_bench
fi

if step lo; then
	echo "bench: loopback, both stacks, $reps rounds ($(($(date +%s) - start)) s)"
	boot lo 900 --env BENCH_MODE=lo --env "BENCH_REPS=$reps"
	# The loopback rounds are numbered in the log by "bench: round N".
	awk '/^bench: round / { r = $3 } /^bench: metric=/ { print r, $0 }' "$raw/lo.log" |
		while read -r rep rest; do
			printf '%s\n' "$rest" >"$raw/lo-line"
			collect lo "$rep" "$raw/lo-line"
		done
	rm -f "$raw/lo-line"
fi

# netem_bench: the netem boot (scripts/lib.sh netem_up, tests/guest/netem.sh),
# $netem_reps times, each running every condition both ways on lwipk and
# then on Linux. Rows (config netem-NMiB, N MiB a transfer): netem_COND_DIR,
# the seconds of each transfer that gave the result measured: done with the
# right data, or, for the conditions where the stack is expected to fail
# (the peer killed or vanished), the error (the time to detect it). Any other outcome (an error
# where a completion is measured, at 10 % loss too; a success or wrong data
# where an error is; a transfer the boot never reported) gives no sample:
# it counts in netem_fail (per boot and stack, 0 included) and is named on
# stderr; a transfer that reported is a row with the unit failed:RESULT
# (its seconds as the value), which bench-report.sh leaves out of the
# statistics and shows as failed in its row. netem_rtos: each stack's
# retransmission timeouts over the boot; netem_stall_COND_DIR: the longest
# time a completed transfer went without progress at its receiver (the
# host's sink guest->host, lwcat host->guest; tests/guest/netem.sh), and
# netem_stall_max the longest of them all.
netem_bench() {
	local r=0 mib=${NETEM_MIB:-8} dl=${NETEM_DEADLINE:-120} seed log order
	trap 'netem_down "$nns" 2>/dev/null' EXIT
	while [ "$r" -lt "$netem_reps" ]; do
		r=$((r + 1))
		seed=${SEED:-$(date +%s)}
		log=$raw/netem-$r.log
		echo "bench: netem, $mib MiB each way, seed $seed, repetition $r/$netem_reps ($(($(date +%s) - start)) s)"
		netns_tap "$nns" || { echo "bench: no netem namespace" >&2; return; }
		# lwipk's round first in odd repetitions, Linux's in even ones
		order=
		[ $((r % 2)) -eq 1 ] || order=linux-first
		if NETEM_ORDER=$order netem_up "$nns" "$mib" "$dl" "$seed" "$raw/netem-$r"; then
			bg_wait ip netns exec "$nns" "$top/scripts/guest.sh" --script "$top/tests/guest/plan.sh" \
				--timeout $((50 * (dl + 10))) --log "$log" "${netem_opts[@]}" >/dev/null 2>&1 || true
		else
			echo "bench: netem emulator not ready (see $raw/netem-$r-peer.out)" >&2
			: >"$log"
		fi
		netem_down "$nns"
		clean_end "netem-$r"
		netem_table | awk -F'|' -v conds="${NETEM_CONDS:-}" -v dirs="${NETEM_DIRS:-g2h h2g}" -v r="$r" -v cfg="netem-${mib}MiB" '
		FNR == NR {	# the conditions: what is measured of each stack
			if (conds != "" && index(" " conds " ", " " $1 " ") == 0) next
			want[$1, "lwip"] = $3 == "error" ? "error" : "ok"
			want[$1, "linux"] = $4 == "error" ? "error" : "ok"
			names[++n] = $1
			next
		}
		/^netem: stack=/ {
			split($0, w, " ")
			for (i in w) { split(w[i], kv, "="); f[kv[1]] = kv[2] }
			s = f["stack"]; rtos[s] += f["rtos"]
			if (f["result"] == want[f["cond"], s]) {
				print cfg "," r ",netem_" f["cond"] "_" f["dir"] "," s "," f["secs"] ",s"
				got[f["cond"], f["dir"], s] = 1
				if (f["result"] == "ok" && f["stall"] != "-") {
					print cfg "," r ",netem_stall_" f["cond"] "_" f["dir"] "," s "," f["stall"] ",s"
					if (f["stall"] + 0 > stall[s] + 0)
						stall[s] = f["stall"]
				}
			} else {
				print cfg "," r ",netem_" f["cond"] "_" f["dir"] "," s "," f["secs"] ",failed:" f["result"]
				print "bench: netem repetition " r ": " s " " f["cond"] " " f["dir"] ": " \
					f["result"] " after " f["secs"] " s, wanted " want[f["cond"], s] ": no time counted" >"/dev/stderr"
			}
		}
		END {
			split("lwip linux", stacks, " ")
			nd = split(dirs, dir, " ")
			for (j = 1; j <= 2; j++) {
				s = stacks[j]; fails = 0
				for (i = 1; i <= n; i++)
					for (d = 1; d <= nd; d++)
						if (!got[names[i], dir[d], s]) fails++
				print cfg "," r ",netem_fail," s "," fails ",transfers"
				print cfg "," r ",netem_rtos," s "," rtos[s] + 0 ",timeouts"
				print cfg "," r ",netem_stall_max," s "," stall[s] + 0 ",s"
			}
		}' - "$log" >>"$csv"
	done
	trap - EXIT
}
if step netem && [ "$netem_reps" -gt 0 ] && [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null; then
	netem_bench
fi
took=$(($(date +%s) - start))
echo "bench: all samples in $csv ($took s)"
"$top/scripts/bench-report.sh" "$csv" "$took"
