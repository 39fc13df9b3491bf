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

/* an export line holds a name of up to RV_SYMBOL_MAX bytes */
#define MAX_LINE (RV_SYMBOL_MAX + 64)

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

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t n = strlen(keys[i].key);
		char **field = (char **)((char *)t + keys[i].off);

		if (!strncmp(line, keys[i].key, n) && !*field)
			*field = xstrdup(line + n);
	}
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
		if (!strncmp(line, EXPORT_LINE_PREFIX, strlen(EXPORT_LINE_PREFIX))) {
			const char *name;
			size_t len;

			if (export_parse_line(line, (size_t)n, &name, &len, &why)) {
				rv_err("%s:%zu: %s: '%.200s'", path, lineno, why, line);
				err = -1;
				break;
			}
			if (t->nexports == RV_TABLE_MAX_EXPORTS) {
				rv_err("%s:%zu: more than %d exports", path, lineno,
				       RV_TABLE_MAX_EXPORTS);
				err = -1;
				break;
			}
			table_add_export(t, name, len);
			continue;
		}
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
	const char *why;
	FILE *f;
	int err;

	memset(t, 0, sizeof(*t));
	t->source = xstrdup(path);
	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT && strstr(path, RUSTVER_SYSFS_TABLE))
			rv_err("%s: not found: rustver_core is not loaded on this kernel; "
			       "load it or pass --kdir DIR or --table FILE",
			       path);
		else
			rv_err("%s: cannot open: %s", path, strerror(errno));
		table_free(t);
		return -1;
	}
	err = parse_table(t, path, f);
	fclose(f);
	if (!err && t->count == 0) {
		rv_err("%s: no crates in the table", path);
		err = -1;
	}
	if (!err && table_index_exports(t, path))
		err = -1;
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
	static uint8_t d[65536];
	char hex[2 * 64 + 1];
	size_t n;
	FILE *f = fopen(notes, "rb");

	if (!f)
		return NULL;
	n = fread(d, 1, sizeof(d), f); /* sysfs: read to the end, whatever st_size says */
	fclose(f);
	return rv_elf_note_build_id(d, n, hex, sizeof(hex)) ? NULL : xstrdup(hex);
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

void table_write_text(const struct table *t, FILE *f)
{
	char line[128];

	fprintf(f, "# rustver table, format 1\n");
	if (t->kdir)
		fprintf(f, "# kdir: %s\n", t->kdir);
	if (t->release)
		fprintf(f, "# release: %s\n", t->release);
	if (t->uts_version)
		fprintf(f, "# uts-version: %s\n", t->uts_version);
	if (t->build_id)
		fprintf(f, "# build-id: %s\n", t->build_id);
	if (t->rustc)
		fprintf(f, "# rustc: %s\n", t->rustc);
	for (uint32_t i = 0; i < t->nmissing; i++)
		fprintf(f, "# not in the table: %s\n", t->missing[i]);
	for (uint32_t i = 0; i < t->count; i++)
		if (rv_table_format_line(&t->crates[i], line, sizeof(line)))
			fputs(line, f);
	for (uint32_t i = 0; i < t->nexports; i++)
		fprintf(f, "%s%s\n", EXPORT_LINE_PREFIX, t->exports[i]);
}

static void json_field(FILE *f, const char *key, const char *value)
{
	fprintf(f, "  \"%s\": ", key);
	if (value)
		print_json_string(f, value);
	else
		fputs("null", f);
	fputs(",\n", f);
}

void table_write_json(const struct table *t, FILE *f)
{
	fputs("{\n", f);
	json_field(f, "kdir", t->kdir);
	json_field(f, "release", t->release);
	json_field(f, "uts_version", t->uts_version);
	json_field(f, "build_id", t->build_id);
	json_field(f, "rustc", t->rustc);
	fputs("  \"crates\": [", f);
	for (uint32_t i = 0; i < t->count; i++) {
		fprintf(f,
			"%s\n    {\"name\": \"%s\", \"disambiguator\": \"%llx\", "
			"\"crc\": \"0x%08x\"",
			i ? "," : "", t->crates[i].name, (unsigned long long)t->crates[i].dis,
			t->crates[i].crc);
		if (t->rmeta) {
			fputs(", \"rmeta\": ", f);
			print_json_string(f, t->rmeta[i]);
		}
		fputs("}", f);
	}
	fputs(t->count ? "\n  ],\n" : "],\n", f);
	fputs("  \"missing\": [", f);
	for (uint32_t i = 0; i < t->nmissing; i++) {
		fputs(i ? ", " : "", f);
		print_json_string(f, t->missing[i]);
	}
	fputs("],\n", f);
	fprintf(f, "  \"exports_indexed\": %u,\n", t->ix.view.count);
	fputs("  \"exports\": [", f);
	for (uint32_t i = 0; i < t->nexports; i++) {
		fputs(i ? ",\n    " : "\n    ", f);
		print_json_string(f, t->exports[i]);
	}
	fputs(t->nexports ? "\n  ]\n}\n" : "]\n}\n", f);
}

