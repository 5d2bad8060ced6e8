# shellcheck shell=bash
# What the scripts share, sourced by each: the versions lwipk builds against,
# messages, and installing from Debian's packages. A script sets LIB_NAME
# (the prefix of its messages) before sourcing this.

# The guest kernel ABI: pinned with KVER=..., else what Debian's
# linux-image-amd64 metapackage currently points at.
resolve_kver() {
	if [ -n "${KVER:-}" ]; then
		echo "$KVER"
		return
	fi
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/.*Depends: linux-image-\(.*\)$/\1/p' | head -n 1 | grep .
}

LWIP_DEB_VERSION=${LWIP_DEB_VERSION:-2.2.1+dfsg1-1+deb13u1}
DEPS=${DEPS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/deps}

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

say() { printf '%s: %s\n' "${LIB_NAME:-lwipk}" "$*"; }
die() { printf '%s: error: %s\n' "${LIB_NAME:-lwipk}" "$*" >&2; exit 1; }

# apt_update: once per run, and again after apt_updated= (a new source).
apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return
	say "apt-get update"
	$SUDO apt-get update -qq || die "apt-get update failed"
	apt_updated=1
}

# apt_install PKG...: install those of the packages that are not installed.
apt_install() {
	local p missing=()

	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	apt_update
	say "installing: ${missing[*]}"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" || die "apt-get install failed"
}

# apt_download PKG DIR: the package's .deb into DIR (made readable for
# apt's _apt user, who downloads into it).
apt_download() {
	apt_update
	chmod 755 "$2"
	say "fetching $1"
	(cd "$2" && apt-get download -qq "$1") || die "apt-get download $1 failed"
}

# wait_line FILE TEXT PID: wait until a line of FILE starts with TEXT, for
# 10 minutes (times $slow, if set) at most or until process PID (the guest,
# a server) has ended. (Guests are slow when the machine is busy: TCG shares
# 2 cores with everything.)
wait_line() {
	local i=0
	while ! grep -q "^$2" "$1" && kill -0 "$3" 2>/dev/null; do
		i=$((i + 1)); [ $i -le $((3000 * ${slow:-1})) ] || return 1
		sleep 0.2
	done
	grep -q "^$2" "$1"
}

# Interruption. bash runs a trap only once its foreground command has
# ended, and a guest's QEMU runs under timeout(1) in a process group of its
# own, out of reach of a Ctrl-C: so a script that starts guests runs them
# through bg_wait, and on_interrupt CMD makes INT and TERM end everything
# the script started (kill_tree), run CMD (its cleanup: namespaces, files)
# and exit.

# kill_tree PID...: those processes and all their descendants, ended.
kill_tree() {
	local p
	for p in "$@"; do
		# shellcheck disable=SC2046 # a list of PIDs
		kill_tree $(pgrep -P "$p")
		kill "$p" 2>/dev/null || true
	done
}

# bg_wait CMD...: run CMD and return its status, the script's traps live.
bg_wait() {
	"$@" &
	wait $!
}

# on_interrupt CMD: on INT or TERM, end every process of this script, run
# CMD (best effort, errors ignored; its output to the script's stderr of
# now: the trap may run inside a command whose output goes elsewhere), exit
# 130.
on_interrupt() {
	exec {lib_stderr}>&2
	# shellcheck disable=SC2064 # CMD is fixed now
	trap "set +e; trap - INT TERM; kill_tree \$(pgrep -P $$); $1 >&$lib_stderr 2>&1; exit 130" INT TERM
}

