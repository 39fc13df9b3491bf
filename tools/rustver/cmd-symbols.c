// SPDX-License-Identifier: GPL-2.0
/*
 * rustver symbols: the crate roots of Rust v0 symbol names.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "rustver.h"

static const char usage[] =
	"Usage: rustver symbols [--origins] [SYMBOL...]\n"
	"\n"
	"For each Rust v0 symbol (from the arguments, or one per line on standard\n"
	"input when none are given) prints\n"
	"  SYMBOL<TAB>crate[hex] crate[hex] ...\n"
	"the defining crate first, then every other crate root of the name in order\n"
	"of first appearance, each once. A name that is not a valid v0 symbol gets\n"
	"  SYMBOL<TAB>error: REASON at offset N\n"
	"and the exit status is 1.\n"
	"\n"
	"  --origins   after each crate, where it appears: {path} printed path,\n"
	"              types or consts; {impl} impl path of an M/X path; {inst}\n"
	"              the instantiating crate (demanglers print only {path})\n";

struct symctx {
	struct rv_v0_scratch scr;
	struct rv_v0_result res;
	bool origins;
};

static int one(struct symctx *s, const char *sym, size_t len)
{
	int err = rv_v0_parse(sym, len, &s->scr, &s->res);

	fwrite(sym, 1, len, stdout);
	if (err) {
		printf("\terror: %s at offset %zu\n", s->res.why, s->res.err_pos);
		return EXIT_VERDICT;
	}
	putchar('\t');
	for (uint32_t i = 0; i < s->res.ncrates; i++) {
		const struct rv_crate_ref *c = &s->res.crates[i];

		printf("%s%.*s[%llx]", i ? " " : "", (int)c->name_len, c->name,
		       (unsigned long long)c->dis);
		if (s->origins)
			printf("{%s%s%s}", c->origin & RV_ORIGIN_PATH ? "path" : "",
			       c->origin & RV_ORIGIN_IMPL
				       ? (c->origin & RV_ORIGIN_PATH ? ",impl" : "impl")
				       : "",
			       c->origin & RV_ORIGIN_INST
				       ? (c->origin & (RV_ORIGIN_PATH | RV_ORIGIN_IMPL) ? ",inst"
											: "inst")
				       : "");
	}
	putchar('\n');
	return EXIT_PASS;
}

static int cmd_symbols(int argc, char **argv);

const struct rv_cmd cmd_symbols_def = {
	.name = "symbols",
	.fn = cmd_symbols,
	.summary = "list the crates of Rust v0 symbols (stdin when none given)",
	.usage = usage,
};

static int cmd_symbols(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "origins", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct symctx *s;
	int c, ret = EXIT_PASS;

	if (wants_help(&cmd_symbols_def, argc, argv))
		return EXIT_PASS;
	s = xcalloc(1, sizeof(*s));
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (c != 'o') {
			free(s);
			return option_error(&cmd_symbols_def, argv, c);
		}
		s->origins = true;
	}
	if (optind < argc) {
		for (int i = optind; i < argc; i++)
			if (one(s, argv[i], strlen(argv[i])) != EXIT_PASS)
				ret = EXIT_VERDICT;
	} else {
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;

		while ((n = getline(&line, &cap, stdin)) >= 0) {
			while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
				n--;
			if (n == 0)
				continue;
			if (one(s, line, (size_t)n) != EXIT_PASS)
				ret = EXIT_VERDICT;
		}
		free(line);
	}
	free(s);
	if (fflush(stdout)) {
		rv_err("write error on standard output");
		return EXIT_TROUBLE;
	}
	return ret;
}
