// SPDX-License-Identifier: GPL-2.0
/*
 * rustver show: what a module imports from Rust, what its stamp says, and
 * the verdict when a table is given.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "rustver.h"

static const char usage[] =
	"Usage: rustver show [--kdir DIR | --table FILE] [-k RELEASE] [-b DIR] MODULE\n"
	"\n"
	"Shows MODULE (a .ko file, compressed or signed, or a module name or alias,\n"
	"resolved as modprobe does; every module an alias matches is shown): its\n"
	"Rust imports grouped by crate with their counts, its stamp, the rustc that\n"
	"built it, and, when --kdir or --table is given, the verdict. Every field is\n"
	"read from the bytes rustver decompressed itself.\n"
	"\n"
	"  --kdir DIR        verdict against the kernel build tree DIR\n"
	"  --table FILE      verdict against a table file\n"
	"  -k, --kernel RELEASE\n"
	"                    kernel release to resolve a module name (default: uname -r)\n"
	"  -b, --basedir DIR root of the module tree (default: /)\n";

static void show_stamp(FILE *f, const struct modfile *m)
{
	struct rv_elf_shdr sh;
	struct rv_stamp st;
	struct rv_crate c;
	struct rv_elf elf;

	if (rv_elf_open(&elf, m->data, m->elf_size) ||
	    rv_elf_find_section(&elf, RV_STAMP_SECTION, &sh)) {
		fprintf(f, "stamp:       none\n");
		return;
	}
	if (rv_stamp_parse(&st, rv_elf_section_data(&elf, &sh), sh.size)) {
		fprintf(f, "stamp:       malformed: %s\n", st.why);
		return;
	}
	fprintf(f, "stamp:       %u crate%s, version %u, %s, module built by ", st.count,
		st.count == 1 ? "" : "s", st.version,
		st.flags == RV_STAMP_F_EVIDENCE ? "from the build records (evidence)"
						: "unverified (from a table named by hand)");
	if (st.rustc[0])
		print_untrusted(f, st.rustc, strlen(st.rustc));
	else
		fputs("(no rustc recorded)", f);
	fputc('\n', f);
	for (uint32_t i = 0; i < st.count; i++) {
		char line[128];

		rv_stamp_entry(&st, i, &c);
		rv_table_format_line(&c, line, sizeof(line));
		fprintf(f, "  %s", line);
	}
}

static void show_imports(FILE *f, const struct rv_verdict *v)
{
	fprintf(f, "Rust imports: %u symbol%s from %u crate%s\n", v->rust_imports,
		v->rust_imports == 1 ? "" : "s", v->ncrates, v->ncrates == 1 ? "" : "s");
	for (uint32_t i = 0; i < v->ncrates; i++) {
		const struct rv_crate_verdict *c = &v->crates[i];
		char name[128], ex[256];

		crate_name(name, sizeof(name), c->name, c->name_len, c->dis);
		rv_v0_short_path(c->example, c->example_len, ex, sizeof(ex));
		fprintf(f, "  %-40s %5u import%s  e.g. ", name, c->nsyms,
			c->nsyms == 1 ? " " : "s");
		print_untrusted(f, ex, strlen(ex));
		fputc('\n', f);
	}
}

/* "key:   value" of a .modinfo entry, or @none */
static void show_modinfo(FILE *f, const struct modfile *m, const char *key, const char *none)
{
	size_t len;
	const char *val = modinfo_get(m->data, m->elf_size, key, &len);

	fprintf(f, "%s:%*s", key, (int)(12 - strlen(key)), "");
	if (!val)
		len = strlen(val = none);
	print_untrusted(f, val, len);
	fputc('\n', f);
}

/*
 * Everything show prints about @m, every field taken from the bytes rustver
 * decompressed itself; @shown names the module in verdict lines. Used by
 * the whole-file fuzzer as it is.
 */
