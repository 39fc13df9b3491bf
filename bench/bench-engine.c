// SPDX-License-Identifier: GPL-2.0
/*
 * bench-engine: how fast the engine is on real inputs, the numbers that
 * matter for kmod_rustver (it runs on every module load).
 *
 *   bench-engine symbols FILE      rv_v0_parse on every v0 symbol of FILE
 *                                  (System.map / nm lines: last field)
 *   bench-engine verdict FILE...   rv_verdict_check on each module image
 *                                  (uncompressed ELF; decompress first)
 *   bench-engine each FILE...      the same, one line per file (time and
 *                                  verdict): the hostile fixtures
 *
 * Prints one "name value unit" line per measurement.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <rustver/verdict.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, unsigned long long *t, size_t n)
{
	qsort(t, n, sizeof(*t), cmp_ull);
	printf("%s_count %zu\n", what, n);
	printf("%s_p50 %llu ns\n", what, n ? t[(n - 1) / 2] : 0);
	printf("%s_p99 %llu ns\n", what, n ? t[(n - 1) * 99 / 100] : 0);
	printf("%s_max %llu ns\n", what, n ? t[n - 1] : 0);
}

static int bench_symbols(const char *path)
{
	static struct rv_v0_scratch scr;
	static struct rv_v0_result res;
	char line[8192];
	char **syms = NULL;
	size_t n = 0, failed = 0;
	unsigned long long *t, total = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		char *last = strrchr(line, ' ');
		char *s = last ? last + 1 : line;

		s[strcspn(s, "\r\n")] = '\0';
		if (strncmp(s, "_R", 2))
			continue;
		syms = realloc(syms, (n + 1) * sizeof(*syms));
		syms[n++] = strdup(s);
	}
	fclose(f);
	t = calloc(n ? n : 1, sizeof(*t));
	for (int round = 0; round < 5; round++) {
		for (size_t i = 0; i < n; i++) {
			unsigned long long t0 = now_ns();

			if (rv_v0_parse(syms[i], strlen(syms[i]), &scr, &res) && !round)
				failed++;
			t[i] = now_ns() - t0;
			total += t[i];
		}
	}
	printf("v0_symbols %zu\nv0_failures %zu\n", n, failed);
	printf("v0_mean %llu ns\n", n ? total / (5 * n) : 0);
	report("v0_parse", t, n);
	for (size_t i = 0; i < n; i++)
		free(syms[i]);
	free(syms);
	free(t);
	return failed ? 1 : 0;
}

static void *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, len = 0, r;

	if (!f)
		return NULL;
	do {
		if (len == cap)
			buf = realloc(buf, cap = cap ? cap * 2 : 1 << 16);
		r = fread(buf + len, 1, cap - len, f);
		len += r;
	} while (r);
	fclose(f);
	*size = len;
	return buf;
}

static int bench_verdict(int argc, char **argv, bool each)
{
	static struct rv_verdict_scratch scr;
	static struct rv_verdict v;
	static const struct rv_crate crates[] = {
		{ .name = "core", .dis = 0x1b6169c1cdb4b588ULL, .crc = 1 },
		{ .name = "kernel", .dis = 0x8135fdc6fc107636ULL, .crc = 2 },
	};
	struct rv_table table = { .crates = crates, .count = 2 };
	unsigned long long *t = calloc((size_t)argc, sizeof(*t));
	size_t n = 0, rust = 0, bytes = 0;
	struct rusage ru;

	for (int i = 0; i < argc; i++) {
		size_t size;
		void *data = slurp(argv[i], &size);
		unsigned long long best = ~0ULL;

		if (!data) {
			perror(argv[i]);
			continue;
		}
		for (int round = 0; round < 5; round++) {
			unsigned long long t0 = now_ns(), dt;

			rv_verdict_check(data, size, &table, &scr, &v);
			dt = now_ns() - t0;
			if (dt < best)
				best = dt;
		}
		t[n++] = best;
		if (each) {
			const char *base = strrchr(argv[i], '/');

			printf("verdict_of_%s %llu ns (%s, %u Rust imports%s%s)\n",
			       base ? base + 1 : argv[i], best, rv_result_name(v.result),
			       v.rust_imports, v.why ? ": " : "", v.why ? v.why : "");
		}
		bytes += size;
		rust += v.rust_imports > 0;
		free(data);
	}
	printf("verdict_modules %zu\nverdict_rust_modules %zu\nverdict_bytes %zu\n", n, rust,
	       bytes);
	report("verdict", t, n);
	getrusage(RUSAGE_SELF, &ru);
	printf("peak_rss %ld KiB\n", ru.ru_maxrss);
	printf("engine_scratch %zu bytes\n", sizeof(scr) + sizeof(v));
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "symbols"))
		return bench_symbols(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "verdict"))
		return bench_verdict(argc - 2, argv + 2, false);
	if (argc >= 3 && !strcmp(argv[1], "each"))
		return bench_verdict(argc - 2, argv + 2, true);
	fprintf(stderr, "usage: bench-engine symbols FILE | verdict MODULE.ko... | each MODULE.ko...\n");
	return 2;
}
