// SPDX-License-Identifier: GPL-2.0
/*
 * Every input the fuzzers keep, run through the engine as the kernel runs
 * it: parse + verdict + message formatting. Built like every unit test
 * twice, under ASan + UBSan and (make's $(BUILD)/stack/check-corpus) on a
 * 12 KiB guarded stack with a 4 KiB high-water limit (tests/smallstack.h).
 *
 * Inputs: each file of each directory in $RV_CORPUS_DIRS (colon-separated;
 * tests/run.sh passes the fuzzers' corpora, seeds and regressions after
 * its fuzzing pass), else the fixtures' objects and symbols and the
 * committed regression seeds. Each file is judged three ways: as a symbol
 * name, as the same bytes after "_R" (what fuzz-v0 also does), and as a
 * module image with a verdict and the short paths its explanation prints,
 * and the verdict again with its own imports as the table's exports
 * (tests/exportdiff.h: the fast path must give the same verdict).
 */
#include <dirent.h>

#include <rustver/verdict.h>

#include "testutil.h"
#include "v0diff.h"
#include "exportdiff.h"

static struct rv_verdict_scratch scr;
static struct rv_v0_scratch warm; /* its path cache lives across files */
static struct rv_verdict v;
static const struct rv_table empty_table = { 0 };

static void explain(const char *name)
{
	char out[128];

	if (name)
		rv_v0_short_path(name, rv_strnlen(name, RV_SYMBOL_MAX + 1), out, sizeof(out));
}

static void judge(const u8 *data, size_t size)
{
	struct rv_v0_result r;
	char out[128], *sym;
	const char *diff;
	u32 i;

	rv_v0_parse((const char *)data, size, &scr.v0, &r);
	rv_v0_short_path((const char *)data, size, out, sizeof(out));
	diff = v0diff((const char *)data, size, &scr.v0, &warm);
	tu_check(!diff, "%.*s: with a warm path cache, the %s differs",
		 (int)(size > 200 ? 200 : size), (const char *)data, diff);
	if (size <= RV_SYMBOL_MAX + 8) {
		sym = malloc(size + 2);
		ck_assert_ptr_nonnull(sym);
		sym[0] = '_';
		sym[1] = 'R';
		memcpy(sym + 2, data, size);
		diff = v0diff(sym, size + 2, &scr.v0, &warm);
		tu_check(!diff, "_R%.*s: with a warm path cache, the %s differs",
			 (int)(size > 200 ? 200 : size), (const char *)data, diff);
		rv_v0_parse(sym, size + 2, &scr.v0, &r);
		rv_v0_short_path(sym, size + 2, out, sizeof(out));
		free(sym);
	}
	rv_verdict_check(data, size, &empty_table, &scr, &v);
	for (i = 0; i < v.ncrates; i++)
		explain(v.crates[i].example);
	explain(v.bad_symbol);
	/* the exports' fast path gives the walk's verdict */
	diff = exportdiff(data, size, &empty_table, &scr);
	tu_check(!diff, "%zu-byte input: with its imports as exports, the verdict's %s differs",
		 size, diff);
}

/* Judges every regular file of @dir; returns how many. */
static unsigned judge_dir(const char *dir)
{
	struct dirent *e;
	unsigned n = 0;
	char path[4096];
	DIR *d = opendir(dir);
	FILE *f;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		struct stat st;
		u8 *buf;

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		buf = malloc(st.st_size ? (size_t)st.st_size : 1);
		ck_assert_ptr_nonnull(buf);
		f = fopen(path, "rb");
		ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
		ck_assert_msg(fread(buf, 1, (size_t)st.st_size, f) == (size_t)st.st_size,
			      "%s: short read", path);
		fclose(f);
		judge(buf, (size_t)st.st_size);
		free(buf);
		n++;
	}
	closedir(d);
	return n;
}

START_TEST(fuzz_corpora)
{
	const char *dirs = getenv("RV_CORPUS_DIRS");
	char *copy, *dir, *save = NULL;
	unsigned n = 0;

	copy = strdup(dirs);
	ck_assert_ptr_nonnull(copy);
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
		n += judge_dir(dir);
	free(copy);
	printf("fuzz_corpora: %u files from %s\n", n, dirs);
	ck_assert_msg(n > 0, "no file in RV_CORPUS_DIRS=%s", dirs);
}
END_TEST

START_TEST(fixtures_and_regressions)
{
	size_t size;
	char *list, *line, *save = NULL;
	unsigned n;

	n = judge_dir(tu_fixtures());
	n += judge_dir("fuzz/regressions/file");
	list = (char *)tu_load_fixture("symbols.txt", &size);
	list = realloc(list, size + 1);
	ck_assert_ptr_nonnull(list);
	list[size] = '\0';
	for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++)
		judge((const u8 *)line, strlen(line));
	free(list);
	ck_assert_msg(n > 40, "only %u inputs in the fixtures", n);
}
END_TEST

static Suite *corpus_suite(void)
{
	Suite *s = suite_create("corpus");
	TCase *tc = tcase_create("inputs");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, fixtures_and_regressions);
	/* after a fuzzing pass only (tests/run.sh all) */
	if (getenv("RV_CORPUS_DIRS") && *getenv("RV_CORPUS_DIRS"))
		tcase_add_test(tc, fuzz_corpora);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(corpus_suite());
}
