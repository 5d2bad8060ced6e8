#!/usr/bin/env bash
# make bench: lwIP (lwipk) against Linux's own stack, in the same guest.
#
# NIC: one boot per configuration and repetition, the two configurations
# alternating (Linux, lwipk, lwipk, Linux, ...) so slow drift of a shared
# machine lands on both. As root, the NIC runs again on a tap device in a
# network namespace made (and removed) here, with bench-peer listening on
# the host's own stack there (metrics *_tap); BENCH_TAP=0 skips it.
# The NIC boots also run Debian's iperf3 both ways against the host's.
# Loopback: one boot with both stacks, the order alternating each round. Every sample goes to bench/raw.csv; bench/
# results.md has the medians, min-max and lwipk/Linux ratios, and
# bench/results.png charts the ratios. Scratch logs go to bench/raw/.
#
#   BENCH_REPS=N (default 5)   repetitions of each configuration
#   BENCH_TIME=S (default 2)   seconds per measurement
#   PROFILE=1                  instead: profile the lwipk NIC configuration
#                              into bench/profile.txt
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"
reps=${BENCH_REPS:-5}
secs=${BENCH_TIME:-2}
out=$top/bench
raw=$out/raw
mkdir -p "$raw"
kver=${KVER:-$(cat "$DEPS/kver")}
e1000=$DEPS/kernel/$kver/e1000.ko
[ -f "$e1000" ] || { echo "bench: no $e1000: run 'make deps'" >&2; exit 1; }
bp=$top/build/host/bench-peer
[ -x "$bp" ] || { echo "bench: no $bp: run 'make'" >&2; exit 1; }

# The host peers: one bench-peer per guest connection, no host port.
fwd="guestfwd=tcp:10.0.2.100:9-cmd:$bp sink"
fwd+=",guestfwd=tcp:10.0.2.100:19-cmd:$bp source"
fwd+=",guestfwd=tcp:10.0.2.100:7-cmd:$bp rr"

start=$(date +%s)
# boot NAME TIMEOUT [guest.sh options...]: the bench guest, its log in
# $raw/NAME.log; inside the command prefix in run_in (the tap namespace).
run_in=()
boot() {
	local name=$1 timeout=$2
	shift 2
	"${run_in[@]}" "$top/scripts/guest.sh" --script "$top/tests/bench/guest.sh" --timeout "$timeout" \
		--log "$raw/$name.log" --net "$fwd" --file "$e1000" \
		--env "BENCH_TIME=$secs" "$@" >/dev/null 2>&1 || true
	if ! grep -q '^lwipk-guest: end rc=0$' "$raw/$name.log"; then
		echo "bench: $name: the guest did not finish cleanly (see $raw/$name.log)" >&2
	fi
}

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
host_iperf3 "$raw/iperf3-server.out" || { echo "bench: no iperf3 server" >&2; exit 1; }
nic_rounds nic "${iperf3_opts[@]}"
kill "$iperf3_pid"

# tap_bench: the NIC rounds again, on lwtap0 in namespace $ns, the peers
# listening on 10.0.9.1 (sink 9, source 19, rr 7) on the host's stack.
ns=lwipk-bench-$$
tap_cleanup() {
	ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns del "$ns" 2>/dev/null || true
}
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
if [ "${BENCH_TAP:-1}" = 1 ] && [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null; then
	tap_bench
fi

echo "bench: loopback, both stacks, $reps rounds ($(($(date +%s) - start)) s)"
boot lo 900 --env BENCH_MODE=lo --env "BENCH_REPS=$reps"
# The loopback rounds are numbered in the log by "bench: round N".
awk '/^bench: round / { r = $3 } /^bench: metric=/ { print r, $0 }' "$raw/lo.log" |
	while read -r rep rest; do
		printf '%s\n' "$rest" >"$raw/lo-line"
		collect lo "$rep" "$raw/lo-line"
	done
rm -f "$raw/lo-line"
took=$(($(date +%s) - start))
echo "bench: all samples in $csv ($took s)"
"$top/scripts/bench-report.sh" "$csv" "$took"
