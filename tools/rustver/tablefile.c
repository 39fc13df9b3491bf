// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: table files (the text `rustver table` prints), the running
 * kernel's table in sysfs, and the C header rustver_core is built from.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rustver.h"

#define MAX_LINE 1024

/* "# key: value" comments carry the table's identity. */
static void parse_comment(struct table *t, const char *line)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{ "# rustc: ", offsetof(struct table, rustc) },
		{ "# release: ", offsetof(struct table, release) },
		{ "# uts-version: ", offsetof(struct table, uts_version) },
		{ "# build-id: ", offsetof(struct table, build_id) },
		{ "# kdir: ", offsetof(struct table, kdir) },
	};

	static const char vm[] = "# vermagic: '";
	size_t len = strlen(line);

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t n = strlen(keys[i].key);
		char **field = (char **)((char *)t + keys[i].off);

		if (!strncmp(line, keys[i].key, n) && !*field)
			*field = xstrdup(line + n);
	}
	/* quoted, as the loader prints it: its trailing space stays visible */
	if (!strncmp(line, vm, sizeof(vm) - 1) && len > sizeof(vm) - 1 && line[len - 1] == '\'' &&
	    !t->vermagic)
		t->vermagic = xasprintf("%.*s", (int)(len - sizeof(vm)), line + sizeof(vm) - 1);
}

/*
 * A CRC is written with exactly 8 hex digits (`0x%08x`): a shorter one is a
 * line cut short (a truncated sysfs read, a damaged file), not a CRC. Called
 * on a line the engine's parser accepted: "name[hex] 0x" then hex digits.
 */
static int crc_has_8_digits(const char *line, size_t n)
{
	const char *x = memchr(line, ']', n);

	return x && (size_t)(line + n - x) == 4 + 8;
}

static int parse_table(struct table *t, const char *path, FILE *f)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int err = 0;

	while (!err && (n = getline(&line, &cap, f)) >= 0) {
		struct rv_crate c;
		const char *why;

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (n > MAX_LINE || strlen(line) != (size_t)n) {
			rv_err("%s:%zu: line too long or has a NUL byte", path, lineno);
			err = -1;
			break;
		}
		if (n == 0)
			continue;
		if (line[0] == '#') {
			parse_comment(t, line);
			continue;
		}
		if (rv_table_parse_line(line, (size_t)n, &c, &why)) {
			rv_err("%s:%zu: %s: '%s'", path, lineno, why, line);
			err = -1;
			break;
		}
		if (!crc_has_8_digits(line, (size_t)n)) {
			rv_err("%s:%zu: bad CRC: expected exactly 8 hex digits (0x%%08x): '%s'",
			       path, lineno, line);
			err = -1;
			break;
		}
		if (t->count == RV_TABLE_MAX_CRATES) {
			rv_err("%s:%zu: more than %d crates", path, lineno, RV_TABLE_MAX_CRATES);
			err = -1;
			break;
		}
		t->crates = xrealloc(t->crates, (t->count + 1) * sizeof(c));
		t->crates[t->count++] = c;
	}
	if (!err && ferror(f)) {
		rv_err("%s: read error: %s", path, strerror(errno));
		err = -1;
	}
	free(line);
	return err;
}

int table_from_file(struct table *t, const char *path)
{
	struct rv_table view;
	struct text tx;
	const char *why;
	int err;

	memset(t, 0, sizeof(*t));
	t->source = xstrdup(path);
	err = text_open(&tx, path, MAX_TABLE_SIZE);
	if (err) {
		if (err > 0 && strstr(path, RUSTVER_SYSFS_TABLE))
			rv_err("%s: not found: rustver_core is not loaded on this kernel; "
			       "load it or pass --kdir DIR or --table FILE",
			       path);
		else if (err > 0)
			rv_err("%s: cannot open: %s", path, strerror(ENOENT));
		table_free(t);
		return -1;
	}
	err = parse_table(t, path, tx.f);
	if (!err)
		err = text_end(&tx, path);
	text_close(&tx);
	if (!err && t->count == 0) {
		rv_err("%s: no crates in the table", path);
		err = -1;
	}
	view = table_view(t);
	if (!err && rv_table_check(&view, &why)) {
		rv_err("%s: %s", path, why);
		err = -1;
	}
	if (err)
		table_free(t);
	return err;
}

