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
#   ONLY='nicsock tap' test.sh  just those boots (plan models twonic nicsock
#                              progs pair wire tap netem harness; sysfuzz only
#                              when named), for working on one part
#   SEED=S FUZZ_FRAMES=N       the wire boot's fuzzer: its seed (default: the
#                              time) and frames (default 3000)
#   SYSFUZZ_OPS=N SYSFUZZ_SEED=S  the syscall fuzzer (in the plan boot; a
#                              boot of its own when ONLY names sysfuzz)
#   NETEM_MIB=N NETEM_DEADLINE=S NETEM_IDLE=S  the netem boot's transfers
#                              (default 1 MiB, 20 s, 5 s)
#   NETEM_CONDS='loss5 loss5' NETEM_DIRS=g2h  those conditions (a name twice:
#                              twice), those ways (default: all, both)
#   NETEM_PCAP=FILE            the netem boot's frames, as the guest's NIC
#                              sees them (before the emulator's impairments)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"
kver=${KVER:-$(cat "$DEPS/kver")}
out=$top/build/test
mkdir -p "$out"

kernel_problems='(kernel )?BUG[: ]|WARNING:|Oops|general protection fault|soft lockup|hard LOCKUP|blocked for more than|Kernel panic|rcu_.*stall|UBSAN|KASAN|list_(add|del) corruption'
# and the debug kernel's (KERNEL=debug): lockdep, kmemleak (initramfs/init).
kernel_problems+='|possible circular locking|inconsistent lock state|possible recursive locking|suspicious RCU usage|unreferenced object'
# KERNEL=debug (KASAN, lockdep, kmemleak...) guests are slower: the guests'
# and the waits' time limits are multiplied by slow.
slow=1
[ "${KERNEL:-}" != debug ] || slow=${SLOW:-4}

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
echo_fwd() { echo "guestfwd=tcp:$1:7-cmd:$peer echo-stdio --timeout $((600 * slow))"; }

# guest NAME TIMEOUT [guest.sh options...]: run the plan in a guest (with
# the echo service on its first NIC), its console in $out/NAME.log; inside
# the command prefix guest_in (a network namespace) if set.
guest_in=()
guest() {
	local name=$1 timeout=$2
	shift 2
	: >"$out/$name.log"
	bg_wait "${guest_in[@]}" "$top/scripts/guest.sh" --script "$top/tests/guest/plan.sh" \
		--timeout "$((timeout * slow))" --log "$out/$name.log" --net "$(echo_fwd 10.0.2.100)" \
		--env NIC_PEER=10.0.2.100:7 --env "SYSFUZZ_OPS=${SYSFUZZ_OPS:-}" \
		--env "SYSFUZZ_SEED=${SYSFUZZ_SEED:-}" --env "LWIPK_SLOW=$slow" "$@" >/dev/null 2>&1
}

# show NAME: the results and notes of a finished guest.
show() {
	sed -n -e '/^KTAP version/,$p' "$out/$1.log" |
		grep -E '^(ok|not ok|#) |^brownlazy_|^lwipk-guest:|^guest:' || true
}

# Interrupted (Ctrl-C, kill): the guests, peers and emulator ended
# (scripts/lib.sh on_interrupt), the run's namespaces and files removed.
interrupted() {
	local ns
	for ns in lwipk-test-$$ lwipk-netem-$$; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -f "$out"/bulk-*.bin "$out/netem-source.bin"
	echo "harness: interrupted" >&2
}
on_interrupt interrupted

if [ "${1:-}" = --inject ]; then
	guest "inject-$2" 90 --env "INJECT=$2"
	show "inject-$2"
	judge "$out/inject-$2.log"
	exit
fi

start=$(date +%s)
pass=0 fail=0 skip=0 verdict=0

