// SPDX-License-Identifier: GPL-2.0
/*
 * rustver engine: crate table lookup and its text line format.
 */
#include <rustver/table.h>

#include "exportfind.h"

static bool name_eq(const struct rv_crate *c, const char *name, size_t len)
{
	return len < RV_CRATE_NAME_MAX && rv_memeq(c->name, name, len) &&
	       c->name[len] == '\0';
}

const struct rv_crate *rv_table_find(const struct rv_table *t, const char *name,
				     size_t len, u64 dis)
{
	u32 i;

	for (i = 0; i < t->count; i++)
		if (t->crates[i].dis == dis && name_eq(&t->crates[i], name, len))
			return &t->crates[i];
	return NULL;
}
RV_EXPORT(rv_table_find);

const struct rv_crate *rv_table_find_name(const struct rv_table *t,
					  const char *name, size_t len)
{
	u32 i;

	for (i = 0; i < t->count; i++)
		if (name_eq(&t->crates[i], name, len))
			return &t->crates[i];
	return NULL;
}
RV_EXPORT(rv_table_find_name);

bool rv_crate_name_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len >= RV_CRATE_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '_')
			return false;
	}
	return true;
}
RV_EXPORT(rv_crate_name_valid);

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses 1 to @max hex digits at @s; returns how many were used, 0 if none. */
static size_t parse_hex(const char *s, size_t len, size_t max, u64 *out)
{
	size_t i;

	*out = 0;
	for (i = 0; i < len && hex_value(s[i]) >= 0; i++) {
		if (i == max)
			return 0;
		*out = *out << 4 | (u64)hex_value(s[i]);
	}
	return i;
}

int rv_table_parse_line(const char *line, size_t len, struct rv_crate *out,
			const char **why)
{
	size_t n, i = 0;
	u64 v;

	while (i < len && line[i] != '[')
		i++;
	if (i == len) {
		*why = "expected name[disambiguator] 0xcrc";
		return -RV_EFORMAT;
	}
	if (!rv_crate_name_valid(line, i)) {
		*why = i >= RV_CRATE_NAME_MAX ? "crate name too long" : "bad crate name";
		return -RV_EFORMAT;
	}
	memset(out, 0, sizeof(*out));
	memcpy(out->name, line, i);
	i++;
	n = parse_hex(line + i, len - i, 16, &v);
	if (!n || i + n >= len || line[i + n] != ']') {
		*why = "bad disambiguator: expected 1 to 16 hex digits in [ ]";
		return -RV_EFORMAT;
	}
	out->dis = v;
	i += n + 1;
	if (len - i < 3 || line[i] != ' ' || line[i + 1] != '0' ||
	    (line[i + 2] != 'x' && line[i + 2] != 'X')) {
		*why = "expected ' 0x' and a CRC after the crate";
		return -RV_EFORMAT;
	}
	i += 3;
	n = parse_hex(line + i, len - i, 8, &v);
	if (!n || i + n != len) {
		*why = "bad CRC: expected 1 to 8 hex digits and the end of the line";
		return -RV_EFORMAT;
	}
	out->crc = (u32)v;
	return 0;
}
RV_EXPORT(rv_table_parse_line);

static size_t put_hex(char *p, u64 v, int min_digits)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	size_t n = 0, i;

	do {
		tmp[n++] = digits[v & 0xf];
		v >>= 4;
	} while (v || n < (size_t)min_digits);
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

/**
 * rv_table_format_line() - one crate as a line of the table text format
 * @c: the crate
 * @buf: where "NAME[DISAMBIGUATOR] 0xCRC\n" is written, NUL-terminated
 *	 (disambiguator in lowercase hex, CRC as 8 hex digits)
 * @size: bytes at @buf: at least the name's length + 31
 *
 * Return: the length of the line without the NUL, or 0 (nothing written)
 * when @size is too small.
 */
size_t rv_table_format_line(const struct rv_crate *c, char *buf, size_t size)
{
	size_t len = rv_strnlen(c->name, RV_CRATE_NAME_MAX);
	size_t n = 0;

	/* name [ 16 ] " 0x" 8 "\n" NUL */
	if (size < len + 1 + 16 + 1 + 3 + 8 + 2)
		return 0;
	memcpy(buf, c->name, len);
	n = len;
	buf[n++] = '[';
	n += put_hex(buf + n, c->dis, 1);
	buf[n++] = ']';
	buf[n++] = ' ';
	buf[n++] = '0';
	buf[n++] = 'x';
	n += put_hex(buf + n, c->crc, 8);
	buf[n++] = '\n';
	buf[n] = '\0';
	return n;
}
RV_EXPORT_MODULE(rv_table_format_line);

