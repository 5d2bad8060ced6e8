#!/usr/bin/env bash
# checkpatch --strict over our own kernel code, with the few exceptions
# that our situation forces, each for the files that need it:
# - port/exports.c exports symbols defined in lwIP's own (unmodified) files,
#   so EXPORT_SYMBOL cannot follow the definitions;
# - port/include/arch/*.h define the types lwIP's API is written in;
# - the self tests' ST_EXPECT() returns from the test, like KUnit asserts.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
cp=deps/checkpatch/scripts/checkpatch.pl
common=(--no-tree --strict --quiet --ignore 'SPDX_LICENSE_TAG,FILE_PATH_CHANGES')
rc=0
run() {
	local ignore=$1
	shift
	[ $# -gt 0 ] || return 0
	"$cp" "${common[@]}" ${ignore:+--ignore "$ignore"} -f "$@" || rc=1
}
mapfile -t own < <(git ls-files -co --exclude-standard -- \
	'port/*.[ch]' 'lwip/*.h' 'e1000/*.[ch]' 'syscalls/*.[ch]' \
	'tests/kselftest/*.[ch]' | grep -v '\.mod\.c$' |
	grep -vE '^port/exports\.c$|^port/include/arch/|^tests/kselftest/selftest\.h$')
run "" "${own[@]}"
run EXPORT_SYMBOL port/exports.c
run NEW_TYPEDEFS port/include/arch/*.h
run MACRO_WITH_FLOW_CONTROL tests/kselftest/selftest.h
[ "$rc" -eq 0 ] && echo "checkpatch: clean"
exit "$rc"