# tally NAME: add a finished guest's verdict and counts to the run's
# (each guest numbers its own results).
tally() {
	show "$1"
	judge "$out/$1.log" || verdict=1
	pass=$((pass + $(grep -cE '^ok [0-9]+ ' "$out/$1.log")))
	fail=$((fail + $(grep -cE '^not ok [0-9]+ ' "$out/$1.log")))
}

# host_result STATUS NAME: a result the host side measured itself.
host_result() {
	if [ "$1" -eq 0 ]; then
		pass=$((pass + 1)); echo "ok $((pass + fail)) host.$2"
	else
		fail=$((fail + 1)); echo "not ok $((pass + fail)) host.$2"
	fi
}

# want NAME: whether this run includes the boot NAME (all unless ONLY says).
want() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }
# want_named NAME: only when ONLY names it (a boot for 'make fuzz').
want_named() { [[ " ${ONLY:-} " == *" $1 "* ]]; }

# The main plan runs with SLUB's red zones and poisoning on the kmalloc caches
# (lwIP's heap lives there): a write into freed memory is then a "BUG ...
# Poison overwritten" that fails the run even without the debug kernel.
if want plan; then
	guest plan 1500 --append 'slub_debug=FZP,kmalloc-*'
	tally plan
fi
# The syscall fuzzer at length (make fuzz); the plan boot has a short run.
if want_named sysfuzz; then
	guest sysfuzz $((600 + ${SYSFUZZ_OPS:-50000} / 200)) --env PLAN=sysfuzz
	tally sysfuzz
fi
# host_brownlazy NAME: start the host's brownlazy server on 127.0.0.1 (a
# port the kernel picks); sets bl_pid, and bl_fwd: the guestfwd option that
# makes it 10.0.2.100:19 for the guest (a relay per guest connection).
host_brownlazy() {
	"$top/build/host/brownlazy" --server-only --family inet --addr 127.0.0.1 \
		--port 0 >"$out/$1-host-server.out" 2>&1 &
	bl_pid=$!
	wait_line "$out/$1-host-server.out" 'brownlazy_main(): listening' "$bl_pid"
	bl_fwd="guestfwd=tcp:10.0.2.100:19-cmd:$peer relay 127.0.0.1 $(sed -n \
		's/^brownlazy_main(): listening on port //p' "$out/$1-host-server.out")"
}

# host_brownlazy_done NAME: the host's server must have served the guest.
host_brownlazy_done() {
	wait "$bl_pid"
	host_result $? "$1_host_brownlazy_server_served_guest"
	cat "$out/$1-host-server.out"
}

if want models; then
	for model in e1000 e1000-82545em e1000-82544gc; do
		host_brownlazy "model-$model"
		guest "model-$model" 300 --model "$model" --env PLAN=model \
			--env "NIC_MODEL=$model" --net "$bl_fwd"
		host_brownlazy_done "model_$model"
		tally "model-$model"
	done
fi
if want twonic; then
	guest twonic 300 --env PLAN=twonic --net2 "$(echo_fwd 10.0.3.100)" \
		--env NIC2_PEER=10.0.3.100:7
	tally twonic
fi

