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
	"Usage: rustver show [--kdir DIR | --table FILE] [-k RELEASE] [-b DIR] [--json]\n"
	"                    MODULE\n"
	"\n"
	"Shows MODULE (a .ko file, compressed or signed, or a module name or alias,\n"
	"resolved as modprobe does; every module an alias matches is shown): its\n"
	"Rust imports grouped by crate with their counts, its stamp, the rustc that\n"
	"built it, and, when --kdir or --table is given, the verdict. Every field is\n"
	"read from the bytes rustver decompressed itself.\n"
	"\n"
	"  --kdir DIR        verdict against the kernel build tree DIR\n"
	"  --table FILE      verdict against a table file\n"
	"  --json            one JSON object per module, with the same fields\n"
	"  -k, --kernel RELEASE\n"
	"                    kernel release to resolve a module name (default: uname -r)\n"
	"  -b, --basedir DIR root of the module tree (default: /)\n";

/* A crate and its CRC: "  name[dis] 0xCRC" as in a table file. */
static void show_crate_crc(struct out *o, const struct rv_crate *c)
{
	out_begin(o, NULL);
	out_crate(o, "  %s", c->name, rv_strnlen(c->name, RV_CRATE_NAME_MAX), c->dis);
	out_hex(o, "crc", " %s\n", "0x%08llx", true, c->crc);
	out_end(o);
}

static void show_stamp(struct out *o, const struct modfile *m)
{
	struct rv_elf_shdr sh;
	struct rv_stamp st;
	struct rv_crate c;
	struct rv_elf elf;

	out_text(o, "stamp:       ");
	if (rv_elf_open(&elf, m->data, m->elf_size) ||
	    rv_elf_find_section(&elf, RV_STAMP_SECTION, &sh)) {
		out_str(o, "stamp", "none\n", NULL);
		out_text(o, "none\n");
		return;
	}
	out_begin(o, "stamp");
	if (rv_stamp_parse(&st, rv_elf_section_data(&elf, &sh), sh.size)) {
		out_str(o, "malformed", "malformed: %s\n", st.why);
		out_end(o);
		return;
	}
	out_uint(o, "crates", "%llu crate", st.count);
	out_uint(o, "version", NULL, st.version);
	out_text(o, "%s, version %u, ", st.count == 1 ? "" : "s", st.version);
	out_bool(o, "evidence", NULL, st.flags == RV_STAMP_F_EVIDENCE);
	out_text(o, "%s, module built by ",
		 st.flags == RV_STAMP_F_EVIDENCE ? "from the build records (evidence)"
						 : "unverified (from a table named by hand)");
	out_str(o, "rustc", "%s\n", st.rustc[0] ? st.rustc : NULL);
	if (!st.rustc[0])
		out_text(o, "(no rustc recorded)\n");
	out_begin_list(o, "entries");
	for (uint32_t i = 0; i < st.count; i++) {
		rv_stamp_entry(&st, i, &c);
		show_crate_crc(o, &c);
	}
	out_end_list(o);
	out_end(o);
}

static void show_imports(struct out *o, const struct rv_verdict *v)
{
	out_begin(o, "imports");
	out_uint(o, "symbols", "Rust imports: %llu symbol", v->rust_imports);
	out_text(o, "%s from %u crate%s\n", v->rust_imports == 1 ? "" : "s", v->ncrates,
		 v->ncrates == 1 ? "" : "s");
	out_begin_list(o, "crates");
	for (uint32_t i = 0; i < v->ncrates; i++) {
		const struct rv_crate_verdict *c = &v->crates[i];
		char ex[256];

		rv_v0_short_path(c->example, c->example_len, ex, sizeof(ex));
		out_begin(o, NULL);
		out_crate(o, "  %-40s", c->name, c->name_len, c->dis);
		out_uint(o, "symbols", " %5llu import", c->nsyms);
		out_text(o, "%s  e.g. ", c->nsyms == 1 ? " " : "s");
		out_str(o, NULL, "%s\n", ex);
		out_bytes(o, "example", NULL, c->example, c->example_len);
		out_end(o);
	}
	out_end_list(o);
	out_end(o);
}

