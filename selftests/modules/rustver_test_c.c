// SPDX-License-Identifier: GPL-2.0
/*
 * rustver selftest module: plain C, no Rust imports. rustver must leave it alone
 * (no stamp needed, nothing to check).
 */
#include <linux/module.h>
#include <linux/printk.h>

static int __init rustver_test_c_init(void)
{
	pr_info("rustver_test_c: loaded\n");
	return 0;
}

static void __exit rustver_test_c_exit(void)
{
	pr_info("rustver_test_c: unloaded\n");
}

module_init(rustver_test_c_init);
module_exit(rustver_test_c_exit);
MODULE_DESCRIPTION("rustver selftest: C module without Rust imports");
MODULE_LICENSE("GPL");