/* $RUSTVER_SYSFS_ROOT (tests, containers) before a /sys path; caller frees. */
static char *sysfs_path(const char *path)
{
	const char *root = getenv("RUSTVER_SYSFS_ROOT");

	return xasprintf("%s%s", root ? root : "", path);
}

/* The running kernel's build ID, in hex, from /sys/kernel/notes; NULL when none. */
static char *running_build_id(const char *notes)
{
	char hex[2 * 64 + 1], *id;
	struct text tx;

	/* sysfs: read to the end, whatever st_size says */
	if (text_open(&tx, notes, MAX_LINE_SIZE))
		return NULL;
	id = rv_elf_note_build_id((const uint8_t *)tx.data, tx.len, hex, sizeof(hex))
		     ? NULL
		     : xstrdup(hex);
	text_close(&tx);
	return id;
}

/*
 * The running kernel's table is only used when it is this kernel's: its
 * build ID must be the one in /sys/kernel/notes (release and UTS version
 * strings are the same across reproducible builds of other trees).
 */
static int check_running_table(const struct table *t, const char *path)
{
	char *notes = sysfs_path("/sys/kernel/notes"), *id = running_build_id(notes);
	int err = 0;

	if (!t->build_id) {
		rv_warn("%s names no build ID: cannot tell whether it belongs to the running "
			"kernel",
			path);
	} else if (!id) {
		rv_warn("%s: no build ID note: cannot tell whether %s belongs to the running "
			"kernel",
			notes, path);
	} else if (strcmp(id, t->build_id)) {
		rv_err("%s is not the running kernel's table: it was made for the build with ID "
		       "%s, and this kernel's build ID is %s (%s)",
		       path, t->build_id, id, notes);
		err = -1;
	}
	free(id);
	free(notes);
	return err;
}

int table_load(struct table *t, const char *kdir, const char *file)
{
	char *sys;
	int err;

	if (kdir && file) {
		rv_err("give either --kdir or --table, not both");
		return -1;
	}
	if (kdir)
		return table_from_kdir(t, kdir, false);
	if (file)
		return table_from_file(t, file);
	sys = sysfs_path(RUSTVER_SYSFS_TABLE);
	err = table_from_file(t, sys);
	if (!err && check_running_table(t, sys)) {
		table_free(t);
		err = -1;
	}
	free(sys);
	return err;
}

/* "# KEY: VALUE" of a table file, VALUE escaped so that it stays one line. */
static void header_line(FILE *f, const char *key, const char *value)
{
	if (!value)
		return;
	fprintf(f, "# %s: ", key);
	out_escape(f, value, strlen(value));
	fputc('\n', f);
}

void table_write_text(const struct table *t, FILE *f)
{
	char line[128];

	fprintf(f, "# rustver table, format 1\n");
	header_line(f, "kdir", t->kdir);
	header_line(f, "release", t->release);
	header_line(f, "uts-version", t->uts_version);
	header_line(f, "build-id", t->build_id);
	if (t->vermagic) {
		fputs("# vermagic: '", f);
		out_escape(f, t->vermagic, strlen(t->vermagic));
		fputs("'\n", f);
	}
	header_line(f, "rustc", t->rustc);
	for (uint32_t i = 0; i < t->nmissing; i++)
		header_line(f, "not in the table", t->missing[i]);
	for (uint32_t i = 0; i < t->count; i++)
		if (rv_table_format_line(&t->crates[i], line, sizeof(line)))
			fputs(line, f);
}

