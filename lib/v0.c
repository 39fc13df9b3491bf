// SPDX-License-Identifier: GPL-2.0
/*
 * rustver engine: Rust v0 symbol parser.
 *
 * The grammar (from the v0 mangling spec):
 *
 *   symbol   = "_R" [decimal] path [instantiating-crate] [suffix]
 *   path     = "C" ident | "M" impl-path type | "X" impl-path type path
 *            | "Y" type path | "N" ns path ident | "I" path {arg} "E" | backref
 *   type     = basic | "A" type const | "S" type | "T" {type} "E"
 *            | "R" [lt] type | "Q" [lt] type | "P" type | "O" type
 *            | "F" fn-sig | "D" dyn-bounds lt | path | backref
 *   const    = type-tag hex "_" | "p" | "R"/"Q" const | "Re" hex "_"
 *            | "A" {const} "E" | "T" {const} "E" | "V" path fields | backref
 *
 * In collect mode every crate root is recorded with the origin of the
 * context it is met in; a backref is expanded once per origin. In skip mode
 * (used to find the defining crate and by the printer) nothing is recorded
 * and backrefs are only checked, not followed.
 */
#include <rustver/v0.h>

enum { BIT_PATH, BIT_TYPE, BIT_CONST, BIT_SEEN };	/* BIT_SEEN + origin */

enum kind { KIND_PATH, KIND_TYPE, KIND_CONST };

struct parser {
	const char *s;
	size_t len;
	size_t pos;
	u32 depth;
	u8 origin;		/* RV_ORIGIN_* of the current context */
	bool collect;
	struct rv_v0_scratch *scr;
	struct rv_v0_result *res;
	const char *why;
	size_t err_pos;
};

struct ident {
	const char *p;
	size_t len;
	bool punycode;
};

static int path(struct parser *p);
static int type(struct parser *p);
static int konst(struct parser *p);

static int fail(struct parser *p, int err, const char *why)
{
	if (!p->why) {
		p->why = why;
		p->err_pos = p->pos;
	}
	return -err;
}

static bool bit_test(const struct parser *p, int map, size_t pos)
{
	return p->scr->bits[map][pos / 8] & (1u << (pos % 8));
}

static void bit_set(struct parser *p, int map, size_t pos)
{
	p->scr->bits[map][pos / 8] |= (u8)(1u << (pos % 8));
}

static int seen_map(u8 origin)
{
	return origin == RV_ORIGIN_IMPL ? BIT_SEEN + 1 :
	       origin == RV_ORIGIN_INST ? BIT_SEEN + 2 : BIT_SEEN;
}

static bool eat(struct parser *p, char c)
{
	if (p->pos < p->len && p->s[p->pos] == c) {
		p->pos++;
		return true;
	}
	return false;
}

