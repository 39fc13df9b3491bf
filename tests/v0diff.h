/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The path cache of the v0 walker (lib/v0.c, path_replay()) must never
 * change a result: rv_v0_parse(), which starts with an empty cache, and
 * rv_v0_parse_str() with a cache carried from call to call (as the verdict
 * carries it through a module) agree field by field on every input. Used
 * by fuzz/fuzz-v0.c on every fuzz input and by tests/check-corpus.c on
 * every corpus file. Not an engine header: tests only.
 */
#ifndef RUSTVER_TESTS_V0DIFF_H
#define RUSTVER_TESTS_V0DIFF_H

#include <stdlib.h>
#include <string.h>

#include <rustver/v0.h>

/*
 * Parses @len bytes at @name both ways (@cold: any scratch; @warm: a
 * scratch whose cache lives across calls, reset once before the first).
 * Returns NULL when they agree, else what differs.
 */
static inline const char *v0diff(const char *name, size_t len, struct rv_v0_scratch *cold,
				 struct rv_v0_scratch *warm)
{
	static struct rv_v0_result a, b;
	const char *why = NULL;
	size_t blen, i;
	char *c;
	int ea, eb;

	if (memchr(name, '\0', len))
		return NULL; /* rv_v0_parse_str() stops at a NUL */
	c = malloc(len + 1);
	if (!c)
		return "out of memory";
	memcpy(c, name, len);
	c[len] = '\0';
	ea = rv_v0_parse(c, len, cold, &a);
	eb = rv_v0_parse_str(c, len + 1, warm, &b, &blen);
	if (blen != (len > RV_SYMBOL_MAX ? RV_SYMBOL_MAX + 1 : len))
		why = "measured length";
	else if (ea != eb)
		why = "error code";
	else if (a.err_pos != b.err_pos)
		why = "error position";
	else if (a.why != b.why && (!a.why || !b.why || strcmp(a.why, b.why)))
		why = "error reason";
	else if (a.ncrates != b.ncrates)
		why = "number of crates";
	for (i = 0; !why && i < a.ncrates; i++) {
		if (a.crates[i].name != b.crates[i].name ||
		    a.crates[i].name_len != b.crates[i].name_len ||
		    a.crates[i].dis != b.crates[i].dis || a.crates[i].origin != b.crates[i].origin)
			why = "a crate";
	}
	free(c);
	return why;
}

#endif /* RUSTVER_TESTS_V0DIFF_H */
