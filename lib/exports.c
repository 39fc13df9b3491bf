// SPDX-License-Identifier: GPL-2.0
/*
 * rustver_engine: the engine of lib/ as a kernel module, shared by
 * rustver_core and kmod_rustver. What they call is exported beside its
 * definition (RV_EXPORT_MODULE: namespace RUSTVER); the helper links the
 * same objects.
 */
#include <linux/module.h>

MODULE_DESCRIPTION("rustver engine: ELF reader, Rust v0 parser, stamps and verdicts");
MODULE_LICENSE("GPL");