# Sockets across the NIC, against peers on the host's own stack: the host's
# brownlazy server on 127.0.0.1 reached through guestfwd 10.0.2.100:19 (a
# relay per connection), the guest's brownlazy server reached through a
# hostfwd, and 32 MiB each way (guest -> peer sink file; host -> hostfwd).
nicsock_run() {
	local hb=$top/build/host/brownlazy fwd_bl fwd_bulk gpid sha
	local qmp=$out/nicsock.qmp
	local link_down='{"execute":"set_link","arguments":{"name":"n0","up":false}}'
	host_brownlazy nicsock
	read -r fwd_bl fwd_bulk < <("$peer" freeport 2)
	head -c 33554432 /dev/urandom >"$out/bulk-h2g.bin"
	rm -f "$out/bulk-g2h.bin" "$qmp"
	guest nicsock 900 --env PLAN=nicsock --qmp "$qmp" --net "$bl_fwd" \
		--net "guestfwd=tcp:10.0.2.100:80-cmd:$peer source-stdio 1048576" \
		--file "$DEPS/kernel/$kver/e1000.ko" \
		--net "guestfwd=tcp:10.0.2.100:9-cmd:$peer sink $out/bulk-g2h.bin" \
		--net "hostfwd=tcp:127.0.0.1:$fwd_bl-10.0.2.15:19" \
		--net "hostfwd=tcp:127.0.0.1:$fwd_bulk-10.0.2.15:9000" &
	gpid=$!
	wait_line "$out/nicsock.log" 'lwipk-nic: brownlazy server ready' "$gpid" &&
		"$hb" --client-only --family inet --addr 127.0.0.1 --port "$fwd_bl" \
			>"$out/host-brownlazy-client.out" 2>&1 &&
		grep -qx 'brownlazy_guest(): got: brown lazy' "$out/host-brownlazy-client.out"
	host_result $? nicsock_host_brownlazy_client_to_guest
	cat "$out/host-brownlazy-client.out"
	wait_line "$out/nicsock.log" 'lwipk-nic: bulk receiver ready' "$gpid" &&
		"$peer" relay 127.0.0.1 "$fwd_bulk" --timeout 300 <"$out/bulk-h2g.bin" >/dev/null
	host_result $? nicsock_host_sent_32mib_to_guest
	host_brownlazy_done nicsock
	wait_line "$out/nicsock.log" 'lwipk-nic: link test ready' "$gpid" &&
		"$peer" qmp "$qmp" "$link_down"
	host_result $? nicsock_qmp_link_down
	wait_line "$out/nicsock.log" 'lwipk-nic: link down done' "$gpid" &&
		"$peer" qmp "$qmp" "${link_down/false/true}"
	host_result $? nicsock_qmp_link_up
	wait "$gpid"
	sha=$(sha256sum <"$out/bulk-g2h.bin" | cut -d' ' -f1)
	grep -qx "lwipk-bulk: g2h sha256 $sha" "$out/nicsock.log"
	host_result $? nicsock_bulk_guest_to_host_sha256_match
	sha=$(sha256sum <"$out/bulk-h2g.bin" | cut -d' ' -f1)
	grep -qx "lwipk-bulk: h2g sha256 $sha" "$out/nicsock.log"
	host_result $? nicsock_bulk_host_to_guest_sha256_match
	rm -f "$out/bulk-h2g.bin" "$out/bulk-g2h.bin"
	tally nicsock
}
! want nicsock || nicsock_run

