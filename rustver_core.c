// SPDX-License-Identifier: GPL-2.0
/*
 * rustver_core: the crate table of the running kernel.
 *
 * The table (name, disambiguator and CRC-32 of the .rmeta of each Rust
 * crate) is generated at build time from the kernel build tree this module
 * is built against, by 'rustver table --c-header'. It is published read-only
 * at /sys/kernel/rustver/crates in the 'rustver table' text format, and
 * exported to kmod_rustver. The module refuses to load on any other kernel
 * build than the one the table came from.
 */
#define pr_fmt(fmt) "rustver: " fmt

#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/utsname.h>

#include <rustver/core.h>

#include "rustver_table.h"

static const struct rv_table core_table = {
	.crates = rustver_table_crates,
	.count = RUSTVER_TABLE_COUNT,
	.rustc = RUSTVER_TABLE_RUSTC,
};

static struct kobject *core_kobj;

const struct rv_table *rustver_core_table(void)
{
	return &core_table;
}
EXPORT_SYMBOL_GPL(rustver_core_table);

struct kobject *rustver_core_kobj(void)
{
	return core_kobj;
}
EXPORT_SYMBOL_GPL(rustver_core_kobj);

static int emit_comment(char *buf, int at, const char *key, const char *value)
{
	if (!value[0])
		return at;
	return at + sysfs_emit_at(buf, at, "# %s: %s\n", key, value);
}

static ssize_t crates_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	char line[RV_CRATE_NAME_MAX + 40];
	int at;
	u32 i;

	at = sysfs_emit(buf, "# rustver table, format 1\n");
	at = emit_comment(buf, at, "release", RUSTVER_TABLE_RELEASE);
	at = emit_comment(buf, at, "uts-version", RUSTVER_TABLE_UTS_VERSION);
	at = emit_comment(buf, at, "build-id", RUSTVER_TABLE_BUILD_ID);
	at = emit_comment(buf, at, "rustc", RUSTVER_TABLE_RUSTC);
	for (i = 0; i < core_table.count; i++) {
		if (rv_table_format_line(&core_table.crates[i], line, sizeof(line)))
			at += sysfs_emit_at(buf, at, "%s", line);
	}
	return at;
}

static struct kobj_attribute crates_attr = __ATTR_RO(crates);

/* The table must come from this very kernel build. */
static int check_identity(void)
{
	const struct new_utsname *uts = init_utsname();
	const char *why;

	if (!RUSTVER_TABLE_UTS_VERSION[0]) {
		pr_err("crate table has no UTS version: cannot tell which kernel build it belongs to; regenerate it with 'rustver table --kdir' on this kernel's build tree\n");
		return -EINVAL;
	}
	if (strcmp(uts->release, RUSTVER_TABLE_RELEASE) ||
	    strcmp(uts->version, RUSTVER_TABLE_UTS_VERSION)) {
		pr_err("crate table was generated from another kernel build (%s %s), this kernel is %s %s: rebuild rustver_core against this kernel's build tree\n",
		       RUSTVER_TABLE_RELEASE, RUSTVER_TABLE_UTS_VERSION,
		       uts->release, uts->version);
		return -EINVAL;
	}
	if (rv_table_check(&core_table, &why)) {
		pr_err("crate table is invalid: %s\n", why);
		return -EINVAL;
	}
	return 0;
}

static int __init rustver_core_init(void)
{
	int err;

	err = check_identity();
	if (err)
		return err;

	core_kobj = kobject_create_and_add("rustver", kernel_kobj);
	if (!core_kobj)
		return -ENOMEM;
	err = sysfs_create_file(core_kobj, &crates_attr.attr);
	if (err)
		goto put_kobj;

	/* RUSTVER_TABLE_RUSTC is rustc's whole banner: "rustc 1.85.1 (...)". */
	pr_info("crate table of %s %s: %u crates, built by %s\n", RUSTVER_TABLE_RELEASE,
		RUSTVER_TABLE_UTS_VERSION, core_table.count,
		RUSTVER_TABLE_RUSTC[0] ? RUSTVER_TABLE_RUSTC : "an unknown rustc");
	return 0;

put_kobj:
	kobject_put(core_kobj);
	return err;
}

static void __exit rustver_core_exit(void)
{
	sysfs_remove_file(core_kobj, &crates_attr.attr);
	kobject_put(core_kobj);
}

module_init(rustver_core_init);
module_exit(rustver_core_exit);

MODULE_DESCRIPTION("rustver: the running kernel's Rust crate table");
MODULE_LICENSE("GPL");