static int next(struct parser *p, char *c)
{
	if (p->pos >= p->len)
		return fail(p, RV_ESYNTAX, "unexpected end of symbol");
	*c = p->s[p->pos++];
	return 0;
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

static int enter(struct parser *p)
{
	if (++p->depth > RV_V0_MAX_DEPTH)
		return fail(p, RV_ELIMIT, "symbol nests too deeply");
	return 0;
}

/* base-62-number = {digit | lower | upper} "_"; "_" is 0, "0_" is 1 ... */
static int base62(struct parser *p, u64 *out)
{
	u64 x = 0;
	char c;
	int err, d;

	if (eat(p, '_')) {
		*out = 0;
		return 0;
	}
	for (;;) {
		err = next(p, &c);
		if (err)
			return err;
		if (c == '_')
			break;
		if (is_digit(c))
			d = c - '0';
		else if (is_lower(c))
			d = 10 + c - 'a';
		else if (is_upper(c))
			d = 36 + c - 'A';
		else {
			p->pos--;
			return fail(p, RV_ESYNTAX, "bad base-62 digit");
		}
		if (x > (~0ULL - (u64)d) / 62)
			return fail(p, RV_ELIMIT, "base-62 number overflows 64 bits");
		x = x * 62 + (u64)d;
	}
	if (x == ~0ULL)
		return fail(p, RV_ELIMIT, "base-62 number overflows 64 bits");
	*out = x + 1;
	return 0;
}

/* Optional "<tag> base-62-number", returning the number + 1, or 0. */
static int opt_base62(struct parser *p, char tag, u64 *out)
{
	int err;

	*out = 0;
	if (!eat(p, tag))
		return 0;
	err = base62(p, out);
	if (err)
		return err;
	if (*out == ~0ULL)
		return fail(p, RV_ELIMIT, "base-62 number overflows 64 bits");
	(*out)++;
	return 0;
}

/* decimal-number = "0" | [1-9] {digit} */
static int decimal(struct parser *p, u64 *out)
{
	u64 x;
	char c;
	int err;

	err = next(p, &c);
	if (err)
		return err;
	if (!is_digit(c))
		return fail(p, RV_ESYNTAX, "expected a decimal number");
	x = (u64)(c - '0');
	if (x == 0) {
		*out = 0;
		return 0;
	}
	while (p->pos < p->len && is_digit(p->s[p->pos])) {
		if (x > (~0ULL - 9) / 10)
			return fail(p, RV_ELIMIT, "decimal number overflows 64 bits");
		x = x * 10 + (u64)(p->s[p->pos++] - '0');
	}
	*out = x;
	return 0;
}

/* undisambiguated-identifier = ["u"] decimal ["_"] bytes */
static int ident(struct parser *p, struct ident *id)
{
	u64 n;
	size_t i;
	int err;

	id->punycode = eat(p, 'u');
	err = decimal(p, &n);
	if (err)
		return err;
	eat(p, '_');
	if (n > p->len - p->pos)
		return fail(p, RV_ESYNTAX, "identifier runs past the end of the symbol");
	id->p = p->s + p->pos;
	id->len = (size_t)n;
	p->pos += (size_t)n;
	if (!id->punycode)
		return 0;
	/* "ascii_punycode": the part after the last '_' must be a-z0-9 */
	for (i = id->len; i > 0 && id->p[i - 1] != '_'; i--) {
		if (!is_lower(id->p[i - 1]) && !is_digit(id->p[i - 1])) {
			p->pos = (size_t)(id->p + i - 1 - p->s);
			return fail(p, RV_ESYNTAX, "bad punycode digit");
		}
	}
	if (i == id->len)
		return fail(p, RV_ESYNTAX, "empty punycode in an identifier");
	return 0;
}

static int add_crate(struct parser *p, const struct ident *id, u64 dis)
{
	struct rv_v0_result *res = p->res;
	struct rv_crate_ref *c;
	u32 i;

	if (id->punycode)
		return fail(p, RV_ESYNTAX, "crate names are ASCII, not punycode");
	if (id->len == 0)
		return fail(p, RV_ESYNTAX, "empty crate name");
	if (id->len >= RV_CRATE_NAME_MAX)
		return fail(p, RV_ELIMIT, "crate name too long");
	for (i = 0; i < id->len; i++) {
		char ch = id->p[i];

		if (!is_lower(ch) && !is_upper(ch) && !is_digit(ch) && ch != '_')
			return fail(p, RV_ESYNTAX, "bad character in a crate name");
	}
	for (i = 0; i < res->ncrates; i++) {
		c = &res->crates[i];
		if (c->dis == dis && c->name_len == id->len &&
		    rv_memeq(c->name, id->p, id->len)) {
			c->origin |= p->origin;
			return 0;
		}
	}
	if (res->ncrates == RV_V0_MAX_CRATES)
		return fail(p, RV_ELIMIT, "too many crates in one symbol");
	c = &res->crates[res->ncrates++];
	c->name = id->p;
	c->name_len = (u32)id->len;
	c->dis = dis;
	c->origin = p->origin;
	return 0;
}

/*
 * backref = "B" base-62-number, a position counted from just after "_R".
 * @start is the position of the "B". The target must be a complete
 * production of a fitting kind; in collect mode it is expanded once for
 * the current origin.
 */
static int backref(struct parser *p, size_t start, enum kind kind)
{
	size_t saved, target;
	u64 t;
	int err;

	err = base62(p, &t);
	if (err)
		return err;
	if (t >= start - 2)
		return fail(p, RV_ESYNTAX, "backref does not point backwards");
	target = (size_t)t + 2;
	if (!p->collect)
		return 0;

	switch (kind) {
	case KIND_PATH:
		if (!bit_test(p, BIT_PATH, target))
			return fail(p, RV_ESYNTAX, "backref to something that is not a complete path");
		break;
	case KIND_TYPE:
		if (!bit_test(p, BIT_TYPE, target) && !bit_test(p, BIT_PATH, target))
			return fail(p, RV_ESYNTAX, "backref to something that is not a complete type");
		break;
	case KIND_CONST:
		if (!bit_test(p, BIT_CONST, target))
			return fail(p, RV_ESYNTAX, "backref to something that is not a complete const");
		break;
	}
	if (bit_test(p, seen_map(p->origin), target))
		return 0;

	/* the B itself took a level: the expansion takes it over */
	saved = p->pos;
	p->pos = target;
	p->depth--;
	err = kind == KIND_PATH ? path(p) : kind == KIND_TYPE ? type(p) : konst(p);
	p->depth++;
	p->pos = saved;
	return err;
}

static void mark_entry(struct parser *p, size_t start)
{
	if (p->collect)
		bit_set(p, seen_map(p->origin), start);
}

/* Enters a production at @start: one more level, its tag, the mark. */
static int begin(struct parser *p, size_t start, char *tag)
{
	int err = enter(p);

	if (!err)
		err = next(p, tag);
	if (!err)
		mark_entry(p, start);
	return err;
}

static void mark_done(struct parser *p, int map, size_t start)
{
	if (p->collect)
		bit_set(p, map, start);
	p->depth--;
}

static int impl_path(struct parser *p)
{
	u8 saved = p->origin;
	u64 dis;
	int err;

	err = opt_base62(p, 's', &dis);
	if (err)
		return err;
	p->origin = RV_ORIGIN_IMPL;
	err = path(p);
	p->origin = saved;
	return err;
}

static int generic_arg(struct parser *p)
{
	u64 lt;

	if (eat(p, 'L'))
		return base62(p, &lt);
	if (eat(p, 'K'))
		return konst(p);
	return type(p);
}

static int path(struct parser *p)
{
	size_t start = p->pos;
	struct ident id;
	char tag;
	u64 dis;
	int err;

	err = begin(p, start, &tag);
	if (err)
		return err;

	switch (tag) {
	case 'C':
		err = opt_base62(p, 's', &dis);
		if (!err)
			err = ident(p, &id);
		if (!err && p->collect)
			err = add_crate(p, &id, dis);
		break;
	case 'N':
		err = next(p, &tag);
		if (!err && !is_lower(tag) && !is_upper(tag)) {
			p->pos--;
			err = fail(p, RV_ESYNTAX, "bad namespace");
		}
		if (!err)
			err = path(p);
		if (!err)
			err = opt_base62(p, 's', &dis);
		if (!err)
			err = ident(p, &id);
		break;
	case 'M':
		err = impl_path(p);
		if (!err)
			err = type(p);
		break;
	case 'X':
		err = impl_path(p);
		if (!err)
			err = type(p);
		if (!err)
			err = path(p);
		break;
	case 'Y':
		err = type(p);
		if (!err)
			err = path(p);
		break;
	case 'I':
		err = path(p);
		while (!err && !eat(p, 'E'))
			err = generic_arg(p);
		break;
	case 'B':
		err = backref(p, start, KIND_PATH);
		break;
	default:
		p->pos--;
		err = fail(p, RV_ESYNTAX, "expected a path");
	}
	if (err)
		return err;
	mark_done(p, BIT_PATH, start);
	return 0;
}

static bool is_basic_type(char c)
{
	switch (c) {
	case 'a': case 'b': case 'c': case 'd': case 'e': case 'f':
	case 'h': case 'i': case 'j': case 'l': case 'm': case 'n':
	case 'o': case 'p': case 's': case 't': case 'u': case 'v':
	case 'x': case 'y': case 'z':
		return true;
	}
	return false;
}

/* fn-sig = [binder] ["U"] ["K" abi] {type} "E" type */
static int fn_sig(struct parser *p)
{
	struct ident abi;
	u64 n;
	int err;

	err = opt_base62(p, 'G', &n);
	if (err)
		return err;
	eat(p, 'U');
	if (eat(p, 'K') && !eat(p, 'C')) {
		err = ident(p, &abi);
		if (err)
			return err;
		if (abi.punycode || abi.len == 0)
			return fail(p, RV_ESYNTAX, "bad ABI name");
	}
	while (!eat(p, 'E')) {
		err = type(p);
		if (err)
			return err;
	}
	return type(p);
}

/* dyn-bounds = [binder] {path {"p" ident type}} "E", then a lifetime */
static int dyn_bounds(struct parser *p)
{
	struct ident name;
	u64 n;
	int err;

	err = opt_base62(p, 'G', &n);
	while (!err && !eat(p, 'E')) {
		err = path(p);
		while (!err && eat(p, 'p')) {
			err = ident(p, &name);
			if (!err)
				err = type(p);
		}
	}
	if (err)
		return err;
	if (!eat(p, 'L'))
		return fail(p, RV_ESYNTAX, "dyn type without a lifetime");
	return base62(p, &n);
}

static int type(struct parser *p)
{
	size_t start = p->pos;
	char tag;
	u64 n;
	int err;

	err = begin(p, start, &tag);
	if (err)
		return err;
	if (is_basic_type(tag)) {
		mark_done(p, BIT_TYPE, start);
		return 0;
	}

	switch (tag) {
	case 'R':
	case 'Q':
		err = eat(p, 'L') ? base62(p, &n) : 0;
		if (!err)
			err = type(p);
		break;
	case 'P':
	case 'O':
	case 'S':
		err = type(p);
		break;
	case 'A':
		err = type(p);
		if (!err)
			err = konst(p);
		break;
	case 'T':
		while (!err && !eat(p, 'E'))
			err = type(p);
		break;
	case 'F':
		err = fn_sig(p);
		break;
	case 'D':
		err = dyn_bounds(p);
		break;
	case 'B':
		err = backref(p, start, KIND_TYPE);
		break;
	default:
		p->pos--;
		p->depth--;
		return path(p);
	}
	if (err)
		return err;
	mark_done(p, BIT_TYPE, start);
	return 0;
}

/* {hex-digit} "_"; @val gets the value when it fits in 64 bits. */
static int hex_nibbles(struct parser *p, u64 *val, size_t *count, bool *big)
{
	char c;
	int err;

	*val = 0;
	*count = 0;
	*big = false;
	for (;;) {
		err = next(p, &c);
		if (err)
			return err;
		if (c == '_')
			return 0;
		if (!is_digit(c) && !(c >= 'a' && c <= 'f')) {
			p->pos--;
			return fail(p, RV_ESYNTAX, "bad hex digit in a const");
		}
		if (*val >> 60)
			*big = true;
		*val = *val << 4 | (u64)(is_digit(c) ? c - '0' : 10 + c - 'a');
		(*count)++;
	}
}

static int const_fields(struct parser *p)
{
	struct ident name;
	char tag;
	u64 dis;
	int err;

	err = next(p, &tag);
	if (err)
		return err;
	switch (tag) {
	case 'U':
		return 0;
	case 'T':
		while (!err && !eat(p, 'E'))
			err = konst(p);
		return err;
	case 'S':
		while (!err && !eat(p, 'E')) {
			err = opt_base62(p, 's', &dis);
			if (!err)
				err = ident(p, &name);
			if (!err)
				err = konst(p);
		}
		return err;
	}
	p->pos--;
	return fail(p, RV_ESYNTAX, "bad const struct fields");
}

static int konst(struct parser *p)
{
	size_t start = p->pos, count;
	bool big;
	char tag;
	u64 val;
	int err;

	err = begin(p, start, &tag);
	if (err)
		return err;

	switch (tag) {
	case 'p':
		break;
	case 'a': case 's': case 'l': case 'x': case 'n': case 'i':
		eat(p, 'n');
		fallthrough;
	case 'h': case 't': case 'm': case 'y': case 'o': case 'j':
		err = hex_nibbles(p, &val, &count, &big);
		break;
	case 'b':
		err = hex_nibbles(p, &val, &count, &big);
		if (!err && (big || val > 1))
			err = fail(p, RV_ESYNTAX, "bool const is neither 0 nor 1");
		break;
	case 'c':
		err = hex_nibbles(p, &val, &count, &big);
		if (!err && (big || val > 0x10ffff || (val >= 0xd800 && val < 0xe000)))
			err = fail(p, RV_ESYNTAX, "char const is not a Unicode scalar value");
		break;
	case 'R':
	case 'Q':
		if (tag == 'R' && eat(p, 'e'))
			goto str;
		err = konst(p);
		break;
	case 'e':
str:
		err = hex_nibbles(p, &val, &count, &big);
		if (!err && count % 2)
			err = fail(p, RV_ESYNTAX, "str const with an odd number of hex digits");
		break;
	case 'A':
	case 'T':
		while (!err && !eat(p, 'E'))
			err = konst(p);
		break;
	case 'V':
		err = path(p);
		if (!err)
			err = const_fields(p);
		break;
	case 'B':
		err = backref(p, start, KIND_CONST);
		break;
	default:
		p->pos--;
		err = fail(p, RV_ESYNTAX, "expected a const");
	}
	if (err)
		return err;
	mark_done(p, BIT_CONST, start);
	return 0;
}

bool rv_v0_is_v0(const char *name, size_t len)
{
	return len > 2 && name[0] == '_' && name[1] == 'R' &&
	       (is_upper(name[2]) || is_digit(name[2]));
}
RV_EXPORT(rv_v0_is_v0);

/*
 * The defining crate: follow the parents of the symbol's path (N's parent,
 * the impl path of M and X, the trait of Y, the path of I, backrefs) down
 * to a crate root. Runs after a successful parse, in skip mode.
 */
static int defining_crate(struct parser *p, size_t pos, struct ident *id,
			  u64 *dis)
{
	size_t steps;
	u64 t;
	int err;

	p->collect = false;
	p->depth = 0;
	for (steps = 0; steps < p->len; steps++) {
		p->pos = pos + 1;
		switch (p->s[pos]) {
		case 'C':
			err = opt_base62(p, 's', dis);
			return err ? err : ident(p, id);
		case 'N':
			pos += 2;
			break;
		case 'M':
		case 'X':
			err = opt_base62(p, 's', &t);
			if (err)
				return err;
			pos = p->pos;
			break;
		case 'Y':
			err = type(p);
			if (err)
				return err;
			pos = p->pos;
			break;
		case 'I':
			pos++;
			break;
		case 'B':
			err = base62(p, &t);
			if (err)
				return err;
			pos = (size_t)t + 2;
			break;
		default:
			return fail(p, RV_ESYNTAX, "path without a crate root");
		}
	}
	return fail(p, RV_ELIMIT, "path without a crate root");
}

static int put_defining_first(struct parser *p, const struct ident *id, u64 dis)
{
	struct rv_v0_result *res = p->res;
	struct rv_crate_ref c;
	u32 i;

	for (i = 0; i < res->ncrates; i++) {
		if (res->crates[i].dis != dis || res->crates[i].name_len != id->len ||
		    !rv_memeq(res->crates[i].name, id->p, id->len))
			continue;
		c = res->crates[i];
		for (; i > 0; i--)
			res->crates[i] = res->crates[i - 1];
		res->crates[0] = c;
		return 0;
	}
	return fail(p, RV_ESYNTAX, "defining crate not found");
}

static int check_chars(struct parser *p)
{
	size_t i;

	for (i = 0; i < p->len; i++) {
		if (p->s[i] < 0x21 || p->s[i] > 0x7e) {
			p->pos = i;
			return fail(p, RV_ESYNTAX, "byte outside printable ASCII");
		}
	}
	return 0;
}

int rv_v0_parse(const char *name, size_t len, struct rv_v0_scratch *scr,
		struct rv_v0_result *res)
{
	struct parser p = {
		.s = name, .len = len, .pos = 2, .origin = RV_ORIGIN_PATH,
		.collect = true, .scr = scr, .res = res,
	};
	struct ident def;
	size_t i, nbytes = (len + 7) / 8;
	u64 dis;
	int err;

	res->ncrates = 0;
	res->why = NULL;
	res->err_pos = 0;
	if (len > RV_SYMBOL_MAX) {
		err = fail(&p, RV_ELIMIT, "symbol name too long");
		goto out;
	}
	if (!rv_v0_is_v0(name, len)) {
		p.pos = 0;
		err = fail(&p, RV_ESYNTAX, "not a Rust v0 symbol (expected _R and a path)");
		goto out;
	}
	err = check_chars(&p);
	if (err)
		goto out;
	if (is_digit(name[2])) {
		err = fail(&p, RV_ESYNTAX, "unsupported v0 encoding version");
		goto out;
	}
	for (i = 0; i < 6; i++)
		__builtin_memset(scr->bits[i], 0, nbytes);

	err = path(&p);
	if (!err && p.pos < len && is_upper(name[p.pos])) {
		p.origin = RV_ORIGIN_INST;
		err = path(&p);
	}
	if (!err && p.pos < len && name[p.pos] != '.' && name[p.pos] != '$')
		err = fail(&p, RV_ESYNTAX, "unexpected characters after the path");
	if (!err)
		err = defining_crate(&p, 2, &def, &dis);
	if (!err)
		err = put_defining_first(&p, &def, dis);
out:
	if (err) {
		res->why = p.why;
		res->err_pos = p.err_pos;
		res->ncrates = 0;
	}
	return err;
}
RV_EXPORT(rv_v0_parse);

/* ---- readable paths for messages ---- */

struct printer {
	struct parser p;
	char *out;
	size_t size, n;
	bool full;
};

static void put(struct printer *pr, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && !pr->full; i++) {
		if (pr->n + 1 >= pr->size) {
			pr->full = true;
			break;
		}
		pr->out[pr->n++] = s[i];
	}
}