void table_write_json(const struct table *t, struct out *o)
{
	out_begin(o, NULL);
	out_str(o, "kdir", NULL, t->kdir);
	out_str(o, "release", NULL, t->release);
	out_str(o, "uts_version", NULL, t->uts_version);
	out_str(o, "build_id", NULL, t->build_id);
	out_str(o, "vermagic", NULL, t->vermagic);
	out_str(o, "rustc", NULL, t->rustc);
	out_begin_list(o, "crates");
	for (uint32_t i = 0; i < t->count; i++) {
		const struct rv_crate *c = &t->crates[i];

		out_begin(o, NULL);
		out_crate(o, NULL, c->name, rv_strnlen(c->name, RV_CRATE_NAME_MAX), c->dis);
		out_hex(o, "crc", NULL, "0x%08llx", true, c->crc);
		if (t->rmeta)
			out_str(o, "rmeta", NULL, t->rmeta[i]);
		out_end(o);
	}
	out_end_list(o);
	out_begin_list(o, "missing");
	for (uint32_t i = 0; i < t->nmissing; i++)
		out_str(o, NULL, NULL, t->missing[i]);
	out_end_list(o);
	out_end(o);
}

/*
 * A C string literal of @value: '"' and '\' escaped, every other byte that
 * is not printable ASCII as a three-digit octal escape (never hex: "\x"
 * takes every hex digit after it), so no value can end the literal or the
 * line.
 */
static void c_string(FILE *f, const char *name, const char *value)
{
	fprintf(f, "#define %s \"", name);
	for (const unsigned char *p = (const unsigned char *)(value ? value : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\%03o", *p);
		else
			fputc(*p, f);
	}
	fputs("\"\n", f);
}

static void write_c_header(const struct table *t, FILE *f)
{
	fputs("/* SPDX-License-Identifier: GPL-2.0 */\n"
	      "/* Generated by 'rustver table --c-header'; do not edit. */\n",
	      f);
	c_string(f, "RUSTVER_TABLE_KDIR", t->kdir);
	c_string(f, "RUSTVER_TABLE_RELEASE", t->release);
	c_string(f, "RUSTVER_TABLE_UTS_VERSION", t->uts_version);
	c_string(f, "RUSTVER_TABLE_BUILD_ID", t->build_id);
	c_string(f, "RUSTVER_TABLE_RUSTC", t->rustc);
	fprintf(f, "#define RUSTVER_TABLE_COUNT %u\n\n", t->count);
	fputs("static const struct rv_crate rustver_table_crates[] = {\n", f);
	for (uint32_t i = 0; i < t->count; i++)
		fprintf(f, "\t{ .name = \"%s\", .dis = 0x%llxULL, .crc = 0x%08x },\n",
			t->crates[i].name, (unsigned long long)t->crates[i].dis, t->crates[i].crc);
	fputs("};\n", f);
}

/*
 * Replaces @path through replace.c, unless it already has these contents
 * (then it keeps its time stamp); a character device or FIFO is written into.
 */
int table_write_c_header(const struct table *t, const char *path)
{
	uint8_t *old = NULL;
	char *text = NULL;
	size_t len = 0, nold;
	FILE *f = open_memstream(&text, &len);
	struct replace r;
	struct stat st;
	bool have = false;
	int err = -1;

	if (!f) {
		rv_err("%s: cannot create: %s", path, strerror(errno));
		return -1;
	}
	write_c_header(t, f);
	if (fclose(f)) {
		rv_err("%s: write error: %s", path, strerror(errno));
		goto out;
	}
	/* only a regular file is read: a FIFO's reader waits for the header */
	if (!stat(path, &st) && S_ISREG(st.st_mode) && !read_file_stat(path, &old, &nold, &st)) {
		if (nold == len && !memcmp(old, text, len)) {
			err = 0; /* keep the old file and its time stamp */
			goto out;
		}
		have = true;
	}
	if (!replace_begin(&r, path, have ? &st : NULL) && !replace_write(&r, text, len)) {
		if (have)
			replace_expect_bytes(&r, old, nold);
		if (!replace_commit(&r))
			err = 0;
	}
	if (err)
		rv_err("%s: %s", r.shown, r.why);
	replace_end(&r);
out:
	free(old);
	free(text);
	return err;
}
