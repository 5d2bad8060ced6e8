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
