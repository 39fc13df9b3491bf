// SPDX-License-Identifier: GPL-2.0
/*
 * rustver table: the crate table of a kernel build tree.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "rustver.h"

static const char usage[] =
	"Usage: rustver table --kdir DIR [--json] [-o FILE] [--c-header FILE]\n"
	"\n"
	"Prints the crate table of the kernel build tree DIR: one line per Rust\n"
	"crate, 'name[disambiguator] 0xCRC32', sorted by name, where the CRC is the\n"
	"CRC-32 (zlib) of DIR/rust/lib<name>.rmeta and the disambiguator is read from\n"
	"the kernel's Rust symbols (DIR/Module.symvers, DIR/vmlinux). Lines starting\n"
	"with '#' are comments: the kernel release, UTS version, vmlinux build-id and\n"
	"rustc version, and any crate whose disambiguator could not be found.\n"
	"\n"
	"  --kdir DIR        kernel build tree (holds rust/*.rmeta)\n"
	"  --json            print JSON instead of text\n"
	"  -o, --output FILE write to FILE instead of standard output\n"
	"  --c-header FILE   also write the table as a C header (for rustver_core)\n";

int cmd_table(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kdir", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "c-header", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kdir = NULL, *out = NULL, *header = NULL;
	bool json = false;
	struct table t;
	FILE *f = stdout;
	int c, ret = EXIT_PASS;

	if (wants_help(argc, argv, usage))
		return EXIT_PASS;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'k': kdir = optarg; break;
		case 'j': json = true; break;
		case 'o': out = optarg; break;
		case 'c': header = optarg; break;
		default: fputs(usage, stderr); return EXIT_TROUBLE;
		}
	}
	if (!kdir || optind != argc) {
		rv_err("table: %s", !kdir ? "--kdir DIR is required" : "unexpected argument");
		fputs(usage, stderr);
		return EXIT_TROUBLE;
	}
	if (table_from_kdir(&t, kdir))
		return EXIT_TROUBLE;
	for (uint32_t i = 0; i < t.nmissing; i++)
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