static void c_string(FILE *f, const char *name, const char *value)
{
	fprintf(f, "#define %s \"", name);
	for (const char *p = value ? value : ""; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputs("\"\n", f);
}

/*
 * The exports (struct rv_exports) as arrays, and RUSTVER_TABLE_EXPORTS,
 * the initialiser of struct rv_table's .exports that uses them: all the
 * data is const, in the module's read-only memory.
 */
static void write_c_exports(const struct rv_exports *x, FILE *f)
{
	const char *unused = " __attribute__((__unused__))";

	fprintf(f, "\n/* %u exported Rust symbols and their crates (struct rv_exports) */\n",
		x->count);
	fprintf(f, "#define RUSTVER_TABLE_EXPORT_COUNT %u\n", x->count);
	if (!x->count) {
		fputs("#define RUSTVER_TABLE_EXPORTS { .count = 0 }\n", f);
		return;
	}
	fprintf(f, "static const struct rv_export rustver_table_export[]%s = {\n", unused);
	for (uint32_t i = 0; i < x->count; i++)
		fprintf(f, "\t{ 0x%08x, %u, %u, %u },\n", x->e[i].hash, x->e[i].name, x->e[i].len,
			x->e[i].crates);
	fprintf(f, "};\nstatic const u32 rustver_table_export_bucket[]%s = {", unused);
	for (uint32_t i = 0; i <= 1u << x->bits; i++)
		fprintf(f, "%s%u,", i % 12 ? " " : "\n\t", x->bucket[i]);
	fprintf(f, "\n};\nstatic const u16 rustver_table_export_lists[]%s = {", unused);
	for (uint32_t i = 0; i < x->lists_size; i++)
		fprintf(f, "%s%u,", i % 12 ? " " : "\n\t", x->lists[i]);
	fprintf(f, "\n};\nstatic const char rustver_table_export_names[]%s =", unused);
	for (uint32_t i = 0; i < x->names_size; i++) {
		char c = x->names[i];

		if (i % 64 == 0)
			fputs(i ? "\"\n\t\"" : "\n\t\"", f);
		/* no trigraph, quote or backslash in the literal */
		if (c == '?' || c == '"' || c == '\\')
			fprintf(f, "\\%03o", (unsigned char)c);
		else
			fputc(c, f);
	}
	fputs("\";\n", f);
	fprintf(f,
		"#define RUSTVER_TABLE_EXPORTS { \\\n"
		"\t.version = %u, .count = %u, .e = rustver_table_export, \\\n"
		"\t.bucket = rustver_table_export_bucket, .bits = %u, .max_len = %u, \\\n"
		"\t.names = rustver_table_export_names, .names_size = %u, \\\n"
		"\t.lists = rustver_table_export_lists, .lists_size = %u }\n",
		x->version, x->count, x->bits, x->max_len, x->names_size, x->lists_size);
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
	write_c_exports(&t->ix.view, f);
}

/* Replaces @path atomically, unless it already has these contents. */
int table_write_c_header(const struct table *t, const char *path)
{
	uint8_t *old = NULL;
	const char *what;
	char *text = NULL;
	size_t len = 0, nold;
	FILE *f = open_memstream(&text, &len);
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
	if (access(path, F_OK) == 0 && !read_file(path, &old, &nold) && nold == len &&
	    !memcmp(old, text, len)) {
		err = 0; /* keep the old file and its time stamp */
		goto out;
	}
	if (write_file_atomic(path, text, len, NULL, 0, &what)) {
		rv_err("%s: cannot %s: %s", path, what, strerror(errno));
		goto out;
	}
	err = 0;
out:
	free(old);
	free(text);
	return err;
}
