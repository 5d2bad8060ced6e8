#!/usr/bin/env bash
# Boot the lwipk guest in QEMU: the one runner every make target uses.
#
#   guest.sh --interactive                 a shell, modules loaded
#   guest.sh --cmd 'CMD' [--file F]...     run CMD in the guest, then halt
#   guest.sh --script FILE                 run a guest script, then halt
# Options: --timeout S (default 600; QEMU is always ended by then),
#   --log FILE (the serial console), --qemu 'ARGS' (extra QEMU options),
#   --net 'OPTS' (more options for the first NIC's user netdev, may repeat, e.g. a
#   guestfwd=... or hostfwd=... to 127.0.0.1), --model M (the NICs' QEMU
#   model, default e1000), --net2 'OPTS' (a second NIC, its own user
#   network 10.0.3.0/24, with these netdev options), --pcap FILE (record
#   the first NIC's traffic with QEMU's filter-dump), --tap IFNAME (the
#   first NIC on an existing tap device instead of user networking),
#   --netdev 'SPEC' (the first NIC's netdev, e.g. socket,udp=...), --mac MAC,
#   --qmp SOCKET (QEMU's QMP on a unix socket, e.g. to set the link down),
#   --env NAME=VALUE (exported in the guest script), --append 'ARGS' (more
#   kernel command line, e.g. profile=2).
# The NIC is an e1000 on QEMU user networking with restrict=on: nothing
# leaves this machine.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"
kver=${KVER:-$(cat "$DEPS/kver" 2>/dev/null || true)}
# The guest kernel, its own e1000.ko and pktgen.ko (Linux's driver and packet
# generator, for comparisons) and where lwipk's modules are: Debian's kernel
# and the clone's build, or with KERNEL=debug the debug kernel
# (scripts/debug-kernel.sh) and build/debug/src.
kdir=$DEPS/kernel/$kver mods=$top
[ "${KERNEL:-}" != debug ] || kdir=$top/build/debug/kernel mods=$top/build/debug/src
kernel=$kdir/vmlinuz
[ -f "$kernel" ] || { echo "guest: no guest kernel $kernel: run 'make deps'" >&2; exit 1; }

mode='' cmd='' script='' timeout=600 log='' qemu_extra='' net_extra=''
# Under TCG a KASAN/lockdep kernel runs tens of times slower than the
# hardware its timeouts assume: KASAN's quarantine, freed in one go with
# preemption off, was seen taking 22 s inside the ACPI interpreter while it
# evaluated _PRT for pci_enable_device(), which then gave up (its 30 s
# AE_AML_LOOP_TIMEOUT) and left the NIC without an interrupt. So: PCI
# interrupts routed by the BIOS's table, not ACPI (acpi=noirq), and the
# lockup detectors at their longest (soft lockup 120 s, RCU stall 300 s).
debug_append=''
[ "${KERNEL:-}" != debug ] ||
	debug_append=' acpi=noirq watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=300'
model=e1000 net2='' pcap='' tap='' netdev='' mac='' qmp='' append=''
files=() envs=()
while [ $# -gt 0 ]; do
	case $1 in
	--interactive) mode=interactive ;;
	--cmd) mode="batch"; cmd="$2"; shift ;;
	--script) mode="batch"; script="$2"; shift ;;
	--file) files+=("$2"); shift ;;
	--env) envs+=("$2"); shift ;;
	--timeout) timeout=$2; shift ;;
	--log) log=$2; shift ;;
	--qemu) qemu_extra=$2; shift ;;
	--net) net_extra+=,$2; shift ;;
	--model) model=$2; shift ;;
	--net2) net2=$2; shift ;;
	--pcap) pcap=$2; shift ;;
	--tap) tap=$2; shift ;;
	--netdev) netdev=$2; shift ;;
	--mac) mac=,mac=$2; shift ;;
	--qmp) qmp=$2; shift ;;
	--append) append=" $2"; shift ;;
	*) echo "guest: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$mode" ] || { echo "guest: say --interactive, --cmd or --script" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,proc,sys,dev,tmp,etc,lwipk/modules,lwipk/bin,lwipk/files}
