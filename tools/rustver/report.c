// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: how verdicts are printed, in text and JSON from the same calls
 * (out.c). The wording follows what kmod_rustver prints in dmesg.
 */
#include <string.h>

#include "rustver.h"

static void explain_crate(struct out *o, const struct rv_crate_verdict *c)
{
	char ex[256];

	ex[0] = '\0';
	if (c->example)
		rv_v0_short_path(c->example, c->example_len, ex, sizeof(ex));
	out_begin(o, NULL);
	out_crate(o, "    crate %s: ", c->name, c->name_len, c->dis);
	out_str(o, "status", NULL, rv_crate_status_name(c->status));
	switch (c->status) {
	case RV_CRATE_PASS: out_text(o, "0x%08x, as the kernel", c->kernel_crc); break;
	case RV_CRATE_MISMATCH:
		out_text(o, "built against 0x%08x, kernel has 0x%08x", c->stamp_crc, c->kernel_crc);
		break;
	case RV_CRATE_UNSTAMPED:
		out_text(o, "not in the module's stamp, kernel has 0x%08x", c->kernel_crc);
		break;
	case RV_CRATE_UNKNOWN:
		out_text(o, "unknown to the kernel (no such crate in its table)");
		break;
	case RV_CRATE_OTHER_BUILD:
		if (!o->json) /* JSON: kernel_disambiguator, below */
			out_crate(o, "the kernel has %s instead: another rustc built one of them",
				  c->name, c->name_len, c->kernel_dis);
		break;
	}
	out_hex(o, "stamp_crc", NULL, "0x%08llx", c->has_stamp_crc, c->stamp_crc);
	out_hex(o, "kernel_crc", NULL, "0x%08llx", c->has_kernel_crc, c->kernel_crc);
	if (o->json && c->status == RV_CRATE_OTHER_BUILD)
		out_hex(o, "kernel_disambiguator", NULL, "%llx", true, c->kernel_dis);
	out_uint(o, "symbols", " (%llu imported symbol", c->nsyms);
	out_text(o, "%s, e.g. ", c->nsyms == 1 ? "" : "s");
	out_str(o, NULL, "%s)\n", ex);
	out_bytes(o, "example", NULL, c->example, c->example_len);
	out_end(o);
}

static void explain_rustc(struct out *o, const struct rv_verdict *v, const struct rv_table *t)
{
	const char *a, *b;
	size_t la, lb;

	a = rv_rustc_version(v->stamp_rustc, &la);
	b = rv_rustc_version(t->rustc, &lb);
	if (!a || !b)
		return;
	out_bytes(o, NULL, "    rustc differs: the module was built by rustc %s", a, la);
	out_bytes(o, NULL, ", the kernel by rustc %s; this is the most common cause\n", b, lb);
}

static bool has_status(const struct rv_verdict *v, enum rv_crate_status s)
{
	for (uint32_t i = 0; i < v->ncrates; i++)
		if (v->crates[i].status == s)
			return true;
	return false;
}

static void explain_fix(struct out *o, const struct rv_verdict *v)
{
	if (has_status(v, RV_CRATE_OTHER_BUILD))
		out_text(o, "    fix: build the module with the rustc that built the kernel, "
			    "against the kernel's own build tree\n");
	else if (v->old_stamp)
		out_text(o, "    fix: its stamp was made by rustver 0.1 (format 1 or 2), which the "
			    "loader does not keep: run 'rustver stamp MODULE.ko' again\n");
	else if (!v->stamped)
		out_text(o, "    fix: out-of-tree Rust modules need a stamp: run "
			    "'rustver stamp MODULE.ko' where it was built, after linking and "
			    "before signing\n");
	else
		out_text(o, "    fix: rebuild against this kernel's build tree and run "
			    "'rustver stamp'\n");
}

/*
 * The verdict's line: "MODULE: pass (...)"; in JSON its fields. After a
 * refusal of the loader's (@lv), the crates' verdict is a line of its own,
 * "    Rust crates: ...", and "result" is the loader's.
 */
static void verdict_line(struct out *o, const char *module, const struct rv_verdict *v,
			 const struct load_verdict *lv)
{
	const char *s = v->ncrates == 1 ? "" : "s";

	if (lv && lv->first_refusal >= 0) {
		out_str(o, "rust_result", NULL, rv_result_name(v->result));
		if (v->result == RV_RESULT_NOT_RUST || v->result == RV_RESULT_ERROR)
			goto fields;
		out_text(o, "    Rust crates: ");
	} else {
		out_str(o, "module", "%s: ", module);
		out_str(o, "result", NULL, rv_result_name(v->result));
	}
	switch (v->result) {
	case RV_RESULT_NOT_RUST: out_text(o, "pass (no Rust imports)\n"); break;
	case RV_RESULT_PASS:
		out_text(o, "pass (%u crate%s, %u Rust imports)\n", v->ncrates, s, v->rust_imports);
		break;
	case RV_RESULT_INTREE_UNSTAMPED:
		out_text(o, "pass (in-tree, not stamped; %u crate%s known to the kernel)\n",
			 v->ncrates, s);
		break;
	case RV_RESULT_FAIL:
		out_text(o, "FAIL (%u of %u crate%s)\n", v->nfailed, v->ncrates, s);
		break;
	case RV_RESULT_ERROR: break;
	}
fields:
	out_uint(o, "rust_imports", NULL, v->rust_imports);
	out_bool(o, "stamped", NULL, v->stamped);
	out_bool(o, "intree", NULL, v->intree);
	out_str(o, "rustc", NULL, v->stamp_rustc);
	out_bool(o, "rustc_differs", NULL, v->rustc_differs);
}

