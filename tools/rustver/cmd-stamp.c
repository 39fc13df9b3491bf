// SPDX-License-Identifier: GPL-2.0
/*
 * rustver stamp: record in a module the CRCs of the crates it was built
 * against, after linking and before signing.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "rustver.h"

static const char usage[] =
	"Usage: rustver stamp (--kdir DIR | --table FILE) MODULE.ko...\n"
	"\n"
	"Writes (or replaces) the " RV_STAMP_SECTION " section of each MODULE.ko: for\n"
	"every Rust crate its imports depend on, the crate's CRC in the table of the\n"
	"kernel build tree the module was built against, plus the rustc version\n"
	"from the module's .comment. Run it after the module is linked and before\n"
	"it is signed or compressed; signed and compressed modules are refused.\n"
	"The file is rewritten atomically (temporary file, then rename).\n"
	"\n"
	"  --kdir DIR     the kernel build tree the module was built against\n"
	"  --table FILE   a table file written by 'rustver table' for that tree\n";

#define SIG_MARKER "~Module signature appended~\n"

static int refuse_input(const char *path, const uint8_t *d, size_t n)
{
	static const uint8_t xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	static const uint8_t zst[] = { 0x28, 0xb5, 0x2f, 0xfd };
	size_t ml = sizeof(SIG_MARKER) - 1;

	if ((n >= sizeof(xz) && !memcmp(d, xz, sizeof(xz))) ||
	    (n >= sizeof(zst) && !memcmp(d, zst, sizeof(zst))) ||
	    (n >= 2 && d[0] == 0x1f && d[1] == 0x8b)) {
		rv_err("%s: compressed module: stamp the .ko before compressing it", path);
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

/* Every crate must be known to the table: else it was not built against it. */
static int collect_crates(const char *path, const struct rv_verdict *v, const struct table *t,
			  struct rv_crate *out)
{
	int err = 0;

	for (uint32_t i = 0; i < v->ncrates; i++) {
		const struct rv_crate_verdict *c = &v->crates[i];
		char name[128];

		crate_name(name, sizeof(name), c->name, c->name_len, c->dis);
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

static int stamp_one(const char *path, const struct table *t, struct rv_verdict_scratch *scr,
		     struct rv_verdict *v)
{
	struct rv_table view = table_view(t);
	struct rv_crate crates[RV_MODULE_MAX_CRATES];
	const char *rustc;
	char rustc_buf[RV_RUSTC_MAX];
	uint8_t *data, *stamp = NULL;
	size_t size;
	int ret = EXIT_TROUBLE;

	if (read_file(path, &data, &size))
		return EXIT_TROUBLE;
	if (refuse_input(path, data, size))
		goto out;
	rv_verdict_check(data, size, &view, scr, v);
	if (v->result == RV_RESULT_ERROR) {
		rv_err("%s: %s: %s", path, v->where, v->why);
		goto out;
	}
	if (v->result == RV_RESULT_NOT_RUST) {
		printf("%s: no Rust imports, nothing to stamp\n", path);
		ret = EXIT_PASS;
		goto out;
	}
	if (v->ncrates > RV_TABLE_MAX_CRATES || collect_crates(path, v, t, crates))
		goto out;
	rustc = rustc_from_comment(data, size);
	snprintf(rustc_buf, sizeof(rustc_buf), "%s", rustc ? rustc : "");
	stamp = xmalloc(rv_stamp_size(v->ncrates));
	if (rv_stamp_build(stamp, rv_stamp_size(v->ncrates), rustc_buf, crates, v->ncrates)) {
		rv_err("%s: cannot build the stamp", path);
		goto out;
	}
	if (stamp_write(path, data, size, stamp, rv_stamp_size(v->ncrates)))
		goto out;
	printf("%s: %s %u crate%s:", path, v->stamped ? "re-stamped" : "stamped", v->ncrates,
	       v->ncrates == 1 ? "" : "s");
	for (uint32_t i = 0; i < v->ncrates; i++)
		printf(" %s[%llx]=0x%08x", crates[i].name, (unsigned long long)crates[i].dis,
		       crates[i].crc);
	putchar('\n');
	ret = EXIT_PASS;
out:
	free(stamp);
	free(data);
	return ret;
}

int cmd_stamp(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kdir", required_argument, NULL, 'k' },
		{ "table", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kdir = NULL, *file = NULL;
	struct rv_verdict_scratch *scr;
	struct rv_verdict *v;
	struct table t;
	int opt, ret = EXIT_PASS;

	if (wants_help(argc, argv, usage))
		return EXIT_PASS;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'k': kdir = optarg; break;
		case 't': file = optarg; break;
		default: fputs(usage, stderr); return EXIT_TROUBLE;
		}
	}
	if ((!kdir && !file) || optind == argc) {
		rv_err("stamp: %s",
		       optind == argc
			       ? "no MODULE given"
			       : "--kdir DIR or --table FILE is required (the tree the module "
				 "was built against)");
		fputs(usage, stderr);
		return EXIT_TROUBLE;
	}
	if (table_load(&t, kdir, file))
		return EXIT_TROUBLE;
	scr = xcalloc(1, sizeof(*scr));
	v = xcalloc(1, sizeof(*v));
	for (int i = optind; i < argc; i++) {
		int r = stamp_one(argv[i], &t, scr, v);

		if (r > ret)
			ret = r;
	}
	free(scr);
	free(v);
	table_free(&t);
	return ret;
}