/**
 * rv_table_check() - validates a crate table
 * @t: the table
 * @why: set to the reason when the table is refused
 *
 * Checks each crate name (a valid crate name within RV_CRATE_NAME_MAX bytes)
 * and that no crate (name and disambiguator) appears twice: O(count^2),
 * count at most RV_TABLE_MAX_CRATES in every table rustver makes.
 *
 * Return: 0, -RV_EFORMAT (a bad name) or -RV_EDUP, with *@why set.
 */
int rv_table_check(const struct rv_table *t, const char **why)
{
	u32 i, j;

	for (i = 0; i < t->count; i++) {
		size_t len = rv_strnlen(t->crates[i].name, RV_CRATE_NAME_MAX);

		if (!rv_crate_name_valid(t->crates[i].name, len)) {
			*why = "bad crate name in the table";
			return -RV_EFORMAT;
		}
		for (j = i + 1; j < t->count; j++) {
			if (t->crates[j].dis == t->crates[i].dis &&
			    name_eq(&t->crates[j], t->crates[i].name, len)) {
				*why = "the same crate appears twice in the table";
				return -RV_EDUP;
			}
		}
	}
	return rv_exports_check(t, why);
}
RV_EXPORT_MODULE(rv_table_check);

bool rv_crate_is_pseudo(const char *name, size_t len)
{
	return len == 7 && rv_memeq(name, "__rustc", 7);
}
RV_EXPORT(rv_crate_is_pseudo);

/* ---- the exports (struct rv_exports) ---- */

/* Word @i of the @len bytes at @name, zero past the end. */
static u64 word_of(const char *name, size_t len, size_t i)
{
	u64 w = 0;
	size_t j;

	if (8 * i + 8 <= len)
		return export_le64(name + 8 * i);
	for (j = 0; j < 8 && 8 * i + j < len; j++)
		w |= (u64)(u8)name[8 * i + j] << (8 * j);
	return w;
}

/* True when the @n bytes at @s are all printable ASCII, 0x21 to 0x7e. */
static bool printable(const char *s, size_t n)
{
	const u64 ones = 0x0101010101010101ULL, highs = ones << 7;
	size_t i = 0;
	u64 x;

	/* b is outside when b - 0x21 borrows, b + 1 reaches 0x80 or b >= 0x80 */
	for (; i + 8 <= n; i += 8) {
		x = export_le64(s + i);
		if (((x - ones * 0x21) | (x + ones) | x) & highs)
			return false;
	}
	for (; i < n; i++) {
		if (s[i] < 0x21 || s[i] > 0x7e)
			return false;
	}
	return true;
}

/**
 * rv_export_hash() - the hash struct rv_export keeps of a name
 * @name: its bytes
 * @len: their count
 *
 * The hash of the name's first 32 bytes, zeros past its end: four
 * little-endian words, each mixed in by an xor, a multiplication and a
 * rotation (lib/exportfind.h). Names that share their first 32 bytes share
 * a hash; the compare tells them apart. An import is hashed without
 * finding its end.
 *
 * Return: the hash; its top bits pick the bucket.
 */
u32 rv_export_hash(const char *name, size_t len)
{
	return export_hash_words(word_of(name, len, 0), word_of(name, len, 1),
				 word_of(name, len, 2), word_of(name, len, 3));
}
RV_EXPORT(rv_export_hash);

/**
 * rv_exports_find() - the export an imported name is, if any
 * @x: the exports
 * @name: the imported name, NUL-terminated within @max bytes or @max bytes
 * @max: bytes readable at @name
 * @len: set to the name's length when an export is found
 *
 * The verdict's lookup (export_find() in lib/exportfind.h): the name's
 * first 32 bytes give the hash; each export of its bucket with that hash
 * is then compared with it, byte for byte, its NUL included: a name that
 * only shares an export's hash is not that export. Reads no more than
 * @x->max_len + 1 bytes, and nothing past @max.
 *
 * Return: the export, or NULL (none, or @x holds no exports).
 */
const struct rv_export *rv_exports_find(const struct rv_exports *x,
					const char *name, size_t max,
					size_t *len)
{
	return export_find(x, name, max, len);
}
RV_EXPORT(rv_exports_find);