# Real programs across the NIC (tests/guest/progs.sh, all under lwiprun in
# the guest) with real peers on the host, on 127.0.0.1 only: the host's curl
# against BusyBox httpd, peer chat against telnetd and the host's BusyBox
# nc against nc, through hostfwds; the guest's wget from python3's
# http.server, tftp from QEMU's TFTP server (tftp=), nc into a peer sink
# and iperf3 (lwIP, then Linux's stack) against the host's iperf3 server,
# through guestfwds.
progs_run() {
	local d=$out/progs gpid py_pid py_port port idle url nets=()
	local -A fwd
	rm -rf "$d"
	mkdir -p "$d/files"
	head -c 16777216 /dev/urandom >"$d/files/big.bin"
	head -c 1048576 /dev/urandom >"$d/files/small.bin"
	/usr/bin/python3 -u -m http.server --bind 127.0.0.1 --directory "$d/files" 0 \
		>"$d/http-server.out" 2>&1 &
	py_pid=$!
	wait_line "$d/http-server.out" 'Serving HTTP on 127.0.0.1 port' "$py_pid"
	host_result $? progs_host_python_http_server
	py_port=$(sed -n 's/^Serving HTTP on 127.0.0.1 port \([0-9]*\) .*/\1/p' "$d/http-server.out")
	host_iperf3 "$d/iperf3-server.out"
	host_result $? progs_host_iperf3_server
	read -r 'fwd[8080]' 'fwd[2323]' 'fwd[7000]' 'fwd[7001]' < <("$peer" freeport 4)
	for port in 8080 2323 7000 7001; do
		nets+=(--net "hostfwd=tcp:127.0.0.1:${fwd[$port]}-10.0.2.15:$port")
	done
	guest progs 900 --env PLAN=progs --file "$d/files/big.bin" --file "$d/files/small.bin" \
		--file "$DEPS/kernel/$kver/e1000.ko" "${iperf3_opts[@]}" "${nets[@]}" \
		--net "guestfwd=tcp:10.0.2.100:80-cmd:$peer relay 127.0.0.1 $py_port" \
		--net "guestfwd=tcp:10.0.2.100:9-cmd:$peer sink $d/nc-sink.bin" \
		--net "tftp=$d/files" &
	gpid=$!
	wait_line "$out/progs.log" 'lwipk-progs: servers ready' "$gpid"
	host_result $? progs_guest_servers_ready
	url=http://127.0.0.1:${fwd[8080]}
	curl -sS --max-time 300 -o "$d/big.curl" "$url/big.bin" &&
		[ "$(sha256sum <"$d/big.curl")" = "$(sha256sum <"$d/files/big.bin")" ]
	host_result $? progs_curl_httpd_16mib_sha256
	curl -sS --max-time 60 -r 1000000-1065535 -o "$d/range" -w '%{http_code}\n' \
		"$url/big.bin" >"$d/range.code" && grep -qx 206 "$d/range.code" &&
		[ "$(stat -c %s "$d/range")" -eq 65536 ] &&
		cmp -n 65536 -i 1000000:0 "$d/files/big.bin" "$d/range"
	host_result $? progs_curl_httpd_range_206_bytes
	curl -sS --max-time 60 -I "$url/big.bin" | tr -d '\r' >"$d/head" &&
		grep -qE '^HTTP/1\.[01] 200 ' "$d/head" && grep -qix 'Content-Length: 16777216' "$d/head"
	host_result $? progs_curl_httpd_head_content_length
	seq 40 | xargs -P 8 -I N curl -sS --max-time 300 -o "$d/par-N" "$url/small.bin" &&
		[ "$(sha256sum "$d"/par-* | cut -d' ' -f1 |
			grep -cx "$(sha256sum <"$d/files/small.bin" | cut -d' ' -f1)")" -eq 40 ]
	host_result $? progs_curl_httpd_40_requests_8_parallel_intact
	# shellcheck disable=SC2016 # the guest's shell computes it
	"$peer" chat 127.0.0.1 "${fwd[2323]}" 'echo lwipk-$((6 * 7))' lwipk-42 --timeout 120 \
		>"$d/telnet.out" 2>&1
	host_result $? progs_telnet_shell_answers
	sed 's/^/# telnet: /' "$d/telnet.out"
	timeout 300 busybox nc 127.0.0.1 "${fwd[7000]}" <"$d/files/small.bin"
	host_result $? progs_host_nc_sent_to_guest
	mkfifo "$d/idle"
	exec {idle}<>"$d/idle"	# BusyBox nc ends at its stdin's end: none
	timeout 300 busybox nc 127.0.0.1 "${fwd[7001]}" <&$idle >"$d/nc-g2h.bin" &&
		cmp "$d/nc-g2h.bin" "$d/files/small.bin"
	host_result $? progs_host_nc_got_1mib_from_guest
	exec {idle}>&-
	wait "$gpid"
	cmp "$d/nc-sink.bin" "$d/files/small.bin"
	host_result $? progs_guest_nc_client_1mib_to_host_sink
	kill "$py_pid" "$iperf3_pid"
	wait "$py_pid" "$iperf3_pid" 2>/dev/null
	rm -rf "$d/files" "$d"/big.curl "$d"/par-*
	tally progs
}
! want progs || progs_run

