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
