// SPDX-License-Identifier: GPL-2.0
/*
 * rustver check: the verdict the kernel would give when loading a module,
 * from the same engine kmod_rustver runs.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "rustver.h"

static const char usage[] =
	"Usage: rustver check [--kdir DIR | --table FILE] [--json] MODULE...\n"
	"       rustver check [--kdir DIR | --table FILE] [--json] --all\n"
	"                     [--kernel RELEASE] [--basedir DIR]\n"
	"\n"
	"Checks each MODULE (a .ko file, compressed or not, or a module name or alias\n"
	"that is resolved as modprobe does: an alias matching several modules checks\n"
	"each) against a kernel's crate table: every crate in its Rust imports must\n"
	"be known to the kernel and stamped with the same CRC. Prints one line per\n"
	"module file, then an explanation per failing crate.\n"
	"\n"
	"  --kdir DIR        table of the kernel build tree DIR\n"
	"  --table FILE      table file written by 'rustver table'\n"
	"                    (default: the running kernel's " RUSTVER_SYSFS_TABLE ")\n"
	"  --json            one JSON object per module\n"
	"  --all             every module of BASEDIR/lib/modules/RELEASE, symlinks\n"
	"                    followed as depmod does; prints the modules with Rust\n"
	"                    imports, then a summary with what was skipped and why\n"
	"  --kernel RELEASE  kernel release for names and --all (default: uname -r)\n"
	"  --basedir DIR     root of the module tree (default: /)\n"
	"\n"
	"Exit status: 0 all pass, 1 some verdict failed, 2 usage, I/O or format error\n"
	"(including a malformed module or stamp).\n";

struct check {
	struct rv_table view;
	struct rv_verdict_scratch scr;
	struct rv_verdict v;
	bool json, all;
	unsigned int n, pass, fail, trouble, not_rust;
};

static void count(struct check *c, int r)
{
	c->n++;
	if (c->v.result == RV_RESULT_NOT_RUST && r == EXIT_PASS)
		c->not_rust++;
	else if (r == EXIT_PASS)
		c->pass++;
	else if (r == EXIT_VERDICT)
		c->fail++;
	else
		c->trouble++;
}

static int check_file(struct check *c, struct modfile *m, const char *shown)
{
	int r;

	rv_verdict_check(m->data, m->elf_size, &c->view, &c->scr, &c->v);
	r = verdict_exit(&c->v);
	if (m->refusal && r < EXIT_TROUBLE) {
		/* rustver could read it; modprobe and the kernel could not */
		r = EXIT_TROUBLE;
		count(c, r);
		if (c->json) {
			fputs("{\"module\": ", stdout);
			print_json_string(stdout, shown);
			fputs(", \"result\": \"error\", \"error\": {\"where\": \"file\", "
			      "\"why\": ",
			      stdout);
			print_json_string(stdout, m->refusal);
			fputs("}}\n", stdout);
		} else {
			printf("%s: error: %s\n", shown, m->refusal);
		}
		return r;
	}
	count(c, r);
	if (c->all && c->v.result == RV_RESULT_NOT_RUST)
		return r;
	if (c->json)
		report_verdict_json(stdout, shown, &c->v);
	else
		report_verdict(stdout, shown, &c->v, &c->view, false);
	return r;
}

/* Checks the module file @path, named @shown in the output. */
static int check_one(struct check *c, const char *path, const char *shown)
{
	struct modfile m;
	int r;

	if (modfile_load(&m, path)) {
		c->n++;
		c->trouble++;
		modfile_close(&m);
		return EXIT_TROUBLE;
	}
	r = check_file(c, &m, shown);
	modfile_close(&m);
	return r;
}

static int check_path(const char *path, void *arg)
{
	char *shown = shown_path(path);
	int r = check_one(arg, path, shown);

	free(shown);
	return r;
}

/* A file, or each module a name or alias stands for, each line naming its file. */
static int check_arg(struct check *c, const char *arg, const char *basedir, const char *release)
{
	struct modlist l;
	int ret = EXIT_PASS;

	if (module_resolve(&l, arg, basedir, release)) {
		c->n++;
		c->trouble++;
		modlist_free(&l);
		return EXIT_TROUBLE;
	}
	for (size_t i = 0; i < l.n; i++) {
		char *file = shown_path(l.paths[i]);
		char *shown = l.by_name ? xasprintf("%s (%s)", arg, file) : shown_path(arg);
		int r = check_one(c, l.paths[i], shown);

		free(shown);
		free(file);
		if (r > ret)
			ret = r;
	}
	modlist_free(&l);
	return ret;
}

static void summary(const char *dir, const struct check *c, const struct tree_walk *w)
{
	unsigned int skipped = w->dangling + w->loops + w->unreadable;
	const char *sep = "";

	printf("%s: %u modules: %u pass, %u fail, %u errors, %u without Rust imports; "
	       "%u skipped",
	       dir, c->n, c->pass, c->fail, c->trouble, c->not_rust, skipped);
	if (skipped) {
		fputs(" (", stdout);
		if (w->dangling) {
			printf("%u dangling symlink%s", w->dangling, w->dangling == 1 ? "" : "s");
			sep = ", ";
		}
		if (w->loops) {
			printf("%s%u symlink loop%s", sep, w->loops, w->loops == 1 ? "" : "s");
			sep = ", ";
		}
		if (w->unreadable)
			printf("%s%u unreadable", sep, w->unreadable);
		fputs(")", stdout);
	}
	putchar('\n');
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kdir", required_argument, NULL, 'k' },
		{ "table", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "kernel", required_argument, NULL, 'r' },
		{ "basedir", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kdir = NULL, *file = NULL, *release = NULL, *basedir = NULL;
	struct check *c;
	struct table t;
	int opt, ret = EXIT_PASS;

	if (wants_help(argc, argv, usage))
		return EXIT_PASS;
	c = xcalloc(1, sizeof(*c));
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'k': kdir = optarg; break;
		case 't': file = optarg; break;
		case 'j': c->json = true; break;
		case 'a': c->all = true; break;
		case 'r': release = optarg; break;
		case 'b': basedir = optarg; break;
		default:
			fputs(usage, stderr);
			free(c);
			return EXIT_TROUBLE;
		}
	}
	if (c->all == (optind < argc)) {
		rv_err("check: give MODULE... or --all");
		fputs(usage, stderr);
		free(c);
		return EXIT_TROUBLE;
	}
	if (table_load(&t, kdir, file)) {
		free(c);
		return EXIT_TROUBLE;
	}
	c->view = table_view(&t);

	if (c->all) {
		char *dir = module_dir(basedir, release);
		struct tree_walk w;

		ret = for_each_module_file(dir, &w, check_path, c);
		if (!c->json && c->n)
			summary(dir, c, &w);
		free(dir);
	} else {
		for (int i = optind; i < argc; i++) {
			int r = check_arg(c, argv[i], basedir, release);

			if (r > ret)
				ret = r;
		}
	}
	table_free(&t);
	free(c);
	if (fflush(stdout)) {
		rv_err("write error on standard output");
		return EXIT_TROUBLE;
	}
	return ret;
}
