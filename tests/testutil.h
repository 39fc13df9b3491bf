/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the engine's unit tests (tests/check-*.c): fixture
 * files from $FIXTURES, exact-size copies (so that AddressSanitizer sees
 * any read past the end of a truncated image), raw ELF header access for
 * building mutations, temporary directories and running tools (objcopy,
 * nm, c++filt) as oracles.
 *
 * Each test program is built from one test file and the engine sources, so
 * all helpers are static; TU_FN keeps the unused ones from warning.
 */
#ifndef RUSTVER_TESTUTIL_H
#define RUSTVER_TESTUTIL_H

#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rustver/types.h>

#define TU_FN		static __attribute__((unused))
#define TU_PRINTF(a, b) __attribute__((format(printf, a, b)))

/*
 * Asserts that @got is the negative error code @want and that @why (the
 * reason string the engine left) is set; prints both on failure.
 */
#define tu_assert_err(got, want, why)                                                              \
	do {                                                                                       \
		int got_ = (got), want_ = (want);                                                  \
		const char *why_ = (why);                                                          \
		ck_assert_msg(got_ == want_, "%s: got %d (%s), want %d (%s); why: %s", #got, got_, \
			      rv_strerror(got_), want_, rv_strerror(want_),                        \
			      why_ ? why_ : "(null)");                                             \
		if (want_)                                                                         \
			ck_assert_msg(why_ != NULL, "%s failed with %d but left no reason", #got,  \
				      got_);                                                       \
	} while (0)

/*
 * ck_assert_msg() without its cost when it passes: Check reports every
 * passing assertion to the parent process in fork mode, which makes loops
 * of thousands of cases slow. Use this one inside such loops.
 */
#define tu_check(cond, ...)                        \
	do {                                       \
		if (!(cond))                       \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

/* ---- fixtures ---- */

/* $FIXTURES, or exit with instructions (called from main, before the run). */
TU_FN const char *tu_fixtures(void)
{
	const char *dir = getenv("FIXTURES");

	if (!dir || !*dir) {
		fprintf(stderr, "FIXTURES is not set: build the fixtures with\n"
				"  tests/fixtures/build.sh DIR\n"
				"and run this test with FIXTURES=DIR\n");
		exit(2);
	}
	return dir;
}

/* "$FIXTURES/@name" in a static buffer (one at a time). */
TU_FN const char *tu_fixture_path(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", tu_fixtures(), name);
	return path;
}

/* Reads a whole file into an exact-size buffer; NULL with errno set. */
TU_FN u8 *tu_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	u8 *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto out;
	buf = malloc(len ? (size_t)len : 1);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
		errno = EIO;
	}
	*size = (size_t)len;
out:
	fclose(f);
	return buf;
}

/* A fixture file, or exit naming it (called from main). */
TU_FN u8 *tu_load_fixture(const char *name, size_t *size)
{
	const char *path = tu_fixture_path(name);
	u8 *buf = tu_read_file(path, size);

	if (!buf) {
		fprintf(stderr, "cannot read fixture %s: %s (run tests/fixtures/build.sh)\n", path,
			strerror(errno));
		exit(2);
	}
	return buf;
}

TU_FN int tu_write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(data, 1, size, f) == size;
	return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* An exact-size heap copy: a read one byte past the end is an ASan report. */
TU_FN void *tu_dup(const void *p, size_t n)
{
	u8 *c = malloc(n ? n : 1);

	tu_check(c != NULL, "out of memory copying %zu bytes", n);
	memcpy(c, p, n);
	return c;
}

/* True when the string @needle occurs in the @n bytes at @hay. */
TU_FN bool tu_memmem(const void *hay, size_t n, const char *needle)
{
	size_t len = strlen(needle), i;

	for (i = 0; i + len <= n; i++)
		if (!memcmp((const u8 *)hay + i, needle, len))
			return true;
	return false;
}

/* ---- processes and temporary files ---- */

/* Runs a shell command; returns its exit status (-1 if it did not exit). */
TU_FN TU_PRINTF(1, 2) int tu_run(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(NULL);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* The standard output of a shell command, NUL-terminated, malloc'd. */
TU_FN TU_PRINTF(1, 2) char *tu_capture(const char *fmt, ...)
{
	char cmd[8192];
	size_t len = 0, cap = 4096, n;
	char *out = malloc(cap);
	va_list ap;
	FILE *p;

	ck_assert_msg(out != NULL, "out of memory");
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(NULL);
	p = popen(cmd, "r");
	ck_assert_msg(p != NULL, "cannot run %s: %s", cmd, strerror(errno));
	while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len - 1 == 0) {
			cap *= 2;
			out = realloc(out, cap);
			ck_assert_msg(out != NULL, "out of memory");
		}
	}
	out[len] = '\0';
	ck_assert_msg(pclose(p) == 0, "command failed: %s", cmd);
	return out;
}

