// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the crate table (lib/table.c): the text line
 * "name[hex] 0xcrc" parsed and formatted, every malformed line shape
 * refused with a reason, lookups and the duplicate check.
 */
#include <rustver/table.h>

#include "testutil.h"

static int parse_line(const char *line, struct rv_crate *c, const char **why)
{
	*why = NULL;
	return rv_table_parse_line(line, strlen(line), c, why);
}

static void assert_line(const char *line, const char *name, u64 dis, u32 crc)
{
	struct rv_crate c;
	const char *why;
	int err = parse_line(line, &c, &why);

	ck_assert_msg(err == 0, "'%s': error %d: %s", line, err, why ? why : "(null)");
	ck_assert_msg(!strcmp(c.name, name) && c.dis == dis && c.crc == crc,
		      "'%s' read as %s[%llx] 0x%08x", line, c.name, (unsigned long long)c.dis,
		      c.crc);
}

static void assert_bad_line(const char *line)
{
	struct rv_crate c;
	const char *why;
	int err = parse_line(line, &c, &why);

	ck_assert_msg(err == -RV_EFORMAT, "'%s': got %d (%s), want -RV_EFORMAT", line, err,
		      rv_strerror(err));
	ck_assert_msg(why != NULL, "'%s': refused without a reason", line);
}

/* ----------------------------------------------------------------- parse */

START_TEST(parse_real_lines)
{
	/* as `rustver table --kdir` prints them for the fixtures */
	assert_line("kcrate[97b0e7b356c0efd4] 0xc8e4aaf3", "kcrate", 0x97b0e7b356c0efd4ULL,
		    0xc8e4aaf3);
	assert_line("core[c1f1a4ba060b9bfa] 0x33bcc540", "core", 0xc1f1a4ba060b9bfaULL, 0x33bcc540);
}
END_TEST

START_TEST(parse_short_and_mixed_case_hex)
{
	assert_line("a[0] 0x0", "a", 0, 0);
	assert_line("a[1] 0x00000001", "a", 1, 1);
	assert_line("K_9[ABCDEF] 0XDEADBEEF", "K_9", 0xabcdef, 0xdeadbeef);
	assert_line("x[ffffffffffffffff] 0xffffffff", "x", ~0ULL, ~0u);
	assert_line("_[0000000000000001] 0x1", "_", 1, 1); /* 16 digits with zeros */
}
END_TEST

START_TEST(parse_longest_name)
{
	char line[128], name[RV_CRATE_NAME_MAX];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(line, sizeof(line), "%s[1] 0x2", name);
	assert_line(line, name, 1, 2);
}
END_TEST

START_TEST(parse_uses_len_not_nul)
{
	const char *text = "kcrate[1] 0x2\nnext[3] 0x4\n";
	struct rv_crate c;
	const char *why = NULL;

	ck_assert_int_eq(rv_table_parse_line(text, 13, &c, &why), 0);
	ck_assert_str_eq(c.name, "kcrate");
	ck_assert_uint_eq(c.crc, 2);
	/* one byte less cuts the CRC off, one more takes the newline */
	tu_assert_err(rv_table_parse_line(text, 12, &c, &why), -RV_EFORMAT, why);
	why = NULL;
	tu_assert_err(rv_table_parse_line(text, 14, &c, &why), -RV_EFORMAT, why);
	why = NULL;
	tu_assert_err(rv_table_parse_line(text, 0, &c, &why), -RV_EFORMAT, why);
}
END_TEST

START_TEST(missing_bracket)
{
	assert_bad_line("");
	assert_bad_line("kcrate 0x1");
	assert_bad_line("kcrate]1] 0x1");
	assert_bad_line("# rustver table, format 1");
}
END_TEST

START_TEST(bad_name)
{
	assert_bad_line("[1] 0x1");
	assert_bad_line("k-crate[1] 0x1");
	assert_bad_line("k crate[1] 0x1");
	assert_bad_line(" kcrate[1] 0x1");
	assert_bad_line("kcrate::x[1] 0x1");
	assert_bad_line("k\xc3\xa9[1] 0x1");
}
END_TEST

