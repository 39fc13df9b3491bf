// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: the engine on a partly loaded image (struct rv_elf_loaded), as
 * the helper hands it a large module it streamed. With every byte the
 * verdict reads loaded, the verdict is the whole image's; with any one of
 * the header, the section headers, the section name table, the symbol
 * table, its string table or a section found by name left out, the engine
 * refuses to read it ("not loaded") instead of judging zeros.
 */
#include <rustver/verdict.h>

#include "testutil.h"

static struct rv_crate crates[] = {
	{ .name = "kcrate", .dis = 0x97b0e7b356c0efd4ULL, .crc = 0x05df5f78 },
};
static const struct rv_table table = { .crates = crates, .count = 1, .rustc = "rustc" };

struct image {
	u8 *data;
	size_t size;
	struct rv_elf elf;
	struct rv_elf_shdr shstr, symtab, strtab;
};

static void load(struct image *im, const char *name)
{
	im->data = tu_load_fixture(name, &im->size);
	ck_assert_int_eq(rv_elf_open(&im->elf, im->data, im->size), 0);
	ck_assert_int_eq(rv_elf_shdr(&im->elf, im->elf.shstrndx, &im->shstr), 0);
	ck_assert_int_eq(rv_elf_shdr(&im->elf, im->elf.symtab_ndx, &im->symtab), 0);
	ck_assert_int_eq(rv_elf_shdr(&im->elf, im->symtab.link, &im->strtab), 0);
}

/* Everything but [off, off + len): two ranges. */
static struct rv_elf_loaded all_but(struct rv_elf_range r[2], u64 size, u64 off, u64 len)
{
	r[0] = (struct rv_elf_range){ 0, off };
	r[1] = (struct rv_elf_range){ off + len, size - off - len };
	return (struct rv_elf_loaded){ r, 2 };
}

START_TEST(whole_range_same_verdict)
{
	static struct rv_verdict_scratch scr;
	static struct rv_verdict a, b;
	struct rv_elf_range r = { 0, 0 };
	struct rv_elf_loaded l = { &r, 1 };
	struct image im;

	load(&im, "user.o");
	r.len = im.size;
	rv_verdict_check(im.data, im.size, &table, &scr, &a);
	rv_verdict_check_loaded(im.data, im.size, &l, &table, &scr, &b);
	ck_assert_int_ne(a.result, RV_RESULT_ERROR);
	ck_assert_int_eq(a.result, b.result);
	ck_assert_int_eq(a.rust_imports, b.rust_imports);
	ck_assert_int_eq(a.ncrates, b.ncrates);
	ck_assert_int_eq(a.nfailed, b.nfailed);
	free(im.data);
}
END_TEST

START_TEST(each_table_left_out_is_refused)
{
	static struct rv_verdict_scratch scr;
	static struct rv_verdict v;
	struct rv_elf_range r[2];
	struct rv_elf_loaded l;
	struct image im;
	struct {
		const char *what;
		u64 off, len;
	} cut[6];

	load(&im, "user.o");
	cut[0].what = "ELF header";
	cut[0].off = 0;
	cut[0].len = RV_ELF_EHDR_SIZE;
	cut[1].what = "section headers";
	cut[1].off = im.elf.shoff;
	cut[1].len = (u64)im.elf.shnum * RV_ELF_SHDR_SIZE;
	cut[2].what = "section name table";
	cut[2].off = im.shstr.offset;
	cut[2].len = im.shstr.size;
	cut[3].what = "symbol table";
	cut[3].off = im.symtab.offset;
	cut[3].len = im.symtab.size;
	cut[4].what = "string table";
	cut[4].off = im.strtab.offset;
	cut[4].len = im.strtab.size;
	cut[5].what = "last byte of the string table";
	cut[5].off = im.strtab.offset + im.strtab.size - 1;
	cut[5].len = 1;
	for (int i = 0; i < 6; i++) {
		l = all_but(r, im.size, cut[i].off, cut[i].len);
		rv_verdict_check_loaded(im.data, im.size, &l, &table, &scr, &v);
		ck_assert_msg(v.result == RV_RESULT_ERROR && v.err == -RV_ERANGE &&
				      strstr(v.why, "not loaded"),
			      "%s left out: result %d, why %s", cut[i].what, v.result,
			      v.why ? v.why : "(none)");
	}
	free(im.data);
}
END_TEST

