# shellcheck shell=bash
# One place for the versions lwipk builds against. Sourced by the scripts.

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
