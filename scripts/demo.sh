#!/usr/bin/env bash
# make demo: boot a guest, load lwipk, and show brownlazy over lwIP's
# loopback and across the NIC to a brownlazy server on this machine's own
# stack (127.0.0.1, reached from the guest as 10.0.2.100:19).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"
out=$top/build/demo
mkdir -p "$out"

"$top/build/host/brownlazy" --server-only --family inet --addr 127.0.0.1 --port 0 \
	>"$out/host-server.out" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
on_interrupt :	# Ctrl-C ends the guest too
wait_line "$out/host-server.out" 'brownlazy_main(): listening' "$server" ||
	{ echo "demo: the host's brownlazy server did not start" >&2; exit 1; }
port=$(sed -n 's/^brownlazy_main(): listening on port //p' "$out/host-server.out")

bg_wait "$top/scripts/guest.sh" --script "$top/tests/guest/demo.sh" --timeout 300 \
	--net "guestfwd=tcp:10.0.2.100:19-cmd:$top/build/host/peer relay 127.0.0.1 $port"
echo "== the host's brownlazy server (Linux's stack, 127.0.0.1:$port):"
cat "$out/host-server.out"
