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
	"Usage: rustver show [--kdir DIR | --table FILE] MODULE\n"
	"\n"
	"Shows MODULE (a .ko file, compressed or signed, or a module name): its\n"
	"Rust imports grouped by crate with their counts, its stamp, the rustc that\n"
	"built it, and, when --kdir or --table is given, the verdict.\n"
	"\n"
	"  --kdir DIR        verdict against the kernel build tree DIR\n"
	"  --table FILE      verdict against a table file\n"
	"  --kernel RELEASE  kernel release to resolve a module name (default: uname -r)\n"
	"  --basedir DIR     root of the module tree (default: /)\n";

static void show_stamp(const struct modfile *m)
{
	struct rv_elf_shdr sh;
	struct rv_stamp st;
	struct rv_crate c;
	struct rv_elf elf;

	if (rv_elf_open(&elf, m->data, m->elf_size) ||
	    rv_elf_find_section(&elf, RV_STAMP_SECTION, &sh)) {
		printf("stamp:       none\n");
		return;
	}
	if (rv_stamp_parse(&st, rv_elf_section_data(&elf, &sh), sh.size)) {
		printf("stamp:       malformed: %s\n", st.why);
		return;
	}
	printf("stamp:       %u crate%s, stamped by %s\n", st.count, st.count == 1 ? "" : "s",
	       st.rustc[0] ? st.rustc : "(no rustc recorded)");
	for (uint32_t i = 0; i < st.count; i++) {
		char line[128];

		rv_stamp_entry(&st, i, &c);
		rv_table_format_line(&c, line, sizeof(line));
		printf("  %s", line);
	}
}

static void show_imports(const struct rv_verdict *v)
{
	printf("Rust imports: %u symbol%s from %u crate%s\n", v->rust_imports,
	       v->rust_imports == 1 ? "" : "s", v->ncrates, v->ncrates == 1 ? "" : "s");
	for (uint32_t i = 0; i < v->ncrates; i++) {
		const struct rv_crate_verdict *c = &v->crates[i];
		char name[128], ex[256];

		crate_name(name, sizeof(name), c->name, c->name_len, c->dis);
		rv_v0_short_path(c->example, strlen(c->example), ex, sizeof(ex));
		printf("  %-40s %5u import%s  e.g. %s\n", name, c->nsyms, c->nsyms == 1 ? " " : "s",
		       ex);
	}
}

static int show(const char *module, const struct modfile *m, struct table *t,
		struct rv_verdict_scratch *scr, struct rv_verdict *v)
{
	struct rv_table empty = { 0 }, view = t ? table_view(t) : empty;
	char *name = modfile_modinfo(m->path, "name");
	char *vermagic = modfile_modinfo(m->path, "vermagic");
	const char *rustc = rustc_from_comment(m->data, m->elf_size);

	printf("module:      %s\n", m->path);
	printf("name:        %s\n", name ? name : "(no .modinfo name)");
	printf("vermagic:    %s\n", vermagic ? vermagic : "(none)");
	printf("file:        %s%s%s\n", m->compression ? m->compression : "uncompressed",
	       m->is_signed ? ", signed" : ", not signed", "");
	printf("rustc:       %s\n", rustc ? rustc : "(no rustc in .comment)");
	free(name);
	free(vermagic);

	rv_verdict_check(m->data, m->elf_size, &view, scr, v);
	if (v->result == RV_RESULT_ERROR) {
		report_verdict(stdout, module, v, &view, false);
		return EXIT_TROUBLE;
	}
	printf("in-tree:     %s\n", v->intree ? "yes" : "no");
	show_stamp(m);
	show_imports(v);
	if (!t)
		return EXIT_PASS;
	printf("verdict against %s:\n", t->source);
	report_verdict(stdout, module, v, &view, true);
	return verdict_exit(v);
}

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kdir", required_argument, NULL, 'k' },
		{ "table", required_argument, NULL, 't' },
		{ "kernel", required_argument, NULL, 'r' },
		{ "basedir", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kdir = NULL, *file = NULL, *release = NULL, *basedir = NULL;
	struct rv_verdict_scratch *scr;
	struct rv_verdict *v;
	struct table t;
	struct modfile m;
	bool have_table = false;
	int opt, ret;

	if (wants_help(argc, argv, usage))
		return EXIT_PASS;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'k': kdir = optarg; break;
		case 't': file = optarg; break;
		case 'r': release = optarg; break;
		case 'b': basedir = optarg; break;
		default: fputs(usage, stderr); return EXIT_TROUBLE;
		}
	}
	if (optind + 1 != argc) {
		rv_err("show: give exactly one MODULE");
		fputs(usage, stderr);
		return EXIT_TROUBLE;
	}
	if (kdir || file) {
		if (table_load(&t, kdir, file))
			return EXIT_TROUBLE;
		have_table = true;
	}
	if (modfile_open(&m, argv[optind], basedir, release)) {
		modfile_close(&m);
		if (have_table)
			table_free(&t);
		return EXIT_TROUBLE;
	}
	scr = xcalloc(1, sizeof(*scr));
	v = xcalloc(1, sizeof(*v));
	ret = show(argv[optind], &m, have_table ? &t : NULL, scr, v);
	free(scr);
	free(v);
	modfile_close(&m);
	if (have_table)
		table_free(&t);
	return ret;
}