START_TEST(name_too_long)
{
	char line[256], name[RV_CRATE_NAME_MAX + 1];
	struct rv_crate c;
	const char *why;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(line, sizeof(line), "%s[1] 0x2", name);
	assert_bad_line(line);
	parse_line(line, &c, &why);
	ck_assert_msg(strstr(why, "long") != NULL, "reason does not say too long: %s", why);
}
END_TEST

START_TEST(bad_disambiguator)
{
	assert_bad_line("kcrate[] 0x1");
	assert_bad_line("kcrate[xyz] 0x1");
	assert_bad_line("kcrate[0x12] 0x1");
	assert_bad_line("kcrate[12 0x1");
	assert_bad_line("kcrate[12");
	assert_bad_line("kcrate[");
	assert_bad_line("kcrate[1 2] 0x1");
	assert_bad_line("kcrate[-1] 0x1");
}
END_TEST

START_TEST(seventeen_hex_digits)
{
	assert_bad_line("kcrate[10000000000000000] 0x1");
	assert_bad_line("kcrate[00000000000000000] 0x1");
}
END_TEST

START_TEST(missing_0x)
{
	assert_bad_line("kcrate[1] 1234");
	assert_bad_line("kcrate[1] x1234");
	assert_bad_line("kcrate[1]0x1234");
	assert_bad_line("kcrate[1]  0x1234");
	assert_bad_line("kcrate[1]\t0x1234");
	assert_bad_line("kcrate[1] 0");
	assert_bad_line("kcrate[1]");
}
END_TEST

START_TEST(bad_crc)
{
	assert_bad_line("kcrate[1] 0x");
	assert_bad_line("kcrate[1] 0x123456789"); /* 9 digits */
	assert_bad_line("kcrate[1] 0x000000001");
	assert_bad_line("kcrate[1] 0xg");
	assert_bad_line("kcrate[1] 0x-1");
}
END_TEST

START_TEST(trailing_junk)
{
	assert_bad_line("kcrate[1] 0x1 x");
	assert_bad_line("kcrate[1] 0x1 ");
	assert_bad_line("kcrate[1] 0x1\n");
	assert_bad_line("kcrate[1] 0x1z");
	assert_bad_line("kcrate[1] 0x1 # comment");
}
END_TEST

/* --------------------------------------------------------------- format */

START_TEST(format_exact_text)
{
	struct rv_crate c = { .name = "kcrate", .dis = 0x97b0e7b356c0efd4ULL, .crc = 0xc8e4aaf3 };
	char buf[128];

	ck_assert_uint_eq(rv_table_format_line(&c, buf, sizeof(buf)),
			  strlen("kcrate[97b0e7b356c0efd4] 0xc8e4aaf3\n"));
	ck_assert_str_eq(buf, "kcrate[97b0e7b356c0efd4] 0xc8e4aaf3\n");
	c.dis = 0;
	c.crc = 1;
	rv_table_format_line(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "kcrate[0] 0x00000001\n"); /* CRC always 8 digits */
	c.dis = 0xabc;
	rv_table_format_line(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "kcrate[abc] 0x00000001\n");
}
END_TEST

START_TEST(format_buffer_too_small)
{
	struct rv_crate c = { .name = "kcrate", .dis = ~0ULL, .crc = ~0u };
	size_t need = 6 + 1 + 16 + 1 + 3 + 8 + 1 + 1; /* with "\n" and NUL */
	char buf[64];

	ck_assert_uint_eq(rv_table_format_line(&c, buf, need - 1), 0);
	ck_assert_uint_eq(rv_table_format_line(&c, buf, 0), 0);
	ck_assert_uint_eq(rv_table_format_line(&c, buf, need), need - 1);
	ck_assert_str_eq(buf, "kcrate[ffffffffffffffff] 0xffffffff\n");
}
END_TEST

