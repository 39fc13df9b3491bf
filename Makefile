# SPDX-License-Identifier: GPL-2.0
#
# rustver: userspace helper, unit tests, fuzzing and the QEMU selftests.
#
#   make demo          boot a Rust-enabled kernel in QEMU and show rustver at work
#   make               build tools/rustver/rustver (installs build deps first)
#                      and, with scdoc, the man pages man/*.8
#   make check         every test: unit tests, short fuzz pass, QEMU selftests
#   make check-unit    the engine and helper tests (ASan + UBSan)
#   make selftest      the kselftests in QEMU on a Rust-enabled kernel (x86_64;
#                      ARCH=arm64 for the arm64 kernel)
#   make fuzz          run each libFuzzer target for FUZZ_TIME seconds
#   make bench         benchmarks on Debian's kernel (rewrites bench/RESULTS.md)
#   make install       install rustver and its man pages under PREFIX (default
#                      /usr/local)
#   make deps          install the Debian packages the build and tests need
#   make KDIR=DIR      also build the kernel modules against the kernel build
#                      tree DIR (make modules KDIR=DIR; RUSTVER_TABLE=FILE for
#                      headers without .rmeta; W=1, LLVM=1 pass through)

# The version lives in one place: debian/changelog's first entry (the Debian
# package's version). The helper's --version, the DKMS source tree
# /usr/src/rustver-VERSION and its dkms.conf read it from here; `make -s
# version` prints it for scripts. A copy of the sources without debian/ (a
# cross-build of the helper alone) builds as version "unknown"; make
# VERSION=... overrides.
CHANGELOG := $(wildcard debian/changelog)
VERSION   := $(or $(if $(CHANGELOG),$(shell sed -n '1{s/^[^ ]* (\([^ ]*\)) .*/\1/;s/^[0-9]*://;s/-[^-]*$$//;p;q}' $(CHANGELOG))),unknown)

PREFIX    ?= /usr/local
BUILD     ?= build
FUZZ_TIME ?= 60
CC        ?= cc
CFLAGS    ?= -O2 -g
SCDOC     ?= scdoc

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	    -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
PKGS     := libkmod libelf zlib liblzma libzstd libcrypto
# The kernel's __always_inline (linux/compiler_types.h) for the engine in userspace.
ENGINE_DEFS := -D'__always_inline=inline __attribute__((__always_inline__))'
RV_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -DRUSTVER_VERSION='"$(VERSION)"' $(ENGINE_DEFS) $(WARNINGS) -Iinclude $(CFLAGS)
RV_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lkmod -lelf -lz -llzma -lzstd -lcrypto) -pthread
SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

