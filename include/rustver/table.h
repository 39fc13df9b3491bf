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

/*
 * The kernel's own Rust exports, each with the crates the verdict finds in
 * its name: an import whose bytes are one of them costs a hash and a
 * compare (rv_exports_find()) instead of the v0 walk. The crates of a name
 * are a pure function of its bytes, so the verdict is the same either way.
 * `rustver table` makes them from the tree's Module.symvers: the helper
 * walks each name once when it reads the table (tools/rustver/exportidx.c)
 * and writes the result into the C header rustver_core is built from. A
 * table without them (count 0: an older rustver's, or rustver_core's
 * without the wiring) or of another RV_EXPORTS_VERSION leaves every import
 * to the walk.
 *
 * Export i has the bytes names[e[i].name ..][0 .. e[i].len) (no NUL) and
 * the hash rv_export_hash() of them; e[] is sorted by hash, and the exports
 * whose hash has the top @bits bits b are e[bucket[b] .. bucket[b + 1]).
 * Its crates are the list at lists[e[i].crates]: a count n, then n pairs
 * (index in the table's crates[], offset of the crate's name in the
 * export's name), in the order of the walk's result (the defining crate
 * first), without the pseudo crates the verdict leaves out
 * (rv_crate_is_pseudo()). rv_exports_check() validates all of it.
 */
#define RV_EXPORTS_VERSION	1
#define RV_TABLE_MAX_EXPORTS	65536
#define RV_EXPORTS_MAX_BITS	20

struct rv_export {
	u32 hash;
	u32 name;		/* offset of its bytes in names */
	u16 len;		/* bytes, 3 .. RV_SYMBOL_MAX */
	u16 crates;		/* offset of its crate list in lists */
};

struct rv_exports {
	u32 version;		/* RV_EXPORTS_VERSION */
	u32 count;		/* 0: no exports, every import is walked */
	const struct rv_export *e;
	const u32 *bucket;	/* (1 << bits) + 1 entries */
	u32 bits;		/* 1 .. RV_EXPORTS_MAX_BITS */
	u32 max_len;		/* the longest name */
	const char *names;
	u32 names_size;
	const u16 *lists;
	u32 lists_size;		/* u16 entries */
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
	struct rv_exports exports;	/* all zero: none */
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

/*
 * -RV_EDUP with *@why set when two entries name the same crate; the
 * result of rv_exports_check() when the exports are malformed.
 */
int rv_table_check(const struct rv_table *t, const char **why);

/*
 * True for a crate root that names no crate of the kernel (rustc's
 * `__rustc`): the verdict does not judge it.
 */
bool rv_crate_is_pseudo(const char *name, size_t len);

/* The hash of the @len bytes at @name that struct rv_export keeps. */
u32 rv_export_hash(const char *name, size_t len);

/*
 * The export whose bytes are the NUL-terminated name at @name, of which at
 * most @max bytes may be read (a name without a NUL in them is the @max
 * bytes, as rv_v0_parse_str() measures it), or NULL; *@len is then the
 * name's length. Reads no more than @x->max_len + 1 bytes.
 */
const struct rv_export *rv_exports_find(const struct rv_exports *x,
					const char *name, size_t max,
					size_t *len);

/*
 * Validates @t->exports against @t's crates: bounds, order, buckets, each
 * name a printable "_R" name with its hash, each crate list in bounds and
 * naming a crate of the table at its offset. O(bytes of the names).
 * Returns 0, -RV_EFORMAT or -RV_ERANGE with *@why set.
 */
int rv_exports_check(const struct rv_table *t, const char **why);

#endif /* RUSTVER_TABLE_H */
