// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: command dispatch and the small helpers every command uses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rustver.h"

const char *progname = "rustver";
bool rv_quiet;

/* The commands, in the order the top-level help lists them. */
static const struct rv_cmd *const commands[] = {
	&cmd_table_def, &cmd_stamp_def, &cmd_check_def, &cmd_show_def, &cmd_symbols_def,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void top_usage(FILE *f)
{
	fputs("Usage: rustver COMMAND [OPTIONS] [ARGS]\n"
	      "       rustver help COMMAND\n"
	      "\n"
	      "Checks that Rust kernel modules were built against the interface of the\n"
	      "kernel they are loaded into: a CRC-32 of each Rust crate's .rmeta.\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-9s%s\n", commands[i]->name, commands[i]->summary);
	fputs("  help     print a command's help (as 'rustver COMMAND --help')\n"
	      "\n"
	      "Options: -h, --help (this text), -V, --version.\n"
	      "Exit status: 0 all passed, 1 a verdict failed, 2 usage, I/O or format error.\n",
	      f);
}

static const struct rv_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(name, commands[i]->name))
			return commands[i];
	return NULL;
}

static void *oom(void)
{
	fprintf(stderr, "%s: out of memory\n", progname);
	exit(EXIT_TROUBLE);
}

_Thread_local FILE *rv_msg_file;

/*
 * One message line: "rustver: KIND MESSAGE", the message escaped as out.c
 * escapes output (a path or a module's string in it cannot end the line or
 * drive the terminal).
 */
static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	FILE *f = rv_msg_file ? rv_msg_file : stderr;
	char *msg;
	int n;

	if (rv_quiet)
		return;
	n = vasprintf(&msg, fmt, ap);
	if (n < 0)
		oom();
	fprintf(f, "%s: %s", progname, kind);
	out_escape(f, msg, (size_t)n);
	fputc('\n', f);
	free(msg);
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

bool wants_help(const struct rv_cmd *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(cmd->usage, stdout);
			return true;
		}
	}
	return false;
}

int usage_error(const struct rv_cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	fprintf(stderr, "%s: %s: ", progname, cmd->name);
	out_escape(stderr, msg, (size_t)n);
	fprintf(stderr, "\nTry '%s %s --help'.\n", progname, cmd->name);
	free(msg);
	return EXIT_TROUBLE;
}

/* The option rv_getopt() found with an empty value, for option_error(). */
static const char *empty_long;
static int empty_short;

int rv_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	int idx = -1, opt = getopt_long(argc, argv, shortopts, longopts, &idx);

	if (opt != -1 && opt != '?' && opt != ':' && optarg && !*optarg) {
		empty_long = idx >= 0 ? longopts[idx].name : NULL;
		empty_short = opt;
		return '!';
	}
	return opt;
}

int option_error(const struct rv_cmd *cmd, char **argv, int opt)
{
	/* getopt_long() has moved optind past the option it could not take */
	const char *arg = argv[optind - 1];

	if (opt == ':')
		return usage_error(cmd, "option '%s' needs an argument", arg);
	if (opt == '!' && empty_long)
		return usage_error(cmd, "option '--%s' needs a value, not an empty one",
				   empty_long);
	if (opt == '!')
		return usage_error(cmd, "option '-%c' needs a value, not an empty one",
				   empty_short);
	if (optopt && arg[0] == '-' && arg[1] != '-')
		return usage_error(cmd, "unknown option '-%c'", optopt);
	return usage_error(cmd, "unknown option '%s'", arg);
}

bool target_option(struct target *t, int opt, const char *arg)
{
	switch (opt) {
	case 'K': t->kdir = arg; return true;
	case 't': t->table = arg; return true;
	case 'k': t->release = arg; return true;
	case 'b': t->basedir = arg; return true;
	}
	return false;
}

int target_usage(const struct rv_cmd *cmd, const struct target *t)
{
	if (t->kdir && t->table)
		return usage_error(cmd, "give either --kdir or --table, not both");
	return 0;
}

/* The fuzzer builds this file with -Dmain=rustver_main. */
/*
 * Whatever a command printed must have reached standard output: a write
 * error there (a full disk, /dev/full, a closed pipe) turns any exit status
 * into EXIT_TROUBLE, with a message.
 */
static int flushed(int ret)
{
	if (fflush(stdout) || ferror(stdout)) {
		rv_err("write error on standard output%s%s", errno ? ": " : "",
		       errno ? strerror(errno) : "");
		return EXIT_TROUBLE;
	}
	return ret;
}

static int dispatch(int argc, char **argv);
int main(int argc, char **argv);
int main(int argc, char **argv)
{
	return flushed(dispatch(argc, argv));
}

static int dispatch(int argc, char **argv)
{
	const struct rv_cmd *cmd;

	opterr = 0; /* option_error() says it, naming the command */
	if (argc < 2) {
		top_usage(stderr);
		return EXIT_TROUBLE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		top_usage(stdout);
		return EXIT_PASS;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc == 2) {
			top_usage(stdout);
			return EXIT_PASS;
		}
		cmd = find_command(argv[2]);
		if (!cmd || argc > 3) {
			if (cmd)
				rv_err("help: one COMMAND at a time (try 'rustver --help')");
			else
				rv_err("help: no such command '%s' (try 'rustver --help')",
				       argv[2]);
			return EXIT_TROUBLE;
		}
		fputs(cmd->usage, stdout);
		return EXIT_PASS;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("rustver %s (stamp format %d)\n", RUSTVER_VERSION, RV_STAMP_VERSION);
		return EXIT_PASS;
	}
	cmd = find_command(argv[1]);
	if (cmd)
		return cmd->fn(argc - 1, argv + 1);
	rv_err("unknown command '%s' (try 'rustver --help')", argv[1]);
	return EXIT_TROUBLE;
}