static void verdict_error(struct out *o, const struct rv_verdict *v)
{
	size_t n;

	out_begin(o, "error");
	out_text(o, "error: ");
	if (v->err == -RV_ELIMIT)
		out_str(o, "where", "cannot judge: %s exceeds an engine limit: ", v->where);
	else
		out_str(o, "where", "%s: ", v->where);
	out_str(o, "why", "%s\n", v->why);
	if (v->bad_symbol) {
		n = strnlen(v->bad_symbol, 201);
		out_bytes(o, "symbol", "    symbol %s", v->bad_symbol, n > 200 ? 200 : n);
		out_text(o, "%s", n > 200 ? "..." : "");
		out_uint(o, "offset", " (at offset %llu)\n", v->bad_symbol_pos);
	}
	out_end(o);
}

/* The loader's refusal: "MODULE: FAIL (REASON)", in the kernel's words, and the fix. */
static void load_refusal(struct out *o, const char *module, const struct load_check *c)
{
	out_str(o, "module", "%s: ", module);
	out_str(o, "result", NULL, "fail");
	out_text(o, "FAIL (");
	if (c->module_value) {
		/* kernel/module/main.c, check_modinfo() */
		out_bytes(o, NULL, "version magic '%s'", c->module_value, c->module_len);
		out_str(o, NULL, " should be '%s'", c->kernel_value);
	} else {
		out_str(o, NULL, "%s", c->reason);
	}
	out_text(o, ")\n");
	out_str(o, NULL, "    fix: %s\n", c->fix);
}

/*
 * JSON: whether the module loads (the loader's checks and the crates'),
 * then the loader's checks, one record each; text: nothing (the line says it).
 */
static void load_checks_json(struct out *o, const struct load_verdict *lv,
			     const struct rv_verdict *v)
{
	if (!o->json)
		return;
	out_bool(o, "loads", NULL, load_exit(lv, v) == EXIT_PASS);
	out_begin_list(o, "checks");
	for (int i = 0; i < LOAD_NCHECKS; i++) {
		const struct load_check *c = &lv->c[i];

		out_begin(o, NULL);
		out_str(o, "check", NULL, c->name);
		out_str(o, "result", NULL, load_status_name(c->status));
		out_bytes(o, "module_value", NULL, c->module_value, c->module_len);
		out_str(o, "kernel_value", NULL, c->kernel_value);
		out_str(o, "reason", NULL, c->reason);
		out_str(o, "fix", NULL, c->status == LOAD_REFUSED ? c->fix : NULL);
		out_end(o);
	}
	out_end_list(o);
}

void report_verdict_fields(struct out *o, const char *module, const struct rv_verdict *v,
			   const struct rv_table *t, bool detail)
{
	report_load_fields(o, module, NULL, v, t, detail);
}

void report_load_fields(struct out *o, const char *module, const struct load_verdict *lv,
			const struct rv_verdict *v, const struct rv_table *t, bool detail)
{
	if (lv && lv->first_refusal >= 0)
		load_refusal(o, module, &lv->c[lv->first_refusal]);
	verdict_line(o, module, v, lv);
	if (lv)
		load_checks_json(o, lv, v);
	if (v->result == RV_RESULT_ERROR)
		verdict_error(o, v);
	if (v->result == RV_RESULT_FAIL && v->rustc_differs)
		explain_rustc(o, v, t);
	out_begin_list(o, "crates");
	/* text: an in-tree module's crates only for show; JSON: always */
	for (uint32_t i = 0;
	     v->result != RV_RESULT_ERROR && v->result != RV_RESULT_NOT_RUST &&
	     (detail || o->json || v->result != RV_RESULT_INTREE_UNSTAMPED) && i < v->ncrates;
	     i++)
		if (detail || o->json || v->crates[i].status != RV_CRATE_PASS)
			explain_crate(o, &v->crates[i]);
	out_end_list(o);
	if (v->result == RV_RESULT_FAIL)
		explain_fix(o, v);
}

void report_verdict(struct out *o, const char *module, const struct load_verdict *lv,
		    const struct rv_verdict *v, const struct rv_table *t, bool detail)
{
	out_begin(o, NULL);
	report_load_fields(o, module, lv, v, t, detail);
	out_end(o);
}

void report_error(struct out *o, const char *module, const char *where, const char *why)
{
	out_begin(o, NULL);
	out_str(o, "module", "%s: ", module);
	out_str(o, "result", NULL, "error");
	out_begin(o, "error");
	out_text(o, "error: ");
	out_str(o, "where", NULL, where);
	out_str(o, "why", "%s\n", why);
	out_end(o);
	out_end(o);
}

int load_exit(const struct load_verdict *lv, const struct rv_verdict *v)
{
	int r = verdict_exit(v);

	return lv && lv->first_refusal >= 0 && r < EXIT_VERDICT ? EXIT_VERDICT : r;
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
