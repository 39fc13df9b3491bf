// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: the kernel's Rust exports of a crate table (struct rv_exports),
 * built from their names.
 *
 * Each name is walked once here, as the verdict walks an import of it
 * (rv_v0_parse_str()), and its crates,
 * less the pseudo ones, become the export's crate list: their index in the
 * table and the offset of their name in the export's. A name that does not
 * walk, or that names a crate the table lacks, is left out: an import of
 * it is walked and judged as before. The lists are shared between exports
 * that have the same one; the exports are sorted by hash and bucketed by
 * its top bits. Only the engine and libc are used, so that the unit tests
 * and the fuzzers can link this file alone.
 */
#include <stdlib.h>
#include <string.h>

#include "exportidx.h"

int export_name_check(const char *name, size_t len, const char **why)
{
	if (len < 3 || len > RV_SYMBOL_MAX) {
		*why = len < 3 ? "export name too short" : "export name longer than 4096 bytes";
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		/* a word at a time where it can: b is outside 0x21..0x7e when
		 * b - 0x21 borrows, b + 1 reaches 0x80 or b >= 0x80 */
		const uint64_t ones = 0x0101010101010101ULL;
		uint64_t x;

		if (i + 8 <= len) {
			memcpy(&x, name + i, 8);
			if (!(((x - ones * 0x21) | (x + ones) | x) & (ones << 7))) {
				i += 7;
				continue;
			}
		}
		if (name[i] < 0x21 || name[i] > 0x7e) {
			*why = "export name has a byte outside printable ASCII";
			return -1;
		}
	}
	if (name[0] != '_' || name[1] != 'R' || name[2] < 'A' || name[2] > 'Z') {
		*why = "export name is not a Rust v0 name (_R and an uppercase letter)";
		return -1;
	}
	return 0;
}

int export_parse_line(const char *line, size_t len, const char **name, size_t *name_len,
		      const char **why)
{
	size_t n = strlen(EXPORT_LINE_PREFIX);

	if (len < n || memcmp(line, EXPORT_LINE_PREFIX, n)) {
		*why = "expected '" EXPORT_LINE_PREFIX "' and a name";
		return -1;
	}
	if (export_name_check(line + n, len - n, why))
		return -1;
	*name = line + n;
	*name_len = len - n;
	return 0;
}

struct pending {
	uint32_t hash, name, len, list;
	const char *p; /* the name's bytes, once they all are in place */
};

/* The order of struct rv_exports: hash, length, bytes. */
static int cmp_pending(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->p, y->p, x->len);
}

/* Grows @*p (of @*cap elements of @size bytes) to hold @need; -1: no memory. */
static int grow(void *p, size_t *cap, size_t need, size_t size)
{
	void *q;
	size_t n = *cap ? *cap : 64;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*(void **)p, n * size);
	if (!q)
		return -1;
	*(void **)p = q;
	*cap = n;
	return 0;
}

/* The lists seen so far, found by their contents (open addressing). */
struct lists {
	uint16_t *v;
	size_t n, cap;
	uint32_t *slot; /* 1 + offset in v, 0: empty */
	size_t nslots, used;
};

static uint32_t list_hash(const uint16_t *l)
{
	uint32_t h = 2166136261u;

	for (uint32_t i = 0; i <= 2u * l[0]; i++)
		h = (h ^ l[i]) * 16777619u;
	return h;
}

static int lists_rehash(struct lists *ls)
{
	size_t n = ls->nslots ? ls->nslots * 2 : 256;
	uint32_t *s = calloc(n, sizeof(*s));

	if (!s)
		return -1;
	for (size_t i = 0; i < ls->nslots; i++) {
		size_t j;

		if (!ls->slot[i])
			continue;
		j = list_hash(ls->v + ls->slot[i] - 1) & (n - 1);
		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = ls->slot[i];
	}
	free(ls->slot);
	ls->slot = s;
	ls->nslots = n;
	return 0;
}

/* The offset of list @l (its count, then pairs) in ls->v, added if new; -1: no memory or room. */
static long lists_add(struct lists *ls, const uint16_t *l)
{
	size_t words = 1 + 2u * l[0], j;

	if ((ls->used + 1) * 2 > ls->nslots && lists_rehash(ls))
		return -1;
	j = list_hash(l) & (ls->nslots - 1);
	for (; ls->slot[j]; j = (j + 1) & (ls->nslots - 1)) {
		const uint16_t *o = ls->v + ls->slot[j] - 1;

		if (o[0] == l[0] && !memcmp(o, l, words * sizeof(*l)))
			return (long)ls->slot[j] - 1;
	}
	/* struct rv_export keeps a list's offset in 16 bits */
	if (ls->n + words > 0xffff || grow(&ls->v, &ls->cap, ls->n + words, sizeof(*ls->v)))
		return -1;
	memcpy(ls->v + ls->n, l, words * sizeof(*l));
	ls->slot[j] = (uint32_t)ls->n + 1;
	ls->used++;
	ls->n += words;
	return (long)ls->n - (long)words;
}

/*
 * The crate list of @name (@len bytes) into @l: 1 when it has one, 0 when
 * it is left out (does not walk, names a crate not in the table).
 */