# host_iperf3 LOG: the host's iperf3 server (Debian's) on 127.0.0.1 at a free
# port, its output in LOG; sets iperf3_pid, and iperf3_opts: the guest.sh
# options that put Debian's iperf3 and everything it loads (ld-linux too)
# into the guest's /lwipk/files (tests/guest/progs.sh runs it through the
# loader) and make the server 10.0.2.100:5201 there (guestfwd: a relay per
# connection, so both iperf3's control and data connections reach it).
host_iperf3() {
	local port f peer=${top:?}/build/host/peer
	port=$("$peer" freeport) || return 1
	iperf3 -s -B 127.0.0.1 -p "$port" --forceflush >"$1" 2>&1 &
	iperf3_pid=$!
	iperf3_opts=(--net "guestfwd=tcp:10.0.2.100:5201-cmd:$peer relay 127.0.0.1 $port")
	for f in /usr/bin/iperf3 $(ldd /usr/bin/iperf3 |
		awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		iperf3_opts+=(--file "$f")
	done
	wait_line "$1" 'Server listening on' "$iperf3_pid"
}

# netns_tap NS: a network namespace NS with the tap device lwtap0, 10.0.9.1.
netns_tap() {
	ip netns add "$1" && ip -n "$1" link set lo up &&
		ip -n "$1" tuntap add dev lwtap0 mode tap &&
		ip -n "$1" addr add 10.0.9.1/24 dev lwtap0 &&
		ip -n "$1" link set lwtap0 up
}

# The netem boot (tests/guest/netem.sh, PLAN=netem of tests/guest/plan.sh),
# shared by scripts/test.sh and scripts/bench.sh: the guest's NIC on a QEMU
# socket netdev to tests/host/netem.c in namespace NS (made by netns_tap),
# which impairs the frames both ways on their way to and from lwtap0 there
# (this machine's kernel may have no sch_netem) and runs the peers on the
# namespace's stack.
# netem_up NS MIB DEADLINE SEED PREFIX: the emulator in NS, serving MIB MiB
# of random bytes (PREFIX-source.bin) host->guest, its output in
# PREFIX-peer.out; sets netem_pid, and netem_opts: the guest.sh options of
# the boot (to add to --script tests/guest/plan.sh, run inside NS), with
# NETEM_IDLE, NETEM_CONDS, NETEM_DIRS and NETEM_ORDER from the environment.
# Fails if the emulator is not ready.
netem_up() {
	local ns=$1 mib=$2 dl=$3 seed=$4 src=$5-source.bin e1000
	e1000=$DEPS/kernel/$(cat "$DEPS/kver")/e1000.ko
	head -c $((mib << 20)) /dev/urandom >"$src"
	ip netns exec "$ns" "${top:?}/build/host/netem" --tap lwtap0 --bind 47001 --to 47002 \
		--source "$src" --seed "$seed" --idle $((dl * 2 * ${slow:-1})) --timeout $((60 * (dl + 10) * ${slow:-1})) \
		>"$5-peer.out" 2>&1 &
	netem_pid=$!
	netem_src=$src
	# shellcheck disable=SC2034 # for the caller
	netem_opts=(--env PLAN=netem --env "NETEM_MIB=$mib"
		--env "NETEM_DEADLINE=$dl" --env "NETEM_IDLE=${NETEM_IDLE:-5}"
		--env "NETEM_CONDS=${NETEM_CONDS:-}" --env "NETEM_DIRS=${NETEM_DIRS:-}"
		--env "NETEM_ORDER=${NETEM_ORDER:-}"
		--env "NETEM_H2G_SHA=$(sha256sum <"$src" | cut -d' ' -f1)" --file "$e1000"
		--netdev "socket,udp=127.0.0.1:47001,localaddr=127.0.0.1:47002")
	wait_line "$5-peer.out" 'netem: ready' "$netem_pid"
}

# netem_down NS: the emulator and whatever else runs in NS ended, NS and the
# source file removed.
netem_down() {
	kill "${netem_pid:-}" 2>/dev/null || true
	wait "${netem_pid:-}" 2>/dev/null || true
	ip netns pids "$1" | xargs -r kill -9 || true
	ip netns del "$1" || true
	rm -f "${netem_src:-}"
}

# netem_table: tests/guest/netem.sh's conditions, a line each:
# NAME|COMMAND|LWIP|LINUX[|IDLE] (the result each stack is expected to
# give, and how many idle limits the transfer gets).
netem_table() {
	sed -n "/^netem_conditions='/,/'\$/p" "${top:?}/tests/guest/netem.sh" |
		sed "s/^netem_conditions='//; s/'\$//"
}
