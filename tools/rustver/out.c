// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: the one output layer, text or JSON from the same calls (as
 * iproute2's json_print). A command prints each field once, with its JSON
 * key and its text format: in JSON mode the key and the value are written,
 * in text mode the value through the format (a NULL format: nothing). What
 * is only text (labels, punctuation, explanations) goes through out_text(),
 * which JSON mode drops. Objects and lists nest up to OUT_MAX_DEPTH; a
 * top-level object is one line of JSON (JSON Lines, one per module).
 *
 * Every string is escaped in both modes the same way (out_escape()): a
 * backslash is written "\\", and each byte of a control character
 * (0x00-0x1f, 0x7f, the C1 controls U+0080-U+009F), of a character that
 * reorders or separates lines (U+2028, U+2029, U+200E, U+200F, U+202A-U+202E,
 * U+2066-U+2069), or that is not part of well-formed UTF-8 (RFC 3629:
 * no overlong forms, no surrogates, nothing above U+10FFFF) is written
 * "\xNN"; everything else is written as it is. So no file name, .modinfo
 * value or symbol can start a line, move the cursor or reorder a terminal's
 * text, a JSON string is well-formed UTF-8 whatever the bytes, and the
 * bytes are had back by undoing the escapes ("\\" and "\xNN"), after JSON's
 * own in JSON mode.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rustver.h"

void out_init(struct out *o, FILE *f, bool json)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	o->json = json;
}

/*
 * Length of the well-formed UTF-8 sequence at @s (at most @len bytes) that
 * may be printed as it is: 1 for printable ASCII, 2 to 4 for a multi-byte
 * character that is none of the escaped ones above, 0 for a byte to escape.
 */
