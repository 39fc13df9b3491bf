// SPDX-License-Identifier: GPL-2.0
/*
 * rustver table: the crate table of a kernel build tree.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "rustver.h"

static const char usage[] =
	"Usage: rustver table --kdir DIR [--no-rust] [-q] [--json] [-o FILE] [--c-header FILE]\n"
	"       rustver table --table FILE [-q] [--json] [-o FILE] [--c-header FILE]\n"
	"\n"
	"Prints the crate table of the kernel build tree DIR: one line per Rust\n"
	"crate, 'name[disambiguator] 0xCRC32', sorted by name, where the CRC is the\n"
	"CRC-32 (zlib) of DIR/rust/lib<name>.rmeta and the disambiguator is read from\n"
	"the kernel's Rust symbols (DIR/Module.symvers, DIR/vmlinux). Lines starting\n"
	"with '#' are comments: the kernel release, UTS version, vmlinux build-id and\n"
	"rustc version, and any crate whose disambiguator could not be found.\n"
	"\n"
	"  --kdir DIR        kernel build tree (holds rust/*.rmeta)\n"
	"  --no-rust         accept a tree without Rust: an empty table that still\n"
	"                    names the build (for kernels without CONFIG_RUST)\n"
	"  --table FILE      read a table file instead (e.g. to make a C header for a\n"
	"                    kernel whose headers ship no .rmeta)\n"
	"  --json            print JSON instead of text\n"
	"  -o, --output FILE write to FILE instead of standard output\n"
	"  --c-header FILE   also write the table as a C header (for rustver_core)\n"
	"  -q, --quiet       no warnings for crates left out (they stay as comments)\n"
	"\n"
	"A FILE is replaced atomically, keeping its owner, mode, extended attributes\n"
	"and ACLs (a symlink: its target); a device or FIFO is written into; a\n"
	"directory, socket or file with several hard links is refused.\n";

static int cmd_table(int argc, char **argv);

const struct rv_cmd cmd_table_def = {
	.name = "table",
	.fn = cmd_table,
	.summary = "print the crate table of a kernel build tree",
	.usage = usage,
};

static int cmd_table(int argc, char **argv)
{
	static const struct option opts[] = {
		TARGET_TABLE_OPTIONS,
		{ "no-rust", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "c-header", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *header = NULL;
	struct target tg = { 0 };
	bool json = false, no_rust = false, quiet = false;
	struct table t;
	FILE *f = stdout;
	char *text = NULL;
	size_t len = 0;
	int c, ret = EXIT_PASS;

	if (wants_help(&cmd_table_def, argc, argv))
		return EXIT_PASS;
	while ((c = rv_getopt(argc, argv, ":o:q", opts)) != -1) {
		if (target_option(&tg, c, optarg))
			continue;
		switch (c) {
		case 'n': no_rust = true; break;
		case 'q': quiet = true; break;
		case 'j': json = true; break;
		case 'o': out = optarg; break;
		case 'c': header = optarg; break;
		default: return option_error(&cmd_table_def, argv, c);
		}
	}
	if (optind != argc)
		return usage_error(&cmd_table_def, "unexpected argument '%s'", argv[optind]);
	if (target_usage(&cmd_table_def, &tg))
		return EXIT_TROUBLE;
	if (!tg.kdir && !tg.table)
		return usage_error(&cmd_table_def, "give --kdir DIR or --table FILE");
	if (tg.kdir ? table_from_kdir(&t, tg.kdir, no_rust) : table_from_file(&t, tg.table))
		return EXIT_TROUBLE;
	for (uint32_t i = 0; !quiet && i < t.nmissing; i++)
		rv_warn("%s: crate %s", tg.kdir ? tg.kdir : tg.table, t.missing[i]);
	if (header && table_write_c_header(&t, header))
		ret = EXIT_TROUBLE;
	if (out && !(f = open_memstream(&text, &len))) {
		rv_err("%s: cannot create: %s", out, strerror(errno));
		table_free(&t);
		return EXIT_TROUBLE;
	}
	if (json) {
		struct out o;

		out_init(&o, f, true);
		table_write_json(&t, &o);
	} else {
		table_write_text(&t, f);
	}
	if (f != stdout) {
		struct replace r;

		if (fclose(f)) {
			rv_err("%s: write error: %s", out, strerror(errno));
			ret = EXIT_TROUBLE;
		} else {
			if (replace_file(&r, out, NULL, text, len, NULL, 0)) {
				rv_err("%s: %s", r.shown, r.why);
				ret = EXIT_TROUBLE;
			}
			replace_end(&r);
		}
		free(text);
	}
	table_free(&t);
	return ret;
}
