// SPDX-License-Identifier: GPL-2.0
/*
 * rustver stamp: record in a module the CRCs of the crates it was built
 * against, after linking and before signing.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "rustver.h"

static const char usage[] =
	"Usage: rustver stamp [--prefix-map RECORDED=HERE]... [--by-times]\n"
	"                     [--kdir DIR | --table FILE] MODULE.ko...\n"
	"       rustver stamp --tree KDIR [--prefix-map RECORDED=HERE]... [--by-times]\n"
	"       rustver stamp --unverified (--kdir DIR | --table FILE) MODULE.ko...\n"
	"\n"
	"Writes (or replaces) the " RV_STAMP_SECTION " section of each MODULE.ko: for\n"
	"every Rust crate its imports depend on, the CRC-32 of the crate's .rmeta\n"
	"the module was compiled against, plus the rustc version from the module's\n"
	".comment. The CRCs are taken from the evidence Kbuild leaves beside the\n"
	"module: M.mod lists its objects, and each object's .OBJ.o.cmd lists the\n"
	".rmeta files rustc read (-Zbinary_dep_depinfo). They must all be in one\n"
	"tree's rust/ directory and still exist, with the SHA-256 and length rustc\n"
	"recorded when rustver-rustc compiled the object (rustver.mk, dkms-make:\n"
	"evidence by content, whatever the file times).\n"
	"Run it after the module is linked and before it is signed or compressed;\n"
	"signed and compressed modules are refused. Files are rewritten atomically,\n"
	"keeping owner, mode, extended attributes and ACLs; a symlink's target is\n"
	"stamped. A module with several hard links, or one replaced or modified\n"
	"while it was being stamped, is refused and left as it is.\n"
	"\n"
	"  --kdir DIR, --table FILE\n"
	"                 the tree you expect: refused, naming both trees, when the\n"
	"                 evidence says the module was built against another\n"
	"  --tree KDIR    every Rust module of the built kernel tree KDIR (its\n"
	"                 modules.order): run between 'make modules' and\n"
	"                 'make modules_install'\n"
	"  --prefix-map RECORDED=HERE\n"
	"                 the records name paths as the compiler saw them: when the\n"
	"                 build ran in a chroot or a container, map that prefix\n"
	"  --by-times     for objects compiled by plain rustc (no checksums): take\n"
	"                 each .rmeta being no newer than the object as the evidence\n"
	"                 (a copy or a touch can fool it; said in a warning)\n"
	"  --unverified   no build records: take the CRCs from --kdir or --table as\n"
	"                 given; the stamp says it was made so (nothing ties it to\n"
	"                 the build)\n";

#define SIG_MARKER "~Module signature appended~\n"

static int refuse_input(const char *path, const uint8_t *d, size_t n)
{
	const struct codec *codec = codec_of(d, n);
	size_t ml = sizeof(SIG_MARKER) - 1;

	if (codec->name) {
		rv_err("%s: compressed module (%s): stamp the .ko before compressing it", path,
		       codec->name);
		return -1;
	}
	if (n >= ml && !memcmp(d + n - ml, SIG_MARKER, ml)) {
		rv_err("%s: signed module: stamping would break its signature; "
		       "stamp before signing (scripts/sign-file)",
		       path);
		return -1;
	}
	return 0;
}

struct stamp_opts {
	const struct table *given; /* --kdir or --table, or NULL */
	bool unverified;
	bool by_times;	       /* --by-times: evidence by file times accepted */
	bool tree;	       /* --tree: modules without Rust are skipped */
	unsigned int not_rust; /* ... and counted */
	const char *tree_kdir;
	struct prefix_map pm;
	struct table built; /* the evidence's tree, loaded once */
	bool built_loaded;
};

/* Every crate must be known to the table: else it was not built against it. */
static int collect_crates(const char *path, const struct rv_verdict *v, const struct table *t,
			  struct rv_crate *out)
{
	int err = 0;

	for (uint32_t i = 0; i < v->ncrates; i++) {
		const struct rv_crate_verdict *c = &v->crates[i];
		char name[128];

		snprintf(name, sizeof(name), "%.*s[%llx]", (int)c->name_len, c->name,
			 (unsigned long long)c->dis);
		if (c->status == RV_CRATE_UNKNOWN || c->status == RV_CRATE_OTHER_BUILD) {
			rv_err("%s: crate %s is not in the table of %s%s: the module was "
			       "not built against it",
			       path, name, t->source,
			       c->status == RV_CRATE_OTHER_BUILD
				       ? " (same crate name, other disambiguator: another rustc)"
				       : "");
			err = -1;
			continue;
		}
		memset(&out[i], 0, sizeof(out[i]));
		memcpy(out[i].name, c->name, c->name_len);
		out[i].dis = c->dis;
		out[i].crc = c->kernel_crc;
	}
	return err;
}

