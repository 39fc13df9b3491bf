// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the ELF reader, the verdict and the stamp parser over
 * arbitrary bytes. The input is
 *   - a module image for rv_verdict_check() against a small fixed table,
 *   - an ELF for rv_elf_open() and then every accessor over every section
 *     and symbol (plus the stamp and .modinfo sections when present),
 *   - a raw stamp for rv_stamp_parse().
 * Invariants that would make a verdict or a reader lie abort(), so the
 * fuzzer reports them like a crash; reads outside the input are caught by
 * AddressSanitizer (libFuzzer's copy of the input is exactly its size).
 * The verdict is also judged with the input's own imports as the table's
 * exports (tests/exportdiff.h): the fast path must give the walk's verdict.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rustver/verdict.h>

#include "../tests/exportdiff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

/* The fixtures' crates (tests/fixtures) and a couple of kernel-like ones. */
static const struct rv_crate crates[] = {
	{ .name = "core", .dis = 0xc1f1a4ba060b9bfaULL, .crc = 0x33bcc540 },
	{ .name = "kcrate", .dis = 0x97b0e7b356c0efd4ULL, .crc = 0xc8e4aaf3 },
	{ .name = "kernel", .dis = 0x1b6169c1cdb4b588ULL, .crc = 0x12345678 },
	{ .name = "foo", .dis = 0, .crc = 0 },
};
static const struct rv_table table = {
	.crates = crates,
	.count = 4,
	.rustc = "rustc 1.95.0 (59807616e 2026-04-14)",
};

static struct rv_verdict_scratch scr;
static struct rv_verdict v;
static volatile size_t sink;

static bool inside(const uint8_t *data, size_t size, const void *p, size_t len)
{
	const uint8_t *q = p;

	return q >= data && q <= data + size && len <= (size_t)(data + size - q);
}

static void fuzz_verdict(const uint8_t *data, size_t size)
{
	u32 i, failed = 0;
	int err;

	err = rv_verdict_check(data, size, &table, &scr, &v);
	if (err) {
		CHECK(err < 0 && err > -RV_NERRORS);
		CHECK(v.result == RV_RESULT_ERROR && v.err == err);
		CHECK(v.why != NULL && v.where != NULL);
		if (v.bad_symbol)
			sink += strlen(v.bad_symbol);
		return;
	}
	CHECK(v.result != RV_RESULT_ERROR);
	CHECK(v.ncrates <= RV_MODULE_MAX_CRATES);
	if (v.result == RV_RESULT_NOT_RUST)
		CHECK(v.rust_imports == 0 && v.ncrates == 0);
	else /* no crate when every import is rustc's own (__rustc) */
		CHECK(v.rust_imports > 0 && (v.ncrates > 0 || v.result == RV_RESULT_PASS));
	if (v.stamp_rustc) {
		CHECK(v.stamped);
		sink += strlen(v.stamp_rustc);
	}
	for (i = 0; i < v.ncrates; i++) {
		const struct rv_crate_verdict *c = &v.crates[i];

		CHECK(c->name_len > 0 && inside(data, size, c->name, c->name_len));
		CHECK(c->nsyms >= 1 && c->nsyms <= v.rust_imports);
		CHECK(c->example && inside(data, size, c->example, strlen(c->example) + 1));
		switch (c->status) {
		case RV_CRATE_PASS:
			CHECK(c->has_kernel_crc && c->has_stamp_crc &&
			      c->kernel_crc == c->stamp_crc);
			break;
		case RV_CRATE_MISMATCH:
			CHECK(c->has_kernel_crc && c->has_stamp_crc &&
			      c->kernel_crc != c->stamp_crc);
			failed++;
			break;
		case RV_CRATE_UNSTAMPED:
			CHECK(c->has_kernel_crc && !c->has_stamp_crc);
			failed++;
			break;
		case RV_CRATE_UNKNOWN:
		case RV_CRATE_OTHER_BUILD:
			CHECK(!c->has_kernel_crc);
			failed++;
			break;
		default: CHECK(0);
		}
	}
	CHECK(failed == v.nfailed);
	CHECK((v.result == RV_RESULT_PASS) == (v.rust_imports > 0 && failed == 0));
}

static void fuzz_stamp(const void *p, u64 size)
{
	struct rv_stamp st;
	struct rv_crate c;
	u32 i, crc;

	if (rv_stamp_parse(&st, p, size)) {
		CHECK(st.why != NULL);
		return;
	}
	CHECK(st.count <= RV_TABLE_MAX_CRATES);
	sink += strlen(st.rustc);
	for (i = 0; i < st.count; i++) {
		rv_stamp_entry(&st, i, &c);
		CHECK(rv_stamp_find(&st, c.name, strlen(c.name), c.dis, &crc));
	}
}

static void fuzz_elf(const uint8_t *data, size_t size)
{
	static struct rv_v0_scratch v0;
	struct rv_v0_result res;
	struct rv_elf_shdr sh;
	struct rv_elf_sym sym;
	struct rv_elf elf;
	const u8 *p;
	size_t n;
	u32 i;

	if (rv_elf_open(&elf, data, size)) {
		CHECK(elf.why != NULL);
		return;
	}
	for (i = 0; i < elf.shnum; i++) {
		CHECK(rv_elf_shdr(&elf, i, &sh) == 0);
		sink += strlen(rv_elf_section_name(&elf, &sh));
		p = rv_elf_section_data(&elf, &sh);
		if (p) {
			CHECK(inside(data, size, p, sh.size));
			if (sh.size)
				sink += p[sh.size - 1];
		}
		if (rv_elf_check_disjoint(&elf, &sh))
			CHECK(elf.why != NULL);
	}
	CHECK(rv_elf_shdr(&elf, elf.shnum, &sh) == -RV_ERANGE);
	if (!rv_elf_find_section(&elf, RV_STAMP_SECTION, &sh) &&
	    (p = rv_elf_section_data(&elf, &sh)))
		fuzz_stamp(p, sh.size);
	for (i = 0; i < elf.nsyms; i++) {
		if (rv_elf_sym(&elf, i, &sym)) {
			CHECK(elf.why != NULL);
			continue;
		}
		CHECK(inside(data, size, sym.name, sym.name_max));
		n = rv_elf_sym_name_len(&sym, RV_SYMBOL_MAX + 1);
		CHECK(n < sym.name_max || n == RV_SYMBOL_MAX + 1);
		CHECK(n == RV_SYMBOL_MAX + 1 || sym.name[n] == '\0');
		if (rv_v0_is_v0(sym.name, n) && rv_v0_parse(sym.name, n, &v0, &res))
			CHECK(res.why != NULL);
	}
	CHECK(rv_elf_sym(&elf, elf.nsyms, &sym) == -RV_ERANGE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_verdict(data, size);
	CHECK(!exportdiff(data, size, &table, &scr));
	fuzz_elf(data, size);
	fuzz_stamp(data, size);
	return 0;
}