static int crate_list(const struct rv_crate *crates, uint32_t ncrates, const char *name, size_t len,
		      struct rv_v0_scratch *scr, struct rv_v0_result *res, uint16_t *l)
{
	struct rv_table t = { .crates = crates, .count = ncrates };
	size_t n;

	/* the verdict's own walk of an import of it (the name is NUL-terminated) */
	if (rv_v0_parse_str(name, len + 1, scr, res, &n) || n != len)
		return 0;
	l[0] = 0;
	for (uint32_t j = 0; j < res->ncrates; j++) {
		const struct rv_crate_ref *c = &res->crates[j];
		const struct rv_crate *k;

		if (rv_crate_is_pseudo(c->name, c->name_len))
			continue;
		k = rv_table_find(&t, c->name, c->name_len, c->dis);
		if (!k || k - crates >= RV_TABLE_MAX_CRATES)
			return 0;
		l[1 + 2 * l[0]] = (uint16_t)(k - crates);
		l[2 + 2 * l[0]] = (uint16_t)(c->name - name);
		l[0]++;
	}
	return 1;
}

void export_index_free(struct export_index *ix)
{
	free(ix->e);
	free(ix->bucket);
	free(ix->names);
	free(ix->lists);
	memset(ix, 0, sizeof(*ix));
}

int export_index_build(struct export_index *ix, const struct rv_crate *crates, uint32_t ncrates,
		       char *const *names, const size_t *lens, size_t n, const char **why)
{
	struct rv_v0_scratch *scr = malloc(sizeof(*scr));
	struct rv_v0_result *res = malloc(sizeof(*res));
	struct lists ls = { 0 };
	struct pending *p = NULL;
	size_t np = 0, cap_names = 0, nnames = 0, nb;
	uint16_t l[1 + 2 * RV_V0_MAX_CRATES];
	uint32_t bits = 1, max_len = 0;
	int err = -1;

	memset(ix, 0, sizeof(*ix));
	*why = "out of memory";
	if (!scr || !res || (n && !(p = malloc(n * sizeof(*p)))))
		goto out;
	rv_v0_scratch_reset(scr);
	if (n > RV_TABLE_MAX_EXPORTS) {
		*why = "more than 65536 exports";
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		long at;

		if (export_name_check(names[i], lens[i], why))
			goto out;
		if (!crate_list(crates, ncrates, names[i], lens[i], scr, res, l)) {
			ix->skipped++;
			continue;
		}
		at = lists_add(&ls, l);
		if (at < 0) {
			*why = "out of memory, or more than 64 Ki words of crate lists";
			goto out;
		}
		if (nnames + lens[i] > UINT32_MAX ||
		    grow(&ix->names, &cap_names, nnames + lens[i], 1)) {
			*why = "out of memory";
			goto out;
		}
		memcpy(ix->names + nnames, names[i], lens[i]);
		p[np++] = (struct pending){ .hash = rv_export_hash(names[i], lens[i]),
					    .name = (uint32_t)nnames,
					    .len = (uint32_t)lens[i],
					    .list = (uint32_t)at };
		nnames += lens[i];
		if (lens[i] > max_len)
			max_len = (uint32_t)lens[i];
	}
	for (size_t i = 0; i < np; i++)
		p[i].p = ix->names + p[i].name;
	if (np)
		qsort(p, np, sizeof(*p), cmp_pending);
	for (size_t i = 1; i < np; i++) {
		if (!cmp_pending(&p[i - 1], &p[i])) {
			*why = "the same export twice";
			goto out;
		}
	}
	while (bits < RV_EXPORTS_MAX_BITS && (1ul << bits) < np)
		bits++;
	nb = (size_t)1 << bits;
	ix->e = malloc((np ? np : 1) * sizeof(*ix->e));
	ix->bucket = calloc(nb + 1, sizeof(*ix->bucket));
	if (!ix->e || !ix->bucket)
		goto out;
	for (size_t i = 0, b = 0; i < np; i++) {
		ix->e[i] = (struct rv_export){ .hash = p[i].hash,
					       .name = p[i].name,
					       .len = (uint16_t)p[i].len,
					       .crates = (uint16_t)p[i].list };
		/* bucket[b] is the first export of bucket b or a later one */
		for (; b <= p[i].hash >> (32 - bits); b++)
			ix->bucket[b] = (uint32_t)i;
		if (i + 1 == np)
			for (; b <= nb; b++)
				ix->bucket[b] = (uint32_t)np;
	}
	if (!np)
		for (size_t b = 0; b <= nb; b++)
			ix->bucket[b] = 0;
	ix->lists = ls.v;
	ls.v = NULL;
	ix->view = (struct rv_exports){ .version = RV_EXPORTS_VERSION,
					.count = (uint32_t)np,
					.e = ix->e,
					.bucket = ix->bucket,
					.bits = bits,
					.max_len = max_len,
					.names = ix->names,
					.names_size = (uint32_t)nnames,
					.lists = ix->lists,
					.lists_size = (uint32_t)ls.n };
	ix->nlists = (uint32_t)ls.n;
	err = 0;
out:
	if (err)
		export_index_free(ix);
	free(ls.v);
	free(ls.slot);
	free(p);
	free(scr);
	free(res);
	return err;
}
