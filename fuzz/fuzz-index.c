// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the reader of check --all's index (tools/rustver/index.c)
 * past its checksum. The input is the records: its first two bytes are the
 * record count, the rest the records; the harness frames them as rustver
 * writes an index (header, checksum, module directory, this build's
 * identity), so that every input reaches the record parser. Each record
 * the reader accepts is then replayed as check --all does: its verdict
 * computed by the engine against a table, and printed in text and JSON.
 * Output goes to /dev/null; a crash or a sanitizer report is the finding.
 * Seeds: fuzz/regressions/index/ (records of a real index of the test
 * tree of tests/cli/index.sh).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../tools/rustver/rustver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct rv_crate crates[] = {
	{ .name = "core", .dis = 0x1b6169c1cdb4b588ULL, .crc = 0x5d17b4b7 },
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
	rv_quiet = true;
	return 0;
}

static size_t put_str(uint8_t *p, const char *s)
{
	size_t n = strlen(s) + 1;

	p[0] = (uint8_t)n;
	p[1] = (uint8_t)(n >> 8);
	memcpy(p + 2, s, n);
	return 2 + n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char dir[] = "/fuzz/lib/modules/0";
	const char *id = index_writer_id(), *why, *refusal;
	struct rv_table view = table_view(&table);
	size_t len = 32 + 2 + sizeof(dir) + 2 + strlen(id) + 1 + (size > 2 ? size - 2 : 0), at = 32;
	uint8_t *buf = calloc(1, len);
	struct out text, json;
	struct index *ix;
	uLong crc;

	if (!buf)
		abort();
	memcpy(buf, "RVINDEX", 8);
	buf[8] = INDEX_FORMAT_VERSION;
	if (size >= 2) {
		buf[12] = data[0];
		buf[13] = data[1];
	}
	at += put_str(buf + at, dir);
	at += put_str(buf + at, id);
	if (size > 2)
		memcpy(buf + at, data + 2, size - 2);
	for (int i = 0; i < 8; i++)
		buf[16 + i] = (uint8_t)((uint64_t)(len - 32) >> (8 * i));
	crc = crc32(0, buf, 24);
	crc = crc32(crc, buf + 32, (uInt)(len - 32));
	for (int i = 0; i < 4; i++)
		buf[24 + i] = (uint8_t)(crc >> (8 * i));

	ix = index_from_bytes(buf, len, dir, &why);
	if (!ix) {
		free(buf);
		return 0;
	}
	out_init(&text, out, false);
	out_init(&json, out, true);
	for (size_t i = 0; i < index_entries(ix); i++) {
		/* the loader's checks on the facts kept, against a kernel that has modversions */
		static const struct load_target lt = { .vermagic = "0 SMP modversions " };
		struct load_verdict lv;
		struct load_facts f;
		int facts = index_replay(index_entry(ix, i), &view, &scr, &v, &f, &refusal, out);

		if (facts < 0)
			continue;
		if (facts)
			load_verdict(&lv, &f, &lt);
		report_verdict(&text, "fuzz.ko", facts ? &lv : NULL, &v, &view, true);
		report_verdict(&json, "fuzz.ko", facts ? &lv : NULL, &v, &view, true);
		if (facts)
			load_verdict_free(&lv);
		if (refusal)
			fputs(refusal, out);
	}
	index_free(ix);
	return 0;
}