static void puts_(struct printer *pr, const char *s)
{
	put(pr, s, rv_strnlen(s, 64));
}

static int print_type(struct printer *pr);

static int print_backref(struct printer *pr, size_t start, bool is_type);

static int print_path(struct printer *pr)
{
	struct parser *p = &pr->p;
	size_t start = p->pos;
	struct ident id;
	char tag, ns = 0;
	u64 dis;
	int err;

	if (pr->full)
		return -RV_ELIMIT;
	err = enter(p);
	if (!err)
		err = next(p, &tag);
	if (err)
		return err;
	switch (tag) {
	case 'C':
		err = opt_base62(p, 's', &dis);
		if (!err)
			err = ident(p, &id);
		if (!err)
			put(pr, id.p, id.len);
		break;
	case 'N':
		err = next(p, &ns);
		if (!err)
			err = print_path(pr);
		if (!err)
			err = opt_base62(p, 's', &dis);
		if (!err)
			err = ident(p, &id);
		if (err)
			break;
		if (ns == 'C') {
			puts_(pr, "::{closure}");
		} else if (ns == 'S') {
			puts_(pr, "::{shim}");
		} else if (id.len) {
			puts_(pr, "::");
			put(pr, id.p, id.len);
		}
		break;
	case 'M':
	case 'X':
		err = opt_base62(p, 's', &dis);
		if (!err)
			err = path(p);
		fallthrough;
	case 'Y':
		if (!err) {
			puts_(pr, "<");
			err = print_type(pr);
		}
		if (!err && tag != 'M') {
			puts_(pr, " as ");
			err = print_path(pr);
		}
		puts_(pr, ">");
		break;
	case 'I':
		err = print_path(pr);
		while (!err && !eat(p, 'E'))
			err = generic_arg(p);
		puts_(pr, "::<..>");
		break;
	case 'B':
		err = print_backref(pr, start, false);
		break;
	default:
		err = fail(p, RV_ESYNTAX, "expected a path");
	}
	p->depth--;
	return err;
}

