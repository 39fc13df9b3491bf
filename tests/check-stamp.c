// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the stamp format (lib/stamp.c, include/rustver/stamp.h):
 * build / parse round trips, and every malformed field of a real built
 * stamp refused with its own error code and a reason.
 */
#include <rustver/stamp.h>

#include "testutil.h"

#define RUSTC "rustc version 1.95.0 (59807616e 2026-04-14)"

static const struct rv_crate two[] = {
	{ .name = "kcrate", .dis = 0x97b0e7b356c0efd4ULL, .crc = 0xc8e4aaf3 },
	{ .name = "core", .dis = 0xc1f1a4ba060b9bfaULL, .crc = 0x33bcc540 },
};

/* A freshly built stamp of @n crates (exact-size heap buffer). */
static u8 *build(const struct rv_crate *c, u32 n, const char *rustc, u64 *size)
{
	u8 *buf;
	int err;

	*size = rv_stamp_size(n);
	buf = malloc(*size);
	ck_assert_ptr_nonnull(buf);
	err = rv_stamp_build(buf, *size, rustc, RV_STAMP_F_EVIDENCE, c, n);
	ck_assert_msg(err == 0, "rv_stamp_build of %u crates: %d", n, err);
	return buf;
}

static u8 *build_two(u64 *size)
{
	return build(two, 2, RUSTC, size);
}

/* Parses an exact-size copy of @size bytes of @buf. */
static int parse_copy(const u8 *buf, u64 size, const char **why)
{
	struct rv_stamp st;
	u8 *c = tu_dup(buf, size);
	int err = rv_stamp_parse(&st, c, size);

	*why = st.why;
	free(c);
	return err;
}

#define assert_parse(buf, size, want)                \
	do {                                         \
		const char *w_;                      \
		int e_ = parse_copy(buf, size, &w_); \
		tu_assert_err(e_, want, w_);         \
	} while (0)

/* ------------------------------------------------------------ round trip */

START_TEST(round_trip_two_crates)
{
	struct rv_stamp st;
	struct rv_crate c;
	u64 size;
	u8 *buf = build_two(&size);
	u32 i;

	ck_assert_uint_eq(size, 112 + 2 * 80);
	tu_assert_err(rv_stamp_parse(&st, buf, size), 0, st.why);
	ck_assert_uint_eq(st.count, 2);
	ck_assert_uint_eq(st.hdr_size, RV_STAMP_HDR_SIZE);
	ck_assert_uint_eq(st.entry_size, RV_STAMP_ENTRY_SIZE);
	ck_assert_str_eq(st.rustc, RUSTC);
	for (i = 0; i < 2; i++) {
		rv_stamp_entry(&st, i, &c);
		ck_assert_str_eq(c.name, two[i].name);
		ck_assert_uint_eq(c.dis, two[i].dis);
		ck_assert_uint_eq(c.crc, two[i].crc);
	}
	free(buf);
}
END_TEST

START_TEST(layout_matches_header_comment)
{
	u64 size;
	u8 *buf = build_two(&size);

	ck_assert_msg(!memcmp(buf, "RVSTAMP\0", 8), "magic");
	ck_assert_uint_eq(tu_get(buf + 8, 2), 3);
	ck_assert_uint_eq(tu_get(buf + 10, 2), 112);
	ck_assert_uint_eq(tu_get(buf + 12, 4), 80);
	ck_assert_uint_eq(tu_get(buf + 16, 4), 2);
	ck_assert_uint_eq(tu_get(buf + 20, 4), RV_STAMP_F_EVIDENCE);
	ck_assert_str_eq((const char *)buf + 24, RUSTC);
	ck_assert_str_eq((const char *)buf + 112, "kcrate");
	ck_assert_uint_eq(tu_get(buf + 112 + 64, 8), two[0].dis);
	ck_assert_uint_eq(tu_get(buf + 112 + 72, 4), two[0].crc);
	ck_assert_uint_eq(tu_get(buf + 112 + 76, 4), 0);
	ck_assert_str_eq((const char *)buf + 192, "core");
	free(buf);
}
END_TEST

