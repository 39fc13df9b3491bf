// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the Rust v0 symbol parser and the readable-path
 * printer over arbitrary bytes (not NUL-terminated: the engine must use the
 * length). Result invariants abort(); out-of-bounds reads and writes are
 * AddressSanitizer reports (output buffers are allocated at their exact
 * size).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rustver/v0.h>

#include "../tests/v0diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

static struct rv_v0_scratch scr, warm; /* warm: its path cache lives across inputs */

static void check_result(const char *name, size_t len)
{
	struct rv_v0_result r;
	u32 i, j, k;
	int err;

	/* the path cache never changes a result */
	CHECK(v0diff(name, len, &scr, &warm) == NULL);
	err = rv_v0_parse(name, len, &scr, &r);
	if (err) {
		CHECK(err == -RV_ESYNTAX || err == -RV_ELIMIT);
		CHECK(r.why != NULL && r.err_pos <= len && r.ncrates == 0);
		return;
	}
	CHECK(len <= RV_SYMBOL_MAX && rv_v0_is_v0(name, len));
	CHECK(r.ncrates >= 1 && r.ncrates <= RV_V0_MAX_CRATES);
	for (i = 0; i < r.ncrates; i++) {
		const struct rv_crate_ref *c = &r.crates[i];

		CHECK(c->name_len > 0 && c->name_len < RV_CRATE_NAME_MAX);
		CHECK(c->name >= name && c->name + c->name_len <= name + len);
		CHECK(c->origin != 0 &&
		      !(c->origin & ~(RV_ORIGIN_PATH | RV_ORIGIN_IMPL | RV_ORIGIN_INST)));
		for (k = 0; k < c->name_len; k++) {
			char ch = c->name[k];

			CHECK((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			      (ch >= '0' && ch <= '9') || ch == '_');
		}
		for (j = 0; j < i; j++)
			CHECK(r.crates[j].dis != c->dis || r.crates[j].name_len != c->name_len ||
			      memcmp(r.crates[j].name, c->name, c->name_len));
	}
	/* parsing is a pure function of the bytes */
	{
		struct rv_v0_result again;

		CHECK(rv_v0_parse(name, len, &scr, &again) == 0);
		CHECK(again.ncrates == r.ncrates && again.crates[0].name == r.crates[0].name);
	}
}

static void check_short_path(const char *name, size_t len, size_t size)
{
	char *out = malloc(size ? size : 1);
	size_t n;

	CHECK(out != NULL);
	n = rv_v0_short_path(name, len, out, size);
	if (size == 0) {
		CHECK(n == 0);
	} else {
		CHECK(n < size && out[n] == '\0');
		CHECK(strlen(out) <= n);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 8, 16, 64, 256, 4096, 8192 };
	const char *name = (const char *)data;
	size_t i;

	check_result(name, size);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_short_path(name, size, sizes[i]);
	/* as a symbol after "_R", the common case */
	if (size + 2 <= RV_SYMBOL_MAX + 8) {
		char *sym = malloc(size + 2);

		CHECK(sym != NULL);
		sym[0] = '_';
		sym[1] = 'R';
		memcpy(sym + 2, data, size);
		check_result(sym, size + 2);
		check_short_path(sym, size + 2, 64);
		free(sym);
	}
	return 0;
}
