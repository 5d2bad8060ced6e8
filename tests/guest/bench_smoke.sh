# shellcheck shell=sh
# make test's guard for make bench: every loopback benchmark of
# tests/bench/bench.c, about 1 s each, on both stacks, so the program cannot
# rot between benchmark runs. A result is ok only if the benchmark exited 0
# and printed a positive value. Needs lwip.ko loaded; loads and unloads
# lwip_sock.ko itself.

# bench_smoke_one FAMILY TEST ARGS...: one benchmark, one KTAP result.
bench_smoke_one() {
	bs_f=$1 bs_t=$2
	shift 2
	bench --family "$bs_f" "$bs_t" "$@" >/tmp/bench-smoke.out 2>&1
	rc=$?
	sed "s/^/# /" /tmp/bench-smoke.out
	[ $rc -eq 0 ] && head -n 1 /tmp/bench-smoke.out |
		awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^value=/) v = substr($i, 7) }
		     END { exit !(v + 0 > 0) }'
	ktap_result $? "bench.${bs_t}_lo_$bs_f"
}

bench_smoke_suite() {
	ktap_check bench.insmod_sock insmod /lwipk/modules/lwip_sock.ko
	for f in inet lwip; do
		bench_smoke_one "$f" tcp_send --time 1 --port 5201
		bench_smoke_one "$f" tcp_rr --time 1 --port 5202
		bench_smoke_one "$f" tcp_crr --time 1 --port 5203
		bench_smoke_one "$f" udp_pps --time 1 --port 5204
		bench_smoke_one "$f" mem_conn --conns 200 --port 5205
	done
	ktap_check bench.rmmod_sock rmmod lwip_sock
}
