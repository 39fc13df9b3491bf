// SPDX-License-Identifier: GPL-2.0
/*
 * rustver engine: the Rust v0 symbol grammar, walked once.
 *
 * Grammar (https://doc.rust-lang.org/rustc/symbol-mangling/v0.html, with the
 * forms rustc's compiler/rustc_symbol_mangling/src/v0.rs writes today and
 * rustc-demangle's src/v0.rs reads):
 *
 *   symbol   = "_R" path [instantiating-crate: path] ["." | "$" suffix]
 *   path     = "C" [dis] ident | "N" ns path [dis] ident
 *            | "M" [dis] path type | "X" [dis] path type path | "Y" type path
 *            | "I" path {generic-arg} "E" | backref
 *   type     = basic | "R"/"Q" ["L" n] type | "P"/"O"/"S" type | "A" type const
 *            | "T" {type} "E" | "F" ["G" n] ["U"] ["K" abi] {type} "E" type
 *            | "D" ["G" n] {path {"p" ident (type | "K" const)}} "E" "L" n
 *            | "W" type pattern | path | backref
 *   pattern  = "R" const const | "O" pattern {pattern} "E" | "N"
 *   const    = "p" | int-tag ["n"] hex "_" | "b" hex "_" | "c" hex "_"
 *            | "e" bytes "_" | "R" "e" bytes "_" | "R"/"Q" const
 *            | "A" {const} "E" | "T" {const} "E"
 *            | "V" path ("U" | "T" {const} "E" | "S" {[dis] ident const} "E")
 *            | backref
 *   backref  = "B" base-62-number      (a position counted from after "_R")
 *
 * One walker serves both uses: collecting the crate roots of a symbol for
 * the verdict (rv_v0_parse) and printing a short readable path for
 * messages (rv_v0_short_path). It is a pushdown automaton, not a recursive
 * descent: each open production with children holds one 8-byte frame in a
 * fixed array, so the stack a walk uses is a constant (about 700 bytes)
 * whatever the input, and RV_V0_MAX_DEPTH open productions is the nesting
 * limit. Following a backref opens a frame like any other production, so
 * a chain of backrefs counts against that limit.
 *
 * Time: in collect mode, every production start is expanded at most once
 * per origin (a seen-map over the name), and a backref must point strictly
 * backwards at a complete production of the right kind, so the work is
 * linear in the name. The one exception, the path that leads to the
 * defining crate (the "spine"), is followed through backrefs even when
 * already seen; its hops are bounded by the depth limit. In print mode
 * backrefs are followed only where the text is printed, and printing stops
 * when the output buffer is full. A step budget bounds both modes.
 */
#include <rustver/v0.h>

/*
 * Flags of each position in struct rv_v0_scratch mark[]: a complete
 * production of a kind starts there, or a production started there was
 * expanded with crate roots of an origin (RV_ORIGIN_* << 3).
 */
#define MARK_PATH	0x01
#define MARK_TYPE	0x02
#define MARK_CONST	0x04
#define MARK_SEEN_SHIFT	3

/* What a production is; a frame's kind, a backref's expected target. */
enum kind { KIND_PATH, KIND_TYPE, KIND_CONST, KIND_PAT };

/* Where a frame resumes when the production it is waiting for completes. */
enum resume {
	R_N_PARENT,	/* N: parent done; its identifier follows */
	R_IMPL_PATH,	/* M, X: impl path done; the self type follows */
	R_SELF_TYPE,	/* M, X, Y: self type done */
	R_TRAIT,	/* X, Y: trait path done */
	R_I_ARGS,	/* I: path or a generic argument done */
	R_BACKREF,	/* the target of a backref done */
	R_WRAP,		/* R Q P O S: the inner type done */
	R_ARRAY_TYPE,	/* A: element type done; the length follows */
	R_ARRAY_LEN,	/* A: length done */
	R_TUPLE,	/* T: an element done */
	R_FN,		/* F: an argument or the return type done */
	R_DYN,		/* D: a trait path or an associated binding done */
	R_PAT_TYPE,	/* W: base type done; the pattern follows */
	R_PAT_DONE,	/* W: the pattern done */
	R_RANGE,	/* pattern R: a bound done */
	R_OR,		/* pattern O: an alternative done */
	R_CONST_REF,	/* const R Q: inner const done */
	R_CONST_LIST,	/* const A T: an element done */
	R_VARIANT,	/* const V: the variant path done; fields follow */
	R_FIELDS,	/* const V T or S: a field done */
};

/* A walker's context bits, saved in every frame and restored on resume. */
#define CTX_ORIGIN	0x07	/* RV_ORIGIN_* of crate roots met here */
#define CTX_QUIET	0x08	/* print mode: nothing printed here */
#define CTX_SPINE	0x10	/* collect mode: on the path to the defining crate */

#define MODE_COLLECT	0x1
#define MODE_PRINT	0x2

struct frame {
	u16 start;	/* position of the production's tag */
	u16 ret;	/* R_BACKREF: where to resume in the name */
	u8 resume;	/* enum resume */
	u8 kind;	/* enum kind of the production */
	u8 ctx;		/* CTX_* of the production */
	u8 aux;		/* tag, namespace, or "an element was seen" */
};

struct ident {
	const char *p;
	u32 len;
	bool punycode;
};

struct walker {
	const char *s;
	u32 len;
	u32 pos;
	u32 steps, max_steps;
	u8 mode;
	u8 ctx;
	u8 nframes;
	/* collect mode */
	struct rv_v0_scratch *scr;
	u8 *mark;		/* scr->mark */
	struct rv_v0_result *res;
	int defining;		/* index in res->crates, or -1 */
	u32 peeked;		/* the end of the last empty identifier */
	u32 root_start;		/* the last crate root read: its "C", */
	struct ident root;	/* name */
	u64 root_dis;		/* and disambiguator */
	/* print mode */
	char *out;
	size_t size, n;
	bool full;
	/* the first failure */
	const char *why;
	u32 err_pos;
	struct frame f[RV_V0_MAX_DEPTH];
};


