#!/usr/bin/env bash
# make test: boot the guest, run tests/guest/plan.sh, judge the run.
#
# A run fails on any "not ok", on no results at all, on a guest that does
# not reach its end, and on any kernel BUG/WARNING/Oops/lockup/hung task/
# panic in the guest's log. Then the harness proves it catches each of
# those by running deliberate failures (INJECT=notok|warn|hang) and checking
# that every one of them is judged a failure.
#
#   test.sh                    the whole plan, then the harness self-check
#   test.sh --inject KIND      one deliberate failure (must exit non-zero)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/test
mkdir -p "$out"

kernel_problems='(kernel )?BUG[: ]|WARNING:|Oops|general protection fault|soft lockup|hard LOCKUP|blocked for more than|Kernel panic|rcu_.*stall|UBSAN|KASAN|list_(add|del) corruption'

# judge LOG: print the verdict's reasons; exit 0 only for a clean pass.
judge() {
	local log=$1 bad=0 pass fail
	pass=$(grep -cE '^ok [0-9]+ ' "$log")
	fail=$(grep -cE '^not ok [0-9]+ ' "$log")
	if [ "$fail" -gt 0 ]; then
		echo "harness: $fail test(s) failed:"; grep -E '^not ok ' "$log"; bad=1
	fi
	if [ "$pass" -eq 0 ] && [ "$fail" -eq 0 ]; then
		echo "harness: no test results"; bad=1
	fi
	if grep -qE "$kernel_problems" "$log"; then
		echo "harness: kernel problem in the guest log:"
		grep -m 5 -E "$kernel_problems" "$log"; bad=1
	fi
	if ! grep -qE '^lwipk-guest: end rc=0$' "$log"; then
		echo "harness: the guest did not reach its end cleanly"; bad=1
	fi
	return $bad
}

# The host's echo service for NIC tests: each guest connection to
# 10.0.2.100:7 (10.0.3.100:7 on a second NIC) runs one "peer echo-stdio".
peer=$top/build/host/peer
echo_fwd() { echo "guestfwd=tcp:$1:7-cmd:$peer echo-stdio --timeout 600"; }

# boot NAME TIMEOUT [guest.sh options...]: run the plan in a guest, log to
# $out/NAME.log, show its results.
boot() {
	local name=$1 timeout=$2
	shift 2
	"$top/scripts/guest.sh" --script "$top/tests/guest/plan.sh" \
		--timeout "$timeout" --log "$out/$name.log" --net "$(echo_fwd 10.0.2.100)" \
		--env NIC_PEER=10.0.2.100:7 "$@" >/dev/null 2>&1
	sed -n -e '/^KTAP version/,$p' "$out/$name.log" |
		grep -E '^(ok|not ok|#) |^lwipk-guest:|^guest:' || true
}

if [ "${1:-}" = --inject ]; then
	boot "inject-$2" 90 --env "INJECT=$2"
	judge "$out/inject-$2.log"
	exit
fi

start=$(date +%s)
pass=0 fail=0 skip=0 verdict=0
# run NAME TIMEOUT [guest.sh options...]: one boot, its verdict and counts
# added to the run's (results are numbered per boot).
run() {
	boot "$@"
	judge "$out/$1.log" || verdict=1
	pass=$((pass + $(grep -cE '^ok [0-9]+ ' "$out/$1.log")))
	fail=$((fail + $(grep -cE '^not ok [0-9]+ ' "$out/$1.log")))
}
run plan 1500
for model in e1000-82545em e1000-82544gc; do
	run "model-$model" 300 --model "$model" --env PLAN=model --env "NIC_MODEL=$model"
done
run twonic 300 --env PLAN=twonic --net2 "$(echo_fwd 10.0.3.100)" \
	--env NIC2_PEER=10.0.3.100:7

# host_result STATUS NAME: a result the host side measured itself.
host_result() {
	if [ "$1" -eq 0 ]; then
		pass=$((pass + 1)); echo "ok $((pass + fail)) host.$2"
	else
		fail=$((fail + 1)); echo "not ok $((pass + fail)) host.$2"
	fi
}

# The guest on a tap device inside a network namespace made (and removed)
# here, with the host's own Linux stack as its peer: 10.0.9.1 in the
# namespace, 10.0.9.2 in the guest. Needs root; skipped visibly otherwise.
tap_run() {
	local ns=lwipk-test-$$ gpid epid i=0
	ip netns add "$ns" || { host_result 1 tap_namespace; return; }
	ip -n "$ns" link set lo up &&
		ip -n "$ns" tuntap add dev lwtap0 mode tap &&
		ip -n "$ns" addr add 10.0.9.1/24 dev lwtap0 &&
		ip -n "$ns" link set lwtap0 up
	host_result $? tap_namespace
	ip netns exec "$ns" "$peer" echo --addr 10.0.9.1 --port 7 --timeout 300 >/dev/null &
	epid=$!
	: >"$out/tap.log"
	ip netns exec "$ns" "$top/scripts/guest.sh" --script "$top/tests/guest/plan.sh" \
		--timeout 300 --log "$out/tap.log" --tap lwtap0 --env PLAN=tap >/dev/null 2>&1 &
	gpid=$!
	while ! grep -q '^lwipk-tap: ready' "$out/tap.log" && kill -0 "$gpid" 2>/dev/null; do
		i=$((i + 1)); [ $i -le 600 ] || break	# 2 min at most
		sleep 0.2
	done
	ip netns exec "$ns" busybox ping -c 3 -W 5 10.0.9.2 >"$out/tap-ping.log" 2>&1
	host_result $? tap_host_pings_guest
	ip netns exec "$ns" "$peer" client 10.0.9.2 7 4194304 --timeout 120 \
		>"$out/tap-client.log" 2>&1
	host_result $? tap_host_tcp_to_guest_4mib
	wait "$gpid"
	kill "$epid" 2>/dev/null
	wait "$epid" 2>/dev/null
	ip netns del "$ns"
	sed -n -e '/^KTAP version/,$p' "$out/tap.log" | grep -E '^(ok|not ok|#) |^lwipk-guest:'
	judge "$out/tap.log" || verdict=1
	pass=$((pass + $(grep -cE '^ok [0-9]+ ' "$out/tap.log")))
	fail=$((fail + $(grep -cE '^not ok [0-9]+ ' "$out/tap.log")))
}
if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null; then
	tap_run
else
	skip=$((skip + 1))
	echo "ok $((pass + fail + skip)) host.tap # SKIP needs root for a network namespace"
fi
n=$((pass + fail + skip))

# The harness's own failure detection: each deliberate failure must fail.
for kind in notok warn hang; do
	n=$((n + 1))
	if "$0" --inject "$kind" >"$out/inject-$kind.verdict" 2>&1; then
		echo "not ok $n harness.catches_$kind"
		fail=$((fail + 1))
	else
		echo "ok $n harness.catches_$kind"
		pass=$((pass + 1))
	fi
done
[ "$verdict" -eq 0 ] || [ "$fail" -gt 0 ] || fail=1	# a problem outside the counts
echo "# guest log: $out/plan.log; took $(($(date +%s) - start)) s"
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
