// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: command dispatch and the small helpers every command uses.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rustver.h"

const char *progname = "rustver";
bool rv_quiet;

static const char usage[] =
	"Usage: rustver COMMAND [OPTIONS] [ARGS]\n"
	"\n"
	"Checks that Rust kernel modules were built against the interface of the\n"
	"kernel they are loaded into: a CRC-32 of each Rust crate's .rmeta.\n"
	"\n"
	"Commands:\n"
	"  table   --kdir DIR [--json] [-o FILE] [--c-header FILE]\n"
	"          print the crate table of a kernel build tree\n"
	"  stamp   [--kdir DIR | --table FILE] MODULE.ko... | --tree KDIR\n"
	"          record the crate CRCs a module was built against (its build records)\n"
	"  check   [--kdir DIR | --table FILE] [--json] MODULE...\n"
	"  check   --all [--kernel RELEASE] [--basedir DIR] [--jobs N]\n"
	"          [--index FILE | --no-index] [--budget MIB] [--stats]\n"
	"          give the verdict the kernel would give on loading\n"
	"  show    [--kdir DIR | --table FILE] MODULE\n"
	"          list a module's Rust imports by crate, its stamp and verdict\n"
	"  symbols [--origins] [SYMBOL...]\n"
	"          list the crates of Rust v0 symbols (stdin when none given)\n"
	"\n"
	"Run 'rustver COMMAND --help' for a command's options.\n"
	"Exit status: 0 all passed, 1 a verdict failed, 2 usage, I/O or format error.\n";

_Thread_local FILE *rv_msg_file;

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	FILE *f = rv_msg_file ? rv_msg_file : stderr;

	if (rv_quiet)
		return;
	fprintf(f, "%s: %s", progname, kind);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
}

void rv_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void rv_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

static void *oom(void)
{
	fprintf(stderr, "%s: out of memory\n", progname);
	exit(EXIT_TROUBLE);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	return p ? p : oom();
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	return p ? p : oom();
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	return p ? p : oom();
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	return p ? p : oom();
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	return n < 0 ? oom() : p;
}

bool wants_help(int argc, char **argv, const char *text)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(text, stdout);
			return true;
		}
	}
	return false;
}

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "table", cmd_table }, { "stamp", cmd_stamp },	    { "check", cmd_check },
	{ "show", cmd_show },	{ "symbols", cmd_symbols },
};

/* The fuzzer builds this file with -Dmain=rustver_main. */
int main(int argc, char **argv);
int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_TROUBLE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return EXIT_PASS;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("rustver %s (stamp format %d)\n", RUSTVER_VERSION, RV_STAMP_VERSION);
		return EXIT_PASS;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);

	rv_err("unknown command '%s' (try 'rustver --help')", argv[1]);
	return EXIT_TROUBLE;
}
