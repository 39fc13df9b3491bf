// SPDX-License-Identifier: GPL-2.0
/*
 * rustver table: the crate table of a kernel build tree.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "rustver.h"

static const char usage[] =
	"Usage: rustver table --kdir DIR [--no-rust] [--json] [-o FILE] [--c-header FILE]\n"
	"                    [--no-exports]\n"
	"       rustver table --table FILE [--json] [-o FILE] [--c-header FILE] [--no-exports]\n"
	"\n"
	"Prints the crate table of the kernel build tree DIR: one line per Rust\n"
	"crate, 'name[disambiguator] 0xCRC32', sorted by name, where the CRC is the\n"
	"CRC-32 (zlib) of DIR/rust/lib<name>.rmeta and the disambiguator is read from\n"
	"the kernel's Rust symbols (DIR/Module.symvers, DIR/vmlinux). Lines starting\n"
	"with '#' are comments: the kernel release, UTS version, vmlinux build-id and\n"
	"rustc version, and any crate whose disambiguator could not be found;\n"
	"'# export: NAME' lines list the tree's exported Rust symbols, whose crates\n"
	"the verdict then takes from the table instead of walking each import's name\n"
	"(an older rustver reads them as comments).\n"
	"\n"
	"  --kdir DIR        kernel build tree (holds rust/*.rmeta)\n"
	"  --no-rust         accept a tree without Rust: an empty table that still\n"
	"                    names the build (for kernels without CONFIG_RUST)\n"
	"  --table FILE      read a table file instead (e.g. to make a C header for a\n"
	"                    kernel whose headers ship no .rmeta)\n"
	"  --json            print JSON instead of text\n"
	"  -o, --output FILE write to FILE instead of standard output\n"
	"  --c-header FILE   also write the table as a C header (for rustver_core)\n"
	"  --no-exports      leave out the tree's exported Rust symbols ('# export:'\n"
	"                    lines; the verdict then walks every import's name)\n"
	"  -q, --quiet       no warnings for crates left out (they stay as comments)\n";

int cmd_table(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kdir", required_argument, NULL, 'k' },
		{ "table", required_argument, NULL, 't' },
		{ "no-rust", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "c-header", required_argument, NULL, 'c' },
		{ "no-exports", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kdir = NULL, *file = NULL, *out = NULL, *header = NULL;
	bool json = false, no_rust = false, quiet = false, no_exports = false;
	struct table t;
	FILE *f = stdout;
	int c, ret = EXIT_PASS;

	if (wants_help(argc, argv, usage))
		return EXIT_PASS;
	while ((c = getopt_long(argc, argv, "o:q", opts, NULL)) != -1) {
		switch (c) {
		case 'k': kdir = optarg; break;
		case 't': file = optarg; break;
		case 'n': no_rust = true; break;
		case 'q': quiet = true; break;
		case 'j': json = true; break;
		case 'o': out = optarg; break;
		case 'c': header = optarg; break;
		case 'x': no_exports = true; break;
		default: fputs(usage, stderr); return EXIT_TROUBLE;
		}
	}
	if (!kdir == !file || optind != argc) {
		rv_err("table: %s",
		       optind != argc ? "unexpected argument"
				      : "--kdir DIR or --table FILE is required (one of them)");
		fputs(usage, stderr);
		return EXIT_TROUBLE;
	}
	if (kdir ? table_from_kdir(&t, kdir, no_rust) : table_from_file(&t, file))
		return EXIT_TROUBLE;
	if (no_exports)
		table_drop_exports(&t);
	for (uint32_t i = 0; !quiet && i < t.nmissing; i++)
		rv_warn("%s: crate %s", kdir, t.missing[i]);
	if (header && table_write_c_header(&t, header))
		ret = EXIT_TROUBLE;
	if (out && !(f = fopen(out, "w"))) {
		rv_err("%s: cannot create: %s", out, strerror(errno));
		table_free(&t);
		return EXIT_TROUBLE;
	}
	if (json)
		table_write_json(&t, f);
	else
		table_write_text(&t, f);
	if (f != stdout && fclose(f)) {
		rv_err("%s: write error: %s", out, strerror(errno));
		ret = EXIT_TROUBLE;
	}
	table_free(&t);
	return ret;
}
