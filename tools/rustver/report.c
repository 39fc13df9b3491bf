// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: how verdicts are printed, in text and JSON. The wording follows
 * what kmod_rustver prints in dmesg.
 */
#include <string.h>

#include "rustver.h"

void crate_name(char *buf, size_t size, const char *name, size_t len, uint64_t dis)
{
	snprintf(buf, size, "%.*s[%llx]", (int)len, name, (unsigned long long)dis);
}

static void example(char *buf, size_t size, const struct rv_crate_verdict *c)
{
	if (!c->example) {
		buf[0] = '\0';
		return;
	}
	rv_v0_short_path(c->example, c->example_len, buf, size);
}

static void explain_crate(FILE *f, const struct rv_crate_verdict *c)
{
	char name[128], other[128], ex[256];

	crate_name(name, sizeof(name), c->name, c->name_len, c->dis);
	example(ex, sizeof(ex), c);
	fprintf(f, "    crate %s: ", name);
	switch (c->status) {
	case RV_CRATE_PASS: fprintf(f, "0x%08x, as the kernel", c->kernel_crc); break;
	case RV_CRATE_MISMATCH:
		fprintf(f, "built against 0x%08x, kernel has 0x%08x", c->stamp_crc, c->kernel_crc);
		break;
	case RV_CRATE_UNSTAMPED:
		fprintf(f, "not in the module's stamp, kernel has 0x%08x", c->kernel_crc);
		break;
	case RV_CRATE_UNKNOWN:
		fprintf(f, "unknown to the kernel (no such crate in its table)");
		break;
	case RV_CRATE_OTHER_BUILD:
		crate_name(other, sizeof(other), c->name, c->name_len, c->kernel_dis);
		fprintf(f, "the kernel has %s instead: another rustc built one of them", other);
		break;
	}
	fprintf(f, " (%u imported symbol%s, e.g. %s)\n", c->nsyms, c->nsyms == 1 ? "" : "s", ex);
}

static void explain_rustc(FILE *f, const struct rv_verdict *v, const struct rv_table *t)
{
	const char *a, *b;
	size_t la, lb;

	a = rv_rustc_version(v->stamp_rustc, &la);
	b = rv_rustc_version(t->rustc, &lb);
	if (a && b)
		fprintf(f,
			"    rustc differs: the module was built by rustc %.*s, the kernel "
			"by rustc %.*s; this is the most common cause\n",
			(int)la, a, (int)lb, b);
}

static bool has_status(const struct rv_verdict *v, enum rv_crate_status s)
{
	for (uint32_t i = 0; i < v->ncrates; i++)
		if (v->crates[i].status == s)
			return true;
	return false;
}

static void explain_fix(FILE *f, const struct rv_verdict *v)
{
	if (has_status(v, RV_CRATE_OTHER_BUILD))
		fputs("    fix: build the module with the rustc that built the kernel, "
		      "against the kernel's own build tree\n",
		      f);
	else if (v->old_stamp)
		fputs("    fix: its stamp was made by rustver 0.1 (format 1 or 2), which the loader does "
		      "not keep: run 'rustver stamp MODULE.ko' again\n",
		      f);
	else if (!v->stamped)
		fputs("    fix: out-of-tree Rust modules need a stamp: run "
		      "'rustver stamp MODULE.ko' where it was built, after linking and "
		      "before signing\n",
		      f);
	else
		fputs("    fix: rebuild against this kernel's build tree and run "
		      "'rustver stamp'\n",
		      f);
}