static const char *rmeta_of(const struct table *t, const struct rv_crate *c)
{
	for (uint32_t i = 0; i < t->count; i++)
		if (t->crates[i].dis == c->dis && !strcmp(t->crates[i].name, c->name))
			return t->rmeta ? t->rmeta[i] : NULL;
	return NULL;
}

/*
 * The evidence's tree must hold every crate's .rmeta as the file rustc
 * read, and the tree the user gave (if any) must agree on every CRC.
 */
static int check_evidence(const char *path, const struct evidence *e, const struct table *built,
			  const struct table *given, const struct rv_crate *crates, uint32_t n)
{
	struct rv_table gv;
	int err = 0;

	for (uint32_t i = 0; i < n; i++) {
		struct evidence_rmeta r;

		if (!evidence_find(e, rmeta_of(built, &crates[i]), &r)) {
			rv_err("%s: crate %s[%llx]: its .rmeta in %s is not one the compiler read "
			       "for this module",
			       path, crates[i].name, (unsigned long long)crates[i].dis, e->kdir);
			err = -1;
		} else if (r.by_content && r.crc != crates[i].crc) {
			rv_err("%s: crate %s[%llx]: %s changed while it was being stamped "
			       "(CRC 0x%08x, then 0x%08x): stamp it again",
			       path, crates[i].name, (unsigned long long)crates[i].dis, r.path,
			       r.crc, crates[i].crc);
			err = -1;
		}
	}
	if (err || !given)
		return err;
	gv = table_view(given);
	for (uint32_t i = 0; i < n; i++) {
		const struct rv_crate *k =
			rv_table_find(&gv, crates[i].name, strlen(crates[i].name), crates[i].dis);

		if (k && k->crc == crates[i].crc)
			continue;
		if (k)
			rv_err("%s: built against %s (its build records), not %s: crate %s[%llx] "
			       "is 0x%08x in the first, 0x%08x in the second",
			       path, e->kdir, given->source, crates[i].name,
			       (unsigned long long)crates[i].dis, crates[i].crc, k->crc);
		else
			rv_err("%s: built against %s (its build records), not %s: crate %s[%llx] "
			       "is not in the second",
			       path, e->kdir, given->source, crates[i].name,
			       (unsigned long long)crates[i].dis);
		err = -1;
	}
	return err;
}

/* The table of the tree the evidence names (loaded once for many modules). */
static const struct table *built_table(struct stamp_opts *o, const struct evidence *e)
{
	if (o->built_loaded && !strcmp(o->built.kdir, e->kdir))
		return &o->built;
	if (o->built_loaded)
		table_free(&o->built);
	o->built_loaded = false;
	if (table_from_kdir(&o->built, e->kdir, false))
		return NULL;
	o->built_loaded = true;
	return &o->built;
}

