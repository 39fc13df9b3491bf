/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rustver engine: the Rust v0 mangled symbol names
 * (https://doc.rust-lang.org/rustc/symbol-mangling/v0.html).
 *
 * One walker (lib/v0.c) reads the whole grammar (paths C/M/X/Y/N/I,
 * backrefs, every type form including pattern types, const generics,
 * punycode identifiers, the instantiating crate and vendor suffixes) and
 * either collects every crate root the name mentions (rv_v0_parse) or
 * prints a short path (rv_v0_short_path). Bounds, for any input:
 *  - stack: constant, about 1 KiB (RV_V0_MAX_DEPTH frames of 8 bytes on the
 *    caller's stack); deeper nesting, backref chains included, is RV_ELIMIT;
 *  - time: linear in the name (at most RV_SYMBOL_MAX bytes). Backrefs must
 *    point strictly backwards to a complete production of the right kind,
 *    so loops cannot occur, and each (position, origin) is expanded once.
 */
#ifndef RUSTVER_V0_H
#define RUSTVER_V0_H

#include <rustver/types.h>

/* Where a crate root was seen; a crate may carry several. */
#define RV_ORIGIN_PATH	0x1	/* in the printed path, types or consts */
#define RV_ORIGIN_IMPL	0x2	/* in the impl path of an M or X path */
#define RV_ORIGIN_INST	0x4	/* the instantiating crate */

struct rv_crate_ref {
	const char *name;	/* points into the symbol, not terminated */
	u32 name_len;
	u8 origin;		/* RV_ORIGIN_* seen so far */
	u64 dis;		/* disambiguator, 0 when absent */
};

struct rv_v0_result {
	/* crates[0] is the defining crate, then order of first appearance */
	struct rv_crate_ref crates[RV_V0_MAX_CRATES];
	u32 ncrates;
	size_t err_pos;		/* offset in the name where parsing failed */
	const char *why;	/* reason of the failure */
};

/*
 * A simple path already walked: ("N" ns)^k "C" [dis] ident {[dis] ident}.
 * Its bytes alone decide its parse (it holds no backref), so the same
 * bytes met again need not be walked again (lib/v0.c, path_replay()).
 */
#define RV_V0_PATHS_SHIFT	5
#define RV_V0_PATHS		(1 << RV_V0_PATHS_SHIFT)	/* paths kept */
#define RV_V0_PATH_MAX		112	/* bytes of a path that is kept */
struct rv_v0_path {
	u64 head;		/* its first 8 bytes (the slot's key) */
	u64 dis;		/* the crate root's disambiguator */
	u8 len;			/* bytes; 0: the slot is empty */
	u8 depth;		/* k: N productions around the crate root */
	u8 name_off;		/* the crate name, in bytes[] */
	u8 name_len;
	char bytes[RV_V0_PATH_MAX];
};

/*
 * Working memory, reused across calls (8 KiB): a byte of flags per
 * position of the name, and the simple paths rv_v0_parse_str() has walked.
 */
struct rv_v0_scratch {
	u8 mark[RV_SYMBOL_MAX];
	struct rv_v0_path paths[RV_V0_PATHS];
};

/*
 * Empties @scr's crate-root cache: needed once before @scr's first use
 * with rv_v0_parse_str() (a zeroed scratch is empty; rv_v0_parse() starts
 * with an empty one), and free to call at any time, e.g. once per module.
 */
void rv_v0_scratch_reset(struct rv_v0_scratch *scr);

/*
 * True when @name looks like a v0 symbol (`_R` then a path or version);
 * inline: the verdict asks it of every undefined symbol.
 */
static inline bool rv_v0_is_v0(const char *name, size_t len)
{
	return len > 2 && name[0] == '_' && name[1] == 'R' &&
	       ((name[2] >= 'A' && name[2] <= 'Z') ||
		(name[2] >= '0' && name[2] <= '9'));
}

/*
 * Parses the v0 symbol @name of @len bytes and fills @res: crates[0] is the
 * defining crate. Returns 0, or -RV_ESYNTAX (malformed) or -RV_ELIMIT
 * (longer than RV_SYMBOL_MAX, nesting beyond RV_V0_MAX_DEPTH, more than
 * RV_V0_MAX_CRATES crates) with @res->why and @res->err_pos set.
 */
int rv_v0_parse(const char *name, size_t len, struct rv_v0_scratch *scr,
		struct rv_v0_result *res);

/*
 * rv_v0_parse() of the NUL-terminated name at @name, of which at most @max
 * bytes may be read (a string table's end): measures the name (to the NUL,
 * @max, or RV_SYMBOL_MAX + 1 bytes, whichever comes first; *@len, unless
 * @len is NULL, is set to that length, also on error) and checks its bytes in
 * the same pass. The same result as rv_v0_parse(), sooner: a printable name
 * with its NUL within @max is first given to a quick walk of the grammar
 * real names use, which leaves anything else, and every error, to the walk.
 */
int rv_v0_parse_str(const char *name, size_t max, struct rv_v0_scratch *scr,
		    struct rv_v0_result *res, size_t *len);

/*
 * Writes a readable form of @name's path into @out (always NUL-terminated,
 * truncated with "..." when it does not fit): crate roots without their
 * disambiguator, generic arguments elided as "<..>", impl paths as
 * "<Type>" or "<Type as Trait>". For messages; returns the length written.
 */
size_t rv_v0_short_path(const char *name, size_t len, char *out, size_t size);

#endif /* RUSTVER_V0_H */
