# shellcheck shell=sh
# The guest side of 'make test': every suite, in KTAP, one numbering.
# PLAN=main (default) | model | twonic | tap | nicsock | pair | wire: what
# to boot; INJECT=notok|warn|hang replaces the plan by a deliberate failure,
# so the host harness can prove it catches each kind (scripts/test.sh checks
# that).
# shellcheck source=tests/guest/ktap.sh
. /lwipk/ktap.sh
# shellcheck source=tests/guest/nic.sh
. /lwipk/nic.sh
# shellcheck source=tests/guest/sock.sh
. /lwipk/sock.sh
# shellcheck source=tests/guest/bench_smoke.sh
. /lwipk/bench_smoke.sh
# shellcheck source=tests/guest/wire.sh
. /lwipk/wire.sh
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
model|twonic|tap|nicsock|pair)
	insmod $mod/lwip.ko
	case $PLAN in
	model) nic_model_suite ;;
	twonic) nic_two_suite ;;
	tap) nic_tap_suite ;;
	nicsock) nic_sock_suite ;;
	pair) nic_pair_suite ;;
	esac
	rmmod lwip
	exit 0 ;;
esac

# --- lwip.ko: load, loopback netif, self tests, unload --------------------
ktap_check lwip.insmod insmod $mod/lwip.ko
ktap_check lwip.proc_shows_loopback \
	grep -q '^lo0 .* addr 127\.0\.0\.1 mask 255\.0\.0\.0 .* up link up' /proc/lwip/netifs
selftest_run
ktap_import selftest /tmp/selftest.ktap
ktap_check lwip.rmmod rmmod lwip

# --- lifecycle: 20 load/test/unload cycles, memory back to baseline -------
load_cycles lifecycle $mod/lwip.ko 2 suite=stack

# --- lwip_sock.ko: sockets over loopback, Linux's as the reference --------
insmod $mod/lwip.ko
sock_suite
mem_pressure_suite
bench_smoke_suite

# --- lwip_e1000.ko ----------------------------------------------------------
nic_suite
ktap_check lwip.rmmod_after_nic rmmod lwip
