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
	"Checks each MODULE (a .ko file, compressed or not, or a module name that is\n"
	"resolved as modprobe does) against a kernel's crate table: every crate in\n"
	"its Rust imports must be known to the kernel and stamped with the same\n"
	"CRC. Prints one line per module, then an explanation per failing crate.\n"
	"\n"
	"  --kdir DIR        table of the kernel build tree DIR\n"
	"  --table FILE      table file written by 'rustver table'\n"
	"                    (default: the running kernel's " RUSTVER_SYSFS_TABLE ")\n"
	"  --json            one JSON object per module\n"
	"  --all             every module of BASEDIR/lib/modules/RELEASE; prints the\n"
	"                    modules with Rust imports, then a summary\n"
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

static int check_file(struct check *c, struct modfile *m, const char *shown)
{
	int r;

	rv_verdict_check(m->data, m->elf_size, &c->view, &c->scr, &c->v);
	r = verdict_exit(&c->v);
	c->n++;
	if (c->v.result == RV_RESULT_NOT_RUST)
		c->not_rust++;
	else if (r == EXIT_PASS)
		c->pass++;
	else if (r == EXIT_VERDICT)
		c->fail++;
	else
		c->trouble++;
	if (c->all && c->v.result == RV_RESULT_NOT_RUST)
		return r;
	if (c->json)
		report_verdict_json(stdout, shown, &c->v);
	else
		report_verdict(stdout, shown, &c->v, &c->view, false);
	return r;
}

static int check_path(const char *path, void *arg)
{
	struct check *c = arg;
	struct modfile m;
	int r;

	if (modfile_load(&m, path)) {
		c->n++;
		c->trouble++;
		modfile_close(&m);
		return EXIT_TROUBLE;
	}
	r = check_file(c, &m, path);
	modfile_close(&m);
	return r;
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

		ret = for_each_module_file(dir, check_path, c);
		if (!c->json)
			printf("%s: %u modules: %u pass, %u fail, %u errors, "
			       "%u without Rust imports\n",
			       dir, c->n, c->pass, c->fail, c->trouble, c->not_rust);
		free(dir);
	} else {
		for (int i = optind; i < argc; i++) {
			struct modfile m;
			int r;

			if (modfile_open(&m, argv[i], basedir, release))
				r = EXIT_TROUBLE;
			else
				r = check_file(c, &m, argv[i]);
			modfile_close(&m);
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