/* "key:   value" of a .modinfo entry, or @none (JSON: null) */
static void show_modinfo(struct out *o, const struct modfile *m, const char *key, const char *none)
{
	size_t len;
	const char *val = modinfo_get(m->data, m->elf_size, key, &len);

	out_text(o, "%s:%*s", key, (int)(12 - strlen(key)), "");
	out_bytes(o, key, "%s\n", val, len);
	if (!val)
		out_text(o, "%s\n", none);
}

/*
 * Everything show prints about @m, every field taken from the bytes rustver
 * decompressed itself; @shown names the module in verdict lines. One JSON
 * object in JSON mode. Used by the whole-file fuzzer as it is.
 */
int show_module(struct out *o, const char *shown, const struct modfile *m, const struct table *t,
		struct rv_verdict_scratch *scr, struct rv_verdict *v)
{
	struct rv_table empty = { 0 }, view = t ? table_view(t) : empty;
	const char *rustc = rustc_from_comment(m->data, m->elf_size);
	int ret;

	out_begin(o, NULL);
	out_str(o, "module", "module:      %s\n", m->path);
	show_modinfo(o, m, "name", "(no .modinfo name)");
	show_modinfo(o, m, "vermagic", "(none)");
	out_text(o, "file:        ");
	out_str(o, "compression", "%s", m->compression);
	out_text(o, "%s", m->compression ? "" : "uncompressed");
	out_bool(o, "signed", NULL, m->is_signed);
	out_text(o, "%s", m->is_signed ? ", signed" : ", not signed");
	out_bool(o, "refused_on_loading", NULL, m->refusal != NULL);
	out_text(o, "%s\n", m->refusal ? ", refused on loading (see below)" : "");
	out_str(o, "rustc", "rustc:       %s\n", rustc);
	if (!rustc)
		out_text(o, "rustc:       (no rustc in .comment)\n");

	rv_verdict_check(m->data, m->elf_size, &view, scr, v);
	if (v->result == RV_RESULT_ERROR) {
		out_begin(o, "verdict");
		report_verdict_fields(o, shown, v, &view, false);
		out_end(o);
		ret = EXIT_TROUBLE;
		goto refusal;
	}
	out_bool(o, "intree", "in-tree:     %s\n", v->intree);
	show_stamp(o, m);
	show_imports(o, v);
	ret = EXIT_PASS;
	if (t) {
		out_str(o, "table", "verdict against %s:\n", t->source);
		out_begin(o, "verdict");
		report_verdict_fields(o, shown, v, &view, true);
		out_end(o);
		ret = verdict_exit(v);
	}
refusal:
	if (m->refusal) {
		out_begin(o, "refusal");
		out_str(o, "module", "%s: ", shown);
		out_str(o, "why", "error: %s\n", m->refusal);
		out_end(o);
		ret = EXIT_TROUBLE;
	}
	out_end(o);
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
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct target tg = { 0 };
	struct rv_verdict_scratch *scr;
	struct out o;
	struct rv_verdict *v;
	struct table t;
	struct modlist mods;
	struct modfile m;
	bool have_table = false, json = false;
	int opt, ret;

	if (wants_help(&cmd_show_def, argc, argv))
		return EXIT_PASS;
	while ((opt = rv_getopt(argc, argv, ":" TARGET_TREE_SHORT, opts)) != -1) {
		if (opt == 'j')
			json = true;
		else if (!target_option(&tg, opt, optarg))
			return option_error(&cmd_show_def, argv, opt);
	}
	out_init(&o, stdout, json);
	if (optind + 1 != argc)
		return usage_error(&cmd_show_def, "give exactly one MODULE");
	if (target_usage(&cmd_show_def, &tg))
		return EXIT_TROUBLE;
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
	if (mods.builtin) {
		out_begin(&o, NULL);
		out_str(&o, "module", "%s: ", argv[optind]);
		out_bool(&o, "builtin", NULL, true);
		out_text(&o, "built into the kernel: no module file to show\n");
		out_end(&o);
	}
	/* an alias can stand for several modules: each is shown */
	for (size_t i = 0; i < mods.n; i++) {
		char *shown = mods.by_name ? shown_path(mods.paths[i]) : xstrdup(argv[optind]);
		int r;

		if (i)
			out_text(&o, "\n");
		if (modfile_load(&m, mods.paths[i]))
			r = EXIT_TROUBLE;
		else
			r = show_module(&o, shown, &m, have_table ? &t : NULL, scr, v);
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
	return ret;
}
