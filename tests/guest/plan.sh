# shellcheck shell=sh
# The guest side of 'make test': every suite, in KTAP, one numbering.
# PLAN=main (default) | model | twonic | tap | nicsock | pair | wire |
# sysfuzz | netem | progs: what to boot; INJECT=notok|warn|hang replaces the plan by a deliberate failure,
# so the host harness can prove it catches each kind (scripts/test.sh checks
# that).
# shellcheck source=tests/guest/ktap.sh
. /lwipk/ktap.sh
# shellcheck source=tests/guest/nic.sh
. /lwipk/nic.sh
# shellcheck source=tests/guest/sock.sh
. /lwipk/sock.sh
# shellcheck source=tests/guest/lwiprun.sh
. /lwipk/lwiprun.sh
# shellcheck source=tests/guest/bench_smoke.sh
. /lwipk/bench_smoke.sh
# shellcheck source=tests/guest/wire.sh
. /lwipk/wire.sh
# shellcheck source=tests/guest/fuzz.sh
. /lwipk/fuzz.sh
# shellcheck source=tests/guest/netem.sh
. /lwipk/netem.sh
# shellcheck source=tests/guest/progs.sh
. /lwipk/progs.sh
mod=/lwipk/modules

echo "KTAP version 1"

case ${INJECT:-} in
notok)
	ktap_result 1 "inject.deliberate_failure"
	exit 0 ;;
warn)
	insmod $mod/lwip.ko && insmod $mod/lwip_selftest.ko suite=port inject=warn
	ktap_result $? "inject.warning_raised"
	exit 0 ;;
hang)
	ktap_result 0 "inject.about_to_hang"
	sleep 100000
	exit 0 ;;
esac

case ${PLAN:-main} in
wire)
	wire_suite
	exit 0 ;;
sysfuzz)
	insmod $mod/lwip.ko
	sysfuzz_suite
	rmmod lwip
	exit 0 ;;
netem)
	netem_suite
	exit 0 ;;
model|twonic|tap|nicsock|pair|progs)
	insmod $mod/lwip.ko
	case $PLAN in
	model) nic_model_suite ;;
	twonic) nic_two_suite ;;
	tap) nic_tap_suite ;;
	nicsock) nic_sock_suite ;;
	pair) nic_pair_suite ;;
	progs) progs_suite ;;
	esac
	rmmod lwip
	exit 0 ;;
esac

# --- lwip.ko: load, loopback netif, self tests, unload --------------------
ktap_check lwip.insmod insmod $mod/lwip.ko
ktap_check lwip.proc_shows_loopback \
	grep -q '^lo0 .* addr 127\.0\.0\.1 mask 255\.0\.0\.0 .* up link up' /proc/lwip/netifs
# /proc/lwip is root's: nobody (65534) can neither list nor read it
proc_root_only() {
	runas 65534 ls /proc/lwip >/tmp/runas.out 2>&1 && return 1
	grep -q 'Permission denied' /tmp/runas.out || return 1
	[ "$(stat -c %a /proc/lwip)" = 500 ] || return 1
	for f in netifs mem tcp stats core; do
		runas 65534 cat /proc/lwip/$f >/tmp/runas.out 2>&1 && return 1
		grep -q 'Permission denied' /tmp/runas.out || return 1
		[ "$(stat -c %a /proc/lwip/$f)" = 400 ] || return 1
		cat /proc/lwip/$f >/dev/null || return 1
	done
}
proc_root_only
ktap_result $? "lwip.proc_root_only"
selftest_run
ktap_import selftest /tmp/selftest.ktap
# A failed self test fails its insmod, so that no caller can miss it.
if insmod $mod/lwip_selftest.ko suite=port inject=fail 2>/dev/null; then
	rmmod lwip_selftest
	ktap_result 1 selftest.failure_fails_insmod
else
	ktap_result 0 selftest.failure_fails_insmod
fi
ktap_check lwip.rmmod rmmod lwip

# --- lifecycle: 20 load/test/unload cycles, memory back to baseline -------
load_cycles lifecycle $mod/lwip.ko 5 suite=stack

# --- lwip_sock.ko: sockets over loopback, Linux's as the reference --------
insmod $mod/lwip.ko
sock_suite
lwiprun_suite
sysfuzz_suite
mem_pressure_suite
bench_smoke_suite

# --- lwip_e1000.ko ----------------------------------------------------------
nic_suite
ktap_check lwip.rmmod_after_nic rmmod lwip