START_TEST(find_by_name_and_disambiguator)
{
	struct rv_stamp st;
	u32 crc = 0;
	u64 size;
	u8 *buf = build_two(&size);

	tu_assert_err(rv_stamp_parse(&st, buf, size), 0, st.why);
	ck_assert(rv_stamp_find(&st, "kcrate", 6, two[0].dis, &crc));
	ck_assert_uint_eq(crc, two[0].crc);
	ck_assert(rv_stamp_find(&st, "core", 4, two[1].dis, &crc));
	ck_assert_uint_eq(crc, two[1].crc);
	/* a name that is not NUL-terminated: only @len bytes count */
	ck_assert(rv_stamp_find(&st, "core::fmt", 4, two[1].dis, &crc));
	ck_assert(!rv_stamp_find(&st, "kcrate", 6, two[1].dis, &crc));
	ck_assert(!rv_stamp_find(&st, "kcrat", 5, two[0].dis, &crc));
	ck_assert(!rv_stamp_find(&st, "kcratex", 7, two[0].dis, &crc));
	ck_assert(!rv_stamp_find(&st, "", 0, two[0].dis, &crc));
	free(buf);
}
END_TEST

START_TEST(empty_and_full_stamps)
{
	static struct rv_crate many[RV_TABLE_MAX_CRATES];
	struct rv_stamp st;
	struct rv_crate c;
	u64 size;
	u8 *buf;
	u32 i;

	buf = build(NULL, 0, NULL, &size);
	ck_assert_uint_eq(size, RV_STAMP_HDR_SIZE);
	tu_assert_err(rv_stamp_parse(&st, buf, size), 0, st.why);
	ck_assert_uint_eq(st.count, 0);
	ck_assert_str_eq(st.rustc, "");
	free(buf);

	for (i = 0; i < RV_TABLE_MAX_CRATES; i++) {
		snprintf(many[i].name, sizeof(many[i].name), "crate_%u", i);
		many[i].dis = i * 0x1000001ULL;
		many[i].crc = ~i;
	}
	buf = build(many, RV_TABLE_MAX_CRATES, RUSTC, &size);
	tu_assert_err(rv_stamp_parse(&st, buf, size), 0, st.why);
	ck_assert_uint_eq(st.count, RV_TABLE_MAX_CRATES);
	rv_stamp_entry(&st, 255, &c);
	ck_assert_str_eq(c.name, "crate_255");
	ck_assert_uint_eq(c.crc, ~255u);
	free(buf);
}
END_TEST

START_TEST(longest_names_and_rustc)
{
	struct rv_crate c = { .dis = ~0ULL, .crc = ~0u }, back;
	char rustc[RV_RUSTC_MAX];
	struct rv_stamp st;
	u64 size;
	u8 *buf;

	memset(c.name, 'n', RV_CRATE_NAME_MAX - 1);
	c.name[RV_CRATE_NAME_MAX - 1] = '\0';
	memset(rustc, 'r', RV_RUSTC_MAX - 1);
	rustc[RV_RUSTC_MAX - 1] = '\0';
	buf = build(&c, 1, rustc, &size);
	tu_assert_err(rv_stamp_parse(&st, buf, size), 0, st.why);
	ck_assert_str_eq(st.rustc, rustc);
	rv_stamp_entry(&st, 0, &back);
	ck_assert_str_eq(back.name, c.name);
	ck_assert_uint_eq(back.dis, ~0ULL);
	ck_assert_uint_eq(back.crc, ~0u);
	free(buf);
}
END_TEST

START_TEST(larger_header_and_entry_sizes_are_skipped)
{
	/* a future writer: 16 more header bytes, 16 more bytes per entry */
	u64 size, big = 128 + 2 * 96;
	u8 *buf = build_two(&size), *b = calloc(1, big);
	struct rv_stamp st;
	struct rv_crate c;

	memcpy(b, buf, 112);
	tu_put(b + 10, 2, 128);
	tu_put(b + 12, 4, 96);
	memcpy(b + 128, buf + 112, 80);
	memcpy(b + 128 + 96, buf + 192, 80);
	tu_assert_err(rv_stamp_parse(&st, b, big), 0, st.why);
	rv_stamp_entry(&st, 1, &c);
	ck_assert_str_eq(c.name, "core");
	ck_assert_uint_eq(c.crc, two[1].crc);
	free(b);
	free(buf);
}
END_TEST

/* ---------------------------------------------------------------- build */

