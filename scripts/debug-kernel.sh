#!/usr/bin/env bash
# The debug guest kernel of 'make test KERNEL=debug': Debian's linux-source-6.1
# configured by allnoconfig + scripts/debug-kernel.config (KASAN, lockdep,
# kmemleak, UBSAN, DMA API and SLUB debugging), built (bzImage, modules:
# Linux's e1000.ko) in a cache outside the clone, keyed by the fragment, the
# source package's version and the compiler: an unchanged key reuses the
# build. Links build/debug/kernel to it: vmlinuz, e1000.ko, linux/ (KDIR).
# No pktgen.ko (the fragment has no NET_PKTGEN): make bench's Linux NIC
# ceiling (tx_ceiling, pktgen) is Debian's kernel's only; scripts/guest.sh
# leaves pktgen.ko out on this kernel, and the rest of the bench runs.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
frag=$top/scripts/debug-kernel.config
cache=${XDG_CACHE_HOME:-$HOME/.cache}/lwipk/debug-kernel

LIB_NAME=debug-kernel
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"

apt_install linux-source-6.1 bc bison flex libelf-dev libssl-dev gcc make xz-utils

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
key=$({ echo "$srcver"; gcc --version | head -n 1; cat "$frag"; } |
	sha256sum | cut -c 1-16)
dir=$cache/$key
src=$dir/linux
mkdir -p "$dir" "$top/build/debug"
ln -sfn "$dir" "$top/build/debug/kernel"

if [ -f "$dir/.ok" ]; then
	say "linux-source-6.1 $srcver, cached build: $dir"
	exit 0
fi
if [ ! -f "$dir/.unpacked" ]; then
	say "unpacking linux-source-6.1 $srcver into $src"
	rm -rf "$src"
	mkdir -p "$src"
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$src" --strip-components=1
	touch "$dir/.unpacked"
fi

say "configuring: allnoconfig + scripts/debug-kernel.config"
(cd "$src" && scripts/kconfig/merge_config.sh -n "$frag") >"$dir/config.log" 2>&1 ||
	{ tail -n 20 "$dir/config.log"; die "configuration failed"; }
if grep -A 2 '^Value requested' "$dir/config.log"; then
	die "the configuration lost options of $frag (see $dir/config.log)"
fi
make -C "$src" -s olddefconfig

say "building bzImage and modules (nice -n 19 make -j2; log: $dir/build.log)"
start=$(date +%s)
nice -n 19 make -C "$src" -j2 bzImage modules >"$dir/build.log" 2>&1 ||
	{ tail -n 30 "$dir/build.log"; die "the kernel build failed"; }
say "built in $(($(date +%s) - start)) s"
ln -sfn linux/arch/x86/boot/bzImage "$dir/vmlinuz"
ln -sfn linux/drivers/net/ethernet/intel/e1000/e1000.ko "$dir/e1000.ko"
touch "$dir/.ok"
# Older keys' builds (1.8 GB each) go.
find "$cache" -mindepth 1 -maxdepth 1 ! -name "$key" -exec rm -rf {} +
say "ready: $dir"