void report_verdict(FILE *f, const char *module, const struct rv_verdict *v,
		    const struct rv_table *t, bool detail)
{
	switch (v->result) {
	case RV_RESULT_NOT_RUST: fprintf(f, "%s: pass (no Rust imports)\n", module); return;
	case RV_RESULT_PASS:
		fprintf(f, "%s: pass (%u crate%s, %u Rust imports)\n", module, v->ncrates,
			v->ncrates == 1 ? "" : "s", v->rust_imports);
		break;
	case RV_RESULT_INTREE_UNSTAMPED:
		fprintf(f, "%s: pass (in-tree, not stamped; %u crate%s known to the kernel)\n",
			module, v->ncrates, v->ncrates == 1 ? "" : "s");
		break;
	case RV_RESULT_FAIL:
		fprintf(f, "%s: FAIL (%u of %u crate%s)\n", module, v->nfailed, v->ncrates,
			v->ncrates == 1 ? "" : "s");
		if (v->rustc_differs)
			explain_rustc(f, v, t);
		break;
	case RV_RESULT_ERROR:
		if (v->err == -RV_ELIMIT)
			fprintf(f, "%s: error: cannot judge: %s exceeds an engine limit: %s\n",
				module, v->where, v->why);
		else
			fprintf(f, "%s: error: %s: %s\n", module, v->where, v->why);
		if (v->bad_symbol) {
			size_t n = strnlen(v->bad_symbol, 201);

			fputs("    symbol ", f);
			print_untrusted(f, v->bad_symbol, n > 200 ? 200 : n);
			fprintf(f, "%s (at offset %u)\n", n > 200 ? "..." : "", v->bad_symbol_pos);
		}
		return;
	}
	if (v->result == RV_RESULT_INTREE_UNSTAMPED && !detail)
		return;
	for (uint32_t i = 0; i < v->ncrates; i++)
		if (detail || v->crates[i].status != RV_CRATE_PASS)
			explain_crate(f, &v->crates[i]);
	if (v->result == RV_RESULT_FAIL)
		explain_fix(f, v);
}

static void json_crc(FILE *f, const char *key, bool has, uint32_t crc)
{
	if (has)
		fprintf(f, ", \"%s\": \"0x%08x\"", key, crc);
	else
		fprintf(f, ", \"%s\": null", key);
}

void report_verdict_json(FILE *f, const char *module, const struct rv_verdict *v)
{
	fputs("{\"module\": ", f);
	print_json_string(f, module);
	fprintf(f,
		", \"result\": \"%s\", \"rust_imports\": %u, \"stamped\": %s, "
		"\"intree\": %s, \"rustc\": ",
		v->result == RV_RESULT_INTREE_UNSTAMPED ? "pass-intree-unstamped"
		: v->result == RV_RESULT_NOT_RUST	? "not-rust"
							: rv_result_name(v->result),
		v->rust_imports, v->stamped ? "true" : "false", v->intree ? "true" : "false");
	if (v->stamp_rustc)
		print_json_string(f, v->stamp_rustc);
	else
		fputs("null", f);
	fprintf(f, ", \"rustc_differs\": %s", v->rustc_differs ? "true" : "false");
	if (v->result == RV_RESULT_ERROR) {
		fputs(", \"error\": {\"where\": ", f);
		print_json_string(f, v->where);
		fputs(", \"why\": ", f);
		print_json_string(f, v->why);
		fputs("}", f);
	}
	fputs(", \"crates\": [", f);
	for (uint32_t i = 0; v->result != RV_RESULT_ERROR && i < v->ncrates; i++) {
		const struct rv_crate_verdict *c = &v->crates[i];
		char name[128];

		crate_name(name, sizeof(name), c->name, c->name_len, c->dis);
		fprintf(f, "%s{\"crate\": \"%s\", \"status\": \"%s\"", i ? ", " : "", name,
			rv_crate_status_name(c->status));
		json_crc(f, "stamp_crc", c->has_stamp_crc, c->stamp_crc);
		json_crc(f, "kernel_crc", c->has_kernel_crc, c->kernel_crc);
		fprintf(f, ", \"symbols\": %u, \"example\": ", c->nsyms);
		print_json_string(f, c->example);
		fputs("}", f);
	}
	fputs("]}\n", f);
}

int verdict_exit(const struct rv_verdict *v)
{
	switch (v->result) {
	case RV_RESULT_NOT_RUST:
	case RV_RESULT_PASS:
	case RV_RESULT_INTREE_UNSTAMPED: return EXIT_PASS;
	case RV_RESULT_FAIL: return EXIT_VERDICT;
	case RV_RESULT_ERROR: break;
	}
	return EXIT_TROUBLE;
}
