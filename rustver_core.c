// SPDX-License-Identifier: GPL-2.0
/*
 * rustver_core: the crate table of the running kernel.
 *
 * The table (name, disambiguator and CRC-32 of the .rmeta of each Rust
 * crate) is generated at build time from the kernel build tree this module
 * is built against, by 'rustver table --c-header'. It is published read-only
 * at /sys/kernel/rustver/crates (a binary attribute: never cut at a page) in
 * the 'rustver table' text format, and
 * exported to kmod_rustver. The module refuses to load on any other kernel
 * build than the one the table came from.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel_read_file.h>
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>

#include <rustver/core.h>
#include <rustver/elf.h>

#include "rustver_table.h"

static const struct rv_table core_table = {
	.crates = rustver_table_crates,
	.count = RUSTVER_TABLE_COUNT,
	.rustc = RUSTVER_TABLE_RUSTC,
	/* sizeof, not [0]: a constant expression for the initialiser */
	.build_id = sizeof(RUSTVER_TABLE_BUILD_ID) > 1 ? RUSTVER_TABLE_BUILD_ID : NULL,
};

static struct kobject *core_kobj;

/**
 * rustver_core_table() - the crate table of the running kernel
 *
 * The table rustver_core was generated with, checked at load to belong to
 * this very kernel build.
 *
 * Return: the table; valid while rustver_core is loaded (importers hold it).
 */
const struct rv_table *rustver_core_table(void)
{
	return &core_table;
}
EXPORT_SYMBOL_NS_GPL(rustver_core_table, RV_NS);

/**
 * rustver_core_kobj() - the /sys/kernel/rustver directory
 *
 * kmod_rustver adds its counters there, beside the crates file.
 *
 * Return: the kobject of /sys/kernel/rustver; valid while rustver_core is
 * loaded.
 */
struct kobject *rustver_core_kobj(void)
{
	return core_kobj;
}
EXPORT_SYMBOL_NS_GPL(rustver_core_kobj, RV_NS);

/*
 * The table as text, rendered once at load: a binary attribute of exactly
 * its size, so a table of any length (up to RV_TABLE_MAX_CRATES) is read
 * whole, never cut at a page.
 */
static char *crates_text;
static size_t crates_len;

static size_t emit_comment(char *buf, size_t size, size_t at, const char *key,
			   const char *value)
{
	if (!value[0])
		return at;
	return at + scnprintf(buf + at, size - at, "# %s: %s\n", key, value);
}

static int render_table(void)
{
	/* Each line: name, '[', 16 hex, "] 0x", 8 hex, '\n'. */
	const size_t line_max = RV_CRATE_NAME_MAX + 32;
	size_t size, at;
	char *buf;
	u32 i;

	size = 4096 + (size_t)core_table.count * line_max;
	buf = kvmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	at = scnprintf(buf, size, "# rustver table, format 1\n");
	at = emit_comment(buf, size, at, "release", RUSTVER_TABLE_RELEASE);
	at = emit_comment(buf, size, at, "uts-version", RUSTVER_TABLE_UTS_VERSION);
	at = emit_comment(buf, size, at, "build-id", RUSTVER_TABLE_BUILD_ID);
	at = emit_comment(buf, size, at, "rustc", RUSTVER_TABLE_RUSTC);
	for (i = 0; i < core_table.count; i++) {
		size_t n = rv_table_format_line(&core_table.crates[i], buf + at,
						size - at);

		if (!n) {
			kvfree(buf);
			pr_err("crate table does not fit its %zu-byte buffer at crate %u\n",
			       size, i);
			return -EOVERFLOW;
		}
		at += n;
	}
	crates_text = buf;
	crates_len = at;
	return 0;
}

static ssize_t crates_read_common(char *buf, loff_t off, size_t count)
{
	return memory_read_from_buffer(buf, count, &off, crates_text, crates_len);
}

/* Newer kernels pass a const attribute to the read callback: either fits. */
static ssize_t __maybe_unused crates_read_const(struct file *f, struct kobject *kobj,
						const struct bin_attribute *attr,
						char *buf, loff_t off, size_t count)
{
	return crates_read_common(buf, off, count);
}