static int print_backref(struct printer *pr, size_t start, bool is_type)
{
	struct parser *p = &pr->p;
	size_t saved;
	u64 t;
	int err;

	err = base62(p, &t);
	if (err)
		return err;
	if (t >= start - 2)
		return fail(p, RV_ESYNTAX, "backref does not point backwards");
	saved = p->pos;
	p->pos = (size_t)t + 2;
	p->depth--;
	err = is_type ? print_type(pr) : print_path(pr);
	p->depth++;
	p->pos = saved;
	return err;
}

static const char *basic_name(char c)
{
	static const char *const names[26] = {
		"i8", "bool", "char", "f64", "str", "f32", NULL, "u8", "isize",
		"usize", NULL, "i32", "u32", "i128", "u128", "_", NULL, NULL,
		"i16", "u16", "()", "...", NULL, "i64", "u64", "!",
	};

	return is_lower(c) ? names[c - 'a'] : NULL;
}

static int print_type(struct printer *pr)
{
	struct parser *p = &pr->p;
	size_t start = p->pos;
	const char *basic;
	char tag;
	u64 n;
	int err;

	if (pr->full)
		return -RV_ELIMIT;
	err = next(p, &tag);
	if (err)
		return err;
	basic = basic_name(tag);
	if (basic) {
		puts_(pr, basic);
		return 0;
	}
	err = enter(p);
	if (err)
		return err;
	switch (tag) {
	case 'R':
	case 'Q':
		puts_(pr, tag == 'R' ? "&" : "&mut ");
		err = eat(p, 'L') ? base62(p, &n) : 0;
		if (!err)
			err = print_type(pr);
		break;
	case 'P':
	case 'O':
		puts_(pr, tag == 'P' ? "*const " : "*mut ");
		err = print_type(pr);
		break;
	case 'S':
	case 'A':
		puts_(pr, "[");
		err = print_type(pr);
		if (!err && tag == 'A')
			err = konst(p);
		puts_(pr, tag == 'A' ? "; _]" : "]");
		break;
	case 'T':
		puts_(pr, "(");
		for (n = 0; !err && !eat(p, 'E'); n++) {
			if (n)
				puts_(pr, ", ");
			err = print_type(pr);
		}
		puts_(pr, ")");
		break;
	case 'F':
	case 'D':
		p->pos--;
		err = type(p);
		puts_(pr, tag == 'F' ? "fn(..)" : "dyn ..");
		break;
	case 'B':
		err = print_backref(pr, start, true);
		break;
	default:
		p->pos--;
		err = print_path(pr);
	}
	p->depth--;
	return err;
}

size_t rv_v0_short_path(const char *name, size_t len, char *out, size_t size)
{
	struct printer pr = {
		.p = { .s = name, .len = len, .pos = 2 },
		.out = out, .size = size,
	};

	if (!size)
		return 0;
	if (len > RV_SYMBOL_MAX || !rv_v0_is_v0(name, len) || is_digit(name[2]) ||
	    check_chars(&pr.p) || (print_path(&pr) && !pr.full)) {
		pr.n = 0;
		pr.full = false;
		put(&pr, name, len < 200 ? len : 200);
		if (len > 200)
			pr.full = true;
	}
	if (pr.full) {
		while (pr.n && pr.n + 4 > size)
			pr.n--;
		if (pr.n + 4 <= size) {
			out[pr.n++] = '.';
			out[pr.n++] = '.';
			out[pr.n++] = '.';
		}
	}
	out[pr.n] = '\0';
	return pr.n;
}
RV_EXPORT(rv_v0_short_path);