# Two guests, both running lwIP, on one wire: QEMU socket netdevs sending
# UDP to each other on the host's loopback; brownlazy from one to the other.
pair_run() {
	local pa pb sp
	read -r pa pb < <("$peer" freeport 2)
	guest pair-server 400 --env PLAN=pair --env ROLE=server --mac 52:54:00:12:34:81 \
		--netdev "socket,udp=127.0.0.1:$pb,localaddr=127.0.0.1:$pa" &
	sp=$!
	guest pair-client 400 --env PLAN=pair --env ROLE=client --mac 52:54:00:12:34:82 \
		--netdev "socket,udp=127.0.0.1:$pa,localaddr=127.0.0.1:$pb"
	wait "$sp"
	tally pair-server
	tally pair-client
}
! want pair || pair_run

# The guest's NIC on a QEMU socket netdev whose only peer is wirepeer
# (tests/host/wirepeer.c, raw frames as UDP datagrams on the host's
# loopback): frames longer than a receive buffer (none of their pieces may
# reach lwIP), TCP into a zero window that opens by a few bytes (the guest
# connecting, then the peer), then ISNs and martian sources (harden), then a
# frame fuzzer with liveness checks (SEED, FUZZ_FRAMES); the guest then
# checks lwIP's heap and unloads.
wire_run() {
	local pa pb gpid seed=${SEED:-$(date +%s)} frames=${FUZZ_FRAMES:-3000} fuzz_s k=${slow:-1}
	read -r pa pb < <("$peer" freeport 2)
	fuzz_s=$((300 + frames / 50))	# generous: TCG fuzzes ~500 frames/s
	guest wire $((fuzz_s + 900)) --env PLAN=wire --env "WIRE_FUZZ_TIME=$((fuzz_s * k))" \
		--netdev "socket,udp=127.0.0.1:$pa,localaddr=127.0.0.1:$pb" &
	gpid=$!
	wire_peer giant giant --count 8 --wait $((600 * k)) --timeout $((120 * k))
	host_result $? wire_giant_frames_nothing_partial_answered
	wire_peer window window --wait $((600 * k)) --timeout $((120 * k))
	host_result $? wire_window_guest_connects_into_zero_window
	wire_peer window-server window --guest-server --wait $((300 * k)) --timeout $((120 * k))
	host_result $? wire_window_peer_connects_with_zero_window
	wire_peer harden harden --wait $((300 * k)) --timeout $((120 * k))
	host_result $? wire_harden_isns_random_martians_unanswered
	wire_peer fuzz fuzz --seed "$seed" --frames "$frames" --timeout $((fuzz_s * k)) \
		--wait $((300 * k))
	host_result $? "wire_fuzz_seed_${seed}_frames_$frames"
	wait "$gpid"
	tally wire
}

# wire_peer NAME MODE ARGS...: one wirepeer step on wire_run's netdev
# ($pa, $pb), its output in $out/wire-NAME.out (shown); stopped if the guest
# ($gpid) ends first. Its exit status is the step's.
wire_peer() {
	local name=$1 mode=$2 pid rc
	shift 2
	"$top/build/host/wirepeer" "$mode" --bind "$pa" --to "$pb" "$@" \
		>"$out/wire-$name.out" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null && kill -0 "$gpid" 2>/dev/null; do
		sleep 0.5
	done
	kill "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	sed 's/^/# /' "$out/wire-$name.out"
	return $rc
}
! want wire || wire_run

