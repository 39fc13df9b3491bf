// SPDX-License-Identifier: GPL-2.0
/*
 * rustver symbols: the crate roots of Rust v0 symbol names.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "rustver.h"

static const char usage[] =
	"Usage: rustver symbols [--origins] [--json] [SYMBOL...]\n"
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
	"              the instantiating crate (demanglers print only {path})\n"
	"  --json      one JSON object per symbol: \"symbol\", and \"crates\" (each\n"
	"              with its \"origins\") or \"error\" (\"why\", \"offset\")\n";

struct symctx {
	struct rv_v0_scratch scr;
	struct rv_v0_result res;
	struct out o;
	bool origins;
};

static const struct {
	unsigned int bit;
	const char *name;
} origin_names[] = {
	{ RV_ORIGIN_PATH, "path" },
	{ RV_ORIGIN_IMPL, "impl" },
	{ RV_ORIGIN_INST, "inst" },
};

static void origins(struct out *o, unsigned int origin)
{
	const char *sep = "{";

	out_begin_list(o, "origins");
	for (size_t i = 0; i < sizeof(origin_names) / sizeof(origin_names[0]); i++) {
		if (!(origin & origin_names[i].bit))
			continue;
		out_text(o, "%s", sep);
		out_str(o, NULL, "%s", origin_names[i].name);
		sep = ",";
	}
	out_text(o, "%s}", *sep == '{' ? "{" : "");
	out_end_list(o);
}

static int one(struct symctx *s, const char *sym, size_t len)
{
	int err = rv_v0_parse(sym, len, &s->scr, &s->res);
	struct out *o = &s->o;

	out_begin(o, NULL);
	out_bytes(o, "symbol", "%s\t", sym, len);
	if (err) {
		out_begin(o, "error");
		out_str(o, "why", "error: %s", s->res.why);
		out_uint(o, "offset", " at offset %llu\n", s->res.err_pos);
		out_end(o);
		out_end(o);
		return EXIT_VERDICT;
	}
	out_begin_list(o, "crates");
	for (uint32_t i = 0; i < s->res.ncrates; i++) {
		const struct rv_crate_ref *c = &s->res.crates[i];

		out_begin(o, NULL);
		out_text(o, "%s", i ? " " : "");
		out_crate(o, "%s", c->name, c->name_len, c->dis);
		if (s->origins || o->json)
			origins(o, c->origin);
		out_end(o);
	}
	out_end_list(o);
	out_text(o, "\n");
	out_end(o);
	return EXIT_PASS;
}

/*
 * One symbol per line of standard input, each line at most MAX_LINE_SIZE
 * bytes: a longer one (or a NUL byte) is no list of symbols, and ends the
 * run with exit 2 rather than grow memory (symbols < /dev/zero). A read
 * error is not the end of the input.
 */
static int read_lines(struct symctx *s)
{
	char *line = xmalloc(MAX_LINE_SIZE + 1);
	size_t n = 0, lineno = 1;
	int c, ret = EXIT_PASS;

	for (;;) {
		c = getc_unlocked(stdin); /* one thread reads it */
		if (c != EOF && c != '\n') {
			if (n == MAX_LINE_SIZE || c == '\0') {
				if (c)
					rv_err("standard input: line %zu: longer than %zu bytes: "
					       "not a list of symbols",
					       lineno, MAX_LINE_SIZE);
				else
					rv_err("standard input: line %zu: a NUL byte: not a list "
					       "of symbols",
					       lineno);
				ret = EXIT_TROUBLE;
				break;
			}
			line[n++] = (char)c;
			continue;
		}
		while (n > 0 && line[n - 1] == '\r')
			n--;
		line[n] = '\0';
		if (n && one(s, line, n) != EXIT_PASS)
			ret = EXIT_VERDICT;
		n = 0;
		lineno++;
		if (c == EOF)
			break;
	}
	if (ferror(stdin)) {
		rv_err("standard input: read error: %s", strerror(errno));
		ret = EXIT_TROUBLE;
	}
	free(line);
	return ret;
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
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct symctx *s;
	bool json = false;
	int c, ret = EXIT_PASS;

	if (wants_help(&cmd_symbols_def, argc, argv))
		return EXIT_PASS;
	s = xcalloc(1, sizeof(*s));
	while ((c = rv_getopt(argc, argv, ":", opts)) != -1) {
		if (c == 'o') {
			s->origins = true;
		} else if (c == 'j') {
			json = true;
		} else {
			free(s);
			return option_error(&cmd_symbols_def, argv, c);
		}
	}
	out_init(&s->o, stdout, json);
	if (optind < argc) {
		for (int i = optind; i < argc; i++)
			if (one(s, argv[i], strlen(argv[i])) != EXIT_PASS)
				ret = EXIT_VERDICT;
	} else {
		int r = read_lines(s);

		if (r > ret)
			ret = r;
	}
	free(s);
	return ret;
}
