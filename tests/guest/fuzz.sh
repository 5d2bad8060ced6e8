# shellcheck shell=sh
# The syscall fuzzer (tests/sysfuzz.c) over lwip_sock.ko, for the guest
# plan: SYSFUZZ_OPS operations (default 50000, about 30 s on TCG) from SYSFUZZ_SEED (default:
# the time; the seed is printed). Then lwIP must have no live PCB, its heap
# must be back to the baseline (wire.sh's wire_heap) and both modules must
# unload. Expects lwip.ko loaded; leaves it loaded again.

sysfuzz_suite() {
	ktap_check sysfuzz.insmod_sock insmod /lwipk/modules/lwip_sock.ko
	# shellcheck disable=SC2046 # four numbers, meant to split
	set -- $(wire_heap)
	sf_used=$1 sf_blocks=$2
	sf_ops=${SYSFUZZ_OPS:-50000}
	sf_start=$(date +%s)
	# The fuzzer's own watchdog reports a call blocked for 30 s; this
	# bound is for the fuzzer itself (about 2000 operations/s on TCG).
	timeout $((120 + sf_ops / 200)) sysfuzz --ops "$sf_ops" \
		${SYSFUZZ_SEED:+--seed "$SYSFUZZ_SEED"} >/tmp/sysfuzz.ktap 2>&1
	echo "# sysfuzz exit status $?, $(($(date +%s) - sf_start)) s"
	ktap_import sysfuzz /tmp/sysfuzz.ktap
	echo "# $(grep '^stale guards:' /proc/lwip/tcp) (port/pcbguard.c)"
	# The watchdog's own test: a call no signal ends must be caught.
	timeout 60 sysfuzz --ops 60 --hang 2 --inject-hang >/tmp/sysfuzz-hang.out 2>&1
	sf_rc=$?
	sed 's/^/# /' /tmp/sysfuzz-hang.out | grep -E 'HANG|not ok'
	[ $sf_rc -eq 1 ] && grep -q '^# HANG: worker 0 thread 0 .* in recv ' /tmp/sysfuzz-hang.out
	ktap_result $? "sysfuzz.watchdog_catches_a_blocked_call"
	wire_heap_back "$sf_used" "$sf_blocks"
	ktap_result $? "sysfuzz.heap_back"
	ktap_check sysfuzz.rmmod_sock rmmod lwip_sock
	ktap_check sysfuzz.rmmod_lwip rmmod lwip
	insmod /lwipk/modules/lwip.ko
}