int show_module(FILE *f, const char *shown, const struct modfile *m, const struct table *t,
		struct rv_verdict_scratch *scr, struct rv_verdict *v)
{
	struct rv_table empty = { 0 }, view = t ? table_view(t) : empty;
	const char *rustc = rustc_from_comment(m->data, m->elf_size);
	int ret;

	fprintf(f, "module:      %s\n", m->path);
	show_modinfo(f, m, "name", "(no .modinfo name)");
	show_modinfo(f, m, "vermagic", "(none)");
	fprintf(f, "file:        %s%s%s\n", m->compression ? m->compression : "uncompressed",
		m->is_signed ? ", signed" : ", not signed",
		m->refusal ? ", refused on loading (see below)" : "");
	fputs("rustc:       ", f);
	if (rustc)
		print_untrusted(f, rustc, strlen(rustc));
	else
		fputs("(no rustc in .comment)", f);
	fputc('\n', f);

	rv_verdict_check(m->data, m->elf_size, &view, scr, v);
	if (v->result == RV_RESULT_ERROR) {
		report_verdict(f, shown, v, &view, false);
		ret = EXIT_TROUBLE;
		goto refusal;
	}
	fprintf(f, "in-tree:     %s\n", v->intree ? "yes" : "no");
	show_stamp(f, m);
	show_imports(f, v);
	ret = EXIT_PASS;
	if (t) {
		fprintf(f, "verdict against %s:\n", t->source);
		report_verdict(f, shown, v, &view, true);
		ret = verdict_exit(v);
	}
refusal:
	if (m->refusal) {
		fprintf(f, "%s: error: %s\n", shown, m->refusal);
		ret = EXIT_TROUBLE;
	}
	return ret;
}

static int cmd_show(int argc, char **argv);

const struct rv_cmd cmd_show_def = {
	.name = "show",
	.fn = cmd_show,
	.summary = "list a module's Rust imports by crate, its stamp and verdict",
	.usage = usage,
};

static int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		TARGET_TABLE_OPTIONS,
		TARGET_TREE_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct target tg = { 0 };
	struct rv_verdict_scratch *scr;
	struct rv_verdict *v;
	struct table t;
	struct modlist mods;
	struct modfile m;
	bool have_table = false;
	int opt, ret;

	if (wants_help(&cmd_show_def, argc, argv))
		return EXIT_PASS;
	while ((opt = getopt_long(argc, argv, ":" TARGET_TREE_SHORT, opts, NULL)) != -1)
		if (!target_option(&tg, opt, optarg))
			return option_error(&cmd_show_def, argv, opt);
	if (optind + 1 != argc)
		return usage_error(&cmd_show_def, "give exactly one MODULE");
	if (tg.kdir || tg.table) {
		if (table_load(&t, tg.kdir, tg.table))
			return EXIT_TROUBLE;
		have_table = true;
	}
	if (module_resolve(&mods, argv[optind], tg.basedir, tg.release)) {
		ret = EXIT_TROUBLE;
		goto out_table;
	}
	scr = xcalloc(1, sizeof(*scr));
	v = xcalloc(1, sizeof(*v));
	ret = EXIT_PASS;
	/* an alias can stand for several modules: each is shown */
	for (size_t i = 0; i < mods.n; i++) {
		char *shown = mods.by_name ? shown_path(mods.paths[i]) : xstrdup(argv[optind]);
		int r;

		if (i)
			putchar('\n');
		if (modfile_load(&m, mods.paths[i]))
			r = EXIT_TROUBLE;
		else
			r = show_module(stdout, shown, &m, have_table ? &t : NULL, scr, v);
		modfile_close(&m);
		free(shown);
		if (r > ret)
			ret = r;
	}
	free(scr);
	free(v);
	modlist_free(&mods);
out_table:
	if (have_table)
		table_free(&t);
	if (fflush(stdout)) {
		rv_err("write error on standard output");
		return EXIT_TROUBLE;
	}
	return ret;
}