static int fail(struct walker *w, int err, const char *why)
{
	if (!w->why) {
		w->why = why;
		w->err_pos = w->pos;
	}
	return -err;
}

static int fail_at(struct walker *w, u32 pos, int err, const char *why)
{
	w->pos = pos;
	return fail(w, err, why);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

static inline bool eat(struct walker *w, char c)
{
	if (w->pos < w->len && w->s[w->pos] == c) {
		w->pos++;
		return true;
	}
	return false;
}

static inline int next(struct walker *w, char *c)
{
	if (w->pos >= w->len)
		return fail(w, RV_ESYNTAX, "unexpected end of symbol");
	*c = w->s[w->pos++];
	return 0;
}

/* 1 + the value of each base-62 digit [0-9a-zA-Z], 0 for other bytes. */
static const u8 base62_val1[256] = {
	['0'] = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
	['a'] = 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
	28, 29, 30, 31, 32, 33, 34, 35, 36,
	['A'] = 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53,
	54, 55, 56, 57, 58, 59, 60, 61, 62,
};

/*
 * base-62-number = {[0-9a-zA-Z]} "_": "_" is 0, "0_" is 1, ... Sets *@out
 * when @out is given; a value beyond 64 bits is an error either way (as in
 * rustc-demangle). Up to 10 digits cannot overflow (62^10 < 2^64).
 */
static int base62(struct walker *w, u64 *out)
{
	const u8 *s = (const u8 *)w->s;
	u32 pos = w->pos, end = w->len, start = pos;
	u64 x = 0;
	u8 d;

	/* up to 10 digits cannot overflow; the rare longer ones are checked */
	while (pos < end && (d = base62_val1[s[pos]]) != 0) {
		if (pos - start < 10) {
			x = x * 62 + (u64)(d - 1);
		} else if (__builtin_mul_overflow(x, 62, &x) ||
			   __builtin_add_overflow(x, (u64)(d - 1), &x)) {
			w->pos = pos;
			return fail(w, RV_ELIMIT, "base-62 number overflows 64 bits");
		}
		pos++;
	}
	w->pos = pos;
	if (pos >= end || s[pos] != '_')
		return fail(w, RV_ESYNTAX, pos >= end ? "unexpected end of symbol" :
			    "bad base-62 digit");
	w->pos = pos + 1;
	if (pos != start) {
		if (x == ~0ULL)
			return fail(w, RV_ELIMIT, "base-62 number overflows 64 bits");
		x++;
	}
	if (out)
		*out = x;
	return 0;
}

/* Optional "<tag> base-62-number": the number + 1, or 0 without the tag. */
static inline int opt_base62(struct walker *w, char tag, u64 *out)
{
	int err;

	if (out)
		*out = 0;
	if (!eat(w, tag))
		return 0;
	err = base62(w, out);
	if (err || !out)
		return err;
	if (*out == ~0ULL)
		return fail(w, RV_ELIMIT, "base-62 number overflows 64 bits");
	(*out)++;
	return 0;
}

/*
 * undisambiguated-identifier = ["u"] decimal ["_"] bytes, the decimal being
 * "0" or [1-9]{digit}. Punycode ("u") must end in [a-z0-9] after its last
 * "_" ("ascii_punycode" with "-" written as "_").
 */
static inline int ident(struct walker *w, struct ident *id)
{
	u32 n, i;
	char c;
	int err;

	id->punycode = eat(w, 'u');
	err = next(w, &c);
	if (err)
		return err;
	if (!is_digit(c)) {
		w->pos--;
		return fail(w, RV_ESYNTAX, "expected an identifier length");
	}
	n = (u32)(c - '0');
	while (n && w->pos < w->len && is_digit(w->s[w->pos])) {
		n = n * 10 + (u32)(w->s[w->pos++] - '0');
		if (n > w->len)
			return fail(w, RV_ESYNTAX, "identifier runs past the end of the symbol");
	}
	/* an empty identifier is the one whose "_" is read past its end */
	if (!eat(w, '_') && n == 0)
		w->peeked = w->pos;
	if (n > w->len - w->pos)
		return fail(w, RV_ESYNTAX, "identifier runs past the end of the symbol");
	id->p = w->s + w->pos;
	id->len = n;
	w->pos += n;
	if (!id->punycode)
		return 0;
	for (i = n; i > 0 && id->p[i - 1] != '_'; i--) {
		if (!is_lower(id->p[i - 1]) && !is_digit(id->p[i - 1]))
			return fail_at(w, (u32)(id->p + i - 1 - w->s), RV_ESYNTAX,
				       "bad punycode digit");
	}
	if (i == n)
		return fail(w, RV_ESYNTAX, "empty punycode in an identifier");
	return 0;
}

/*
 * {hex-digit} "_" of an integer, bool or char const: at least one digit and
 * no leading zero, as rustc writes them (LLVM's demangler agrees). Sets
 * *@val when the value fits in 64 bits, else *@big.
 */
static int hex_number(struct walker *w, u64 *val, bool *big)
{
	u32 start = w->pos;

	*val = 0;
	*big = false;
	while (w->pos < w->len && is_hex(w->s[w->pos])) {
		char c = w->s[w->pos++];

		if (*val >> 60)
			*big = true;
		*val = *val << 4 | (u64)(is_digit(c) ? c - '0' : 10 + c - 'a');
	}
	if (!eat(w, '_'))
		return fail(w, RV_ESYNTAX, w->pos >= w->len ? "unexpected end of symbol" :
			    "bad hex digit in a const");
	if (w->pos - 1 == start)
		return fail_at(w, start, RV_ESYNTAX, "const without digits");
	if (w->s[start] == '0' && w->pos - 1 - start > 1)
		return fail_at(w, start, RV_ESYNTAX, "const with a leading zero");
	return 0;
}

static int hex_val(char c)
{
	return is_digit(c) ? c - '0' : 10 + c - 'a';
}

/* bytes "_" of a str const: hex pairs that are well-formed UTF-8. */
static int str_bytes(struct walker *w)
{
	u32 start = w->pos, i, need = 0;
	u8 b;

	while (w->pos < w->len && is_hex(w->s[w->pos]))
		w->pos++;
	if (!eat(w, '_'))
		return fail(w, RV_ESYNTAX, w->pos >= w->len ? "unexpected end of symbol" :
			    "bad hex digit in a const");
	if ((w->pos - 1 - start) % 2)
		return fail_at(w, start, RV_ESYNTAX, "str const with an odd number of hex digits");
	for (i = start; i < w->pos - 1; i += 2) {
		b = (u8)(hex_val(w->s[i]) << 4 | hex_val(w->s[i + 1]));
		/* a continuation byte exactly where one is due */
		if (!need != ((b & 0xc0) != 0x80) || b >= 0xf8)
			return fail_at(w, i, RV_ESYNTAX, "str const is not UTF-8");
		if (need)
			need--;
		else
			need = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : 0;
	}
	if (need)
		return fail_at(w, i, RV_ESYNTAX, "str const is not UTF-8");
	return 0;
}

static bool is_basic_type(char c)
{
	/* every lowercase letter but g, k, q, r, w */
	return is_lower(c) && c != 'g' && c != 'k' && c != 'q' && c != 'r' && c != 'w';
}

/* ---- the two sinks: crates (collect mode), text (print mode) ---- */

static inline void put(struct walker *w, u8 mode, const char *s, size_t n)
{
	size_t i;

	if (!(mode & MODE_PRINT) || (w->ctx & CTX_QUIET))
		return;
	for (i = 0; i < n && !w->full; i++) {
		if (w->n + 1 >= w->size) {
			w->full = true;
			break;
		}
		w->out[w->n++] = s[i];
	}
}

static inline void puts_(struct walker *w, u8 mode, const char *s)
{
	if ((mode & MODE_PRINT) && !(w->ctx & CTX_QUIET))
		put(w, mode, s, rv_strnlen(s, 16));
}

/*
 * f16 and f128 have no basic-type letter: rustc writes them, in a type, as
 * the crate roots "C3f16" and "C4f128" without a disambiguator
 * (rustc_symbol_mangling/src/v0.rs, rust-lang/rust#123816), which no crate
 * of rustc's has (its disambiguator is a hash). Called after a type's "C":
 * true, with the type consumed and printed, for those two; else nothing is
 * consumed.
 */
static bool float_root(struct walker *w, u8 mode)
{
	static const struct {
		char ident[6];	/* as written after the "C" */
		u8 len;
	} floats[] = { { "3f16", 4 }, { "4f128", 5 } };
	u32 i;

	for (i = 0; i < ARRAY_SIZE(floats); i++) {
		if (w->len - w->pos >= floats[i].len &&
		    rv_memeq(w->s + w->pos, floats[i].ident, floats[i].len)) {
			w->pos += floats[i].len;
			put(w, mode, floats[i].ident + 1, floats[i].len - 1u);
			return true;
		}
	}
	return false;
}

static bool crate_eq(const struct rv_crate_ref *c, const struct ident *id, u64 dis)
{
	return c->dis == dis && c->name_len == id->len && rv_memeq(c->name, id->p, id->len);
}

/*
 * The crate root after a "C" at w->pos: [dis] ident, a crate name of
 * [A-Za-z0-9_]. Remembered in w->root for the simple path it ends.
 */
static __always_inline int crate_root(struct walker *w, struct ident *id, u64 *dis)
{
	u32 i;
	int err;

	w->root_start = w->pos - 1;
	err = opt_base62(w, 's', dis);
	if (!err)
		err = ident(w, id);
	if (err)
		return err;
	if (id->punycode)
		return fail(w, RV_ESYNTAX, "crate names are ASCII, not punycode");
	if (id->len == 0)
		return fail(w, RV_ESYNTAX, "empty crate name");
	if (id->len >= RV_CRATE_NAME_MAX)
		return fail(w, RV_ELIMIT, "crate name too long");
	for (i = 0; i < id->len; i++) {
		char ch = id->p[i];

		if (!is_lower(ch) && !is_upper(ch) && !is_digit(ch) && ch != '_')
			return fail(w, RV_ESYNTAX, "bad character in a crate name");
	}
	w->root = *id;
	w->root_dis = *dis;
	return 0;
}

/* Adds a crate root (checked by crate_root()) to the symbol's crates. */
static int add_crate(struct walker *w, const struct ident *id, u64 dis)
{
	struct rv_v0_result *res = w->res;
	struct rv_crate_ref *c;
	u32 i;

	for (i = 0; i < res->ncrates; i++) {
		if (crate_eq(&res->crates[i], id, dis))
			break;
	}
	if (i == res->ncrates) {
		if (res->ncrates == RV_V0_MAX_CRATES)
			return fail(w, RV_ELIMIT, "too many crates in one symbol");
		c = &res->crates[res->ncrates++];
		c->name = id->p;
		c->name_len = id->len;
		c->dis = dis;
		c->origin = 0;
	}
	res->crates[i].origin |= w->ctx & CTX_ORIGIN;
	if ((w->ctx & CTX_SPINE) && w->defining < 0)
		w->defining = (int)i;
	return 0;
}

/* The mark of a production started at a position in the current origin. */
static u8 seen_mark(u8 ctx)
{
	return (u8)((ctx & CTX_ORIGIN) << MARK_SEEN_SHIFT);
}

/*
 * Simple paths, ("N" ns)^k "C" [dis] ident {[dis] ident}: most of what a
 * module's symbols name (`NtNtCs2lKf6AS60Zg_4core3fmt9Formatter`), again
 * and again. Such a path holds no backref, so its bytes alone decide how it
 * parses (but for a last empty identifier, see path_keep()); one walked
 * once is kept in the scratch (direct-mapped by its first 8 bytes) and,
 * met again, its effects are replayed instead: k + 1 productions started
 * and completed, one crate root.
 */
static u64 head_of(const char *p)
{
	u64 x;

	memcpy(&x, p, 8);
	return x;
}

static struct rv_v0_path *path_slot(struct rv_v0_scratch *scr, u64 head)
{
	return &scr->paths[(head * 0x9e3779b97f4a7c15ULL) >> (64 - RV_V0_PATHS_SHIFT)];
}

/*
 * The simple path that just ended at w->pos, started at @start: kept,
 * unless its parse looked past its end (it ends with an empty identifier,
 * a closure's "0", whose meaning depends on whether a "_" follows).
 */
static void path_keep(struct walker *w, u32 start)
{
	u32 p = start, len = w->pos - start;
	struct rv_v0_path *e;
	u64 head;

	if (len > RV_V0_PATH_MAX || w->len - start < 8 || w->peeked == w->pos)
		return;
	while (w->s[p] == 'N')
		p += 2;
	if (w->s[p] != 'C' || p != w->root_start)
		return;
	head = head_of(w->s + start);
	e = path_slot(w->scr, head);
	e->head = head;
	e->len = (u8)len;
	e->depth = (u8)((p - start) / 2);
	e->name_off = (u8)(w->root.p - (w->s + start));
	e->name_len = (u8)w->root.len;
	e->dis = w->root_dis;
	memcpy(e->bytes, w->s + start, len);
}

static int add_crate(struct walker *w, const struct ident *id, u64 dis);

/*
 * The path whose tag was read at @start, if kept: replays what walking it
 * would do (marks, steps, its crate) when that walk cannot fail. Returns 1
 * with w->pos after it, 0 when it must be walked, or a negative RV_E*.
 */
static int path_replay(struct walker *w, u32 start)
{
	const struct rv_v0_path *e;
	u64 head;
	u8 mark;
	u32 i;
	int err;

	if (w->len - start < 8)
		return 0;
	head = head_of(w->s + start);
	e = path_slot(w->scr, head);
	if (!e->len || e->head != head || e->len > w->len - start ||
	    (e->len > 8 && !rv_memeq(e->bytes + 8, w->s + start + 8, e->len - 8u)))
		return 0;
	/* the first production is already counted, started and marked seen */
	if (w->steps + e->depth > w->max_steps ||
	    w->nframes + e->depth > RV_V0_MAX_DEPTH)
		return 0;
	w->steps += e->depth;
	mark = seen_mark(w->ctx) | MARK_PATH;
	for (i = 0; i <= e->depth; i++)
		w->mark[start + 2 * i] |= mark;
	w->root_start = start + 2 * e->depth;
	w->root.p = w->s + start + e->name_off;
	w->root.len = e->name_len;
	w->root.punycode = false;
	w->root_dis = e->dis;
	w->pos = start + e->name_off + e->name_len;	/* where the walk adds it */
	err = add_crate(w, &w->root, e->dis);
	if (err)
		return err;
	w->pos = start + e->len;
	return 1;
}

/* MARK_* of a complete production of each kind (patterns have none). */
static const u8 done_mark[] = {
	[KIND_PATH] = MARK_PATH, [KIND_TYPE] = MARK_TYPE, [KIND_CONST] = MARK_CONST,
	[KIND_PAT] = 0,
};

/* A production of @kind starting at @start is complete. */
static inline void mark_done(struct walker *w, u8 mode, enum kind kind, u32 start)
{
	if (mode & MODE_COLLECT)
		w->mark[start] |= done_mark[kind];
}

/* ---- the walk ---- */

static int push(struct walker *w, u32 start, enum kind kind, enum resume r, u8 aux)
{
	struct frame *f;

	if (w->nframes == RV_V0_MAX_DEPTH)
		return fail(w, RV_ELIMIT, "symbol nests too deeply");
	f = &w->f[w->nframes++];
	f->start = (u16)start;
	f->ret = 0;
	f->resume = (u8)r;
	f->kind = (u8)kind;
	f->ctx = w->ctx;
	f->aux = aux;
	return 0;
}

/*
 * A backref at @start to a production of @kind: checks it and returns 1
 * when its target must be walked (w->pos is then the target, and a frame
 * remembers where to come back), 0 when it is complete as it is.
 */
static inline int backref(struct walker *w, u8 mode, u32 start, enum kind kind)
{
	u32 target;
	u64 t;
	int err;

	err = base62(w, &t);
	if (err)
		return err;
	if (t >= start - 2)
		return fail_at(w, start, RV_ESYNTAX, "backref does not point backwards");
	target = (u32)t + 2;
	if (mode & MODE_COLLECT) {
		u8 mark = w->mark[target];
		bool ok = mark & (kind == KIND_TYPE ? MARK_TYPE | MARK_PATH : done_mark[kind]);

		if (!ok)
			return fail_at(w, start, RV_ESYNTAX,
				       kind == KIND_PATH ? "backref to something that is not a complete path" :
				       kind == KIND_TYPE ? "backref to something that is not a complete type" :
				       "backref to something that is not a complete const");
		if ((mark & seen_mark(w->ctx)) && !(w->ctx & CTX_SPINE))
			return 0;
	} else if (!(mode & MODE_PRINT) || (w->ctx & CTX_QUIET)) {
		return 0;
	}
	err = push(w, start, kind, R_BACKREF, 0);
	if (err)
		return err;
	w->f[w->nframes - 1].ret = (u16)w->pos;
	w->pos = target;
	return 1;
}

/* The context of a child that is not on the defining crate's path. */
static void off_spine(struct walker *w)
{
	w->ctx &= (u8)~CTX_SPINE;
}

static void quiet(struct walker *w)
{
	w->ctx |= CTX_QUIET;
	off_spine(w);
}

/*
 * The walk is a driver loop (walk_mode()) over steps: entering a production
 * (enter(), then one function per kind: enter_path(), enter_type(),
 * enter_const(), enter_pat()) and resuming the innermost open production
 * when its child is complete (resume(), one function per kind). A step
 * returns what the driver does next, or a negative RV_E* code with w->why
 * set; *kind is the kind of the production entered next (or just
 * completed, for STEP_LEAF), a local of the driver, so that it stays in a
 * register once the steps are inlined.
 */
enum step {
	STEP_ENTER = 1,	/* enter a production of *kind at w->pos */
	STEP_LEAF,	/* the production of *kind at *start is complete */
	STEP_FRAME,	/* the innermost frame's production is complete */
	STEP_RESUME,	/* resume the innermost frame */
};

/* Enters a child production of @kind of the frame @err says was pushed. */
static __always_inline int child(struct walker *w, int err, enum kind *kind, enum kind k)
{
	if (err)
		return err;
	if (k == KIND_TYPE)
		off_spine(w);
	else if (k == KIND_CONST)
		quiet(w);
	*kind = k;
	return STEP_ENTER;
}

/* The next production is of @kind, in the context as it is now. */
static __always_inline int next_kind(enum kind *kind, enum kind k)
{
	*kind = k;
	return STEP_ENTER;
}

/* The frame pushed (@err 0) waits for children it reads itself. */
static __always_inline int pushed(int err)
{
	return err ? err : STEP_RESUME;
}

static __always_inline int enter_path(struct walker *w, const u8 mode, char tag, u32 start,
				       bool from_type, enum kind *kind)
{
	struct ident id;
	u64 dis;
	int err;

	switch (tag) {
	case 'C':
		if (mode & MODE_COLLECT) {
			err = crate_root(w, &id, &dis);
			if (!err)
				err = add_crate(w, &id, dis);
			if (!err)
				path_keep(w, start);
		} else {
			err = opt_base62(w, 's', NULL);
			if (!err)
				err = ident(w, &id);
		}
		if (err)
			return err;
		put(w, mode, id.p, id.len);
		return STEP_LEAF;
	case 'N':
		err = next(w, &tag);
		if (err)
			return err;
		if (!is_lower(tag) && !is_upper(tag))
			return fail_at(w, w->pos - 1, RV_ESYNTAX, "bad namespace");
		return child(w, push(w, start, KIND_PATH, R_N_PARENT, (u8)tag), kind, KIND_PATH);
	case 'M':
	case 'X':
		err = push(w, start, KIND_PATH, R_IMPL_PATH, (u8)tag);
		if (!err)
			err = opt_base62(w, 's', NULL);
		if (err)
			return err;
		w->ctx = (u8)((w->ctx & ~CTX_ORIGIN) | RV_ORIGIN_IMPL | CTX_QUIET);
		return next_kind(kind, KIND_PATH);
	case 'Y':
		puts_(w, mode, "<");
		err = push(w, start, KIND_PATH, R_SELF_TYPE, (u8)tag);
		if (err)
			return err;
		off_spine(w);
		return next_kind(kind, KIND_TYPE);
	case 'I':
		return child(w, push(w, start, KIND_PATH, R_I_ARGS, 0), kind, KIND_PATH);
	}
	return fail_at(w, start, RV_ESYNTAX, from_type ? "expected a type" : "expected a path");
}

static __always_inline int enter_type(struct walker *w, const u8 mode, char tag, u32 start,
				       enum kind *kind)
{
	static const char *const basic[26] = {
		"i8",  "bool", "char", "f64",  "str",  "f32", NULL,  "u8", "isize",
		"usize", NULL, "i32",  "u32",  "i128", "u128", "_",  NULL, NULL,
		"i16", "u16",  "()",   "...",  NULL,   "i64",  "u64", "!",
	};
	struct ident id;
	int err;

	if (is_basic_type(tag)) {
		puts_(w, mode, basic[tag - 'a']);
		return STEP_LEAF;
	}
	switch (tag) {
	case 'R':
	case 'Q':
		puts_(w, mode, tag == 'R' ? "&" : "&mut ");
		if (eat(w, 'L')) {
			err = base62(w, NULL);
			if (err)
				return err;
		}
		return child(w, push(w, start, KIND_TYPE, R_WRAP, (u8)tag), kind, KIND_TYPE);
	case 'P':
	case 'O':
		puts_(w, mode, tag == 'P' ? "*const " : "*mut ");
		return child(w, push(w, start, KIND_TYPE, R_WRAP, (u8)tag), kind, KIND_TYPE);
	case 'S':
		puts_(w, mode, "[");
		return child(w, push(w, start, KIND_TYPE, R_WRAP, (u8)tag), kind, KIND_TYPE);
	case 'A':
		puts_(w, mode, "[");
		return child(w, push(w, start, KIND_TYPE, R_ARRAY_TYPE, 0), kind, KIND_TYPE);
	case 'T':
		puts_(w, mode, "(");
		return pushed(push(w, start, KIND_TYPE, R_TUPLE, 0));
	case 'F':
		puts_(w, mode, "fn(..)");
		err = push(w, start, KIND_TYPE, R_FN, 0);
		if (!err)
			err = opt_base62(w, 'G', NULL);
		if (err)
			return err;
		eat(w, 'U');
		if (eat(w, 'K') && !eat(w, 'C')) {
			err = ident(w, &id);
			if (err)
				return err;
			if (id.punycode || id.len == 0)
				return fail(w, RV_ESYNTAX, "bad ABI name");
		}
		return STEP_RESUME;
	case 'D':
		puts_(w, mode, "dyn ..");
		err = push(w, start, KIND_TYPE, R_DYN, 0);
		if (!err)
			err = opt_base62(w, 'G', NULL);
		return pushed(err);
	case 'W':
		return child(w, push(w, start, KIND_TYPE, R_PAT_TYPE, 0), kind, KIND_TYPE);
	}
	/* any other tag starts a path */
	*kind = KIND_PATH;
	return enter_path(w, mode, tag, start, true, kind);
}

static __always_inline int enter_const(struct walker *w, char tag, u32 start, enum kind *kind)
{
	bool big;
	u64 val;
	int err;

	switch (tag) {
	case 'p':
		return STEP_LEAF;
	case 'a': case 's': case 'l': case 'x': case 'n': case 'i':
		eat(w, 'n');
		fallthrough;
	case 'h': case 't': case 'm': case 'y': case 'o': case 'j':
		err = hex_number(w, &val, &big);
		return err ? err : STEP_LEAF;
	case 'b':
		err = hex_number(w, &val, &big);
		if (err)
			return err;
		if (big || val > 1)
			return fail_at(w, start, RV_ESYNTAX, "bool const is neither 0 nor 1");
		return STEP_LEAF;
	case 'c':
		err = hex_number(w, &val, &big);
		if (err)
			return err;
		if (big || val > 0x10ffff || (val >= 0xd800 && val < 0xe000))
			return fail_at(w, start, RV_ESYNTAX,
				       "char const is not a Unicode scalar value");
		return STEP_LEAF;
	case 'R':
	case 'Q':
		if (tag == 'R' && eat(w, 'e')) {	/* &str: "Re" bytes */
			err = str_bytes(w);
			return err ? err : STEP_LEAF;
		}
		return child(w, push(w, start, KIND_CONST, R_CONST_REF, 0), kind, KIND_CONST);
	case 'e':
		err = str_bytes(w);
		return err ? err : STEP_LEAF;
	case 'A':
	case 'T':
		return pushed(push(w, start, KIND_CONST, R_CONST_LIST, 0));
	case 'V':
		return child(w, push(w, start, KIND_CONST, R_VARIANT, 0), kind, KIND_PATH);
	}
	return fail_at(w, start, RV_ESYNTAX, "expected a const");
}

static __always_inline int enter_pat(struct walker *w, char tag, u32 start, enum kind *kind)
{
	int err;

	switch (tag) {
	case 'N':
		return STEP_LEAF;
	case 'R':
		return child(w, push(w, start, KIND_PAT, R_RANGE, 0), kind, KIND_CONST);
	case 'O':
		err = push(w, start, KIND_PAT, R_OR, 0);
		return err ? err : next_kind(kind, KIND_PAT);
	}
	return fail_at(w, start, RV_ESYNTAX, "expected a pattern");
}

/* Enters a production of *kind at w->pos (*start): what every kind shares first. */
static __always_inline int enter(struct walker *w, const u8 mode, enum kind *kind, u32 *start)
{
	char tag;
	int err;

	if (++w->steps > w->max_steps)
		return fail(w, RV_ELIMIT, "symbol expands too much");
	if ((mode & MODE_PRINT) && w->full)
		return -RV_ELIMIT;
	*start = w->pos;
	err = next(w, &tag);
	if (err)
		return err;
	if (*kind == KIND_TYPE && tag == 'C' && float_root(w, mode))
		return STEP_LEAF;
	if ((mode & MODE_COLLECT) && *kind != KIND_PAT) {
		w->mark[*start] |= seen_mark(w->ctx);
		if ((tag == 'N' || tag == 'C') && *kind != KIND_CONST) {
			err = path_replay(w, *start);
			if (err)
				return err < 0 ? err : STEP_RESUME;
		}
	}
	if (tag == 'B' && *kind != KIND_PAT) {
		err = backref(w, mode, *start, *kind);
		if (err < 0)
			return err;
		return err ? STEP_ENTER : STEP_LEAF;	/* its target, or complete */
	}
	switch (*kind) {
	case KIND_PATH: return enter_path(w, mode, tag, *start, false, kind);
	case KIND_TYPE: return enter_type(w, mode, tag, *start, kind);
	case KIND_CONST: return enter_const(w, tag, *start, kind);
	case KIND_PAT: return enter_pat(w, tag, *start, kind);
	}
	return fail(w, RV_ESYNTAX, "internal: bad kind");
}

static __always_inline int resume_path(struct walker *w, const u8 mode, struct frame *f,
					enum kind *kind)
{
	struct ident id;
	int err;

	switch ((enum resume)f->resume) {
	case R_N_PARENT:
		err = opt_base62(w, 's', NULL);
		if (!err)
			err = ident(w, &id);
		if (err)
			return err;
		if (f->aux == 'C') {
			puts_(w, mode, "::{closure}");
		} else if (f->aux == 'S') {
			puts_(w, mode, "::{shim}");
		} else if (id.len) {
			puts_(w, mode, "::");
			put(w, mode, id.p, id.len);
		}
		return STEP_FRAME;
	case R_IMPL_PATH:
		puts_(w, mode, "<");
		f->resume = R_SELF_TYPE;
		off_spine(w);
		return next_kind(kind, KIND_TYPE);
	case R_SELF_TYPE:
		if (f->aux == 'M') {
			puts_(w, mode, ">");
			return STEP_FRAME;
		}
		puts_(w, mode, " as ");
		f->resume = R_TRAIT;
		if (f->aux == 'X')
			off_spine(w);
		return next_kind(kind, KIND_PATH);
	case R_TRAIT:
		puts_(w, mode, ">");
		return STEP_FRAME;
	case R_I_ARGS:
		if (eat(w, 'E')) {
			puts_(w, mode, "::<..>");
			return STEP_FRAME;
		}
		quiet(w);
		if (eat(w, 'L')) {
			err = base62(w, NULL);
			return err ? err : STEP_RESUME;
		}
		return next_kind(kind, eat(w, 'K') ? KIND_CONST : KIND_TYPE);
	default:
		break;
	}
	return fail(w, RV_ESYNTAX, "internal: bad resume point");
}

static __always_inline int resume_type(struct walker *w, const u8 mode, struct frame *f,
					enum kind *kind)
{
	struct ident id;
	int err;

	switch ((enum resume)f->resume) {
	case R_WRAP:
		if (f->aux == 'S')
			puts_(w, mode, "]");
		return STEP_FRAME;
	case R_ARRAY_TYPE:
		f->resume = R_ARRAY_LEN;
		quiet(w);
		return next_kind(kind, KIND_CONST);
	case R_ARRAY_LEN:
		puts_(w, mode, "; _]");
		return STEP_FRAME;
	case R_TUPLE:
		if (eat(w, 'E')) {
			puts_(w, mode, ")");
			return STEP_FRAME;
		}
		if (f->aux)
			puts_(w, mode, ", ");
		f->aux = 1;
		off_spine(w);
		return next_kind(kind, KIND_TYPE);
	case R_FN:
		/* aux: 0 arguments, 1 the return type is next, 2 done */
		if (f->aux == 2)
			return STEP_FRAME;
		if (eat(w, 'E'))
			f->aux = 2;
		quiet(w);
		return next_kind(kind, KIND_TYPE);
	case R_DYN:
		/* aux: 0 before a trait, 1 after a trait or a binding */
		quiet(w);
		if (f->aux && eat(w, 'p')) {
			err = ident(w, &id);
			if (err)
				return err;
			return next_kind(kind, eat(w, 'K') ? KIND_CONST : KIND_TYPE);
		}
		if (eat(w, 'E')) {
			if (!eat(w, 'L'))
				return fail(w, RV_ESYNTAX, "dyn type without a lifetime");
			err = base62(w, NULL);
			return err ? err : STEP_FRAME;
		}
		f->aux = 1;
		return next_kind(kind, KIND_PATH);
	case R_PAT_TYPE:
		puts_(w, mode, " is ..");
		f->resume = R_PAT_DONE;
		quiet(w);
		return next_kind(kind, KIND_PAT);
	case R_PAT_DONE:
		return STEP_FRAME;
	default:
		break;
	}
	return fail(w, RV_ESYNTAX, "internal: bad resume point");
}

static __always_inline int resume_const(struct walker *w, struct frame *f,
					enum kind *kind)
{
	struct ident id;
	char tag;
	int err;

	switch ((enum resume)f->resume) {
	case R_CONST_REF:
		return STEP_FRAME;
	case R_CONST_LIST:
		if (eat(w, 'E'))
			return STEP_FRAME;
		quiet(w);
		return next_kind(kind, KIND_CONST);
	case R_VARIANT:
		err = next(w, &tag);
		if (err)
			return err;
		if (tag == 'U')
			return STEP_FRAME;
		if (tag != 'T' && tag != 'S')
			return fail_at(w, w->pos - 1, RV_ESYNTAX, "bad const struct fields");
		f->resume = R_FIELDS;
		f->aux = (u8)tag;
		return STEP_RESUME;
	case R_FIELDS:
		if (eat(w, 'E'))
			return STEP_FRAME;
		if (f->aux == 'S') {
			err = opt_base62(w, 's', NULL);
			if (!err)
				err = ident(w, &id);
			if (err)
				return err;
		}
		quiet(w);
		return next_kind(kind, KIND_CONST);
	default:
		break;
	}
	return fail(w, RV_ESYNTAX, "internal: bad resume point");
}

static __always_inline int resume_pat(struct walker *w, struct frame *f,
					enum kind *kind)
{
	switch ((enum resume)f->resume) {
	case R_RANGE:
		if (f->aux)
			return STEP_FRAME;
		f->aux = 1;
		quiet(w);
		return next_kind(kind, KIND_CONST);
	case R_OR:
		if (eat(w, 'E'))
			return STEP_FRAME;
		return next_kind(kind, KIND_PAT);
	default:
		break;
	}
	return fail(w, RV_ESYNTAX, "internal: bad resume point");
}

/* Resumes the innermost frame @f, its child complete, in its context. */
static __always_inline int resume(struct walker *w, const u8 mode, struct frame *f,
				   enum kind *kind)
{
	w->ctx = f->ctx;
	if (f->resume == R_BACKREF) {
		w->pos = f->ret;
		return STEP_FRAME;
	}
	switch ((enum kind)f->kind) {
	case KIND_PATH: return resume_path(w, mode, f, kind);
	case KIND_TYPE: return resume_type(w, mode, f, kind);
	case KIND_CONST: return resume_const(w, f, kind);
	case KIND_PAT: return resume_pat(w, f, kind);
	}
	return fail(w, RV_ESYNTAX, "internal: bad frame");
}

/*
 * Walks one production of @want at w->pos. Returns 0 with w->pos after it,
 * or a negative RV_E* code with w->why set.
 */
static inline int walk_mode(struct walker *w, enum kind want, const u8 mode)
{
	u32 base = w->nframes, start = 0;
	enum kind kind = want;
	struct frame *f;
	int step = STEP_ENTER;

	for (;;) {
		switch (step) {
		case STEP_ENTER:
			step = enter(w, mode, &kind, &start);
			break;
		case STEP_LEAF:
			mark_done(w, mode, kind, start);
			step = STEP_RESUME;
			break;
		case STEP_FRAME:
			f = &w->f[w->nframes - 1];
			mark_done(w, mode, (enum kind)f->kind, f->start);
			if ((mode & MODE_COLLECT) && f->kind == KIND_PATH && w->s[f->start] == 'N')
				path_keep(w, f->start);
			w->nframes--;
			step = STEP_RESUME;
			break;
		case STEP_RESUME:
			if (w->nframes == base)
				return 0;
			step = resume(w, mode, &w->f[w->nframes - 1], &kind);
			break;
		default:
			return step < 0 ? step : fail(w, RV_ESYNTAX, "internal: bad step");
		}
	}
}

/* The walk, compiled once per mode so that neither pays for the other. */
static int walk(struct walker *w, enum kind want)
{
	if (w->mode == MODE_COLLECT)
		return walk_mode(w, want, MODE_COLLECT);
	return walk_mode(w, want, MODE_PRINT);
}

bool rv_v0_is_v0(const char *name, size_t len)
{
	return len > 2 && name[0] == '_' && name[1] == 'R' &&
	       (is_upper(name[2]) || is_digit(name[2]));
}
RV_EXPORT(rv_v0_is_v0);

/*
 * Offset of the first byte of @s[0..@n) outside 0x21..0x7e, or @n. A word
 * at a time: a byte b is outside when b - 0x21 borrows or b + 0x01 reaches
 * 0x80, i.e. b >= 0x7f. A borrow or carry can only flag bytes after a true
 * one, whatever the byte order; the flagged word is then read bytewise.
 */
static u32 first_outside(const char *s, u32 n)
{
	const u64 ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	u32 i = 0;
	u64 x;

	for (; i + 8 <= n; i += 8) {
		memcpy(&x, s + i, 8);
		if (((x - ones * 0x21) | (x + ones) | x) & highs)
			break;
	}
	for (; i < n; i++) {
		if (s[i] < 0x21 || s[i] > 0x7e)
			break;
	}
	return i;
}

/*
 * What every walk checks first: length, "_R", printable ASCII (@bad: the
 * offset of the first byte that is not, or w->len), version.
 */
static int check_symbol(struct walker *w, u32 bad)
{
	if (w->len > RV_SYMBOL_MAX)
		return fail_at(w, 0, RV_ELIMIT, "symbol name too long");
	if (!rv_v0_is_v0(w->s, w->len))
		return fail_at(w, 0, RV_ESYNTAX, "not a Rust v0 symbol (expected _R and a path)");
	if (bad < w->len)
		return fail_at(w, bad, RV_ESYNTAX, "byte outside printable ASCII");
	if (is_digit(w->s[2]))
		return fail_at(w, 2, RV_ESYNTAX, "unsupported v0 encoding version");
	return 0;
}

/* Steps a walk may take: far more than any symbol rustc writes needs. */
static u32 max_steps(u32 len)
{
	return 8 * len + 64;
}

/* A walker over @len bytes of @name (capped at RV_SYMBOL_MAX + 1). */
static void walker_init(struct walker *w, const char *name, size_t len, u8 mode)
{
	/* the frames are written before they are read: not cleared */
	w->s = name;
	w->len = len > RV_SYMBOL_MAX ? RV_SYMBOL_MAX + 1 : (u32)len;
	w->pos = 2;
	w->steps = 0;
	w->max_steps = max_steps(w->len);
	w->mode = mode;
	w->ctx = RV_ORIGIN_PATH;
	w->nframes = 0;
	w->scr = NULL;
	w->mark = NULL;
	w->root_start = 0;
	w->peeked = 0;
	w->res = NULL;
	w->defining = -1;
	w->out = NULL;
	w->size = 0;
	w->n = 0;
	w->full = false;
	w->why = NULL;
	w->err_pos = 0;
}

static int parse(struct walker *w, u32 bad, struct rv_v0_scratch *scr,
		 struct rv_v0_result *res)
{
	const char *name = w->s;
	struct rv_crate_ref def;
	size_t i;
	int err;

	w->scr = scr;
	w->mark = scr->mark;
	w->res = res;
	w->ctx = RV_ORIGIN_PATH | CTX_SPINE;
	res->ncrates = 0;
	res->why = NULL;
	res->err_pos = 0;
	err = check_symbol(w, bad);
	if (err)
		goto out;
	memset(scr->mark, 0, w->len);

	err = walk(w, KIND_PATH);
	if (!err && w->pos < w->len && is_upper(name[w->pos])) {
		w->ctx = RV_ORIGIN_INST;
		err = walk(w, KIND_PATH);
	}
	if (!err && w->pos < w->len && name[w->pos] != '.' && name[w->pos] != '$')
		err = fail(w, RV_ESYNTAX, "unexpected characters after the path");
	if (!err && w->defining < 0)
		err = fail_at(w, 2, RV_ESYNTAX, "path without a crate root");
	if (err)
		goto out;
	/* the defining crate first, the others in order of appearance */
	def = res->crates[w->defining];
	for (i = (size_t)w->defining; i > 0; i--)
		res->crates[i] = res->crates[i - 1];
	res->crates[0] = def;
	return 0;
out:
	res->why = w->why;
	res->err_pos = w->err_pos;
	res->ncrates = 0;
	return err;
}

void rv_v0_scratch_reset(struct rv_v0_scratch *scr)
{
	u32 i;

	for (i = 0; i < RV_V0_PATHS; i++)
		scr->paths[i].len = 0;
}
RV_EXPORT(rv_v0_scratch_reset);

int rv_v0_parse(const char *name, size_t len, struct rv_v0_scratch *scr,
		struct rv_v0_result *res)
{
	struct walker w;

	rv_v0_scratch_reset(scr);
	walker_init(&w, name, len, MODE_COLLECT);
	return parse(&w, w.len > RV_SYMBOL_MAX ? 0 : first_outside(name, w.len), scr, res);
}
RV_EXPORT(rv_v0_parse);

int rv_v0_parse_str(const char *name, size_t max, struct rv_v0_scratch *scr,
		    struct rv_v0_result *res, size_t *len)
{
	u32 n = max > RV_SYMBOL_MAX ? RV_SYMBOL_MAX + 1 : (u32)max, bad, end;
	struct walker w;

	/* one pass measures the name and finds its first unprintable byte */
	bad = first_outside(name, n);
	end = bad;
	if (bad < n && name[bad])
		end += (u32)rv_strnlen(name + bad, n - bad);
	if (len)
		*len = end;
	walker_init(&w, name, end, MODE_COLLECT);
	return parse(&w, bad, scr, res);
}
RV_EXPORT(rv_v0_parse_str);

/**
 * rv_v0_short_path() - a readable form of a v0 symbol's path, for messages
 * @name: the v0 symbol name, not necessarily NUL-terminated
 * @len: its length in bytes
 * @out: where the text is written, always NUL-terminated
 * @size: bytes at @out
 *
 * Crate roots without their disambiguator, generic arguments as "<..>",
 * impl paths as "<Type>" or "<Type as Trait>"; a name that is not a path is
 * copied raw (200 bytes at most); "..." marks a cut. Bounded as the parser.
 *
 * Return: the length written, without the NUL.
 */
size_t rv_v0_short_path(const char *name, size_t len, char *out, size_t size)
{
	size_t raw = len < 200 ? len : 200;
	struct walker w;

	if (!size)
		return 0;
	walker_init(&w, name, len, MODE_PRINT);
	w.out = out;
	w.size = size;
	if (check_symbol(&w, w.len > RV_SYMBOL_MAX ? 0 : first_outside(name, w.len)) ||
	    (walk(&w, KIND_PATH) && !w.full)) {
		/* not printable as a path: the raw name, cut at 200 bytes */
		w.n = 0;
		w.full = false;
		w.ctx = 0;
		put(&w, MODE_PRINT, name, raw);
		if (len > raw)
			w.full = true;
	}
	if (w.full) {
		while (w.n && w.n + 4 > size)
			w.n--;
		if (w.n + 4 <= size) {
			out[w.n++] = '.';
			out[w.n++] = '.';
			out[w.n++] = '.';
		}
	}
	out[w.n] = '\0';
	return w.n;
}
RV_EXPORT_MODULE(rv_v0_short_path);
