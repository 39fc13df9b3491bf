// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the kernel's exports in a crate table (struct rv_exports):
 * the "# export: NAME" line of the text format and the builder
 * (tools/rustver/exportidx.c), the bounds rv_exports_check() enforces on
 * every field, the lookup (rv_exports_find(): a name that only shares an
 * export's hash is walked), and the verdict with and without them
 * (tests/exportdiff.h): the same, field by field, on the fixtures; a table
 * without exports (an older rustver's, or another RV_EXPORTS_VERSION)
 * walks every import and gives the same verdict.
 */
#include <rustver/verdict.h>

#include "testutil.h"
#include "exportdiff.h"

static struct rv_verdict_scratch scr;
static struct rv_verdict v;

/* symbols.txt of the fixtures: user.o's names, each once */
static char *names[256];
static size_t lens[256];
static size_t nnames;
/* their crates, as a table */
static struct rv_crate crates[RV_TABLE_MAX_CRATES];
static u32 ncrates;

static void load_names(void)
{
	static struct rv_v0_scratch s;
	size_t size;
	char *list = (char *)tu_load_fixture("symbols.txt", &size), *line, *save = NULL;

	list = realloc(list, size + 1);
	ck_assert_ptr_nonnull(list);
	list[size] = '\0';
	nnames = 0;
	ncrates = 0;
	for (line = strtok_r(list, "\n", &save); line && nnames < 256;
	     line = strtok_r(NULL, "\n", &save)) {
		lens[nnames] = strlen(line);
		names[nnames++] = strdup(line);
		exportdiff_crates(crates, &ncrates, line, strlen(line), &s);
	}
	free(list);
	ck_assert_uint_ge(nnames, 40);
}

static void free_names(void)
{
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	nnames = 0;
}

/* The exports of @n names against the fixtures' crates: must build. */
static void build(struct export_index *ix, char *const *list, const size_t *l, size_t n)
{
	const char *why = NULL;

	ck_assert_msg(!export_index_build(ix, crates, ncrates, list, l, n, &why), "build: %s", why);
}

static struct rv_table table_of(const struct export_index *ix)
{
	return (struct rv_table){ .crates = crates,
				  .count = ncrates,
				  .exports = ix ? ix->view : (struct rv_exports){ 0 } };
}

/* ---- a module in memory: undefined symbols named @n names ---- */

struct memmod {
	u8 syms[RV_ELF_SYM_SIZE * 8];
	char str[4 * RV_SYMBOL_MAX];
	struct rv_module m;
};

static const struct rv_module *memmod(struct memmod *mm, const char *const *list, u32 n)
{
	u32 at = 1, i;

	ck_assert_uint_lt(n, 8);
	memset(mm, 0, sizeof(*mm));
	for (i = 0; i < n; i++) {
		size_t len = strlen(list[i]);

		ck_assert_uint_lt(at + len + 1, sizeof(mm->str));
		memcpy(mm->str + at, list[i], len + 1);
		rv_put_le32(mm->syms + RV_ELF_SYM_SIZE * (i + 1), at);
		mm->syms[RV_ELF_SYM_SIZE * (i + 1) + 4] = 0x10; /* STB_GLOBAL, STT_NOTYPE */
		at += (u32)len + 1;
	}
	mm->m = (struct rv_module){
		.syms = mm->syms, .nsyms = n + 1, .str = mm->str, .str_size = at
	};
	return &mm->m;
}

/* ------------------------------------------------------------- lines */

static void assert_line(const char *line, const char *want)
{
	const char *name = NULL, *why = NULL;
	size_t len = 0;

	ck_assert_msg(!export_parse_line(line, strlen(line), &name, &len, &why), "'%s': %s", line,
		      why);
	ck_assert_msg(len == strlen(want) && !memcmp(name, want, len), "'%s' read as '%.*s'", line,
		      (int)len, name);
}

static void assert_bad_line(const char *line, size_t len)
{
	const char *name = NULL, *why = NULL;
	size_t n;

	ck_assert_msg(export_parse_line(line, len, &name, &n, &why) == -1,
		      "'%.60s' (%zu bytes) was accepted", line, len);
	ck_assert_msg(why != NULL, "'%.60s': refused without a reason", line);
}

START_TEST(export_lines_parse)
{
	assert_line("# export: _RNvCsd1rLqBRIPzY_6kcrate5apply", "_RNvCsd1rLqBRIPzY_6kcrate5apply");
	assert_line("# export: _RNv", "_RNv"); /* a name; whether it walks is the builder's */
	assert_line("# export: _RNvC3foo.llvm.123$x", "_RNvC3foo.llvm.123$x");
}
END_TEST

START_TEST(export_lines_malformed)
{
	static const char *const bad[] = {
		"#export: _RNvC3foo",	   /* not the prefix */
		"# export:_RNvC3foo",	   /* no space */
		"# Export: _RNvC3foo",	   /* case */
		"# export: ",		   /* no name */
		"# export: _R",		   /* too short */
		"# export: _RNvC3foo bar", /* a space: two words */
		"# export: _RNvC3foo\t",   /* a tab */
		"# export:  _RNvC3foo",	   /* a space before the name */
		"# export: _ZN3foo3barE",  /* C++ */
		"# export: _R0NvC3foo",	   /* a v0 version: not a path */
		"# export: _RnvC3foo",	   /* lowercase after _R */
		"# export: RNvC3foo",
		"# export: _RNvC3f\x7fo",
		"# export: _RNvC3f\x80o",
		"# export: _RNvC3f\x01o",
	};
	char *big;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_bad_line(bad[i], strlen(bad[i]));
	/* a NUL inside the line */
	assert_bad_line("# export: _RNv\0C3foo", 20);
	/* RV_SYMBOL_MAX bytes of name, then one more */
	big = malloc(16 + RV_SYMBOL_MAX + 2);
	ck_assert_ptr_nonnull(big);
	strcpy(big, EXPORT_LINE_PREFIX "_RN");
	memset(big + strlen(big), 'a', RV_SYMBOL_MAX - 3);
	big[strlen(EXPORT_LINE_PREFIX) + RV_SYMBOL_MAX] = '\0';
	assert_line(big, big + strlen(EXPORT_LINE_PREFIX));
	strcat(big, "a");
	assert_bad_line(big, strlen(big));
	free(big);
}
END_TEST

/* ------------------------------------------------------------- builder */

START_TEST(build_leaves_out_what_it_cannot_index)
{
	char *list[] = { "_RNvCsd1rLqBRIPzY_6kcrate5apply", /* indexed */
			 "_RNvCsd1rLqBRIPzY_6kcrate",	    /* does not walk */
			 "_RNvCs1234_5alien5apply",	    /* a crate not in the table */
			 "_RNvCsfLfy6EI15iL_7___rustc17rust_begin_unwind", /* only __rustc */
			 "_RNvCsd1rLqBRIPzY_6kcrateu9gre_6ka8i" };	   /* punycode: indexed */
	size_t l[5];
	struct export_index ix;
	struct rv_table t;
	const char *why;
	size_t len;

	load_names();
	for (int i = 0; i < 5; i++)
		l[i] = strlen(list[i]);
	build(&ix, list, l, 5);
	ck_assert_uint_eq(ix.view.count, 3);
	ck_assert_uint_eq(ix.skipped, 2);
	t = table_of(&ix);
	ck_assert_int_eq(rv_table_check(&t, &why), 0);
	ck_assert_ptr_nonnull(rv_exports_find(&ix.view, list[0], l[0] + 1, &len));
	ck_assert_ptr_null(rv_exports_find(&ix.view, list[1], l[1] + 1, &len));
	ck_assert_ptr_null(rv_exports_find(&ix.view, list[2], l[2] + 1, &len));
	/* rustc's own crate root is left out of the list, as the verdict leaves it */
	ck_assert_uint_eq(ix.view.lists[rv_exports_find(&ix.view, list[3], l[3] + 1, &len)->crates],
			  0);
	ck_assert_int_eq(rv_exports_verify(&t, &scr, &why, NULL), 0);
	export_index_free(&ix);
	free_names();
}
END_TEST

START_TEST(build_refuses_duplicates_and_bounds)
{
	char *list[] = { "_RNvCsd1rLqBRIPzY_6kcrate5apply", "_RNvCsd1rLqBRIPzY_6kcrate5apply" };
	size_t l[2] = { strlen(list[0]), strlen(list[1]) }, i, n = RV_TABLE_MAX_EXPORTS + 1;
	struct export_index ix;
	const char *why = NULL;
	char **many, *bad[] = { "_RNvC3f o" };
	size_t *ml, bl[] = { 9 };

	load_names();
	ck_assert_int_eq(export_index_build(&ix, crates, ncrates, list, l, 2, &why), -1);
	ck_assert_str_eq(why, "the same export twice");
	ck_assert_int_eq(export_index_build(&ix, crates, ncrates, bad, bl, 1, &why), -1);
	/* one more than a table may hold */
	many = calloc(n, sizeof(*many));
	ml = calloc(n, sizeof(*ml));
	ck_assert(many && ml);
	for (i = 0; i < n; i++) {
		many[i] = list[0];
		ml[i] = l[0];
	}
	why = NULL;
	ck_assert_int_eq(export_index_build(&ix, crates, ncrates, many, ml, n, &why), -1);
	ck_assert_str_eq(why, "more than 65536 exports");
	free(many);
	free(ml);
	free_names();
}
END_TEST

/* --------------------------------------------------------------- lookup */

START_TEST(find_every_export_and_nothing_else)
{
	struct export_index ix;
	const struct rv_export *e;
	size_t len, i;
	char *c;

	load_names();
	build(&ix, names, lens, nnames);
	ck_assert_uint_ge(ix.view.count, nnames - 6);
	for (i = 0; i < nnames; i++) {
		e = rv_exports_find(&ix.view, names[i], lens[i] + 1, &len);
		if (!e)
			continue; /* left out: the walk judges it */
		ck_assert_uint_eq(len, lens[i]);
		ck_assert(!memcmp(ix.view.names + e->name, names[i], len));
		/* an exact-size copy without its NUL: @max bytes are the name */
		c = tu_dup(names[i], lens[i]);
		ck_assert_ptr_eq(rv_exports_find(&ix.view, c, lens[i], &len), e);
		/* one byte fewer is another name */
		ck_assert_ptr_null(rv_exports_find(&ix.view, c, lens[i] - 1, &len));
		free(c);
		/* one byte more, or one byte changed, is another name */
		c = malloc(lens[i] + 2);
		memcpy(c, names[i], lens[i]);
		memcpy(c + lens[i], "x", 2);
		ck_assert_ptr_null(rv_exports_find(&ix.view, c, lens[i] + 2, &len));
		c[lens[i] - 1] ^= 1;
		c[lens[i]] = '\0';
		ck_assert_ptr_null(rv_exports_find(&ix.view, c, lens[i] + 1, &len));
		free(c);
	}
	export_index_free(&ix);
	free_names();
}
END_TEST

/* Names the table has nothing of: no bytes read past @max or the NUL. */
START_TEST(find_reads_within_bounds)
{
	struct export_index ix;
	size_t len, n;
	char *c;

	load_names();
	build(&ix, names, lens, nnames);
	for (n = 1; n < 40; n++) {
		/* exact size, no NUL: ASan reports a read past the end */
		c = tu_dup(names[0], n < lens[0] ? n : lens[0]);
		rv_exports_find(&ix.view, c, n < lens[0] ? n : lens[0], &len);
		free(c);
	}
	/* a name longer than every export is not measured to its end */
	c = malloc(RV_SYMBOL_MAX);
	memset(c, 'a', RV_SYMBOL_MAX);
	memcpy(c, "_RNv", 4);
	ck_assert_ptr_null(rv_exports_find(&ix.view, c, ix.view.max_len + 1, &len));
	free(c);
	export_index_free(&ix);
	free_names();
}
END_TEST

/*
 * Two names with the same first 32 bytes (the hash's) and the same length,
 * of different crates: the table exports the first, the module imports the
 * second. The lookup must compare the bytes, and the verdict walk the
 * second: its crates are gamma's, not alpha's.
 */
START_TEST(same_hash_other_bytes_takes_the_walk)
{
	static const char a[] = "_RINvNtCs1234_6kcrate11hash_shared3funNtCs5678_5alpha3FooE";
	static const char b[] = "_RINvNtCs1234_6kcrate11hash_shared3funNtCs5678_5gamma3FooE";
	const char *la[] = { a }, *lb[] = { b };
	char *list[] = { (char *)a };
	size_t l[] = { sizeof(a) - 1 }, len;
	struct export_index ix;
	struct memmod mm;
	struct rv_table t;
	struct rv_v0_result r;
	struct rv_v0_scratch s;
	const char *why;
	u32 i;

	ck_assert_uint_eq(sizeof(a), sizeof(b));
	ck_assert_uint_eq(rv_export_hash(a, sizeof(a) - 1), rv_export_hash(b, sizeof(b) - 1));
	ncrates = 0;
	exportdiff_crates(crates, &ncrates, a, sizeof(a) - 1, &s);
	exportdiff_crates(crates, &ncrates, b, sizeof(b) - 1, &s);
	ck_assert_uint_eq(ncrates, 3); /* kcrate, alpha, gamma */
	build(&ix, list, l, 1);
	ck_assert_uint_eq(ix.view.count, 1);
	t = table_of(&ix);
	ck_assert_int_eq(rv_table_check(&t, &why), 0);
	ck_assert_ptr_nonnull(rv_exports_find(&ix.view, a, sizeof(a), &len));
	ck_assert_ptr_null(rv_exports_find(&ix.view, b, sizeof(b), &len));
	/* the module importing b: gamma, as the walk finds it */
	ck_assert_int_eq(rv_verdict_judge(memmod(&mm, lb, 1), &t, &scr, &v), 0);
	ck_assert_int_eq(rv_v0_parse(b, sizeof(b) - 1, &s, &r), 0);
	ck_assert_uint_eq(v.ncrates, r.ncrates);
	ck_assert_uint_eq(v.ncrates, 2);
	for (i = 0; i < v.ncrates; i++) {
		ck_assert_uint_eq(v.crates[i].name_len, r.crates[i].name_len);
		ck_assert(!memcmp(v.crates[i].name, r.crates[i].name, r.crates[i].name_len));
		/* never alpha, the export's crate */
		ck_assert(v.crates[i].name_len != 5 || memcmp(v.crates[i].name, "alpha", 5));
	}
	/* and the module importing a: alpha, from the export */
	ck_assert_int_eq(rv_verdict_judge(memmod(&mm, la, 1), &t, &scr, &v), 0);
	ck_assert_uint_eq(v.ncrates, 2);
	ck_assert(!memcmp(v.crates[1].name, "alpha", 5));
	export_index_free(&ix);
}
END_TEST

/* ---------------------------------------------------------- validation */

/* A writable copy of an index, to damage one field at a time. */
struct copy {
	struct rv_export e[256];
	u32 bucket[1024 + 1];
	char names[16384];
	u16 lists[4096];
	struct rv_table t;
};

static void copy_of(struct copy *c, const struct export_index *ix)
{
	ck_assert_uint_le(ix->view.count, 256);
	ck_assert_uint_le(1u << ix->view.bits, 1024);
	ck_assert_uint_le(ix->view.names_size, sizeof(c->names));
	ck_assert_uint_le(ix->view.lists_size, 4096);
	memcpy(c->e, ix->view.e, ix->view.count * sizeof(c->e[0]));
	memcpy(c->bucket, ix->view.bucket, ((1u << ix->view.bits) + 1) * sizeof(u32));
	memcpy(c->names, ix->view.names, ix->view.names_size);
	memcpy(c->lists, ix->view.lists, ix->view.lists_size * sizeof(u16));
	c->t = table_of(ix);
	c->t.exports.e = c->e;
	c->t.exports.bucket = c->bucket;
	c->t.exports.names = c->names;
	c->t.exports.lists = c->lists;
}

#define REFUSED(c, err, expr)                                                                  \
	do {                                                                                   \
		const char *why_ = NULL;                                                       \
		copy_of(c, &ix);                                                               \
		expr;                                                                          \
		ck_assert_msg(rv_table_check(&(c)->t, &why_) == (err),                         \
			      "%s: not refused with %d (%s)", #expr, (err), rv_strerror(err)); \
		ck_assert_msg(why_ != NULL, "%s: refused without a reason", #expr);            \
	} while (0)

START_TEST(check_refuses_every_bad_field)
{
	static struct copy c;
	struct export_index ix;
	const char *why;
	u32 nb;

	load_names();
	build(&ix, names, lens, nnames);
	copy_of(&c, &ix);
	ck_assert_int_eq(rv_table_check(&c.t, &why), 0);
	REFUSED(&c, -RV_ERANGE, c.t.exports.count = RV_TABLE_MAX_EXPORTS + 1);
	REFUSED(&c, -RV_ERANGE, c.t.exports.e = NULL);
	REFUSED(&c, -RV_ERANGE, c.t.exports.bits = 0);
	REFUSED(&c, -RV_ERANGE, c.t.exports.bits = RV_EXPORTS_MAX_BITS + 1);
	REFUSED(&c, -RV_ERANGE, c.bucket[0] = 1);
	REFUSED(&c, -RV_ERANGE, c.bucket[1u << ix.view.bits] = ix.view.count - 1);
	/* out of order (the buckets before the last but one are checked first) */
	nb = 1u << ix.view.bits;
	ck_assert_uint_gt(c.bucket[nb - 2], 0);
	REFUSED(&c, -RV_ERANGE, c.bucket[nb - 1] = c.bucket[nb - 2] - 1);
	REFUSED(&c, -RV_ERANGE, c.e[0].name = ix.view.names_size);
	REFUSED(&c, -RV_ERANGE, c.e[0].len = 2);
	REFUSED(&c, -RV_ERANGE, c.t.exports.names_size = c.e[0].name + c.e[0].len - 1);
	REFUSED(&c, -RV_EFORMAT, c.names[c.e[0].name + 5] = ' ');
	REFUSED(&c, -RV_EFORMAT, c.names[c.e[0].name + 1] = 'Z');
	REFUSED(&c, -RV_EFORMAT, c.e[0].hash ^= 1);
	REFUSED(&c, -RV_EFORMAT, c.e[1] = c.e[0]); /* twice, or out of order */
	REFUSED(&c, -RV_EFORMAT, c.t.exports.max_len++);
	REFUSED(&c, -RV_ERANGE, c.e[0].crates = (u16)ix.view.lists_size);
	REFUSED(&c, -RV_ERANGE, c.lists[c.e[0].crates] = RV_V0_MAX_CRATES + 1);
	REFUSED(&c, -RV_ERANGE, c.lists[c.e[0].crates] = (u16)ix.view.lists_size);
	REFUSED(&c, -RV_ERANGE, c.lists[c.e[0].crates + 1] = (u16)ncrates);
	REFUSED(&c, -RV_EFORMAT, c.lists[c.e[0].crates + 2]++); /* not the crate's name */
	REFUSED(&c, -RV_EFORMAT, c.lists[c.e[0].crates + 2] = c.e[0].len);
	/* exports of another version are never used: nothing to refuse */
	copy_of(&c, &ix);
	c.t.exports.version = RV_EXPORTS_VERSION + 1;
	c.t.exports.bits = 0;
	ck_assert_int_eq(rv_table_check(&c.t, &why), 0);
	export_index_free(&ix);
	free_names();
}
END_TEST

/* --------------------------------------------------------------- verdict */

START_TEST(fixture_verdicts_same_with_exports)
{
	static const char *const fixtures[] = { "user.o",  "userB.o",  "mixed.o",
						"newer.o", "kcrate.o", "plain.o" };
	const struct rv_table none = { 0 };

	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		size_t size;
		u8 *buf = tu_load_fixture(fixtures[i], &size);
		const char *diff = exportdiff(buf, size, &none, &scr);

		ck_assert_msg(!diff, "%s: with its imports as exports, the %s differs", fixtures[i],
			      diff);
		if (!strcmp(fixtures[i], "user.o"))
			ck_assert_uint_ge(exportdiff_exports, 10);
		free(buf);
	}
}
END_TEST

/* A table without exports, or of another version: every import walked, same verdict. */
START_TEST(no_exports_or_another_version_walks)
{
	static struct rv_verdict w;
	struct export_index ix;
	struct rv_table t0, t1;
	const char *diff;
	size_t size;
	u8 *buf = tu_load_fixture("user.o", &size);

	load_names();
	build(&ix, names, lens, nnames);
	t0 = table_of(NULL);
	t1 = table_of(&ix);
	t1.exports.version = RV_EXPORTS_VERSION + 1;
	diff = verdict_diff(rv_verdict_check(buf, size, &t0, &scr, &w), &w,
			    rv_verdict_check(buf, size, &t1, &scr, &v), &v);
	ck_assert_msg(!diff, "another version's exports change the %s", diff);
	ck_assert_uint_ge(v.rust_imports, 10);
	ck_assert_ptr_null(rv_exports_find(&t1.exports, names[0], lens[0] + 1, &size));
	free(buf);
	export_index_free(&ix);
	free_names();
}
END_TEST

/* A list that is not the walk's is what rv_exports_verify() is for. */
START_TEST(verify_finds_a_wrong_list)
{
	static struct copy c;
	struct export_index ix;
	const char *why = NULL;
	u32 bad = ~0u, i;
	u16 *l;

	load_names();
	build(&ix, names, lens, nnames);
	copy_of(&c, &ix);
	ck_assert_int_eq(rv_exports_verify(&c.t, &scr, &why, &bad), 0);
	/* the first export of two crates: swap them */
	for (i = 0; i < ix.view.count; i++) {
		l = c.lists + c.e[i].crates;
		if (l[0] == 2)
			break;
	}
	ck_assert_uint_lt(i, ix.view.count);
	/* a list of its own, so that no other export shares the change */
	c.lists[ix.view.lists_size] = 2;
	c.lists[ix.view.lists_size + 1] = l[3];
	c.lists[ix.view.lists_size + 2] = l[4];
	c.lists[ix.view.lists_size + 3] = l[1];
	c.lists[ix.view.lists_size + 4] = l[2];
	c.e[i].crates = (u16)ix.view.lists_size;
	c.t.exports.lists_size += 5;
	ck_assert_int_eq(rv_table_check(&c.t, &why), 0); /* well-formed */
	ck_assert_int_eq(rv_exports_verify(&c.t, &scr, &why, &bad), -RV_EFORMAT);
	ck_assert_uint_eq(bad, i);
	ck_assert_ptr_nonnull(why);
	export_index_free(&ix);
	free_names();
}
END_TEST

static Suite *exports_suite(void)
{
	Suite *s = suite_create("exports");
	TCase *tc = tcase_create("exports");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, export_lines_parse);
	tcase_add_test(tc, export_lines_malformed);
	tcase_add_test(tc, build_leaves_out_what_it_cannot_index);
	tcase_add_test(tc, build_refuses_duplicates_and_bounds);
	tcase_add_test(tc, find_every_export_and_nothing_else);
	tcase_add_test(tc, find_reads_within_bounds);
	tcase_add_test(tc, same_hash_other_bytes_takes_the_walk);
	tcase_add_test(tc, check_refuses_every_bad_field);
	tcase_add_test(tc, fixture_verdicts_same_with_exports);
	tcase_add_test(tc, no_exports_or_another_version_walks);
	tcase_add_test(tc, verify_finds_a_wrong_list);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	tu_fixtures();
	return tu_run_suite(exports_suite());
}