/* <0, 0, >0 as export @a sorts before, with or after @b: hash, length, bytes. */
static int export_cmp(const struct rv_exports *x, const struct rv_export *a,
		      const struct rv_export *b)
{
	u32 i;

	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	for (i = 0; i < a->len; i++) {
		u8 ca = (u8)x->names[a->name + i], cb = (u8)x->names[b->name + i];

		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	return 0;
}

static int bad_exports(const char **why, const char *what, int err)
{
	*why = what;
	return err;
}

/* The crate list at @at of an export of @len bytes at @name. */
static int check_list(const struct rv_table *t, u32 at, const char *name,
		      u32 len, const char **why)
{
	const struct rv_exports *x = &t->exports;
	const u16 *l = x->lists + at;
	u32 n, j;

	if (at >= x->lists_size)
		return bad_exports(why, "export crate list out of bounds", -RV_ERANGE);
	n = l[0];
	if (n > RV_V0_MAX_CRATES || x->lists_size - at - 1 < 2 * n)
		return bad_exports(why, "export crate list out of bounds", -RV_ERANGE);
	for (j = 0; j < n; j++) {
		u32 k = l[1 + 2 * j], off = l[2 + 2 * j];
		size_t clen;

		if (k >= t->count || k >= RV_TABLE_MAX_CRATES)
			return bad_exports(why, "export names a crate beyond the table",
					   -RV_ERANGE);
		clen = rv_strnlen(t->crates[k].name, RV_CRATE_NAME_MAX);
		if (off > len || clen > len - off ||
		    !rv_memeq(name + off, t->crates[k].name, clen))
			return bad_exports(why, "export's crate is not at its offset in the name",
					   -RV_EFORMAT);
	}
	return 0;
}

/**
 * rv_exports_check() - validates the exports of a crate table
 * @t: the table
 * @why: set to the reason when they are refused
 *
 * Exports of another RV_EXPORTS_VERSION, or none, are never used and pass.
 * Otherwise: at most RV_TABLE_MAX_EXPORTS, buckets in bounds and in order,
 * each name inside @names, of 3 to RV_SYMBOL_MAX printable bytes starting
 * "_R" then an uppercase letter, with its rv_export_hash(), in its bucket,
 * sorted by hash, no name twice, and a crate list as struct rv_exports
 * describes it. Called by rv_table_check().
 *
 * Return: 0, -RV_EFORMAT or -RV_ERANGE with *@why set.
 */
int rv_exports_check(const struct rv_table *t, const char **why)
{
	const struct rv_exports *x = &t->exports;
	const struct rv_export *e, *p = NULL;
	u32 i, b, nb, max_len = 0;
	const char *name;
	int err;

	if (!x->count || x->version != RV_EXPORTS_VERSION)
		return 0;
	if (x->count > RV_TABLE_MAX_EXPORTS || !x->e || !x->bucket ||
	    !x->names || !x->lists)
		return bad_exports(why, "exports: bad count or missing arrays", -RV_ERANGE);
	if (x->bits < 1 || x->bits > RV_EXPORTS_MAX_BITS)
		return bad_exports(why, "exports: bad bucket bits", -RV_ERANGE);
	nb = 1U << x->bits;
	if (x->bucket[0] != 0 || x->bucket[nb] != x->count)
		return bad_exports(why, "exports: buckets do not cover the exports", -RV_ERANGE);
	for (b = 0; b < nb; b++) {
		if (x->bucket[b] > x->bucket[b + 1])
			return bad_exports(why, "exports: buckets out of order", -RV_ERANGE);
		for (i = x->bucket[b]; i < x->bucket[b + 1]; i++) {
			e = &x->e[i];
			if (e->len < 3 || e->len > RV_SYMBOL_MAX || e->name > x->names_size ||
			    e->len > x->names_size - e->name)
				return bad_exports(why, "export name out of bounds", -RV_ERANGE);
			name = x->names + e->name;
			if (!printable(name, e->len))
				return bad_exports(why, "export name has a byte outside printable ASCII",
						   -RV_EFORMAT);
			if (name[0] != '_' || name[1] != 'R' || name[2] < 'A' || name[2] > 'Z')
				return bad_exports(why, "export is not a Rust v0 name", -RV_EFORMAT);
			if (rv_export_hash(name, e->len) != e->hash)
				return bad_exports(why, "export hash does not match its name",
						   -RV_EFORMAT);
			if (e->hash >> (32 - x->bits) != b)
				return bad_exports(why, "export is not in its hash's bucket", -RV_EFORMAT);
			/* strictly sorted: no name twice */
			if (p && export_cmp(x, p, e) >= 0)
				return bad_exports(why, "exports not sorted by hash, or one twice",
						   -RV_EFORMAT);
			err = check_list(t, e->crates, name, e->len, why);
			if (err)
				return err;
			if (e->len > max_len)
				max_len = e->len;
			p = e;
		}
	}
	if (x->max_len != max_len)
		return bad_exports(why, "exports: max_len is not the longest name", -RV_EFORMAT);
	return 0;
}
RV_EXPORT(rv_exports_check);
