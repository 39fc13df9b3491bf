// SPDX-License-Identifier: GPL-2.0
/*
 * rustver selftest module: C code that imports exported Rust symbols by their
 * v0-mangled names, the way Debian's drm.ko mixes C and Rust. It only takes their
 * addresses (their Rust signatures are not C's business); the loader must still
 * resolve every one, and rustver must check them like any Rust import.
 *
 * rust_syms.h is generated at build time from the kernel's Module.symvers by
 * gen-rust-syms.sh, so the names follow the kernel the module is built against.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/printk.h>

#include "rust_syms.h"

#define RUSTVER_DECLARE(sym) extern void sym(void);
RUSTVER_RUST_SYMS(RUSTVER_DECLARE)

#define RUSTVER_ADDR(sym) &sym,
static void (*const rustver_rust_syms[])(void) = {
	RUSTVER_RUST_SYMS(RUSTVER_ADDR)
};

static int __init rustver_test_c_rust_init(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rustver_rust_syms); i++)
		pr_info("rustver_test_c_rust: imports %pS\n", rustver_rust_syms[i]);
	pr_info("rustver_test_c_rust: loaded, %zu Rust imports\n",
		ARRAY_SIZE(rustver_rust_syms));
	return 0;
}

static void __exit rustver_test_c_rust_exit(void)
{
	pr_info("rustver_test_c_rust: unloaded\n");
}

module_init(rustver_test_c_rust_init);
module_exit(rustver_test_c_rust_exit);
MODULE_DESCRIPTION("rustver selftest: C module importing Rust symbols by mangled name");
MODULE_LICENSE("GPL");