ENGINE   := $(filter-out lib/exports.c,$(wildcard lib/*.c))
TOOL     := $(wildcard tools/rustver/*.c)
HEADERS  := $(wildcard include/rustver/*.h) tools/rustver/rustver.h

# The man pages, from man/*.8.scd. scdoc is in scripts/deps.sh's build group,
# so deps-step installs it; with RUSTVER_DEPS=0 they are built only when it is
# on PATH.
MANPAGES := man/rustver.8 man/kmod_rustver.8
MAN8     := $(if $(filter 0,$(RUSTVER_DEPS)),$(if $(shell command -v $(SCDOC) 2>/dev/null),$(MANPAGES)),$(MANPAGES))

.PHONY: all version deps deps-step install install-dkms check check-unit fuzz fuzz-short selftest selftest-packages demo clean modules bench bench-load FORCE
all: tools/rustver/rustver $(MAN8) $(if $(KDIR),modules)

modules: tools/rustver/rustver
	@test -n "$(KDIR)" || { echo "make modules: set KDIR to a kernel build tree" >&2; exit 2; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) RUSTVER=$(CURDIR)/tools/rustver/rustver modules

# Every target's first step: scripts/deps.sh installs what is missing, the
# build packages for `make`, everything the suite uses for the test targets
# (one dpkg-query when nothing is; RUSTVER_DEPS=0 skips it). Any goal but
# these (a test, a unit test program, a fuzzer, a benchmark) takes the check group.
BUILD_GOALS := all tools/rustver/rustver $(MANPAGES) modules install install-dkms clean
DEPS_GROUP := $(if $(filter-out $(BUILD_GOALS),$(MAKECMDGOALS)),check,build)
deps-step:
ifneq ($(RUSTVER_DEPS),0)
	@scripts/deps.sh $(DEPS_GROUP)
endif

deps:
	scripts/deps.sh check

version:
	@echo $(VERSION)

# CPPFLAGS and LDFLAGS: a distribution's build flags (dpkg-buildflags'
# _FORTIFY_SOURCE, relro and now) reach the installed binary.
tools/rustver/rustver: $(ENGINE) $(TOOL) $(HEADERS) $(CHANGELOG) | deps-step
	$(CC) $(RV_CFLAGS) $(CPPFLAGS) $(LDFLAGS) -o $@ $(ENGINE) $(TOOL) $(RV_LIBS)

# The pages name the installed make fragment and DKMS MAKE command under
# PREFIX: build them with the PREFIX they are installed with.
man/%.8: man/%.8.scd | deps-step
	sed 's|/usr/local/share/rustver/|$(PREFIX)/share/rustver/|g' $< | $(SCDOC) > $@.tmp && mv $@.tmp $@

# The same sources under AddressSanitizer and UndefinedBehaviorSanitizer.
$(BUILD)/san/rustver: $(ENGINE) $(TOOL) $(HEADERS) | deps-step
	@mkdir -p $(@D)
	$(CC) $(RV_CFLAGS) -O1 $(SAN) -o $@ $(ENGINE) $(TOOL) $(RV_LIBS)

UNIT_TESTS := $(patsubst tests/%.c,$(BUILD)/san/%,$(wildcard tests/check-*.c))

$(BUILD)/san/check-%: tests/check-%.c tests/testutil.h tests/v0diff.h $(ENGINE) $(HEADERS) | deps-step
	@mkdir -p $(@D)
	$(CC) $(RV_CFLAGS) -O1 $(SAN) -o $@ $< $(ENGINE) \
		$(shell pkg-config --cflags --libs check) $(RV_LIBS)

# The same unit tests with every engine call on a 12 KiB guarded stack
# (tests/smallstack.h), optimised as the kernel builds the engine. -z now: no
# lazy symbol binding, whose resolver (xsave of every register) would run on
# the small stack and be counted against the engine.
STACK_TESTS := $(patsubst tests/%.c,$(BUILD)/stack/%,$(wildcard tests/check-*.c))

$(BUILD)/stack/check-%: tests/check-%.c tests/testutil.h tests/v0diff.h tests/smallstack.h $(ENGINE) $(HEADERS) | deps-step
	@mkdir -p $(@D)
	$(CC) $(RV_CFLAGS) -O2 -DTU_SMALL_STACK -Wl,-z,now -o $@ $< $(ENGINE) \
		$(shell pkg-config --cflags --libs check) $(RV_LIBS)

FUZZERS := $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard fuzz/fuzz-*.c))

$(BUILD)/fuzz/fuzz-%: fuzz/fuzz-%.c tests/v0diff.h $(ENGINE) $(HEADERS) | deps-step
	@mkdir -p $(@D)
	clang -std=c11 -D_DEFAULT_SOURCE -DRUSTVER_VERSION='"$(VERSION)"' $(ENGINE_DEFS) -Iinclude -g -O1 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $< $(ENGINE)

# The helper's whole-file path (decompression, signature, .modinfo, show,
# verdict) over its own sources, main() renamed away for libFuzzer's.
$(BUILD)/fuzz/fuzz-file: fuzz/fuzz-file.c $(ENGINE) $(TOOL) $(HEADERS) | deps-step
	@mkdir -p $(@D)
	clang -std=c11 -D_DEFAULT_SOURCE -DRUSTVER_VERSION='"$(VERSION)"' $(ENGINE_DEFS) -Iinclude -g -O1 $(WARNINGS) -Dmain=rustver_main \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $< $(ENGINE) $(TOOL) $(RV_LIBS)

# check --all's index reader (tools/rustver/index.c) past its checksum, and the
# replay of the records it accepts, with the helper's sources as fuzz-file.
$(BUILD)/fuzz/fuzz-index: fuzz/fuzz-index.c $(ENGINE) $(TOOL) $(HEADERS) | deps-step
	@mkdir -p $(@D)
	clang -std=c11 -D_DEFAULT_SOURCE -DRUSTVER_VERSION='"$(VERSION)"' $(ENGINE_DEFS) -Iinclude -g -O1 $(WARNINGS) -Dmain=rustver_main \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $< $(ENGINE) $(TOOL) $(RV_LIBS)

check-unit: deps-step tools/rustver/rustver $(BUILD)/san/rustver $(UNIT_TESTS) $(STACK_TESTS)
	BUILD=$(BUILD) tests/run.sh unit

fuzz: $(FUZZERS)
	BUILD=$(BUILD) FUZZ_TIME=$(FUZZ_TIME) fuzz/run.sh

fuzz-short: $(FUZZERS)
	BUILD=$(BUILD) FUZZ_TIME=10 fuzz/run.sh

check: deps-step tools/rustver/rustver $(BUILD)/san/rustver $(UNIT_TESTS) $(STACK_TESTS) $(FUZZERS)
	BUILD=$(BUILD) tests/run.sh all

$(BUILD)/bench/bench-engine: bench/bench-engine.c $(ENGINE) $(HEADERS) | deps-step
	@mkdir -p $(@D)
	$(CC) $(RV_CFLAGS) -O2 -o $@ $< $(ENGINE)

# Benchmarks: never part of make check; rewrites bench/RESULTS.md.
bench: tools/rustver/rustver $(BUILD)/bench/bench-engine
	BUILD=$(BUILD) bench/run.sh

# Load time and kernel memory of kmod_rustver in QEMU on kernel A: bench/results/load.md.
bench-load: tools/rustver/rustver
	bench/load.sh

# The kselftest suite in QEMU on a Rust-enabled kernel built from Debian's
# packages (selftests/README.md); also part of make check, on both architectures.
# ARCH=arm64: the same suite on an arm64 kernel (qemu-system-aarch64, TCG).
selftest: tools/rustver/rustver
	RUSTVER_ARCH=$(or $(ARCH),x86_64) RUSTVER_BIN=$(CURDIR)/tools/rustver/rustver selftests/run-qemu.sh

# The Debian packages end to end in QEMU (selftests/packages.sh; part of make
# check): kernel A's bindeb-pkg packages, rustver's .debs, DKMS and the
# initramfs in a trixie guest, then tree B's packages and the kernel hook.
selftest-packages: tools/rustver/rustver
	RUSTVER_BIN=$(CURDIR)/tools/rustver/rustver selftests/packages.sh

# A QEMU guest: one module accepted, one built against another kernel build refused
# (builds the selftest kernels first when the cache is cold).
demo: tools/rustver/rustver
	RUSTVER_BIN=$(CURDIR)/tools/rustver/rustver selftests/demo.sh

# The kernel modules' sources for DKMS: /usr/src/rustver-VERSION, with
# dkms.conf's PACKAGE_VERSION set to VERSION ($(BUILD)/dkms.conf; the Debian
# package's dh_dkms installs that file too).
DKMS_SRC := $(DESTDIR)/usr/src/rustver-$(VERSION)
$(BUILD)/dkms.conf: dkms.conf $(CHANGELOG)
	@mkdir -p $(@D)
	sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(VERSION)"/' dkms.conf > $@.tmp && mv $@.tmp $@

install-dkms: $(BUILD)/dkms.conf
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)
	install -m 0644 $(BUILD)/dkms.conf $(DKMS_SRC)/dkms.conf
	cp -r Kbuild kmod_rustver.c rustver_core.c rustver_trace.h \
		include lib $(DKMS_SRC)/
	rm -f $(DKMS_SRC)/lib/*.o $(DKMS_SRC)/lib/.*.cmd

install: tools/rustver/rustver $(MAN8)
	install -D -m 0755 tools/rustver/rustver $(DESTDIR)$(PREFIX)/bin/rustver
	install -D -m 0644 scripts/rustver.mk $(DESTDIR)$(PREFIX)/share/rustver/rustver.mk
	install -D -m 0755 scripts/dkms-make $(DESTDIR)$(PREFIX)/share/rustver/dkms-make
	install -D -m 0755 scripts/rustver-rustc $(DESTDIR)$(PREFIX)/share/rustver/rustver-rustc
	$(if $(MAN8),install -D -m 0644 -t $(DESTDIR)$(PREFIX)/share/man/man8 $(MAN8))

clean:
	rm -rf $(BUILD) tools/rustver/rustver $(MANPAGES) $(MANPAGES:=.tmp)
	rm -f *.ko *.o *.mod *.mod.c lib/*.o .*.cmd lib/.*.cmd modules.order Module.symvers rustver_table.h