START_TEST(section_found_by_name_must_be_loaded)
{
	struct rv_elf_range r[2];
	struct rv_elf_loaded l;
	struct rv_elf_shdr sh, got;
	struct rv_elf elf;
	struct image im;
	u32 i;

	load(&im, "user.o");
	/* a section with contents, other than the tables */
	for (i = 1; i < im.elf.shnum; i++) {
		rv_elf_shdr(&im.elf, i, &sh);
		if (sh.type == RV_SHT_PROGBITS && sh.size && i != im.elf.shstrndx &&
		    rv_elf_find_section(&im.elf, rv_elf_section_name(&im.elf, &sh), &got) == 0)
			break;
	}
	ck_assert_msg(i < im.elf.shnum, "user.o has no uniquely named PROGBITS section");
	l = all_but(r, im.size, sh.offset, sh.size);
	ck_assert_int_eq(rv_elf_open_loaded(&elf, im.data, im.size, &l), 0);
	tu_assert_err(rv_elf_find_section(&elf, rv_elf_section_name(&elf, &sh), &got), -RV_ERANGE,
		      elf.why);
	ck_assert_ptr_nonnull(strstr(elf.why, "not loaded"));
	/* absent stays absent */
	ck_assert_int_eq(rv_elf_find_section(&elf, ".no_such_section", &got), -RV_ENOENT);
	free(im.data);
}
END_TEST

START_TEST(coverage_of_ranges)
{
	struct rv_elf_range adj[3] = { { 0, 10 }, { 10, 5 }, { 20, 5 } };
	struct rv_elf_range unsorted[2] = { { 10, 5 }, { 0, 10 } };
	struct rv_elf_range wrap[1] = { { 8, ~0ULL } };
	struct rv_elf_loaded l = { adj, 3 };
	struct rv_elf elf = { .loaded = &l };

	ck_assert(rv_elf_is_loaded(&elf, 0, 15)); /* across two adjacent ranges */
	ck_assert(rv_elf_is_loaded(&elf, 12, 3));
	ck_assert(!rv_elf_is_loaded(&elf, 12, 4)); /* into the gap */
	ck_assert(!rv_elf_is_loaded(&elf, 15, 1));
	ck_assert(rv_elf_is_loaded(&elf, 20, 5));
	ck_assert(!rv_elf_is_loaded(&elf, 24, 2));
	ck_assert(rv_elf_is_loaded(&elf, 100, 0)); /* nothing to read */
	ck_assert(!rv_elf_is_loaded(&elf, 5, ~0ULL));
	l = (struct rv_elf_loaded){ unsorted, 2 };
	ck_assert(!rv_elf_is_loaded(&elf, 0, 15)); /* unsorted: refused */
	l = (struct rv_elf_loaded){ wrap, 1 };
	ck_assert(!rv_elf_is_loaded(&elf, 8, 1)); /* a range that wraps */
	elf.loaded = NULL;
	ck_assert(rv_elf_is_loaded(&elf, 0, ~0ULL)); /* no description: all */
}
END_TEST

static Suite *loaded_suite(void)
{
	Suite *s = suite_create("loaded");
	TCase *tc = tcase_create("partial images");

	tcase_add_test(tc, whole_range_same_verdict);
	tcase_add_test(tc, each_table_left_out_is_refused);
	tcase_add_test(tc, section_found_by_name_must_be_loaded);
	tcase_add_test(tc, coverage_of_ranges);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	tu_fixtures();
	return tu_run_suite(loaded_suite());
}
