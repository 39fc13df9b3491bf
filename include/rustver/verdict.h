/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rustver engine: the verdict on one module image.
 *
 * Every undefined symbol of the module that is v0-mangled (and every
 * livepatch reference ".klp.sym.OBJ.NAME,POS" whose NAME is) is parsed; each
 * crate root in it must be in the kernel's table, and the module's stamp
 * must carry the same CRC for it. Both callers reach rv_verdict_judge() with
 * the same inputs: the kernel (kmod_rustver) from the loaded module's symbol
 * table (mod->kallsyms at MODULE_STATE_COMING), the helper (`rustver check`)
 * from the file through rv_verdict_check(). Their verdicts cannot differ.
 */
#ifndef RUSTVER_VERDICT_H
#define RUSTVER_VERDICT_H

#include <rustver/elf.h>
#include <rustver/stamp.h>
#include <rustver/table.h>
#include <rustver/v0.h>

enum rv_crate_status {
	RV_CRATE_PASS,		/* known, stamped with the kernel's CRC */
	RV_CRATE_MISMATCH,	/* stamped with another CRC */
	RV_CRATE_UNSTAMPED,	/* known, but the stamp does not cover it */
	RV_CRATE_UNKNOWN,	/* not in the kernel's table */
	RV_CRATE_OTHER_BUILD,	/* in the table with another disambiguator */
};

enum rv_result {
	RV_RESULT_NOT_RUST,	/* no Rust imports: nothing to check */
	RV_RESULT_PASS,
	RV_RESULT_INTREE_UNSTAMPED, /* in-tree, no stamp, every crate known */
	RV_RESULT_FAIL,		/* some crate failed */
	RV_RESULT_ERROR,	/* the image, the stamp or a symbol is malformed */
};

struct rv_crate_verdict {
	const char *name;	/* inside the image, not terminated */
	u32 name_len;
	u64 dis;
	enum rv_crate_status status;
	bool has_stamp_crc, has_kernel_crc;
	u32 stamp_crc, kernel_crc;
	u64 kernel_dis;		/* for RV_CRATE_OTHER_BUILD */
	u32 nsyms;		/* imported symbols that depend on the crate */
	const char *example;	/* one of them, inside the image */
	u32 example_len;	/* its length in bytes (not terminated for .klp.sym) */
};

struct rv_verdict {
	enum rv_result result;
	u32 rust_imports;		/* undefined v0 symbols */
	u32 nfailed;			/* crates whose status is not PASS */
	bool intree;			/* in-tree as the loader decides (.modinfo has intree=) */
	bool stamped;
	bool old_stamp;			/* file path: a stamp section no symbol names (v1, v2) */
	const u8 *stamp;		/* the stamp's bytes the verdict read, when stamped */
	u32 stamp_size;
	u32 stamp_flags;		/* RV_STAMP_F_* of the stamp, when stamped */
	bool rustc_differs;		/* stamp's and table's rustc differ */
	const char *stamp_rustc;	/* inside the image, or NULL */
	u32 ncrates;
	struct rv_crate_verdict crates[RV_MODULE_MAX_CRATES];
	/* when result is RV_RESULT_ERROR */
	int err;
	const char *where;		/* "ELF", "stamp", "symbol", "module" */
	const char *why;
	const char *bad_symbol;		/* NUL-terminated in the image, or NULL */
	u32 bad_symbol_pos;
};

struct rv_verdict_scratch {
	struct rv_v0_scratch v0;
	struct rv_v0_result sym;
};

/*
 * What the verdict reads of a module, wherever it comes from.
 *
 * @syms:	@nsyms symbol records of RV_ELF_SYM_SIZE (24) bytes, Elf64_Sym
 *		little-endian (the ELF file's .symtab, or the loaded module's
 *		mod->kallsyms->symtab: the same records after simplify_symbols()),
 *		record 0 the null symbol;
 * @str:	the string table the records' st_name index;
 * @str_size:	bytes readable from @str: a name must begin before it and is
 *		read no further (the kernel's strtab has no recorded size:
 *		kmod_rustver passes the bytes to the end of the module's init
 *		data, where the loader placed it);
 * @intree:	the loader's view: .modinfo has an "intree=" entry (the kernel
 *		then does not set TAINT_OOT_MODULE);
 * @stamp:	resolves the definition of RV_STAMP_SYMBOL to the stamp's bytes:
 *		returns 0 with *@data and *@size set (the symbol's st_size bytes
 *		at its st_value), or a negative RV_E* code with *@why set
 *		("stamp not in the module's memory");
 * @ctx:	for @stamp.
 */
struct rv_module {
	const u8 *syms;
	u32 nsyms;
	const char *str;
	u64 str_size;
	bool intree;
	int (*stamp)(const void *ctx, const struct rv_elf_sym *sym,
		     const u8 **data, u64 *size, const char **why);
	const void *ctx;
};

/*
 * The verdict on @m against @table: every symbol record is read once, in
 * O(nsyms + total name bytes up to RV_SYMBOL_MAX each), without allocation.
 * Returns 0 when a verdict was reached (see v->result), or the negative RV_E*
 * code that made it an RV_RESULT_ERROR (-RV_ELIMIT: an engine bound, named in
 * v->why). @v points into @m's memory.
 */
int rv_verdict_judge(const struct rv_module *m, const struct rv_table *table,
		     struct rv_verdict_scratch *scr, struct rv_verdict *v);

/*
 * Checks the module image @data of @size bytes (the ELF only: a signature
 * trailer must already be cut off) against @table. Returns 0 when a verdict
 * was reached (see v->result), or the negative RV_E* code that made it an
 * RV_RESULT_ERROR. Neither @table nor @data is modified; @v points into
 * @data, so it is only valid while @data is.
 */
int rv_verdict_check(const void *data, u64 size, const struct rv_table *table,
		     struct rv_verdict_scratch *scr, struct rv_verdict *v);

/*
 * The same on an image of which only @loaded holds the file's bytes (see
 * struct rv_elf_loaded; NULL: all of it): the verdict of the whole file, or
 * an error where it would read a byte that was not loaded. This is
 * rv_verdict_judge() on the file's .symtab, .strtab and .modinfo, with the
 * stamp symbol resolved as the loader relocates it (its section must be
 * SHF_ALLOC, else the stamp is not in module memory).
 */
int rv_verdict_check_loaded(const void *data, u64 size,
			    const struct rv_elf_loaded *loaded,
			    const struct rv_table *table,
			    struct rv_verdict_scratch *scr, struct rv_verdict *v);

/* The version token ("1.85.1") of a rustc banner, or NULL; sets *@len. */
const char *rv_rustc_version(const char *banner, size_t *len);

/*
 * The one name of a crate status, as the helper's JSON writes it: "pass",
 * "mismatch", "unstamped", "unknown" or "other-build".
 */
const char *rv_crate_status_name(enum rv_crate_status s);

/*
 * The one name of a result, as the helper's JSON, kmod_rustver's
 * last_verdicts and its trace event write it: "not-rust", "pass",
 * "intree-unstamped", "fail" or "error" (the kernel writes what it did with
 * a failed one instead: "refused...", "warned...").
 */
const char *rv_result_name(enum rv_result r);

#endif /* RUSTVER_VERDICT_H */