/* True when @a and @b name one directory (a --prefix-map may go through a symlink). */
static bool same_dir(const char *a, const char *b)
{
	struct stat sa, sb;

	return !strcmp(a, b) ||
	       (!stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
}

static int stamp_one(const char *path, struct stamp_opts *o, struct rv_verdict_scratch *scr,
		     struct rv_verdict *v)
{
	struct rv_crate crates[RV_MODULE_MAX_CRATES];
	const struct table *t = o->given;
	struct evidence e = { 0 };
	char rustc_buf[RV_RUSTC_MAX];
	uint8_t *data, *stamp = NULL;
	struct rv_table view;
	const char *rustc;
	struct stat st;
	struct out text;
	size_t size;
	int ret = EXIT_TROUBLE;

	out_init(&text, stdout, false);
	/* @st: the module as read, so that a new build written meanwhile is not overwritten */
	if (read_file_stat(path, &data, &size, &st))
		return EXIT_TROUBLE;
	if (refuse_input(path, data, size))
		goto out;
	/*
	 * Whether it has Rust imports at all is the verdict's, whatever the
	 * table: a C module (of a --tree too) has no build records of rustc
	 * to read and nothing to stamp.
	 */
	view = (struct rv_table){ 0 };
	rv_verdict_check(data, size, &view, scr, v);
	if (v->result == RV_RESULT_NOT_RUST) {
		o->not_rust++;
		if (!o->tree)
			out_str(&text, NULL, "%s: no Rust imports, nothing to stamp\n", path);
		ret = EXIT_PASS;
		goto out;
	}
	if (!o->unverified) {
		if (evidence_load(&e, path, &o->pm, o->by_times))
			goto out;
		if (o->tree_kdir && !same_dir(e.kdir, o->tree_kdir)) {
			rv_err("%s: built against %s (its build records), not the tree %s", path,
			       e.kdir, o->tree_kdir);
			goto out;
		}
		t = built_table(o, &e);
		if (!t)
			goto out;
	}
	view = table_view(t);
	rv_verdict_check(data, size, &view, scr, v);
	if (v->result == RV_RESULT_ERROR) {
		rv_err("%s: %s: %s", path, v->where, v->why);
		goto out;
	}
	if (v->result == RV_RESULT_NOT_RUST || !v->ncrates) {
		if (!o->tree)
			out_str(&text, NULL, "%s: no Rust imports, nothing to stamp\n", path);
		ret = EXIT_PASS;
		goto out;
	}
	if (v->ncrates > RV_TABLE_MAX_CRATES || collect_crates(path, v, t, crates))
		goto out;
	if (!o->unverified && check_evidence(path, &e, t, o->given, crates, v->ncrates))
		goto out;
	rustc = rustc_from_comment(data, size);
	snprintf(rustc_buf, sizeof(rustc_buf), "%s", rustc ? rustc : "");
	stamp = xmalloc(rv_stamp_size(v->ncrates));
	if (rv_stamp_build(stamp, rv_stamp_size(v->ncrates), rustc_buf,
			   o->unverified ? RV_STAMP_F_UNVERIFIED : RV_STAMP_F_EVIDENCE, crates,
			   v->ncrates)) {
		rv_err("%s: cannot build the stamp", path);
		goto out;
	}
	if (stamp_write(path, &st, data, size, stamp, rv_stamp_size(v->ncrates)))
		goto out;
	out_str(&text, NULL, "%s: ", path);
	out_text(&text, "%s %u crate%s %s ", v->stamped ? "re-stamped" : "stamped", v->ncrates,
		 v->ncrates == 1 ? "" : "s",
		 o->unverified ? "UNVERIFIED, from"
		 : e.by_times  ? "from its build records (by file times) against"
			       : "from its build records against");
	out_str(&text, NULL, "%s:", t->source);
	for (uint32_t i = 0; i < v->ncrates; i++) {
		out_crate(&text, " %s", crates[i].name,
			  rv_strnlen(crates[i].name, RV_CRATE_NAME_MAX), crates[i].dis);
		out_text(&text, "=0x%08x", crates[i].crc);
	}
	out_text(&text, "\n");
	ret = EXIT_PASS;
out:
	evidence_free(&e);
	free(stamp);
	free(data);
	return ret;
}

/*
 * The module file of a modules.order line: "DIR/NAME.o" since Linux 6.3
 * (commit f65a486821cf), "DIR/NAME.ko" before; relative to @kdir unless
 * absolute. NULL for anything else.
 */
static char *order_module(const char *kdir, const char *line, size_t len)
{
	const char *sep = line[0] == '/' ? "" : "/", *base = line[0] == '/' ? "" : kdir;

	if (len > 3 && !strcmp(line + len - 3, ".ko"))
		return xasprintf("%s%s%s", base, sep, line);
	if (len > 2 && !strcmp(line + len - 2, ".o"))
		return xasprintf("%s%s%.*s.ko", base, sep, (int)(len - 2), line);
	return NULL;
}

/* --tree KDIR: every module KDIR/modules.order lists, in its order. */
static int stamp_tree(const char *kdir, struct stamp_opts *o, struct rv_verdict_scratch *scr,
		      struct rv_verdict *v)
{
	char *order = xasprintf("%s/modules.order", kdir), *line = NULL;
	unsigned int n = 0, failed = 0, bad = 0;
	size_t cap = 0, lineno = 0;
	int ret = EXIT_PASS, err;
	struct text tx;
	struct out text;
	ssize_t len;

	err = text_open(&tx, order, MAX_TEXT_SIZE);
	if (err) {
		if (err > 0)
			rv_err("--tree %s: no %s: run 'make modules' first", kdir, order);
		free(order);
		return EXIT_TROUBLE;
	}
	while ((len = getline(&line, &cap, tx.f)) > 0) {
		char *ko;
		int r;

		lineno++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (!len)
			continue;
		ko = strlen(line) == (size_t)len ? order_module(kdir, line, (size_t)len) : NULL;
		if (!ko) {
			rv_err("%s:%zu: not a module (DIR/NAME.o or DIR/NAME.ko): %s", order,
			       lineno, line);
			bad++;
			ret = EXIT_TROUBLE;
			continue;
		}
		r = stamp_one(ko, o, scr, v);
		n++;
		if (r != EXIT_PASS)
			failed++;
		if (r > ret)
			ret = r;
		free(ko);
	}
	free(line);
	if (text_end(&tx, order))
		ret = EXIT_TROUBLE;
	text_close(&tx);
	out_init(&text, stdout, false);
	out_str(&text, NULL, "--tree %s: ", kdir);
	printf("%u module%s, %u without Rust imports, %u refused", n, n == 1 ? "" : "s",
	       o->not_rust, failed);
	if (bad)
		printf(", %u line%s of modules.order not understood", bad, bad == 1 ? "" : "s");
	putchar('\n');
	free(order);
	return ret;
}

static int cmd_stamp(int argc, char **argv);

const struct rv_cmd cmd_stamp_def = {
	.name = "stamp",
	.fn = cmd_stamp,
	.summary = "record the crate CRCs a module was built against (its build records)",
	.usage = usage,
};

static int cmd_stamp(int argc, char **argv)
{
	static const struct option opts[] = {
		TARGET_TABLE_OPTIONS,
		{ "tree", required_argument, NULL, 'T' },
		{ "prefix-map", required_argument, NULL, 'p' },
		{ "unverified", no_argument, NULL, 'u' },
		{ "by-times", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tree = NULL;
	struct target tg = { 0 };
	struct stamp_opts o = { 0 };
	struct rv_verdict_scratch *scr;
	struct rv_verdict *v;
	struct table t;
	char real[PATH_MAX];
	int opt, ret = EXIT_PASS;

	if (wants_help(&cmd_stamp_def, argc, argv))
		return EXIT_PASS;
	while ((opt = rv_getopt(argc, argv, ":", opts)) != -1) {
		if (target_option(&tg, opt, optarg))
			continue;
		switch (opt) {
		case 'T': tree = optarg; break;
		case 'u': o.unverified = true; break;
		case 'B': o.by_times = true; break;
		case 'p':
			if (prefix_map_add(&o.pm, optarg)) {
				prefix_map_free(&o.pm);
				return EXIT_TROUBLE;
			}
			break;
		default: prefix_map_free(&o.pm); return option_error(&cmd_stamp_def, argv, opt);
		}
	}
	if (target_usage(&cmd_stamp_def, &tg)) {
		prefix_map_free(&o.pm);
		return EXIT_TROUBLE;
	}
	if ((tree && (optind != argc || o.unverified || tg.kdir || tg.table)) ||
	    (!tree && optind == argc) || (o.unverified && !tg.kdir && !tg.table)) {
		prefix_map_free(&o.pm);
		return usage_error(
			&cmd_stamp_def, "%s",
			tree ? "--tree KDIR takes no MODULE, --kdir, --table or --unverified"
			: optind == argc ? "no MODULE given"
					 : "--unverified needs --kdir DIR or --table FILE");
	}
	if ((tg.kdir || tg.table) && table_load(&t, tg.kdir, tg.table)) {
		prefix_map_free(&o.pm);
		return EXIT_TROUBLE;
	}
	if (tg.kdir || tg.table)
		o.given = &t;
	scr = xcalloc(1, sizeof(*scr));
	v = xcalloc(1, sizeof(*v));
	if (tree) {
		if (!realpath(tree, real)) {
			rv_err("--tree %s: %s", tree, strerror(errno));
			ret = EXIT_TROUBLE;
		} else {
			o.tree = true;
			o.tree_kdir = real;
			ret = stamp_tree(real, &o, scr, v);
		}
	}
	for (int i = optind; !tree && i < argc; i++) {
		int r = stamp_one(argv[i], &o, scr, v);

		if (r > ret)
			ret = r;
	}
	free(scr);
	free(v);
	if (o.given)
		table_free(&t);
	if (o.built_loaded)
		table_free(&o.built);
	prefix_map_free(&o.pm);
	return ret;
}