START_TEST(format_parse_round_trip)
{
	struct rv_crate in[5] = {
		{ .name = "kernel", .dis = 0x1b6169c1cdb4b588ULL, .crc = 0x12345678 },
		{ .name = "a", .dis = 0, .crc = 0 },
		{ .name = "_", .dis = ~0ULL, .crc = ~0u },
		{ .name = "pin_init", .dis = 1, .crc = 0x80000000u },
	};
	struct rv_crate out;
	char buf[128];
	const char *why;
	size_t n, i;

	memset(in[4].name, 'z', RV_CRATE_NAME_MAX - 1);
	in[4].dis = 0x0123456789abcdefULL;
	for (i = 0; i < 5; i++) {
		n = rv_table_format_line(&in[i], buf, sizeof(buf));
		ck_assert_msg(n > 0 && buf[n - 1] == '\n', "format of %s", in[i].name);
		why = NULL;
		tu_assert_err(rv_table_parse_line(buf, n - 1, &out, &why), 0, why);
		ck_assert_str_eq(out.name, in[i].name);
		ck_assert_uint_eq(out.dis, in[i].dis);
		ck_assert_uint_eq(out.crc, in[i].crc);
	}
}
END_TEST

/* ---------------------------------------------------------------- find */

static const struct rv_crate crates[] = {
	{ .name = "core", .dis = 0xc1f1a4ba060b9bfaULL, .crc = 1 },
	{ .name = "kernel", .dis = 0x1111, .crc = 2 },
	{ .name = "kernel_x", .dis = 0x1111, .crc = 3 },
	{ .name = "kcrate", .dis = 0x97b0e7b356c0efd4ULL, .crc = 4 },
};
static const struct rv_table table = { .crates = crates, .count = 4 };

START_TEST(find_by_name_and_disambiguator)
{
	ck_assert_ptr_eq(rv_table_find(&table, "core", 4, 0xc1f1a4ba060b9bfaULL), &crates[0]);
	ck_assert_ptr_eq(rv_table_find(&table, "kernel", 6, 0x1111), &crates[1]);
	ck_assert_ptr_eq(rv_table_find(&table, "kernel_x", 8, 0x1111), &crates[2]);
	/* only @len bytes of the name count (names point into symbols) */
	ck_assert_ptr_eq(rv_table_find(&table, "kernel::print", 6, 0x1111), &crates[1]);
	ck_assert_ptr_null(rv_table_find(&table, "kernel", 6, 0x1112));
	ck_assert_ptr_null(rv_table_find(&table, "kerne", 5, 0x1111));
	ck_assert_ptr_null(rv_table_find(&table, "kernel_", 7, 0x1111));
	ck_assert_ptr_null(rv_table_find(&table, "", 0, 0x1111));
	ck_assert_ptr_null(rv_table_find(&table, "alloc", 5, 0));
}
END_TEST

START_TEST(find_name_any_disambiguator)
{
	char longname[RV_CRATE_NAME_MAX + 8];

	ck_assert_ptr_eq(rv_table_find_name(&table, "kcrate", 6), &crates[3]);
	ck_assert_ptr_eq(rv_table_find_name(&table, "kernel", 6), &crates[1]);
	ck_assert_ptr_null(rv_table_find_name(&table, "kcrat", 5));
	ck_assert_ptr_null(rv_table_find_name(&table, "alloc", 5));
	memset(longname, 'k', sizeof(longname));
	ck_assert_ptr_null(rv_table_find_name(&table, longname, sizeof(longname)));
	ck_assert_ptr_null(rv_table_find(&table, longname, RV_CRATE_NAME_MAX, 0));
}
END_TEST

START_TEST(find_in_empty_table)
{
	const struct rv_table empty = { .crates = NULL, .count = 0 };

	ck_assert_ptr_null(rv_table_find(&empty, "core", 4, 0));
	ck_assert_ptr_null(rv_table_find_name(&empty, "core", 4));
}
END_TEST

/* --------------------------------------------------------------- check */