START_TEST(build_refuses_bad_input)
{
	struct rv_crate bad = { .name = "bad-name" }, empty = { .name = "" };
	char rustc[RV_RUSTC_MAX + 8];
	u8 buf[112 + 80];

	ck_assert_int_eq(rv_stamp_build(buf, sizeof(buf), RUSTC, RV_STAMP_F_EVIDENCE, two, RV_TABLE_MAX_CRATES + 1),
			 -RV_ELIMIT);
	ck_assert_int_eq(rv_stamp_build(buf, sizeof(buf) - 1, RUSTC, RV_STAMP_F_EVIDENCE, two, 1), -RV_ERANGE);
	ck_assert_int_eq(rv_stamp_build(buf, sizeof(buf) + 0, RUSTC, RV_STAMP_F_EVIDENCE, two, 2), -RV_ERANGE);
	ck_assert_int_eq(rv_stamp_build(buf, sizeof(buf), RUSTC, RV_STAMP_F_EVIDENCE, &bad, 1), -RV_ESTRING);
	ck_assert_int_eq(rv_stamp_build(buf, sizeof(buf), RUSTC, RV_STAMP_F_EVIDENCE, &empty, 1), -RV_ESTRING);
	ck_assert_int_eq(rv_stamp_build(buf, rv_stamp_size(1), RUSTC, 0, two, 1), -RV_EFORMAT);
	memset(rustc, 'r', sizeof(rustc) - 1);
	rustc[sizeof(rustc) - 1] = '\0';
	ck_assert_int_eq(rv_stamp_build(buf, sizeof(buf), rustc, RV_STAMP_F_EVIDENCE, two, 1), -RV_ESTRING);
	ck_assert_int_eq(rv_stamp_build(buf, sizeof(buf), "rustc\n1.85", RV_STAMP_F_EVIDENCE, two, 1), -RV_ESTRING);
	ck_assert_int_eq(rv_stamp_build(buf, sizeof(buf), "rustc \xc3\xa9", RV_STAMP_F_EVIDENCE, two, 1), -RV_ESTRING);
}
END_TEST

/* --------------------------------------------------------------- header */

/* Sets @bytes at @off of a built two-crate stamp and expects @want. */
static void assert_field(size_t off, int bytes, u64 value, int want)
{
	u64 size;
	u8 *buf = build_two(&size);

	tu_put(buf + off, bytes, value);
	assert_parse(buf, size, want);
	free(buf);
}

START_TEST(null_or_short)
{
	struct rv_stamp st;

	tu_assert_err(rv_stamp_parse(&st, NULL, 0), -RV_ETRUNC, st.why);
	tu_assert_err(rv_stamp_parse(&st, NULL, 4096), -RV_ETRUNC, st.why);
	assert_parse((const u8 *)"RVSTAMP", 8, -RV_ETRUNC);
}
END_TEST

START_TEST(bad_magic)
{
	int i;

	for (i = 0; i < 8; i++) {
		u64 size;
		u8 *buf = build_two(&size);

		buf[i] ^= 0x40;
		assert_parse(buf, size, -RV_EFORMAT);
		free(buf);
	}
}
END_TEST

START_TEST(bad_version)
{
	assert_field(8, 2, 0, -RV_EFORMAT);
	assert_field(8, 2, 4, -RV_EFORMAT);
	assert_field(8, 2, 0x101, -RV_EFORMAT);
}
END_TEST

/* Version 1 (flags 0) is still read, as a stamp made from a named table. */
START_TEST(version_1_is_read_as_unverified)
{
	struct rv_stamp st;
	u64 size;
	u8 *buf = build_two(&size);

	tu_put(buf + 8, 2, 1);
	tu_put(buf + 20, 4, 0);
	tu_assert_err(rv_stamp_parse(&st, buf, size), 0, st.why);
	ck_assert_uint_eq(st.version, 1);
	ck_assert_uint_eq(st.flags, RV_STAMP_F_UNVERIFIED);
	tu_put(buf + 20, 4, RV_STAMP_F_EVIDENCE);
	tu_assert_err(rv_stamp_parse(&st, buf, size), -RV_EFORMAT, st.why);
	free(buf);
}
END_TEST