static ssize_t __maybe_unused crates_read_mut(struct file *f, struct kobject *kobj,
					      struct bin_attribute *attr,
					      char *buf, loff_t off, size_t count)
{
	return crates_read_common(buf, off, count);
}

static struct bin_attribute crates_attr = {
	.attr = { .name = "crates", .mode = 0444 },
	.read = _Generic(((struct bin_attribute *)NULL)->read,
			 typeof(&crates_read_const) : crates_read_const,
			 typeof(&crates_read_mut) : crates_read_mut),
};

#define NOTES_MAX	SZ_64K
#define BUILD_ID_MAX	64	/* bytes */

/*
 * The running kernel's GNU build ID, as lowercase hex in @hex, from its
 * .notes section (/sys/kernel/notes: the kernel exports no other way to a
 * module), parsed by the engine (rv_elf_note_build_id). Return: 0, or a
 * negative errno when it cannot be read or holds no build ID.
 */
static int running_build_id(char *hex, size_t size)
{
	void *buf = NULL;
	ssize_t n;
	int err;

	n = kernel_read_file_from_path("/sys/kernel/notes", 0, &buf, NOTES_MAX,
				       NULL, READING_UNKNOWN);
	if (n < 0)
		return n;
	err = rv_elf_note_build_id(buf, n, hex, size);
	vfree(buf);
	return err ? -ENOENT : 0;
}

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
	/*
	 * Reproducible builds (fixed KBUILD_BUILD_*) give two builds the same
	 * UTS version: the vmlinux build ID tells them apart.
	 */
	if (!RUSTVER_TABLE_BUILD_ID[0]) {
		pr_warn("crate table names no build ID (made without the tree's vmlinux): only the release and UTS version were compared, %s %s; under policy=enforce kmod_rustver refuses Rust modules unless table_without_build_id=1\n",
			uts->release, uts->version);
	} else {
		char id[2 * BUILD_ID_MAX + 1];
		int err = running_build_id(id, sizeof(id));

		if (err) {
			pr_err("cannot read this kernel's build ID from /sys/kernel/notes (%d): cannot tell whether the crate table (build ID %s) belongs to it\n",
			       err, RUSTVER_TABLE_BUILD_ID);
			return -EINVAL;
		}
		if (strcmp(id, RUSTVER_TABLE_BUILD_ID)) {
			pr_err("crate table was generated from another kernel build (build ID %s), this kernel is %s %s with build ID %s: rebuild rustver_core against this kernel's build tree\n",
			       RUSTVER_TABLE_BUILD_ID, uts->release, uts->version, id);
			return -EINVAL;
		}
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

	err = render_table();
	if (err)
		return err;
	crates_attr.size = crates_len;

	core_kobj = kobject_create_and_add("rustver", kernel_kobj);
	if (!core_kobj) {
		err = -ENOMEM;
		goto free_text;
	}
	err = sysfs_create_bin_file(core_kobj, &crates_attr);
	if (err)
		goto put_kobj;

	/* RUSTVER_TABLE_RUSTC is rustc's whole banner: "rustc 1.85.1 (...)". */
	pr_info("crate table of %s %s: %u crates, built by %s\n", RUSTVER_TABLE_RELEASE,
		RUSTVER_TABLE_UTS_VERSION, core_table.count,
		RUSTVER_TABLE_RUSTC[0] ? RUSTVER_TABLE_RUSTC : "an unknown rustc");
	return 0;

put_kobj:
	kobject_put(core_kobj);
free_text:
	kvfree(crates_text);
	return err;
}

static void __exit rustver_core_exit(void)
{
	sysfs_remove_bin_file(core_kobj, &crates_attr);
	kobject_put(core_kobj);
	kvfree(crates_text);
}

module_init(rustver_core_init);
module_exit(rustver_core_exit);

MODULE_DESCRIPTION("rustver: the running kernel's Rust crate table");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(RV_NS);
