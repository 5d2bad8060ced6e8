#!/usr/bin/env bash
# Filter a W=1 C=2 (sparse) kernel build log down to the diagnostics about
# our own code; lwIP's upstream files are not ours to change. Fails if any
# remain, or if the build itself failed.
set -uo pipefail
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cat >"$log"
own=$(grep -E '(warning|error):' "$log" | grep -vE '/lwip/src/|^/usr/src/' || true)
if [ -n "$own" ]; then
	printf '%s\n' "$own"
	echo "check: warnings in our own code (W=1 / sparse)" >&2
	exit 1
fi
if grep -qE '^make(\[[0-9]+\])?: \*\*\*' "$log"; then
	grep -E 'error|\*\*\*' "$log" | head -20
	echo "check: the build failed" >&2
	exit 1
fi
echo "check: W=1 and sparse clean for our own code"
