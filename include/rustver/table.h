/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rustver engine: the crate table of a kernel build.
 *
 * One entry per Rust crate of the kernel: its name, the v0 disambiguator
 * its symbols carry, and the CRC-32 (zlib/IEEE) of its .rmeta. The text
 * form, used by `rustver table`, table files and /sys/kernel/rustver/crates,
 * is one line per crate
 *
 *	name[hex-disambiguator] 0xcrc32
 *
 * sorted by name; lines starting with '#' are comments.
 */
#ifndef RUSTVER_TABLE_H
#define RUSTVER_TABLE_H

#include <rustver/types.h>

struct rv_crate {
	char name[RV_CRATE_NAME_MAX];	/* NUL-terminated */
	u64 dis;
	u32 crc;
};

struct rv_table {
	const struct rv_crate *crates;
	u32 count;
	const char *rustc;		/* rustc that built the kernel, or NULL */
	/*
	 * The vmlinux GNU build ID (lowercase hex) the table was made for, or
	 * NULL: a table made from headers without vmlinux names none, and only
	 * the release and UTS version tie it to a build.
	 */
	const char *build_id;
};

/* The entry for crate @name[@dis], or NULL. */
const struct rv_crate *rv_table_find(const struct rv_table *t, const char *name,
				     size_t len, u64 dis);

/* Any entry called @name whatever its disambiguator, or NULL. */
const struct rv_crate *rv_table_find_name(const struct rv_table *t,
					  const char *name, size_t len);

/* True when @name (@len bytes) is a valid crate name: [A-Za-z0-9_]+. */
bool rv_crate_name_valid(const char *name, size_t len);

/*
 * Parses one line "name[hex] 0xcrc" (no newline, no comment) into @out.
 * Returns 0 or -RV_EFORMAT with *@why set.
 */
int rv_table_parse_line(const char *line, size_t len, struct rv_crate *out,
			const char **why);

/* Writes "name[hex] 0xcrc\n" into @buf; returns its length, 0 if too small. */
size_t rv_table_format_line(const struct rv_crate *c, char *buf, size_t size);

/* -RV_EDUP with *@why set when two entries name the same crate. */
int rv_table_check(const struct rv_table *t, const char **why);

#endif /* RUSTVER_TABLE_H */