/* A fresh temporary directory; its path in @dir (>= 64 bytes). */
TU_FN void tu_mkdtemp(char *dir, size_t size)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, size, "%s/rustver-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp %s: %s", dir, strerror(errno));
}

TU_FN void tu_rm_rf(const char *dir)
{
	if (dir && *dir)
		tu_run("rm -rf '%s'", dir);
}

/* ---- raw little-endian access, independent of the engine's helpers ---- */

TU_FN u64 tu_get(const u8 *p, int bytes)
{
	u64 v = 0;
	int i;

	for (i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

TU_FN void tu_put(u8 *p, int bytes, u64 v)
{
	int i;

	for (i = 0; i < bytes; i++, v >>= 8)
		p[i] = (u8)v;
}

/* ---- ELF64 layout, read straight from the bytes ---- */

#define TU_E_TYPE      16
#define TU_E_MACHINE   18
#define TU_E_VERSION   20
#define TU_E_SHOFF     40
#define TU_E_SHENTSIZE 58
#define TU_E_SHNUM     60
#define TU_E_SHSTRNDX  62

#define TU_SH_NAME    0
#define TU_SH_TYPE    4
#define TU_SH_FLAGS   8
#define TU_SH_ADDR    16
#define TU_SH_OFFSET  24
#define TU_SH_SIZE    32
#define TU_SH_LINK    40
#define TU_SH_INFO    44
#define TU_SH_ENTSIZE 56

TU_FN u64 tu_shoff(const u8 *elf)
{
	return tu_get(elf + TU_E_SHOFF, 8);
}

TU_FN u32 tu_shnum(const u8 *elf)
{
	return (u32)tu_get(elf + TU_E_SHNUM, 2);
}

TU_FN u32 tu_shstrndx(const u8 *elf)
{
	return (u32)tu_get(elf + TU_E_SHSTRNDX, 2);
}

/* Section header @ndx (the file must hold the table). */
TU_FN u8 *tu_shdr(u8 *elf, u32 ndx)
{
	return elf + tu_shoff(elf) + (u64)ndx * 64;
}

TU_FN u64 tu_sh(const u8 *elf, u32 ndx, int field)
{
	const u8 *sh = elf + tu_shoff(elf) + (u64)ndx * 64;

	switch (field) {
	case TU_SH_NAME:
	case TU_SH_TYPE:
	case TU_SH_LINK:
	case TU_SH_INFO: return tu_get(sh + field, 4);
	}
	return tu_get(sh + field, 8);
}

TU_FN void tu_set_sh(u8 *elf, u32 ndx, int field, u64 v)
{
	u8 *sh = tu_shdr(elf, ndx);

	switch (field) {
	case TU_SH_NAME:
	case TU_SH_TYPE:
	case TU_SH_LINK:
	case TU_SH_INFO: tu_put(sh + field, 4, v); return;
	}
	tu_put(sh + field, 8, v);
}

/* Index of the first section of @type, or 0. */
TU_FN u32 tu_find_type(const u8 *elf, u32 type)
{
	u32 i;

	for (i = 1; i < tu_shnum(elf); i++)
		if (tu_sh(elf, i, TU_SH_TYPE) == type)
			return i;
	return 0;
}

/* Name of section @ndx from the section name table. */
TU_FN const char *tu_sh_name(const u8 *elf, u32 ndx)
{
	u64 strs = tu_sh(elf, tu_shstrndx(elf), TU_SH_OFFSET);

	return (const char *)elf + strs + tu_sh(elf, ndx, TU_SH_NAME);
}

/* Index of the section called @name, or 0. */
TU_FN u32 tu_find_named(const u8 *elf, const char *name)
{
	u32 i;

	for (i = 1; i < tu_shnum(elf); i++)
		if (!strcmp(tu_sh_name(elf, i), name))
			return i;
	return 0;
}

/* End of the last byte any header or section of the file declares. */
TU_FN u64 tu_elf_extent(const u8 *elf)
{
	u64 end = tu_shoff(elf) + (u64)tu_shnum(elf) * 64, e;
	u32 i;

	if (end < 64)
		end = 64;
	for (i = 0; i < tu_shnum(elf); i++) {
		if (tu_sh(elf, i, TU_SH_TYPE) == 8) /* SHT_NOBITS */
			continue;
		e = tu_sh(elf, i, TU_SH_OFFSET) + tu_sh(elf, i, TU_SH_SIZE);
		if (e > end)
			end = e;
	}
	return end;
}

/* ---- running a suite ---- */

/* Runs @s, prints Check's summary; the process exit status. */
#ifdef TU_SMALL_STACK
#include "smallstack.h"
#endif

TU_FN int tu_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

#ifdef TU_SMALL_STACK
	tu_stack_init();
#endif
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
#ifdef TU_SMALL_STACK
	failed += tu_stack_report();
#endif
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* RUSTVER_TESTUTIL_H */
