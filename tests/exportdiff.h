/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The verdict's fast path (struct rv_exports: an import whose bytes are one
 * of the kernel's exports takes the export's crates instead of a walk) must
 * never change a verdict. exportdiff() judges a module image against two
 * tables with the same crates, one without exports and one whose exports
 * are the module's own imported names (so that every import that walks is
 * taken by the fast path), and compares the verdicts field by field,
 * pointers included. Used by tests/check-corpus.c on every corpus file and
 * fixture and by fuzz/fuzz-elf.c on every fuzz input, as tests/v0diff.h is
 * for the path cache. Not an engine header: tests only.
 */
#ifndef RUSTVER_TESTS_EXPORTDIFF_H
#define RUSTVER_TESTS_EXPORTDIFF_H

#include <stdlib.h>
#include <string.h>

#include <rustver/verdict.h>

#include "exportidx.h"

/* The exports the last exportdiff() built: how many imports took the fast path. */
static size_t exportdiff_exports;

/* Two verdicts are the same, field by field; NULL or what differs. */
static inline const char *verdict_diff(int ea, const struct rv_verdict *a, int eb,
				       const struct rv_verdict *b)
{
	u32 i;

	if (ea != eb || a->err != b->err)
		return "return value";
	if (a->result != b->result || a->rust_imports != b->rust_imports ||
	    a->nfailed != b->nfailed || a->intree != b->intree || a->stamped != b->stamped ||
	    a->old_stamp != b->old_stamp || a->stamp != b->stamp ||
	    a->stamp_size != b->stamp_size || a->stamp_flags != b->stamp_flags ||
	    a->rustc_differs != b->rustc_differs || a->stamp_rustc != b->stamp_rustc)
		return "module fields";
	if (a->where != b->where || a->why != b->why || a->bad_symbol != b->bad_symbol ||
	    a->bad_symbol_pos != b->bad_symbol_pos)
		return "error fields";
	if (a->ncrates != b->ncrates)
		return "number of crates";
	for (i = 0; i < a->ncrates; i++) {
		const struct rv_crate_verdict *x = &a->crates[i], *y = &b->crates[i];

		if (x->name != y->name || x->name_len != y->name_len || x->dis != y->dis ||
		    x->status != y->status || x->has_stamp_crc != y->has_stamp_crc ||
		    x->has_kernel_crc != y->has_kernel_crc || x->stamp_crc != y->stamp_crc ||
		    x->kernel_crc != y->kernel_crc || x->kernel_dis != y->kernel_dis ||
		    x->nsyms != y->nsyms || x->example != y->example ||
		    x->example_len != y->example_len)
			return "a crate";
	}
	return NULL;
}

struct exportdiff_names {
	char **names;
	size_t *lens;
	size_t n, cap;
};

static inline void exportdiff_add(struct exportdiff_names *l, const char *name, size_t len)
{
	if (len > RV_SYMBOL_MAX || l->n == RV_TABLE_MAX_EXPORTS)
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->names = realloc(l->names, l->cap * sizeof(*l->names));
		l->lens = realloc(l->lens, l->cap * sizeof(*l->lens));
		if (!l->names || !l->lens)
			abort();
	}
	l->names[l->n] = malloc(len + 1);
	if (!l->names[l->n])
		abort();
	memcpy(l->names[l->n], name, len);
	l->names[l->n][len] = '\0';
	l->lens[l->n++] = len;
}

static inline int exportdiff_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the crates of the v0 name @name to @c (@n of them, at most RV_TABLE_MAX_CRATES). */
static inline void exportdiff_crates(struct rv_crate *c, u32 *n, const char *name, size_t len,
				     struct rv_v0_scratch *scr)
{
	struct rv_v0_result r;
	struct rv_table t = { .crates = c, .count = *n };