# The guest on a tap device inside a network namespace made (and removed)
# here, with the host's own Linux stack as its peer: 10.0.9.1 in the
# namespace, 10.0.9.2 in the guest. Needs root; skipped visibly otherwise.
tap_run() {
	local ns=lwipk-test-$$ gpid epid
	netns_tap "$ns"
	host_result $? tap_namespace
	ip netns exec "$ns" "$peer" echo --addr 10.0.9.1 --port 7 --timeout 300 >/dev/null &
	epid=$!
	: >"$out/tap.log"
	ip netns exec "$ns" "$top/scripts/guest.sh" --script "$top/tests/guest/plan.sh" \
		--timeout $((300 * slow)) --log "$out/tap.log" --tap lwtap0 --env PLAN=tap >/dev/null 2>&1 &
	gpid=$!
	wait_line "$out/tap.log" 'lwipk-tap: ready' "$gpid"
	ip netns exec "$ns" busybox ping -c 3 -W 5 10.0.9.2 >"$out/tap-ping.log" 2>&1
	host_result $? tap_host_pings_guest
	ip netns exec "$ns" "$peer" client 10.0.9.2 7 4194304 --timeout 120 \
		>"$out/tap-client.log" 2>&1
	host_result $? tap_host_tcp_to_guest_4mib
	wait "$gpid"
	kill "$epid" 2>/dev/null
	wait "$epid" 2>/dev/null
	ip netns del "$ns"
	tally tap
}

# The netem boot (scripts/lib.sh netem_up): tests/guest/netem.sh drives the
# conditions; here, the table of lwipk's and Linux's times.
netem_run() {
	local ns=lwipk-netem-$$ mib=${NETEM_MIB:-1} dl=${NETEM_DEADLINE:-20} seed=${SEED:-$(date +%s)}
	netns_tap "$ns"
	host_result $? netem_namespace
	netem_up "$ns" "$mib" "$dl" "$seed" "$out/netem"
	host_result $? netem_emulator_ready
	guest_in=(ip netns exec "$ns")
	guest netem $((50 * (dl + 10))) "${netem_opts[@]}" ${NETEM_PCAP:+--pcap "$NETEM_PCAP"}
	guest_in=()
	netem_down "$ns"
	tally netem
	echo "# netem, $mib MiB each way, emulator seed $seed: seconds (lwipk, Linux, ratio), retransmission timeouts and longest stall in s (lwipk / Linux)"
	awk '/^netem: stack=/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		k = f["cond"] " " f["dir"]; c = ++times[k, f["stack"]]; if (c > 1) k = k " #" c
		if (!(k in seen)) { seen[k] = 1; order[++n] = k }
		r[k, f["stack"]] = f["result"]; t[k, f["stack"]] = f["secs"]; o[k, f["stack"]] = f["rtos"]
		st[k, f["stack"]] = f["stall"] }
	END { printf "# %-22s %-14s %-14s %-12s %-10s %s\n", "condition", "lwipk", "Linux", "lwipk/Linux", "RTOs", "stall"
		for (i = 1; i <= n; i++) { k = order[i]
			a = t[k, "lwip"]; b = t[k, "linux"]
			printf "# %-22s %-14s %-14s %-12s %-10s %s\n", k, r[k, "lwip"] " " a, r[k, "linux"] " " b,
				(r[k, "lwip"] r[k, "linux"] == "okok" && b > 0 ? sprintf("%.2f", a / b) : "-"),
				o[k, "lwip"] " / " o[k, "linux"], st[k, "lwip"] " / " st[k, "linux"] } }' \
		"$out/netem.log" |
		tee "$out/netem-table.txt"
}

# needs_root BOOT FUNCTION: run a boot that needs a network namespace, or
# say visibly that it was skipped.
needs_root() {
	if ! want "$1"; then
		:
	elif [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null; then
		"$2"
	else
		skip=$((skip + 1))
		echo "ok $((pass + fail + skip)) host.$1 # SKIP needs root for a network namespace"
	fi
}
needs_root tap tap_run
needs_root netem netem_run
n=$((pass + fail + skip))

# The harness's own failure detection: each deliberate failure must fail.
want harness &&
for kind in notok warn hang; do
	n=$((n + 1))
	if bg_wait "$0" --inject "$kind" >"$out/inject-$kind.verdict" 2>&1; then
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