START_TEST(check_accepts_distinct_crates)
{
	const struct rv_table empty = { .crates = NULL, .count = 0 };
	const struct rv_crate same_name[2] = {
		{ .name = "kernel", .dis = 1 },
		{ .name = "kernel", .dis = 2 },
	};
	const struct rv_table t2 = { .crates = same_name, .count = 2 };
	const char *why = NULL;

	ck_assert_int_eq(rv_table_check(&table, &why), 0);
	ck_assert_int_eq(rv_table_check(&empty, &why), 0);
	ck_assert_int_eq(rv_table_check(&t2, &why), 0);
}
END_TEST

START_TEST(check_finds_duplicates)
{
	struct rv_crate dup[5];
	struct rv_table t = { .crates = dup, .count = 5 };
	const char *why = NULL;

	memcpy(dup, crates, sizeof(crates));
	dup[4] = crates[1];
	dup[4].crc = 99; /* another CRC does not make it another crate */
	tu_assert_err(rv_table_check(&t, &why), -RV_EDUP, why);
	t.count = 4;
	why = NULL;
	ck_assert_int_eq(rv_table_check(&t, &why), 0);
}
END_TEST

START_TEST(check_refuses_bad_names)
{
	struct rv_crate bad[2] = { { .name = "core" }, { .name = "bad-name" } };
	struct rv_table t = { .crates = bad, .count = 2 };
	const char *why = NULL;

	tu_assert_err(rv_table_check(&t, &why), -RV_EFORMAT, why);
	bad[1].name[0] = '\0';
	why = NULL;
	tu_assert_err(rv_table_check(&t, &why), -RV_EFORMAT, why);
	memset(bad[1].name, 'a', RV_CRATE_NAME_MAX); /* no NUL at all */
	why = NULL;
	tu_assert_err(rv_table_check(&t, &why), -RV_EFORMAT, why);
}
END_TEST

START_TEST(crate_name_validity)
{
	ck_assert(rv_crate_name_valid("core", 4));
	ck_assert(rv_crate_name_valid("_", 1));
	ck_assert(rv_crate_name_valid("A9_z", 4));
	ck_assert(rv_crate_name_valid("core!", 4)); /* only @len bytes */
	ck_assert(!rv_crate_name_valid("", 0));
	ck_assert(!rv_crate_name_valid("a-b", 3));
	ck_assert(!rv_crate_name_valid("a.b", 3));
	ck_assert(!rv_crate_name_valid("a b", 3));
	ck_assert(!rv_crate_name_valid("a\0b", 3));
	ck_assert(!rv_crate_name_valid("\xc3\xa9", 2));
	ck_assert(rv_crate_name_valid(
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 63));
	ck_assert(!rv_crate_name_valid(
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 64));
}
END_TEST

static Suite *table_suite(void)
{
	Suite *s = suite_create("table");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, parse_real_lines);
	tcase_add_test(tc, parse_short_and_mixed_case_hex);
	tcase_add_test(tc, parse_longest_name);
	tcase_add_test(tc, parse_uses_len_not_nul);
	tcase_add_test(tc, missing_bracket);
	tcase_add_test(tc, bad_name);
	tcase_add_test(tc, name_too_long);
	tcase_add_test(tc, bad_disambiguator);
	tcase_add_test(tc, seventeen_hex_digits);
	tcase_add_test(tc, missing_0x);
	tcase_add_test(tc, bad_crc);
	tcase_add_test(tc, trailing_junk);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, format_exact_text);
	tcase_add_test(tc, format_buffer_too_small);
	tcase_add_test(tc, format_parse_round_trip);
	suite_add_tcase(s, tc);

	tc = tcase_create("lookup");
	tcase_add_test(tc, find_by_name_and_disambiguator);
	tcase_add_test(tc, find_name_any_disambiguator);
	tcase_add_test(tc, find_in_empty_table);
	tcase_add_test(tc, check_accepts_distinct_crates);
	tcase_add_test(tc, check_finds_duplicates);
	tcase_add_test(tc, check_refuses_bad_names);
	tcase_add_test(tc, crate_name_validity);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(table_suite());
}