	if (rv_v0_parse(name, len, scr, &r))
		return;
	for (u32 j = 0; j < r.ncrates && *n < RV_TABLE_MAX_CRATES; j++) {
		if (r.crates[j].name_len >= RV_CRATE_NAME_MAX ||
		    rv_table_find(&t, r.crates[j].name, r.crates[j].name_len, r.crates[j].dis))
			continue;
		memset(&c[*n], 0, sizeof(c[*n]));
		memcpy(c[*n].name, r.crates[j].name, r.crates[j].name_len);
		c[*n].dis = r.crates[j].dis;
		c[*n].crc = 0x5eed0000u ^ *n;
		t.count = ++*n;
	}
}

/*
 * Judges the @size bytes at @data against @base's crates plus those of its
 * imports, without exports and with its imports as exports. Returns NULL
 * when the verdicts agree, else what differs. @scr: working memory.
 */
static inline const char *exportdiff(const u8 *data, size_t size, const struct rv_table *base,
				     struct rv_verdict_scratch *scr)
{
	static struct rv_verdict va, vb;
	static struct rv_crate crates[RV_TABLE_MAX_CRATES];
	static struct rv_v0_scratch v0;
	struct exportdiff_names l = { 0 };
	struct export_index ix;
	struct rv_elf_sym sym;
	struct rv_table t0, t1;
	struct rv_elf elf;
	const char *why = NULL, *name;
	u32 ncrates = 0, i;
	size_t n, len;
	int ea, eb;

	exportdiff_exports = 0;
	for (i = 0; i < base->count && i < RV_TABLE_MAX_CRATES; i++)
		crates[ncrates++] = base->crates[i];
	/* the undefined v0 names and livepatch references, as the verdict reads them */
	if (!rv_elf_open(&elf, data, size)) {
		for (i = 1; i < elf.nsyms; i++) {
			if (rv_elf_sym(&elf, i, &sym))
				continue;
			name = sym.name;
			len = rv_elf_sym_name_len(&sym, RV_SYMBOL_MAX + 1);
			if (sym.shndx == RV_SHN_LIVEPATCH && len > 9 &&
			    !memcmp(name, ".klp.sym.", 9)) {
				const char *dot = memchr(name + 9, '.', len - 9), *comma;

				if (!dot)
					continue;
				comma = memchr(dot + 1, ',', len - (size_t)(dot + 1 - name));
				len = (comma ? (size_t)(comma - dot - 1)
					     : len - (size_t)(dot + 1 - name));
				name = dot + 1;
			} else if (!rv_elf_sym_undefined(&sym)) {
				continue;
			}
			if (!rv_v0_is_v0(name, len) || export_name_check(name, len, &why))
				continue;
			exportdiff_crates(crates, &ncrates, name, len, &v0);
			exportdiff_add(&l, name, len);
		}
	}
	/* each name once, as a table lists them */
	if (l.n)
		qsort(l.names, l.n, sizeof(*l.names), exportdiff_cmp);
	for (i = 0, n = 0; i < l.n; i++) {
		if (n && !strcmp(l.names[n - 1], l.names[i])) {
			free(l.names[i]);
			continue;
		}
		l.names[n++] = l.names[i];
	}
	l.n = n;
	for (i = 0; i < l.n; i++)
		l.lens[i] = strlen(l.names[i]);
	t0 = (struct rv_table){ .crates = crates, .count = ncrates, .rustc = base->rustc };
	t1 = t0;
	if (export_index_build(&ix, crates, ncrates, l.names, l.lens, l.n, &why)) {
		why = "the exports could not be built";
		goto out;
	}
	t1.exports = ix.view;
	exportdiff_exports = ix.view.count;
	if (rv_table_check(&t1, &why)) {
		why = "the exports do not pass rv_table_check()";
		goto free_ix;
	}
	why = NULL;
	ea = rv_verdict_check(data, size, &t0, scr, &va);
	eb = rv_verdict_check(data, size, &t1, scr, &vb);
	why = verdict_diff(ea, &va, eb, &vb);
	if (!why && rv_exports_verify(&t1, scr, &name, NULL))
		why = "rv_exports_verify() refuses the exports";
free_ix:
	export_index_free(&ix);
out:
	for (i = 0; i < l.n; i++)
		free(l.names[i]);
	free(l.names);
	free(l.lens);
	return why;
}

#endif /* RUSTVER_TESTS_EXPORTDIFF_H */
