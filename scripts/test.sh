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
pass=0 fail=0 verdict=0
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
n=$((pass + fail))

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
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