static size_t printable_utf8(const unsigned char *s, size_t len)
{
	unsigned int cp, n, min;

	if (s[0] >= 0x20 && s[0] < 0x7f)
		return s[0] == '\\' ? 0 : 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (len < n)
		return 0;
	for (unsigned int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (cp <= 0x9f || cp == 0x200e || cp == 0x200f || cp == 0x2028 || cp == 0x2029 ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return 0;
	return n;
}

/* The length of the run at @s (of @len bytes) printed as it is. */
static size_t printable_run(const unsigned char *s, size_t len)
{
	size_t i = 0, n;

	for (;;) {
		/* printable ASCII but the backslash, the common case, inline */
		while (i < len && s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
			i++;
		if (i == len || !(n = printable_utf8(s + i, len - i)))
			return i;
		i += n;
	}
}

void out_escape(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		size_t n = printable_run(p + i, len - i);

		fwrite(p + i, 1, n, f);
		i += n;
		if (i == len)
			break;
		if (p[i] == '\\')
			fputs("\\\\", f);
		else
			fprintf(f, "\\x%02x", p[i]);
		i++;
	}
}

/* The escape of @len bytes at @s, malloc'ed (caller frees). */
static char *out_escaped(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	char *buf = xmalloc(4 * len + 1), *o = buf;

	for (size_t i = 0; i < len;) {
		size_t n = printable_run(p + i, len - i);

		memcpy(o, p + i, n);
		o += n;
		i += n;
		if (i == len)
			break;
		if (p[i] == '\\') {
			*o++ = '\\';
			*o++ = '\\';
		} else {
			o += sprintf(o, "\\x%02x", p[i]);
		}
		i++;
	}
	*o = '\0';
	return buf;
}

static void json_string(FILE *f, const char *s, size_t len);

/*
 * JSON: the ", " before a value and the "KEY": of a value in an object.
 * False for a field without a key in an object (or outside any): a part
 * of the text only, left out.
 */
static bool json_key(struct out *o, const char *key)
{
	bool object = !o->depth || o->in_object[o->depth - 1];

	if (object && !key)
		return false;
	if (o->depth && o->more[o->depth - 1])
		fputs(", ", o->f);
	if (o->depth)
		o->more[o->depth - 1] = true;
	if (o->depth && object) {
		json_string(o->f, key, strlen(key));
		fputs(": ", o->f);
	}
	return true;
}

/* A JSON string of the escape of @len bytes at @s (always well-formed UTF-8). */
static void json_string(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (size_t i = 0; i < len;) {
		size_t n = printable_utf8(p + i, len - i);

		if (n == 1 && p[i] == '"')
			fputs("\\\"", f);
		else if (n)
			fwrite(p + i, 1, n, f);
		else if (p[i] == '\\')
			fputs("\\\\\\\\", f);
		else
			fprintf(f, "\\\\x%02x", p[i]);
		i += n ? n : 1;
	}
	fputc('"', f);
}

static void open_nest(struct out *o, const char *key, bool object)
{
	if (!o->json)
		return;
	if (o->depth == OUT_MAX_DEPTH) {
		fprintf(stderr, "%s: internal error: JSON nested too deeply\n", progname);
		exit(EXIT_TROUBLE);
	}
	if (o->depth && !json_key(o, key)) {
		fprintf(stderr, "%s: internal error: a JSON member without a key\n", progname);
		exit(EXIT_TROUBLE);
	}
	fputc(object ? '{' : '[', o->f);
	o->in_object[o->depth] = object;
	o->more[o->depth++] = false;
}

static void close_nest(struct out *o)
{
	if (!o->json || !o->depth)
		return;
	o->depth--;
	fputc(o->in_object[o->depth] ? '}' : ']', o->f);
	if (!o->depth)
		fputc('\n', o->f);
}

void out_begin(struct out *o, const char *key)
{
	open_nest(o, key, true);
}

void out_end(struct out *o)
{
	close_nest(o);
}

void out_begin_list(struct out *o, const char *key)
{
	open_nest(o, key, false);
}

void out_end_list(struct out *o)
{
	close_nest(o);
}

void out_bytes(struct out *o, const char *key, const char *fmt, const char *s, size_t len)
{
	char *e;

	if (o->json) {
		if (!json_key(o, key))
			return;
		if (s)
			json_string(o->f, s, len);
		else
			fputs("null", o->f);
		return;
	}
	if (!fmt || !s)
		return;
	/* nothing to escape in a NUL-terminated string: printed as it is */
	if (!s[len] && printable_run((const unsigned char *)s, len) == len) {
		fprintf(o->f, fmt, s);
		return;
	}
	e = out_escaped(s, len);
	fprintf(o->f, fmt, e);
	free(e);
}

void out_str(struct out *o, const char *key, const char *fmt, const char *s)
{
	out_bytes(o, key, fmt, s, s ? strlen(s) : 0);
}

void out_uint(struct out *o, const char *key, const char *fmt, unsigned long long v)
{
	if (o->json) {
		if (json_key(o, key))
			fprintf(o->f, "%llu", v);
	} else if (fmt) {
		fprintf(o->f, fmt, v);
	}
}

void out_bool(struct out *o, const char *key, const char *fmt, bool v)
{
	if (o->json) {
		if (json_key(o, key))
			fputs(v ? "true" : "false", o->f);
	} else if (fmt) {
		fprintf(o->f, fmt, v ? "yes" : "no");
	}
}

void out_hex(struct out *o, const char *key, const char *fmt, const char *hexfmt, bool has,
	     unsigned long long v)
{
	char buf[32];

	if (!has) {
		out_str(o, key, NULL, NULL);
		return;
	}
	snprintf(buf, sizeof(buf), hexfmt, v);
	out_str(o, key, fmt, buf);
}

void out_text(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->json)
		return;
	va_start(ap, fmt);
	vfprintf(o->f, fmt, ap);
	va_end(ap);
}

/* A crate as every command names it: "name[dis]", {"name", "disambiguator"}. */
void out_crate(struct out *o, const char *fmt, const char *name, size_t len, unsigned long long dis)
{
	if (o->json) {
		out_bytes(o, "name", NULL, name, len);
		out_hex(o, "disambiguator", NULL, "%llx", true, dis);
		return;
	}
	if (fmt) {
		char buf[RV_CRATE_NAME_MAX + 24];
		char *s = NULL;

		snprintf(buf, sizeof(buf), "%.*s[%llx]", (int)len, name, dis);
		if (printable_run((const unsigned char *)buf, strlen(buf)) == strlen(buf)) {
			fprintf(o->f, fmt, buf);
			return;
		}
		s = out_escaped(buf, strlen(buf));
		fprintf(o->f, fmt, s);
		free(s);
	}
}
