#!/usr/bin/env bash
# Install everything lwipk needs from Debian's packages (idempotent).
#
# - kernel headers (installed) and the matching kernel image (extracted into
#   deps/, never installed into /boot), for the guest;
# - qemu, busybox-static, cpio, musl-tools, sparse, shellcheck, gnuplot;
# - curl, iperf3 and python3 (the progs boot's host peers);
# - lwIP 2.2.1 from Debian 13's source package, with Debian's patches, into
#   deps/lwip, checked against the sha256 sums pinned in scripts/lwip.sha256,
#   then our patches from lwip/patches/ (again whenever they change);
# - checkpatch.pl from linux-source-6.1 into deps/checkpatch.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
LIB_NAME=setup
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"

# Source packages come from trixie; binaries stay bookworm's.
src_list=/etc/apt/sources.list.d/lwipk-trixie-src.sources
if [ ! -f "$src_list" ]; then
	say "adding deb-src entry for trixie ($src_list)"
	$SUDO tee "$src_list" >/dev/null <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	apt_updated=
fi

kver=$(resolve_kver) || die "cannot resolve the kernel version (set KVER=...)"
say "guest kernel: $kver"

apt_install linux-headers-"$kver" qemu-system-x86 busybox-static cpio musl-tools \
	sparse shellcheck gnuplot-nox dpkg-dev xz-utils kmod patch
# The progs boot's host peers: curl, iperf3 (also copied into the guest with
# its libraries, bench too) and Debian's python3 (http.server).
apt_install curl iperf3 python3

mkdir -p "$DEPS"

# Guest kernel image, extracted (not installed), with two of its modules
# for comparing against Linux's own stack: the in-tree e1000 driver and
# pktgen, the kernel's packet generator (bench's Linux NIC ceiling). A deps
# dir missing any of them (one from before pktgen) is extracted again.
kmods='e1000 pktgen'
kdeps=$DEPS/kernel/$kver
kernel_ok() {
	local m
	[ -f "$kdeps/vmlinuz" ] || return 1
	for m in $kmods; do [ -f "$kdeps/$m.ko" ] || return 1; done
}
if ! kernel_ok; then
	tmp=$(mktemp -d)
	apt_download "linux-image-$kver" "$tmp"
	dpkg-deb -x "$tmp"/linux-image-*.deb "$tmp/x"
	mkdir -p "$kdeps"
	cp "$tmp/x/boot/vmlinuz-$kver" "$kdeps/vmlinuz"
	for m in $kmods; do
		find "$tmp/x/lib/modules/$kver" -name "$m.ko*" -exec cp {} "$kdeps/" \;
	done
	rm -rf "$tmp"
	kernel_ok || die "linux-image-$kver lacks vmlinuz or one of: $kmods"
fi

# lwIP sources, from Debian 13's source package, checksummed, then our few
# changes (lwip/patches/*.patch, each saying why) in order. deps/lwip/.patches
# records the patches applied (their sha256 sums): when the list differs,
# lwIP is unpacked afresh from the checked download and patched again.
patches=$(cd "$top" && for p in lwip/patches/*.patch; do [ ! -f "$p" ] || sha256sum "$p"; done)
if [ ! -f "$DEPS/lwip/.ok" ] || [ "$(cat "$DEPS/lwip/.patches" 2>/dev/null)" != "$patches" ]; then
	if ! (cd "$DEPS/lwip-src" 2>/dev/null && sha256sum -c --quiet "$top/scripts/lwip.sha256"); then
		apt_update
		rm -rf "$DEPS/lwip-src"
		mkdir -p "$DEPS/lwip-src"
		say "fetching lwIP source package lwip=$LWIP_DEB_VERSION"
		(cd "$DEPS/lwip-src" && apt-get source -qq --download-only \
			"lwip=$LWIP_DEB_VERSION") || die "apt-get source lwip failed"
		(cd "$DEPS/lwip-src" && sha256sum -c --quiet "$top/scripts/lwip.sha256") ||
			die "lwIP tarball checksum mismatch"
	fi
	rm -rf "$DEPS/lwip"
	(cd "$DEPS/lwip-src" && dpkg-source -x --no-check ./*.dsc "$DEPS/lwip" >/dev/null) ||
		die "dpkg-source -x failed"
	for p in "$top"/lwip/patches/*.patch; do
		[ -f "$p" ] || continue
		say "patching lwIP: ${p##*/}"
		patch -d "$DEPS/lwip" -p1 -N -s <"$p" || die "lwIP patch ${p##*/} does not apply"
	done
	if [ -n "$patches" ]; then printf '%s\n' "$patches"; fi >"$DEPS/lwip/.patches"
	touch "$DEPS/lwip/.ok"
fi

# checkpatch.pl from linux-source-6.1.
if [ ! -x "$DEPS/checkpatch/scripts/checkpatch.pl" ]; then
	tmp=$(mktemp -d)
	apt_download linux-source-6.1 "$tmp"	# for checkpatch.pl
	dpkg-deb --fsys-tarfile "$tmp"/linux-source-6.1_*.deb |
		tar -x -C "$tmp" --wildcards '*/linux-source-6.1.tar.xz'
	mkdir -p "$DEPS/checkpatch"
	tar -xJf "$tmp"/usr/src/linux-source-6.1.tar.xz -C "$DEPS/checkpatch" \
		--strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	rm -rf "$tmp"
fi
echo "$kver" >"$DEPS/kver"
say "all dependencies present (kernel $kver)"
