# shellcheck shell=sh
# KTAP helpers for guest test scripts: one numbering across all suites.

ktap_n=0

# ktap_result STATUS NAME: "ok N NAME" when STATUS is 0, else "not ok".
ktap_result() {
	ktap_n=$((ktap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $ktap_n $2"
	else
		echo "not ok $ktap_n $2"
	fi
}

# ktap_check NAME CMD...: run CMD, report its exit status as NAME.
ktap_check() {
	name=$1
	shift
	"$@"
	ktap_result $? "$name"
}

# ktap_import PREFIX FILE: re-number the results of another KTAP producer
# (a test program or module) into this plan, names prefixed. A producer
# that reports fewer results than its "1..N" plan, or none, fails.
ktap_import() {
	prefix=$1
	planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$2" | head -n 1)
	seen=0
	while IFS= read -r line; do
		case $line in
		"ok "*|"not ok "*)
			seen=$((seen + 1))
			status=0
			case $line in "not ok "*) status=1 ;; esac
			ktap_result $status "$prefix.$(echo "$line" | sed 's/^\(not \)\{0,1\}ok [0-9]* //')"
			;;
		"#"*) echo "$line" ;;
		esac
	done <"$2"
	if [ -z "$planned" ] || [ "$seen" -ne "$planned" ]; then
		ktap_result 1 "$prefix.complete # planned ${planned:-none}, reported $seen"
	fi
}

# wait_grep SECONDS PATTERN FILE: wait until FILE has a line matching
# PATTERN (a /proc/lwip view changing), polling every 0.1 s, SECONDS at most.
wait_grep() {
	wg_left=$(($1 * 10))
	while ! grep -q "$2" "$3"; do
		wg_left=$((wg_left - 1))
		[ $wg_left -ge 0 ] || return 1
		sleep 0.1
	done
}

# selftest_run PARAMS...: load lwip_selftest.ko with PARAMS, collect its
# KTAP from the kernel log into /tmp/selftest.ktap, unload it. Its insmod
# fails when a test failed (the module then is not loaded): non-zero then.
selftest_run() {
	dmesg -c >/dev/null
	insmod /lwipk/modules/lwip_selftest.ko "$@"
	sr_rc=$?
	dmesg | sed -n 's/^\[[^]]*\] lwip_selftest: //p' >/tmp/selftest.ktap
	[ $sr_rc -ne 0 ] || rmmod lwip_selftest
	return $sr_rc
}

# load_cycles NAME MODULE.ko PASSED SELFTEST_PARAMS...: 20 times insmod
# MODULE, run the self test (it must report "# PASSED passed, 0 failed"),
# rmmod; then guest memory must be back within 256 KiB. Readings move by up
# to about 360 KiB either way with no leak at all (measured: -356 to +260
# over 20 cycles of lwip.ko), so a batch over the bound is followed by a
# second one from where the first ended, which must be within it: a leak
# of 13 KiB a cycle or more fails both. Two results.
load_cycles() {
	lc_name=$1 lc_ko=$2 lc_passed=$3
	shift 3
	lc_bad=0
	lc_before=$(mem_available_kb)
	load_cycles_batch "$@"
	lc_after=$(mem_available_kb)
	echo "# MemAvailable before ${lc_before} kB, after ${lc_after} kB"
	if [ $((lc_before - lc_after)) -gt 256 ]; then
		lc_before=$lc_after
		load_cycles_batch "$@"
		lc_after=$(mem_available_kb)
		echo "# 20 more cycles: MemAvailable before ${lc_before} kB, after ${lc_after} kB"
	fi
	ktap_result $lc_bad "$lc_name.insmod_selftest_rmmod_x20 # $lc_bad bad cycles"
	[ $((lc_before - lc_after)) -le 256 ]
	ktap_result $? "$lc_name.memory_back_within_256k"
}

# load_cycles_batch SELFTEST_PARAMS...: load_cycles' 20 cycles, counting
# the bad ones in lc_bad.
load_cycles_batch() {
	lc_i=0
	while [ $lc_i -lt 20 ]; do
		lc_i=$((lc_i + 1))
		if ! insmod "$lc_ko"; then
			lc_bad=$((lc_bad + 1))
			continue
		fi
		if ! selftest_run "$@" ||
		    ! grep -q "^# $lc_passed passed, 0 failed$" /tmp/selftest.ktap; then
			lc_bad=$((lc_bad + 1))
			echo "# cycle $lc_i: self test failed"
		fi
		rmmod "$(basename "$lc_ko" .ko)" || lc_bad=$((lc_bad + 1))
	done
}

# mem_available_kb: free memory, as steady as it can be read: after dropping
# caches and shrinking every slab cache (which hands per-CPU partial slabs
# back), MemAvailable plus the free pages parked in the per-CPU lists
# (/proc/zoneinfo "count:"), which MemAvailable leaves out, with the per-CPU
# counter deltas folded in first. The best of three
# readings, so that a passing kernel allocation does not count as a leak.
mem_available_kb() {
	best=0
	for _ in 1 2 3; do
		sync
		echo 3 >/proc/sys/vm/drop_caches
		for f in /sys/kernel/slab/*/shrink; do echo 1 >"$f"; done 2>/dev/null
		# Fold the per-CPU vmstat deltas (up to a few MB on 2 CPUs) into
		# the global counters MemAvailable is computed from.
		echo 1 >/proc/sys/vm/stat_refresh
		avail=$(sed -n 's/^MemAvailable: *\([0-9]*\) kB$/\1/p' /proc/meminfo)
		pcp=$(awk '$1 == "count:" { n += $2 } END { print n + 0 }' /proc/zoneinfo)
		[ $((avail + pcp * 4)) -le "$best" ] || best=$((avail + pcp * 4))
	done
	echo "$best"
}