/* Versions 2 and 3 record how the CRCs were found: exactly one way. */
START_TEST(version_2_records_how)
{
	struct rv_stamp st;
	u64 size;
	u8 *buf = build_two(&size);

	tu_assert_err(rv_stamp_parse(&st, buf, size), 0, st.why);
	ck_assert_uint_eq(st.version, 3);
	ck_assert_uint_eq(st.flags, RV_STAMP_F_EVIDENCE);
	tu_put(buf + 8, 2, 2); /* a version 2 payload reads the same */
	tu_assert_err(rv_stamp_parse(&st, buf, size), 0, st.why);
	ck_assert_uint_eq(st.version, 2);
	ck_assert_uint_eq(st.flags, RV_STAMP_F_EVIDENCE);
	tu_put(buf + 8, 2, 4);
	ck_assert_int_eq(rv_stamp_parse(&st, buf, size), -RV_EFORMAT);
	tu_put(buf + 8, 2, 3);
	tu_put(buf + 20, 4, RV_STAMP_F_UNVERIFIED);
	tu_assert_err(rv_stamp_parse(&st, buf, size), 0, st.why);
	ck_assert_uint_eq(st.flags, RV_STAMP_F_UNVERIFIED);
	free(buf);
	assert_field(20, 4, 0, -RV_EFORMAT);
	assert_field(20, 4, RV_STAMP_F_EVIDENCE | RV_STAMP_F_UNVERIFIED, -RV_EFORMAT);
}
END_TEST

START_TEST(header_size_too_small_or_past_end)
{
	assert_field(10, 2, 0, -RV_EFORMAT);
	assert_field(10, 2, 24, -RV_EFORMAT);
	assert_field(10, 2, 111, -RV_EFORMAT);
	assert_field(10, 2, 0xffff, -RV_ETRUNC); /* larger than the data */
	assert_field(10, 2, 113, -RV_ETRUNC);	 /* then the entries do not fit */
}
END_TEST

START_TEST(entry_size_out_of_range)
{
	assert_field(12, 4, 0, -RV_EFORMAT);
	assert_field(12, 4, 79, -RV_EFORMAT);
	assert_field(12, 4, 4097, -RV_EFORMAT);
	assert_field(12, 4, 0xffffffffu, -RV_EFORMAT);
	assert_field(12, 4, 81, -RV_ETRUNC); /* 2 * 81 > the data */
}
END_TEST

START_TEST(count_does_not_match_size)
{
	assert_field(16, 4, 3, -RV_ETRUNC);
	assert_field(16, 4, 1, -RV_ERANGE);
	assert_field(16, 4, 0, -RV_ERANGE);
	assert_field(16, 4, RV_TABLE_MAX_CRATES, -RV_ETRUNC);
}
END_TEST

START_TEST(count_above_table_max)
{
	assert_field(16, 4, RV_TABLE_MAX_CRATES + 1, -RV_ELIMIT);
	assert_field(16, 4, 0xffffffffu, -RV_ELIMIT);
}
END_TEST

START_TEST(trailing_bytes)
{
	u64 size;
	u8 *buf = build_two(&size), *big = calloc(1, size + 1);

	memcpy(big, buf, size);
	assert_parse(big, size + 1, -RV_ERANGE);
	free(big);
	free(buf);
}
END_TEST

START_TEST(unknown_flags)
{
	assert_field(20, 4, 4, -RV_EFORMAT);
	assert_field(20, 4, 0x80000000u, -RV_EFORMAT);
}
END_TEST

START_TEST(rustc_unterminated)
{
	u64 size;
	u8 *buf = build_two(&size);

	memset(buf + 24, 'r', RV_RUSTC_MAX);
	assert_parse(buf, size, -RV_ESTRING);
	free(buf);
}
END_TEST

START_TEST(rustc_nonprintable)
{
	static const u8 bad[] = { 0x01, 0x0a, 0x1f, 0x7f, 0x80, 0xff };
	size_t i;

	for (i = 0; i < sizeof(bad); i++)
		assert_field(24 + 5, 1, bad[i], -RV_ESTRING);
}
END_TEST

/* -------------------------------------------------------------- entries */

START_TEST(crate_name_unterminated)
{
	u64 size;
	u8 *buf = build_two(&size);

	memset(buf + 112 + 80, 'a', RV_CRATE_NAME_MAX);
	assert_parse(buf, size, -RV_ESTRING);
	free(buf);
}
END_TEST

START_TEST(crate_name_invalid)
{
	assert_field(112 + 2, 1, '-', -RV_ESTRING);
	assert_field(112 + 2, 1, ' ', -RV_ESTRING);
	assert_field(112 + 2, 1, ':', -RV_ESTRING);
	assert_field(112 + 2, 1, 0xc3, -RV_ESTRING);
	assert_field(112, 1, 0, -RV_ESTRING); /* empty, rest is "crate" */
}
END_TEST

START_TEST(crate_name_empty)
{
	u64 size;
	u8 *buf = build_two(&size);

	memset(buf + 112, 0, RV_CRATE_NAME_MAX);
	assert_parse(buf, size, -RV_ESTRING);
	free(buf);
}
END_TEST

