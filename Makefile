# SPDX-License-Identifier: GPL-2.0
# lwipk: lwIP inside Linux as loadable modules.
#
#   make            build the modules and the guest test programs
#   make demo       set up, build, boot, show the stack at work
#   make test       set up, build, boot, run every test, report (CI)
#                   (KERNEL=debug: on a debug kernel, KASAN, lockdep,
#                   kmemleak, UBSAN...: scripts/debug-kernel.sh)
#   make run        boot a guest shell with the modules loaded
#                   (PCAP=file.pcap records the NIC's traffic)
#   make check      checkpatch --strict, sparse, W=1, shellcheck
#   make fuzz       the wire boot with a long frame fuzz (FUZZ_FRAMES=200000,
#                   SEED=S; the seed is printed), and a boot with a long
#                   syscall fuzz (SYSFUZZ_OPS=200000, SYSFUZZ_SEED=S)
#   make netem      the netem boot at length: 8 MiB each way per condition
#                   (NETEM_MIB, NETEM_DEADLINE), a table of lwipk vs Linux
#   make bench      lwIP vs Linux's stack: bench/results.{md,png}, raw.csv
#                   (PROFILE=1: a profile of lwipk's hot path, bench/profile.txt)
#   make guest CMD='...' [FILES='a b']   run one command in a guest
#   make deps       install/fetch the dependencies (scripts/setup.sh)

KVER	?= $(shell cat deps/kver 2>/dev/null)
KDIR	?= /usr/src/linux-headers-$(KVER)
BUILD	:= build
MUSLCC	?= musl-gcc
UCFLAGS	:= -static -O2 -Wall -Wextra -Werror -pthread -Iinclude
export KVER KERNEL

# KERNEL=debug: the modules built against the debug kernel's tree (made and
# cached by scripts/debug-kernel.sh) from a copy of the sources in
# build/debug/src, so that the normal build's objects stay as they are.
DEBUG_KDIR := $(CURDIR)/$(BUILD)/debug/kernel/linux
DEBUG_SRC := $(CURDIR)/$(BUILD)/debug/src

GUEST_PROGS := $(patsubst tests/%.c,$(BUILD)/guest/%,$(wildcard tests/*.c)) \
	$(patsubst tests/bench/%.c,$(BUILD)/guest/%,$(wildcard tests/bench/*.c)) \
	$(BUILD)/guest/sockcheck
SCRIPTS := $(wildcard scripts/*.sh) initramfs/init $(wildcard tests/guest/*.sh) \
	$(wildcard tests/bench/*.sh) .ci/run

.PHONY: all modules debug-modules progs deps depcheck check test demo run guest bench clean fuzz \
	netem

all: $(if $(filter debug,$(KERNEL)),debug-modules,modules) progs

deps:
	scripts/setup.sh

depcheck:
	@if [ -z "$(KVER)" ] || [ ! -f deps/lwip/.ok ] || [ ! -d "$(KDIR)" ] || \
	    ! command -v $(MUSLCC) >/dev/null; then \
		echo "lwipk: dependencies missing: run 'make deps' (scripts/setup.sh) first" >&2; \
		exit 1; \
	fi
	@for p in lwip/patches/*.patch; do [ -f "$$p" ] && sha256sum "$$p"; done | \
		cmp -s - deps/lwip/.patches || { \
		echo "lwipk: lwIP's patches differ from lwip/patches/: run 'make deps' (scripts/setup.sh)" >&2; \
		exit 1; }
	@ln -sfn ../deps/lwip/src lwip/src

modules: depcheck
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

debug-modules: depcheck
	scripts/debug-kernel.sh
	@mkdir -p $(DEBUG_SRC)/deps/lwip
	tar -c --exclude-vcs --exclude=./build --exclude=./deps --exclude=./bench \
		--exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' --exclude='*.mod*' \
		--exclude=modules.order --exclude=Module.symvers . deps/lwip/src | \
		tar -x -C $(DEBUG_SRC)
	$(MAKE) -C $(DEBUG_KDIR) M=$(DEBUG_SRC) W=1 modules

# Host-side peers of the NIC tests, on Linux's own sockets; brownlazy too,
# built for the host, as the Linux end of the NIC runs.
HOST_PROGS := $(patsubst tests/host/%.c,$(BUILD)/host/%,$(wildcard tests/host/*.c)) \
	$(BUILD)/host/brownlazy

progs: depcheck $(GUEST_PROGS) $(HOST_PROGS)

$(BUILD)/host/%: tests/host/%.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/host/brownlazy: tests/brownlazy.c include/lwipk/af_lwip.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -Werror -pthread -Iinclude -o $@ $<

$(BUILD)/guest/%: tests/%.c $(wildcard tests/*.h include/lwipk/*.h)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(UCFLAGS) -o $@ $<

# sockcheck: one file per area of the socket API, in tests/sockcheck/.
$(BUILD)/guest/sockcheck: $(wildcard tests/sockcheck/*.[ch] include/lwipk/*.h)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(UCFLAGS) -o $@ $(filter %.c,$^)

# The benchmark (make bench): one program for both stacks.
$(BUILD)/guest/%: tests/bench/%.c $(wildcard include/lwipk/*.h)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(UCFLAGS) -o $@ $<

check: depcheck
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 C=2 modules 2>&1 | scripts/check-own.sh
	scripts/checkpatch.sh
	shellcheck -x $(SCRIPTS) initramfs/profile

# The README's two commands install what they need first (idempotent).
test: deps
	$(MAKE) all
	scripts/test.sh

# The wire fuzzer and the syscall fuzzer at length (scripts/test.sh's wire
# and sysfuzz boots, alone).
fuzz: deps
	$(MAKE) all
	ONLY='wire sysfuzz' FUZZ_FRAMES=$(or $(FUZZ_FRAMES),200000) SEED=$(SEED) \
		SYSFUZZ_OPS=$(or $(SYSFUZZ_OPS),200000) SYSFUZZ_SEED=$(SYSFUZZ_SEED) scripts/test.sh

# The netem boot at length: lwipk and Linux under loss, reordering... (root).
netem: deps
	$(MAKE) all
	ONLY=netem NETEM_MIB=$(or $(NETEM_MIB),8) NETEM_DEADLINE=$(or $(NETEM_DEADLINE),120) \
		NETEM_IDLE=$(or $(NETEM_IDLE),20) SEED=$(SEED) scripts/test.sh

demo: deps
	$(MAKE) all
	scripts/demo.sh

# lwipk vs Linux's stack: bench/results.md, results.png, raw.csv (about
# 9 minutes; BENCH_REPS=5 BENCH_TIME=2; as root about 10 more for the netem
# rows, BENCH_NETEM=0 skips them). PROFILE=1: bench/profile.txt.
bench: deps
	$(MAKE) all
	PROFILE=$(PROFILE) scripts/bench.sh

run: all
	scripts/guest.sh --interactive $(if $(PCAP),--pcap $(PCAP))

guest: all
	scripts/guest.sh --cmd "$(CMD)" $(addprefix --file ,$(FILES))

clean:
	-[ -d "$(KDIR)" ] && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)
