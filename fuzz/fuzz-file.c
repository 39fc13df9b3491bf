// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the helper's whole path over a module file, as
 * `rustver show` and `rustver check` take it: recognising and decompressing
 * xz, zstd (skippable frames too) and gzip, cutting the signature trailer,
 * then every field show prints (.modinfo name and vermagic, .comment's
 * rustc, the stamp, the Rust imports) and the verdict against a table of
 * Debian's and the fixtures' crates. It is linked with the helper's own
 * sources (every tools/rustver source, main() renamed), so what is fuzzed is what
 * ships. Text goes to /dev/null; show's JSON is one line without a raw control
 * byte; invariants abort().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tools/rustver/rustver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

static struct rv_crate crates[] = {
	{ .name = "core", .dis = 0x1b6169c1cdb4b588ULL, .crc = 0x5d17b4b7 },
	{ .name = "core", .dis = 0xc1f1a4ba060b9bfaULL, .crc = 0x33bcc540 },
	{ .name = "kcrate", .dis = 0x97b0e7b356c0efd4ULL, .crc = 0xc8e4aaf3 },
	{ .name = "kernel", .dis = 0x8135fdc6fc107636ULL, .crc = 0x24b6b1c6 },
};
static struct table table = {
	.crates = crates,
	.count = sizeof(crates) / sizeof(crates[0]),
	.rustc = "rustc 1.85.1 (4eb161250 2025-03-15) (built from a source tarball)",
	.source = "the fuzz table",
};
static struct rv_verdict_scratch scr;
static struct rv_verdict v;
static FILE *out;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	out = fopen("/dev/null", "w");
	if (!out)
		abort();
	/* a decompression bomb is refused at 64 MiB instead of 1 GiB */
	modfile_max_size = (size_t)64 << 20;
	rv_quiet = true;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *raw = xmalloc(size + 1);
	struct modfile m;
	int r;

	memcpy(raw, data, size);
	raw[size] = '\0';
	if (modfile_from_bytes(&m, "fuzz.ko", raw, size) == 0) {
		struct out text, json;
		char *buf = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&buf, &len);

		CHECK(mem);
		CHECK(m.data && m.elf_size <= m.size);
		out_init(&text, out, false);
		/* without and with a table, as show does */
		r = show_module(&text, "fuzz.ko", &m, NULL, &scr, &v);
		CHECK(r == EXIT_PASS || r == EXIT_TROUBLE);
		r = show_module(&text, "fuzz.ko", &m, &table, &scr, &v);
		CHECK(r >= EXIT_PASS && r <= EXIT_TROUBLE);
		CHECK(!m.refusal || r == EXIT_TROUBLE);
		if (v.result == RV_RESULT_ERROR)
			CHECK(r == EXIT_TROUBLE && v.why && v.where);
		/* show --json: one line, no raw control byte, whatever the module holds */
		out_init(&json, mem, true);
		show_module(&json, "fuzz.ko", &m, &table, &scr, &v);
		CHECK(fclose(mem) == 0);
		CHECK(len >= 2 && buf[0] == '{' && buf[len - 1] == '\n' && buf[len - 2] == '}');
		for (size_t i = 0; i + 1 < len; i++)
			CHECK((unsigned char)buf[i] >= 0x20 && buf[i] != 0x7f);
		free(buf);
	}
	modfile_close(&m);
	return 0;
}