START_TEST(crate_name_not_nul_padded)
{
	assert_field(112 + 7, 1, 'x', -RV_EFORMAT); /* "kcrate\0x" */
	assert_field(112 + 63, 1, 1, -RV_EFORMAT);
}
END_TEST

START_TEST(duplicate_crates)
{
	struct rv_crate dup[3] = { two[0], two[1], two[0] };
	u64 size = rv_stamp_size(3);
	u8 *buf = malloc(size);

	ck_assert_int_eq(rv_stamp_build(buf, size, RUSTC, RV_STAMP_F_EVIDENCE, dup, 3), 0);
	assert_parse(buf, size, -RV_EDUP);
	/* the same name with another disambiguator is another crate */
	dup[2].dis ^= 1;
	ck_assert_int_eq(rv_stamp_build(buf, size, RUSTC, RV_STAMP_F_EVIDENCE, dup, 3), 0);
	assert_parse(buf, size, 0);
	free(buf);
}
END_TEST

START_TEST(truncated_at_every_byte)
{
	u64 size, cut;
	u8 *buf = build_two(&size);
	const char *why;
	int err;

	for (cut = 0; cut < size; cut++) {
		err = parse_copy(buf, cut, &why);
		tu_check(err == -RV_ETRUNC && why, "cut at %llu of %llu: got %d (%s)",
			 (unsigned long long)cut, (unsigned long long)size, err,
			 why ? why : "(null)");
	}
	assert_parse(buf, size, 0);
	free(buf);
}
END_TEST

START_TEST(damaged_every_byte)
{
	static const u8 values[] = { 0x00, 0xff, 0x01, 0x20, 'A' };
	u64 size, off;
	u8 *buf = build_two(&size);
	struct rv_stamp st;
	struct rv_crate c;
	size_t v;
	u32 i, crc;
	int err;

	for (off = 0; off < size; off++) {
		for (v = 0; v < sizeof(values); v++) {
			u8 saved = buf[off];

			buf[off] = values[v];
			err = rv_stamp_parse(&st, buf, size);
			if (err) {
				tu_check(err < 0 && err > -RV_NERRORS && st.why,
					 "byte %llu = %#x: %d", (unsigned long long)off, values[v],
					 err);
			} else {
				for (i = 0; i < st.count; i++) {
					rv_stamp_entry(&st, i, &c);
					tu_check(rv_stamp_find(&st, c.name, strlen(c.name), c.dis,
							       &crc),
						 "entry %u not found by its own name", i);
				}
			}
			buf[off] = saved;
		}
	}
	free(buf);
}
END_TEST

static Suite *stamp_suite(void)
{
	Suite *s = suite_create("stamp");
	TCase *tc;

	tc = tcase_create("round_trip");
	tcase_add_test(tc, round_trip_two_crates);
	tcase_add_test(tc, layout_matches_header_comment);
	tcase_add_test(tc, find_by_name_and_disambiguator);
	tcase_add_test(tc, empty_and_full_stamps);
	tcase_add_test(tc, longest_names_and_rustc);
	tcase_add_test(tc, larger_header_and_entry_sizes_are_skipped);
	tcase_add_test(tc, build_refuses_bad_input);
	suite_add_tcase(s, tc);

	tc = tcase_create("header");
	tcase_add_test(tc, null_or_short);
	tcase_add_test(tc, bad_magic);
	tcase_add_test(tc, bad_version);
	tcase_add_test(tc, version_1_is_read_as_unverified);
	tcase_add_test(tc, version_2_records_how);
	tcase_add_test(tc, header_size_too_small_or_past_end);
	tcase_add_test(tc, entry_size_out_of_range);
	tcase_add_test(tc, count_does_not_match_size);
	tcase_add_test(tc, count_above_table_max);
	tcase_add_test(tc, trailing_bytes);
	tcase_add_test(tc, unknown_flags);
	tcase_add_test(tc, rustc_unterminated);
	tcase_add_test(tc, rustc_nonprintable);
	suite_add_tcase(s, tc);

	tc = tcase_create("entries");
	tcase_add_test(tc, crate_name_unterminated);
	tcase_add_test(tc, crate_name_invalid);
	tcase_add_test(tc, crate_name_empty);
	tcase_add_test(tc, crate_name_not_nul_padded);
	tcase_add_test(tc, duplicate_crates);
	tcase_add_test(tc, truncated_at_every_byte);
	tcase_add_test(tc, damaged_every_byte);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(stamp_suite());
}