cp /bin/busybox "$root/bin/busybox"
cp "$top/initramfs/init" "$root/init"
cp "$top/initramfs/banner" "$root/lwipk/banner"
cp "$top/initramfs/profile" "$root/etc/profile"
find "$mods" \( -path "$mods/build" -o -path "$mods/deps" -o -path "$DEPS" \) -prune -o \
	-name '*.ko' -exec cp {} "$root/lwipk/modules/" \;
cp "$top"/build/guest/* "$root/lwipk/bin/" 2>/dev/null || true
cp "$top"/tests/guest/*.sh "$root/lwipk/" 2>/dev/null || true
for f in "${files[@]}"; do
	# Linux's modules (e1000.ko, pktgen.ko): the guest kernel's own. The
	# debug kernel builds no pktgen.ko: there it is left out, and what
	# needs it in the guest (bench's Linux tx_ceiling) fails.
	case $f in
	"$DEPS/kernel/$kver/"*.ko)
		f=$kdir/${f##*/}
		if [ ! -e "$f" ] && [ "$kdir" != "$DEPS/kernel/$kver" ]; then
			echo "guest: no $f in this kernel, left out" >&2
			continue
		fi
		;;
	esac
	cp "$f" "$root/lwipk/files/"
done

if [ "$mode" = batch ]; then
	{
		for e in "${envs[@]}"; do printf 'export %q\n' "$e"; done
		if [ -n "$script" ]; then cat "$script"; else printf '%s\n' "$cmd"; fi
	} >"$root/lwipk/run"
else
	for m in lwip lwip_e1000 lwip_sock; do
		[ ! -f "$root/lwipk/modules/$m.ko" ] || echo "$m"
	done >"$root/lwipk/autoload"
fi
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd"

# KVM when /dev/kvm exists and a guest kernel really boots with it (on some
# machines nested KVM hangs at boot or aborts): probed once, in 15 s at
# most, and remembered in build/accel. ACCEL=kvm|tcg decides instead.
accel_of_this_machine() {
	local cache=$top/build/accel
	if [ ! -s "$cache" ]; then
		mkdir -p "$top/build"
		local boot=''
		[ ! -w /dev/kvm ] || boot=$(timeout -k 2 15 qemu-system-x86_64 -accel kvm \
			-cpu host -m 256 -nographic -no-reboot -kernel "$kernel" \
			-append "console=ttyS0 panic=-1" </dev/null 2>/dev/null || true)
		if [[ $boot == *"Linux version"* ]]; then
			echo kvm >"$cache"
		else
			echo tcg >"$cache"
		fi
	fi
	cat "$cache"
}
if [ "${ACCEL:-$(accel_of_this_machine)}" = kvm ]; then
	accel=(-accel kvm -cpu host)
else
	accel=(-accel 'tcg,thread=multi')
fi
args=(-m 1024 -smp 2 "${accel[@]}" -nographic -no-reboot
      -kernel "$kernel" -initrd "$work/initrd"
      -append "console=ttyS0 loglevel=5 panic=-1 oops=panic$debug_append$append"
      -device "$model,netdev=n0$mac")
if [ -n "$tap" ]; then
	args+=(-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no")
elif [ -n "$netdev" ]; then
	args+=(-netdev "$netdev,id=n0")
else
	args+=(-netdev "user,id=n0,restrict=on$net_extra")
fi
[ -z "$pcap" ] || args+=(-object "filter-dump,id=dump0,netdev=n0,file=$pcap")
[ -z "$qmp" ] || args+=(-qmp "unix:$qmp,server=on,wait=off")
if [ -n "$net2" ]; then
	args+=(-netdev "user,id=n1,restrict=on,net=10.0.3.0/24,$net2"
	       -device "$model,netdev=n1")
fi
# shellcheck disable=SC2206 # extra options are meant to split into words
[ -z "$qemu_extra" ] || args+=($qemu_extra)

if [ "$mode" = interactive ]; then
	exec qemu-system-x86_64 "${args[@]}"
fi
out=${log:-/dev/null}
set +e
timeout -k 5 "$timeout" qemu-system-x86_64 "${args[@]}" </dev/null 2>&1 |
	sed -u 's/\r$//' | tee "$out"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -ne 124 ] || echo "guest: time limit of ${timeout}s reached, QEMU stopped"
exit "$rc"
