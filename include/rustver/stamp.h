/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rustver engine: the stamp a module carries.
 *
 * `rustver stamp` adds a section named RV_STAMP_SECTION (SHT_PROGBITS,
 * SHF_ALLOC, read-only: the loader copies it into the module's read-only
 * memory) and a symbol RV_STAMP_SYMBOL (STB_GLOBAL, STT_OBJECT, st_value 0,
 * st_size the stamp's size) defined in it, appended at the end of .symtab so
 * that no symbol a relocation names is renumbered. At MODULE_STATE_COMING the
 * loader has relocated that symbol to the stamp's address, which kmod_rustver
 * finds in mod->kallsyms. The section lists, for each Rust crate the
 * module's imports depend on, the CRC of the crate's .rmeta the module was
 * built against. All integers are little-endian; there is no padding.
 *
 * Versions 1 and 2 put the same bytes in a section that is not SHF_ALLOC and
 * had no symbol: the loader never keeps it, so such a module reads as
 * unstamped and must be stamped again (the helper says so).
 *
 *   header, RV_STAMP_HDR_SIZE bytes
 *	0   8  magic "RVSTAMP\0"
 *	8   2  version, RV_STAMP_VERSION (3; 1 and 2 are still parsed)
 *	10  2  header size (>= RV_STAMP_HDR_SIZE; readers skip the rest)
 *	12  4  entry size (>= RV_STAMP_ENTRY_SIZE; readers skip the rest)
 *	16  4  number of entries, at most RV_TABLE_MAX_CRATES
 *	20  4  flags: versions 2, 3: exactly one of RV_STAMP_F_*; version 1, 0
 *	       (made from a table the user named, as RV_STAMP_F_UNVERIFIED)
 *	24  88 rustc version of the module (its .comment), NUL-padded
 *   entries, one per crate, entry size bytes each
 *	0   64 crate name, NUL-padded, [A-Za-z0-9_]+
 *	64  8  disambiguator
 *	72  4  CRC-32 of the crate's .rmeta
 *	76  4  reserved, 0
 *
 * The section's size is exactly header size + count * entry size.
 */
#ifndef RUSTVER_STAMP_H
#define RUSTVER_STAMP_H

#include <rustver/table.h>

#define RV_STAMP_SECTION	".rustver_stamp"
#define RV_STAMP_MAGIC		"RVSTAMP"	/* 8 bytes with its NUL */
#define RV_STAMP_SYMBOL		"__rustver_stamp"
#define RV_STAMP_VERSION	3
/*
 * How the CRCs were found. EVIDENCE: they are the CRC-32s of the .rmeta
 * files the compiler read for this module, as Kbuild recorded them
 * (-Zbinary_dep_depinfo=y in each object's .<obj>.o.cmd), checked unchanged
 * since. UNVERIFIED: taken from a table the user named (`rustver stamp
 * --unverified`), which nothing ties to the build.
 */
#define RV_STAMP_F_EVIDENCE	0x1
#define RV_STAMP_F_UNVERIFIED	0x2
#define RV_STAMP_HDR_SIZE	112
#define RV_STAMP_ENTRY_SIZE	80

struct rv_stamp {
	const u8 *data;
	u16 version;
	u32 flags;		/* RV_STAMP_F_*; version 1 reads as UNVERIFIED */
	u32 hdr_size;
	u32 entry_size;
	u32 count;
	const char *rustc;	/* NUL-terminated, inside data; may be "" */
	const char *why;	/* reason of the last failure */
};

/* Validates a stamp section's contents. */
int rv_stamp_parse(struct rv_stamp *st, const void *data, u64 size);

/* Entry @i (< st->count) of a validated stamp. */
void rv_stamp_entry(const struct rv_stamp *st, u32 i, struct rv_crate *out);

/* The stamp of crate @name[@dis], or NULL. */
bool rv_stamp_find(const struct rv_stamp *st, const char *name, size_t len,
		   u64 dis, u32 *crc);

static inline u64 rv_stamp_size(u32 count)
{
	return RV_STAMP_HDR_SIZE + (u64)count * RV_STAMP_ENTRY_SIZE;
}

/* Writes a stamp of @count crates into @buf of rv_stamp_size(@count) bytes. */
int rv_stamp_build(void *buf, u64 size, const char *rustc, u32 flags,
		   const struct rv_crate *crates, u32 count);

#endif /* RUSTVER_STAMP_H */
