// SPDX-License-Identifier: GPL-2.0
/*
 * rustver engine: crate table lookup and its text line format.
 */
#include <rustver/table.h>

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
	return 0;
}
RV_EXPORT_MODULE(rv_table_check);
