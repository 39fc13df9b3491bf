# SPDX-License-Identifier: GPL-2.0
#
# rustver.mk: stamp an out-of-tree Rust module where it is built. One line in
# the module's Makefile, after its obj-m lines:
#
#	include /usr/local/share/rustver/rustver.mk
#
# Then `make` (or `make modules`) builds the modules against KDIR, with
# rustver-rustc (beside this file) as Kbuild's RUSTC so that rustc records the
# SHA-256 of every .rmeta it reads, and stamps every .ko of this directory
# from those records ('rustver stamp': evidence by content), and
# `make modules_install` installs (and, with CONFIG_MODULE_SIG_ALL, signs)
# them after the stamp: the stamp is in the signed bytes.
#
# Variables (make VAR=...): KDIR (default /lib/modules/$(uname -r)/build),
# RUSTVER (default rustver), RUSTC (the real compiler, default rustc),
# RUSTVER_STAMP_FLAGS (e.g. --prefix-map A=B), and
# whatever Kbuild takes (LLVM=1, W=1, ...). In Kbuild's own pass over this
# Makefile (KERNELRELEASE set) the fragment defines nothing.
ifeq ($(KERNELRELEASE),)

KDIR ?= /lib/modules/$(shell uname -r)/build
RUSTVER ?= rustver
RUSTVER_M := $(CURDIR)
# the wrapper installed beside this fragment, found from where it was included
RUSTVER_RUSTC := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))/rustver-rustc

.PHONY: all modules modules_install rustver-stamp clean
all: modules

modules:
	RUSTVER_REAL_RUSTC='$(or $(filter-out %rustver-rustc,$(RUSTC)),rustc)' \
		$(MAKE) -C $(KDIR) M=$(RUSTVER_M) RUSTC=$(RUSTVER_RUSTC) modules
	$(MAKE) rustver-stamp

# Every module of this directory; a module without Rust imports is left as it is.
rustver-stamp:
	@set -- $(RUSTVER_M)/*.ko; [ -e "$$1" ] || { echo "rustver.mk: no .ko in $(RUSTVER_M)" >&2; exit 1; }; \
	echo "  STAMP   $$*"; $(RUSTVER) stamp $(RUSTVER_STAMP_FLAGS) "$$@"

modules_install: modules
	$(MAKE) -C $(KDIR) M=$(RUSTVER_M) modules_install

clean:
	$(MAKE) -C $(KDIR) M=$(RUSTVER_M) clean
	rm -f $(RUSTVER_M)/.*.rmeta-sha256

endif
