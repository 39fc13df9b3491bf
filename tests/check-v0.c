// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the Rust v0 symbol parser (lib/v0.c).
 *
 * Real symbols come from the rustc-built fixtures ($FIXTURES/symbols.txt);
 * binutils' c++filt is the oracle for their crate roots: every `name[hex]`
 * it prints must be among the engine's crates, and every engine crate it
 * does not print must come only from an impl path or the instantiating
 * crate (which c++filt leaves out). Hand-written symbols follow
 * https://doc.rust-lang.org/rustc/symbol-mangling/v0.html and were checked
 * with c++filt (binutils 2.40); its output is in the comment next to each.
 * binutils 2.40 cannot demangle const generics beyond integers, bool and
 * char, so the str / struct / array / tuple / reference consts below are
 * real symbols that rustc 1.95.0 emitted for
 * `#![feature(adt_const_params, unsized_const_params)]` code.
 *
 * Every parse here runs twice (parse_both()): rv_v0_parse(), which starts
 * from an empty path cache, and rv_v0_parse_str() with a cache carried
 * from parse to parse as the verdict carries it through a module. The two
 * must agree field by field, errors included, on every input below.
 */
#include <rustver/v0.h>

#include "testutil.h"

static struct rv_v0_scratch scr;
static char *symbols_txt; /* the fixture's symbols, one a line */

/* Crates of @r as "name[hex]:ORIGINS ..." (P path, M impl, I instantiating). */
static const char *crates_str(const struct rv_v0_result *r)
{
	static char buf[4096];
	size_t n = 0;
	u32 i;

	buf[0] = '\0';
	for (i = 0; i < r->ncrates && n < sizeof(buf) - 200; i++) {
		const struct rv_crate_ref *c = &r->crates[i];

		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%.*s[%llx]:%s%s%s", i ? " " : "",
				      (int)c->name_len, c->name, (unsigned long long)c->dis,
				      c->origin & RV_ORIGIN_PATH ? "P" : "",
				      c->origin & RV_ORIGIN_IMPL ? "M" : "",
				      c->origin & RV_ORIGIN_INST ? "I" : "");
	}
	return buf;
}

static struct rv_v0_scratch warm; /* its path cache lives across parses */

/*
 * rv_v0_parse() of @len bytes at @sym into @r, checked against
 * rv_v0_parse_str() of the same bytes, NUL-terminated, with the warm cache.
 */
static int parse_both(const char *sym, size_t len, struct rv_v0_scratch *s, struct rv_v0_result *r)
{
	static struct rv_v0_result w;
	size_t wlen, i;
	char *c;
	int err, werr;

	err = rv_v0_parse(sym, len, s, r);
	if (memchr(sym, '\0', len))
		return err;  /* rv_v0_parse_str() would stop at the NUL */
	c = malloc(len + 1); /* exact size: ASan sees any read past the NUL */
	ck_assert_ptr_nonnull(c);
	memcpy(c, sym, len);
	c[len] = '\0';
	werr = rv_v0_parse_str(c, len + 1, &warm, &w, &wlen);
	ck_assert_msg(wlen == (len > RV_SYMBOL_MAX ? RV_SYMBOL_MAX + 1 : len),
		      "%.60s: measured %zu of %zu bytes", sym, wlen, len);
	ck_assert_msg(werr == err && w.err_pos == r->err_pos && w.ncrates == r->ncrates &&
			      (w.why == r->why || (w.why && r->why && !strcmp(w.why, r->why))),
		      "%.*s: cold %d at %zu (%s), warm %d at %zu (%s)",
		      (int)(len > 300 ? 300 : len), sym, err, r->err_pos, r->why ? r->why : "-",
		      werr, w.err_pos, w.why ? w.why : "-");
	for (i = 0; i < r->ncrates; i++)
		ck_assert_msg(w.crates[i].name - c == r->crates[i].name - sym &&
				      w.crates[i].name_len == r->crates[i].name_len &&
				      w.crates[i].dis == r->crates[i].dis &&
				      w.crates[i].origin == r->crates[i].origin,
			      "%.*s: crate %zu differs with a warm cache",
			      (int)(len > 300 ? 300 : len), sym, i);
	free(c);
	return err;
}

static int parse(const char *sym, struct rv_v0_result *r)
{
	return parse_both(sym, strlen(sym), &scr, r);
}

/* Parses @sym and compares its crates with @want ("foo[0]:P bar[0]:I"). */
static void assert_crates(const char *sym, const char *want)
{
	struct rv_v0_result r;
	int err = parse(sym, &r);

	ck_assert_msg(err == 0, "%s: error %d (%s) at %zu: %s", sym, err, rv_strerror(err),
		      r.err_pos, r.why ? r.why : "(null)");
	ck_assert_msg(!strcmp(crates_str(&r), want), "%s:\n  got  %s\n  want %s", sym,
		      crates_str(&r), want);
}

/* Parses @sym of @len bytes and expects error @want with a reason. */
static void assert_error_len(const char *sym, size_t len, int want)
{
	struct rv_v0_result r;
	int err = parse_both(sym, len, &scr, &r);

	ck_assert_msg(err == want, "%.*s: got %d (%s), want %d (%s); why: %s",
		      (int)(len > 300 ? 300 : len), sym, err, rv_strerror(err), want,
		      rv_strerror(want), r.why ? r.why : "(null)");
	ck_assert_msg(r.why != NULL, "%.*s: error %d without a reason",
		      (int)(len > 300 ? 300 : len), sym, err);
	ck_assert_msg(r.ncrates == 0, "%.*s: failed but left %u crates",
		      (int)(len > 300 ? 300 : len), sym, r.ncrates);
	ck_assert_msg(r.err_pos <= len, "%.*s: err_pos %zu beyond %zu",
		      (int)(len > 300 ? 300 : len), sym, r.err_pos, len);
}

static void assert_error(const char *sym, int want)
{
	assert_error_len(sym, strlen(sym), want);
}

/* A growing string for generated symbols. */
struct gen {
	char *s;
	size_t len, cap;
};

static void gen_add(struct gen *g, const char *s)
{
	size_t n = strlen(s);

	if (g->len + n + 1 > g->cap) {
		g->cap = (g->len + n + 1) * 2;
		g->s = realloc(g->s, g->cap);
		ck_assert_ptr_nonnull(g->s);
	}
	memcpy(g->s + g->len, s, n + 1);
	g->len += n;
}

static void gen_rep(struct gen *g, const char *s, int times)
{
	while (times-- > 0)
		gen_add(g, s);
}

/* The base-62 digits of @v and "_". */
static void digits62(char *out, u64 v)
{
	static const char d[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	char tmp[16];
	int n = 0, i = 0;

	do {
		tmp[n++] = d[v % 62];
		v /= 62;
	} while (v);
	while (n)
		out[i++] = tmp[--n];
	out[i++] = '_';
	out[i] = '\0';
}

/* base-62-number worth @x: "_" for 0, else the digits of x - 1 and "_". */
static void base62(char *out, u64 x)
{
	if (x == 0)
		strcpy(out, "_");
	else
		digits62(out, x - 1);
}

static const char *short_path(const char *sym, char *out, size_t size)
{
	size_t n = rv_v0_short_path(sym, strlen(sym), out, size);

	ck_assert_msg(size == 0 || (out[n] == '\0' && n < size && strlen(out) == n),
		      "%.100s: returned %zu for size %zu", sym, n, size);
	return out;
}

/* ----------------------------------------------------------- real symbols */

/* Calls @fn for each line of symbols.txt. */
static void each_symbol(void (*fn)(const char *sym, size_t len, void *arg), void *arg)
{
	const char *p = symbols_txt, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (nl > p)
			fn(p, (size_t)(nl - p), arg);
		p = *nl ? nl + 1 : nl;
	}
}

static void count_line(const char *sym, size_t len, void *arg)
{
	(void)sym;
	(void)len;
	(*(u32 *)arg)++;
}

static void real_parses(const char *sym, size_t len, void *arg)
{
	struct rv_v0_result r;
	int err = parse_both(sym, len, &scr, &r);
	u32 i;

	(void)arg;
	ck_assert_msg(err == 0, "%.*s: error %d at %zu: %s", (int)len, sym, err, r.err_pos,
		      r.why ? r.why : "(null)");
	ck_assert_msg(r.ncrates >= 1, "%.*s: no crates", (int)len, sym);
	for (i = 0; i < r.ncrates; i++)
		ck_assert_msg(r.crates[i].name_len > 0 && r.crates[i].name >= sym &&
				      r.crates[i].name + r.crates[i].name_len <= sym + len,
			      "%.*s: crate %u outside the name", (int)len, sym, i);
}

START_TEST(real_symbols_all_parse)
{
	u32 n = 0;

	each_symbol(count_line, &n);
	ck_assert_msg(n >= 10, "symbols.txt has only %u symbols", n);
	each_symbol(real_parses, NULL);
}
END_TEST

/* Does c++filt's line hold `name[hex]` for crate @c? */
static bool demangled_has(const char *line, const struct rv_crate_ref *c)
{
	char tok[128];

	snprintf(tok, sizeof(tok), "%.*s[%llx]", (int)c->name_len, c->name,
		 (unsigned long long)c->dis);
	for (const char *p = strstr(line, tok); p; p = strstr(p + 1, tok)) {
		char before = p == line ? ' ' : p[-1];

		if (!(before == '_' || (before >= '0' && before <= '9') ||
		      (before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z')))
			return true;
	}
	return false;
}

/* Every `ident[hex]` of c++filt's line is among @r's crates. */
static void demangled_subset(const char *sym, const char *line, const struct rv_v0_result *r)
{
	const char *p;

	for (p = strchr(line, '['); p; p = strchr(p + 1, '[')) {
		const char *name = p, *q = p + 1;
		unsigned long long dis;
		bool found = false;
		u32 i;

		while (name > line && (name[-1] == '_' || isalnum((unsigned char)name[-1])))
			name--;
		if (name == p)
			continue;
		while (isxdigit((unsigned char)*q))
			q++;
		if (q == p + 1 || *q != ']')
			continue;
		dis = strtoull(p + 1, NULL, 16);
		for (i = 0; i < r->ncrates; i++)
			if (r->crates[i].name_len == (u32)(p - name) &&
			    !memcmp(r->crates[i].name, name, (size_t)(p - name)) &&
			    r->crates[i].dis == dis)
				found = true;
		ck_assert_msg(found,
			      "%s: c++filt names %.*s which the engine "
			      "missed\n  c++filt: %s\n  engine: %s",
			      sym, (int)(q + 1 - name), name, line, crates_str(r));
	}
}

START_TEST(real_symbols_agree_with_cxxfilt)
{
	char *demangled = tu_capture("c++filt < '%s'", tu_fixture_path("symbols.txt"));
	const char *sp = symbols_txt, *dp = demangled;
	char sym[RV_SYMBOL_MAX + 1], line[16384];
	u32 n = 0, i;

	while (*sp && *dp) {
		const char *se = strchr(sp, '\n'), *de = strchr(dp, '\n');
		struct rv_v0_result r;

		ck_assert_msg(se && de, "symbols.txt and c++filt output misaligned");
		snprintf(sym, sizeof(sym), "%.*s", (int)(se - sp), sp);
		snprintf(line, sizeof(line), "%.*s", (int)(de - dp), dp);
		sp = se + 1;
		dp = de + 1;
		ck_assert_msg(parse(sym, &r) == 0, "%s: %s", sym, r.why);
		demangled_subset(sym, line, &r);
		/* what c++filt leaves out is only impl paths and the instantiating crate */
		for (i = 0; i < r.ncrates; i++) {
			if (demangled_has(line, &r.crates[i]))
				continue;
			ck_assert_msg(!(r.crates[i].origin & RV_ORIGIN_PATH) &&
					      r.crates[i].origin &
						      (RV_ORIGIN_IMPL | RV_ORIGIN_INST),
				      "%s: engine crate %.*s (origin %#x) is not in c++filt's "
				      "%s",
				      sym, (int)r.crates[i].name_len, r.crates[i].name,
				      r.crates[i].origin, line);
		}
		n++;
	}
	ck_assert_msg(n >= 10 && !*sp && !*dp, "compared %u symbols; leftovers", n);
	free(demangled);
}
END_TEST

/*
 * The first line of symbols.txt that starts with @prefix and contains every
 * one of the NULL-terminated @parts (so the test names a symbol by its shape,
 * not by rustc's disambiguators).
 */
static const char *find_real(char *buf, size_t size, const char *prefix, ...)
{
	const char *p = symbols_txt;

	while (*p) {
		const char *nl = strchr(p, '\n');
		const char *part;
		bool all = true;
		va_list ap;

		snprintf(buf, size, "%.*s", (int)(nl ? nl - p : (long)strlen(p)), p);
		p = nl ? nl + 1 : p + strlen(p);
		if (strncmp(buf, prefix, strlen(prefix)))
			continue;
		va_start(ap, prefix);
		while ((part = va_arg(ap, const char *)))
			if (!strstr(buf, part))
				all = false;
		va_end(ap);
		if (all)
			return buf;
	}
	ck_abort_msg("symbols.txt has no %s... symbol of the expected shape", prefix);
	return NULL;
}

/* The disambiguator c++filt prints for crate @name in symbols.txt. */
static u64 cxxfilt_dis(const char *name)
{
	char *out = tu_capture("c++filt < '%s' | grep -o '\\b%s\\[[0-9a-f]*\\]' | "
			       "sort -u",
			       tu_fixture_path("symbols.txt"), name);
	const char *b = strchr(out, '[');
	u64 dis;

	ck_assert_msg(b && strchr(out, '\n') && !strchr(strchr(out, '\n') + 1, '['),
		      "c++filt shows no single disambiguator for %s: %s", name, out);
	dis = strtoull(b + 1, NULL, 16);
	free(out);
	return dis;
}

static void assert_defining(const char *sym, const char *crate, u8 origin_has)
{
	struct rv_v0_result r;
	u64 dis = cxxfilt_dis(crate);

	ck_assert_msg(parse(sym, &r) == 0, "%s: %s", sym, r.why);
	ck_assert_msg(r.crates[0].name_len == strlen(crate) &&
			      !memcmp(r.crates[0].name, crate, strlen(crate)) &&
			      r.crates[0].dis == dis,
		      "%s: defining crate should be %s[%llx], crates are %s", sym, crate,
		      (unsigned long long)dis, crates_str(&r));
	ck_assert_msg((r.crates[0].origin & origin_has) == origin_has,
		      "%s: defining crate origin %#x lacks %#x", sym, r.crates[0].origin,
		      origin_has);
}

START_TEST(real_defining_crate_of_plain_path)
{
	char b[RV_SYMBOL_MAX];

	/* kcrate::print::call_printk */
	assert_defining(find_real(b, sizeof(b), "_RNvNt", "5print11call_printk", NULL), "kcrate",
			RV_ORIGIN_PATH);
	/* kcrate::deep::a::b::c::d::e::leaf */
	assert_defining(find_real(b, sizeof(b), "_RNvNtNtNtNtNtNt", "4leaf", NULL), "kcrate",
			RV_ORIGIN_PATH);
}
END_TEST

START_TEST(real_defining_crate_of_trait_impl_is_impl_crate)
{
	char b[RV_SYMBOL_MAX];

	/* <user::MyDev as kcrate::Device>::probe: the impl is in user */
	assert_defining(
		find_real(b, sizeof(b), "_RNvXCs", "4user", "5MyDev", "6Device5probe", NULL),
		"user", RV_ORIGIN_IMPL);
	/* <kcrate::Regs as core::fmt::Display>::fmt: the impl is in kcrate */
	assert_defining(find_real(b, sizeof(b), "_RNvXs", "4Regs", "7Display3fmt", NULL), "kcrate",
			RV_ORIGIN_IMPL);
}
END_TEST

START_TEST(real_defining_crate_of_inherent_impl)
{
	char b[RV_SYMBOL_MAX];

	/* <kcrate::sync::arc::Arc<u8>>::byte */
	assert_defining(find_real(b, sizeof(b), "_RNvM", "3Arc", "4byte", NULL), "kcrate",
			RV_ORIGIN_IMPL);
}
END_TEST

START_TEST(real_defining_crate_of_y_path_is_trait_crate)
{
	char b[RV_SYMBOL_MAX];

	/* <user::MyDev as kcrate::Device>::name, instantiated in user (B4_) */
	assert_defining(find_real(b, sizeof(b), "_RNvYNtCs", "4user5MyDev", "6Device4name", NULL),
			"kcrate", RV_ORIGIN_PATH);
}
END_TEST

START_TEST(real_instantiating_crate_is_recorded)
{
	char b[RV_SYMBOL_MAX];
	struct rv_v0_result r;
	u64 user = cxxfilt_dis("user");
	u32 i;
	bool found = false;

	/* kcrate::with_flag::<true, 'x', -5>, instantiated in user */
	find_real(b, sizeof(b), "_RINv", "9with_flagKb1_Kc78_Kln5_E", NULL);
	ck_assert_msg(parse(b, &r) == 0, "%s: %s", b, r.why);
	for (i = 0; i < r.ncrates; i++)
		if (r.crates[i].dis == user && r.crates[i].name_len == 4 &&
		    !memcmp(r.crates[i].name, "user", 4)) {
			ck_assert_msg(r.crates[i].origin == RV_ORIGIN_INST,
				      "%s: user has origin %#x", b, r.crates[i].origin);
			found = true;
		}
	ck_assert_msg(found, "%s: no instantiating crate in %s", b, crates_str(&r));
}
END_TEST

/* Each proper prefix fails, unless what follows is the instantiating crate or a suffix. */
static void truncate_symbol(const char *sym, size_t len, void *arg)
{
	const char *dot = memchr(sym, '.', len);
	size_t suffix = dot ? (size_t)(dot - sym) : len, cut;
	struct rv_v0_result r;
	char *c;
	int err;

	(void)arg;
	for (cut = 0; cut < len; cut++) {
		c = tu_dup(sym, cut);
		err = parse_both(c, cut, &scr, &r);
		if (!err) {
			tu_check(cut >= suffix || sym[cut] == 'C' || sym[cut] == 'B',
				 "%.*s cut at %zu parses (next: '%c')", (int)len, sym, cut,
				 sym[cut]);
			tu_check(r.ncrates >= 1, "%.*s cut at %zu: no crates", (int)len, sym, cut);
		} else {
			tu_check((err == -RV_ESYNTAX || err == -RV_ELIMIT) && r.why &&
					 r.err_pos <= cut && r.ncrates == 0,
				 "%.*s cut at %zu: err %d at %zu, why %s", (int)len, sym, cut, err,
				 r.err_pos, r.why ? r.why : "(null)");
		}
		free(c);
	}
}

START_TEST(real_symbols_truncated_at_every_byte)
{
	each_symbol(truncate_symbol, NULL);
}
END_TEST

/* Every byte replaced by a few grammar-significant characters. */
static void mutate_symbol(const char *sym, size_t len, void *arg)
{
	static const char subst[] = "_0zZBCEIKMNXYRDFpu.\x80 ";
	struct rv_v0_result r;
	char out[64];
	size_t i, j;
	char *c;
	u32 k;
	int err;

	(void)arg;
	c = tu_dup(sym, len);
	for (i = 2; i < len; i++) {
		for (j = 0; j < sizeof(subst) - 1; j++) {
			char saved = c[i];

			c[i] = subst[j];
			err = parse_both(c, len, &scr, &r);
			if (err)
				tu_check(err < 0 && err > -RV_NERRORS && r.why && r.err_pos <= len,
					 "%.*s: err %d", (int)len, c, err);
			else
				for (k = 0; k < r.ncrates; k++)
					tu_check(r.crates[k].name_len > 0 &&
							 r.crates[k].name >= c &&
							 r.crates[k].name + r.crates[k].name_len <=
								 c + len,
						 "%.*s: crate %u outside", (int)len, c, k);
			rv_v0_short_path(c, len, out, sizeof(out));
			tu_check(strlen(out) < sizeof(out), "short_path overflow");
			c[i] = saved;
		}
	}
	free(c);
}

START_TEST(real_symbols_mutated_never_crash)
{
	each_symbol(mutate_symbol, NULL);
}
END_TEST

/* ----------------------------------------------------- grammar, valid */

START_TEST(crate_root_disambiguators)
{
	assert_crates("_RNvC3foo3bar", "foo[0]:P");    /* foo[0]::bar */
	assert_crates("_RNvCs_3foo3bar", "foo[1]:P");  /* foo[1]::bar */
	assert_crates("_RNvCs0_3foo3bar", "foo[2]:P"); /* foo[2]::bar */
	/* foo[317d481089b8c8fe]::bar */
	assert_crates("_RNvCs4fqI2P2rA04_3foo3bar", "foo[317d481089b8c8fe]:P");
	/* mycrate[3c1c0]::foo::bar */
	assert_crates("_RNvNtCs1234_7mycrate3foo3bar", "mycrate[3c1c0]:P");
	/* __rustc[0]::x: the "_" separator before an identifier starting with '_' */
	assert_crates("_RNvC7___rustc1x", "__rustc[0]:P");
}
END_TEST

START_TEST(impl_paths_and_defining_crate)
{
	/* <bar[0]::S>::get: c++filt omits foo, the crate of the impl */
	assert_crates("_RNvMs_C3fooNtC3bar1S3get", "foo[0]:M bar[0]:P");
	/* <bar[0]::S>::get, impl in foo::mod */
	assert_crates("_RNvMs_NtC3foo3modNtC3bar1S3get", "foo[0]:M bar[0]:P");
	/* <bar[0]::S as baz[0]::Trait>::get */
	assert_crates("_RNvXs_C3fooNtC3bar1SNtC3baz5Trait3get", "foo[0]:M bar[0]:P baz[0]:P");
	/* <foo[0]::S as baz[0]::Trait>::get: impl path and type in foo */
	assert_crates("_RNvXINtC3foo1SmENtB5_1SNtC3baz5Trait3get", "foo[0]:PM baz[0]:P");
	/* <bar[0]::S as baz[0]::Trait>::get: a Y path is defined by the trait */
	assert_crates("_RNvYNtC3bar1SNtC3baz5Trait3get", "baz[0]:P bar[0]:P");
}
END_TEST

START_TEST(generic_paths)
{
	/* foo[0]::S::<bar[0]::T>::get */
	assert_crates("_RNvINtC3foo1SNtC3bar1TE3get", "foo[0]:P bar[0]:P");
	/* foo[0]::bar::<core[0]::Option<alloc[0]::Vec<u32>>> */
	assert_crates("_RINvC3foo3barINtC4core6OptionINtC5alloc3VecmEEE",
		      "foo[0]:P core[0]:P alloc[0]:P");
	/* foo[0]::bar::{closure#0} */
	assert_crates("_RNCNvC3foo3bar0", "foo[0]:P");
	/* foo[0]::größe (punycode identifiers are fine outside crate names) */
	assert_crates("_RNvC3foou9gre_6ka8i", "foo[0]:P");
}
END_TEST

START_TEST(instantiating_crate)
{
	/* foo[0]::bar (c++filt does not print the instantiating crate baz) */
	assert_crates("_RNvC3foo3barC3baz", "foo[0]:P baz[0]:I");
	/* foo[0]::bar, instantiated in foo itself through a backref */
	assert_crates("_RNvC3foo3barB1_", "foo[0]:PI");
	/* foo[0]::bar::<baz[0]::S>, instantiated in qux */
	assert_crates("_RINvC3foo3barNtC3baz1SEC3qux", "foo[0]:P baz[0]:P qux[0]:I");
}
END_TEST

START_TEST(suffixes_accepted)
{
	assert_crates("_RNvC3foo3bar.llvm.1234", "foo[0]:P");	/* foo[0]::bar */
	assert_crates("_RNvC3foo3bar.llvm.AB12CD", "foo[0]:P"); /* foo[0]::bar */
	assert_crates("_RNvC3foo3barC3baz.llvm.5678", "foo[0]:P baz[0]:I");
	assert_crates("_RNvC3foo3bar.llvm.1234$abc", "foo[0]:P"); /* foo[0]::bar */
	/* a "$" vendor suffix (spec); binutils 2.40 leaves this one mangled */
	assert_crates("_RNvC3foo3bar$LT$", "foo[0]:P");
}
END_TEST

START_TEST(types)
{
	/* foo[0]::bar::<[u8; 4: usize]> */
	assert_crates("_RINvC3foo3barAhj4_E", "foo[0]:P");
	/* foo[0]::bar::<(u32, u8)> */
	assert_crates("_RINvC3foo3barTmhEE", "foo[0]:P");
	/* foo[0]::bar::<[u32]> */
	assert_crates("_RINvC3foo3barSmE", "foo[0]:P");
	/* foo[0]::bar::<&u32, &mut u8, *const u32, *mut u8> */
	assert_crates("_RINvC3foo3barRmQhPmOhE", "foo[0]:P");
	/* foo[0]::bar::<baz[0]::S> */
	assert_crates("_RINvC3foo3barNtC3baz1SE", "foo[0]:P baz[0]:P");
	/* foo[0]::bar::<baz[0]::S, baz[0]::S>: a type backref */
	assert_crates("_RINvC3foo3barNtC3baz1SBb_E", "foo[0]:P baz[0]:P");
}
END_TEST

START_TEST(fn_pointers_with_abi)
{
	/* foo[0]::bar::<extern "C" fn()> */
	assert_crates("_RINvC3foo3barFKCEuE", "foo[0]:P");
	/* foo[0]::bar::<unsafe extern "C" fn(u32, u32) -> u32> */
	assert_crates("_RINvC3foo3barFUKCmmEmE", "foo[0]:P");
	/* foo[0]::bar::<extern "C-unwind" fn()> */
	assert_crates("_RINvC3foo3barFK8C_unwindEuE", "foo[0]:P");
	/* foo[0]::bar::<for<'a> fn(&'a u8)> */
	assert_crates("_RINvC3foo3barFG_RL0_hEuE", "foo[0]:P");
}
END_TEST

START_TEST(dyn_bounds_with_associated_types)
{
	/* foo[0]::bar::<dyn core[0]::Iterator<Item = u32>> */
	assert_crates("_RINvC3foo3barDNtC4core8Iteratorp4ItemmEL_E", "foo[0]:P core[0]:P");
	/* foo[0]::bar::<dyn core[0]::Iterator<Item = baz[0]::S>> */
	assert_crates("_RINvC3foo3barDNtC4core8Iteratorp4ItemNtC3baz1SEL_E",
		      "foo[0]:P core[0]:P baz[0]:P");
	/* foo[0]::bar::<dyn for<'a> core[0]::Fn> */
	assert_crates("_RINvC3foo3barDG_NtC4core2FnEL_E", "foo[0]:P core[0]:P");
}
END_TEST

START_TEST(const_generics_ints_bool_char)
{
	assert_crates("_RINvC3foo3barKj4_E", "foo[0]:P");      /* <4: usize> */
	assert_crates("_RINvC3foo3barKln5_E", "foo[0]:P");     /* <-5: i32> */
	assert_crates("_RINvC3foo3barKl0_E", "foo[0]:P");      /* <0: i32> */
	assert_crates("_RINvC3foo3barKb1_Kb0_E", "foo[0]:P");  /* <true: bool, false: bool> */
	assert_crates("_RINvC3foo3barKc78_E", "foo[0]:P");     /* <'x': char> */
	assert_crates("_RINvC3foo3barKc10ffff_E", "foo[0]:P"); /* <'\u{10ffff}': char> */
	assert_crates("_RINvC3foo3barKc1f600_E", "foo[0]:P");  /* <'\u{1f600}': char> */
	assert_crates("_RINvC3foo3barKpE", "foo[0]:P");	       /* <_> */
	/* a u128 wider than 64 bits */
	assert_crates("_RINvC3foo3barKoffffffffffffffffffffffffffffffff_E", "foo[0]:P");
}
END_TEST

START_TEST(const_generics_str_struct_array_tuple_ref)
{
	static const char *const real[] = {
		/* rustc 1.95.0, crate cg */
		"_RINvCs5QfnxTm6QcG_2cg1sKRe616263_EB2_",	      /* s::<"abc"> */
		"_RINvCs5QfnxTm6QcG_2cg1sKRe_EB2_",		      /* s::<""> */
		"_RINvCs5QfnxTm6QcG_2cg1pKVNtB2_1PS1ab1_1bc61_EEB2_", /* P{a:true,b:'a'} */
		"_RINvCs5QfnxTm6QcG_2cg1tKVNtB2_2T2Tm1_b0_EEB2_",     /* T2(1, false) */
		"_RINvCs5QfnxTm6QcG_2cg1uKVNtB2_1UUEB2_",	      /* U */
		"_RINvCs5QfnxTm6QcG_2cg1eKVNtNtB2_1E1AUEB2_",	      /* E::A */
		"_RINvCs5QfnxTm6QcG_2cg1eKVNtNtB2_1E1BTh3_EEB2_",     /* E::B(3) */
		"_RINvCs5QfnxTm6QcG_2cg1eKVNtNtB2_1E1CS1xsn2_EEB2_",  /* E::C{x:-2} */
		"_RINvCs5QfnxTm6QcG_2cg1aKAt1_t2_EEB2_",	      /* a::<[1, 2]> */
		"_RINvCs5QfnxTm6QcG_2cg2tuKTh1_xn1_EEB2_",	      /* tu::<(1, -1)> */
		"_RINvCs5QfnxTm6QcG_2cg1rKRm7_EB2_",		      /* r::<&7> */
	};
	size_t i;

	for (i = 0; i < sizeof(real) / sizeof(real[0]); i++)
		assert_crates(real[i], "cg[440dbcfa8e240ff4]:PI");
	/* a struct const naming a type of another crate */
	assert_crates("_RINvC3foo3barKVNtC3baz1UUE", "foo[0]:P baz[0]:P");
}
END_TEST

/* ---------------------------------------------------- grammar, hostile */

START_TEST(not_v0)
{
	assert_error("", -RV_ESYNTAX);
	assert_error("_", -RV_ESYNTAX);
	assert_error("_R", -RV_ESYNTAX);
	assert_error("_ZN3foo3barE", -RV_ESYNTAX);
	assert_error("_Rn", -RV_ESYNTAX);
	assert_error("printk", -RV_ESYNTAX);
	assert_error("_R0NvC3foo3bar", -RV_ESYNTAX); /* an encoding version */
	ck_assert(!rv_v0_is_v0("_R", 2));
	ck_assert(!rv_v0_is_v0("_Rn", 3));
	ck_assert(rv_v0_is_v0("_RN", 3));
	ck_assert(rv_v0_is_v0("_R0", 3));
	ck_assert(!rv_v0_is_v0("_ZN", 3));
}
END_TEST

START_TEST(truncated_hand_written)
{
	assert_error("_RN", -RV_ESYNTAX);
	assert_error("_RNv", -RV_ESYNTAX);
	assert_error("_RNvC", -RV_ESYNTAX);
	assert_error("_RNvC3fo", -RV_ESYNTAX);
	assert_error("_RNvC3foo3ba", -RV_ESYNTAX);
	assert_error("_RNvCs", -RV_ESYNTAX);
	assert_error("_RNvCs12", -RV_ESYNTAX);
	assert_error("_RINvC3foo3barKj4", -RV_ESYNTAX);
	assert_error("_RINvC3foo3barKj4_", -RV_ESYNTAX);
	assert_error("_RINvC3foo3barTmh", -RV_ESYNTAX);
	assert_error("_RINvC3foo3barDNtC4core8IteratorE", -RV_ESYNTAX); /* no lifetime */
	assert_error("_RINvC3foo3barFKCmm", -RV_ESYNTAX);
	assert_error("_RNvC3foo3barB", -RV_ESYNTAX);
}
END_TEST

START_TEST(backref_self_reference)
{
	/* "B_" at the top: position 0 is the backref itself */
	assert_error("_RB_", -RV_ESYNTAX);
	/* target 0 is the N being parsed, not complete yet */
	assert_error("_RNvB_3foo", -RV_ESYNTAX);
	/* target 1 is the namespace tag 'v', no production starts there */
	assert_error("_RNvB0_3foo", -RV_ESYNTAX);
	/* a type whose backref points at its enclosing tuple */
	assert_error("_RINvC3foo3barTBb_EE", -RV_ESYNTAX);
}
END_TEST

START_TEST(backref_forward)
{
	assert_error("_RNvBa_3foo", -RV_ESYNTAX);
	assert_error("_RNvC3foo3barBz_", -RV_ESYNTAX);
	assert_error("_RNvC3foo3barBa_", -RV_ESYNTAX); /* exactly its own position */
}
END_TEST

START_TEST(backref_into_identifier_or_wrong_kind)
{
	/* instantiating crate -> 'o' inside "foobar" */
	assert_error("_RNvC6foobar3bazB4_", -RV_ESYNTAX);
	/* path backref -> the type 'h' */
	assert_error("_RINvC3foo3barhEBb_", -RV_ESYNTAX);
	/* type backref -> the const "j4_" */
	assert_error("_RINvC3foo3barKj4_Bc_E", -RV_ESYNTAX);
	/* const backref -> the type 'h' */
	assert_error("_RINvC3foo3barhKBb_E", -RV_ESYNTAX);
}
END_TEST

START_TEST(backref_doubling_stays_linear)
{
	/*
	 * 24 tuples in the impl path's generic arguments, each holding the
	 * previous one twice, then the impl's self type holding the last one
	 * twice: 2^25 nodes if backrefs were expanded naively. (A followed
	 * backref and its tuple take two frames: 50 fit RV_V0_MAX_DEPTH.)
	 */
	struct gen g = { 0 };
	char num[16], buf[128];
	size_t prev, n;
	int i;

	gen_add(&g, "_RNvMINtC3foo1S");
	prev = g.len;
	gen_add(&g, "TNtC3baz1SE");
	for (i = 0; i <= 24; i++) {
		size_t here = g.len;

		if (i == 24)
			gen_add(&g, "E"); /* end of the impl path's arguments */
		base62(num, prev - 2);
		gen_add(&g, "TB");
		gen_add(&g, num);
		gen_add(&g, "B");
		gen_add(&g, num);
		gen_add(&g, "E");
		prev = here;
	}
	gen_add(&g, "3get");
	assert_crates(g.s, "foo[0]:M baz[0]:PM");
	n = rv_v0_short_path(g.s, g.len, buf, sizeof(buf));
	ck_assert_msg(n == strlen(buf) && n < sizeof(buf) && !strncmp(buf, "<((", 3) &&
			      !strcmp(buf + n - 3, "..."),
		      "printed as %s", buf);
	free(g.s);
}
END_TEST

START_TEST(deep_nesting_literal_refs)
{
	struct gen g = { 0 };

	/* "_R" then R...: R is no path tag */
	gen_add(&g, "_R");
	gen_rep(&g, "R", 200);
	gen_add(&g, "C3foo");
	assert_error(g.s, -RV_ESYNTAX);
	free(g.s);
	/* references as a generic argument, 200 deep */
	memset(&g, 0, sizeof(g));
	gen_add(&g, "_RINvC3foo3bar");
	gen_rep(&g, "R", 200);
	gen_add(&g, "uE");
	assert_error(g.s, -RV_ELIMIT);
	free(g.s);
	/* I holds one frame while its arguments are walked: MAX - 1 R's fit */
	memset(&g, 0, sizeof(g));
	gen_add(&g, "_RINvC3foo3bar");
	gen_rep(&g, "R", RV_V0_MAX_DEPTH - 1);
	gen_add(&g, "uE");
	assert_crates(g.s, "foo[0]:P");
	free(g.s);
	memset(&g, 0, sizeof(g));
	gen_add(&g, "_RINvC3foo3bar");
	gen_rep(&g, "R", RV_V0_MAX_DEPTH);
	gen_add(&g, "uE");
	assert_error(g.s, -RV_ELIMIT);
	free(g.s);
}
END_TEST

/* "_R" + "Nv" * n + "C3foo" + "1a" * n: a path n + 1 deep. */
static char *nested_n(int n)
{
	struct gen g = { 0 };

	gen_add(&g, "_R");
	gen_rep(&g, "Nv", n);
	gen_add(&g, "C3foo");
	gen_rep(&g, "1a", n);
	return g.s;
}

START_TEST(deep_nesting_n_chain_limit)
{
	char *s;

	/* RV_V0_MAX_DEPTH open N productions (the C inside opens none) */
	s = nested_n(RV_V0_MAX_DEPTH);
	assert_crates(s, "foo[0]:P");
	free(s);
	s = nested_n(RV_V0_MAX_DEPTH + 1);
	assert_error(s, -RV_ELIMIT);
	free(s);
	s = nested_n(1000);
	assert_error(s, -RV_ELIMIT);
	free(s);
}
END_TEST

START_TEST(deep_nesting_i_chain)
{
	struct gen g = { 0 };

	gen_add(&g, "_R");
	gen_rep(&g, "I", 100);
	gen_add(&g, "C3foo");
	gen_rep(&g, "E", 100);
	assert_error(g.s, -RV_ELIMIT);
	free(g.s);
	memset(&g, 0, sizeof(g));
	gen_add(&g, "_R");
	gen_rep(&g, "I", 20);
	gen_add(&g, "C3foo");
	gen_rep(&g, "E", 20);
	assert_crates(g.s, "foo[0]:P");
	free(g.s);
}
END_TEST

START_TEST(deep_nesting_consts_and_types)
{
	struct gen g = { 0 };

	gen_add(&g, "_RINvC3foo3barK");
	gen_rep(&g, "A", 300);
	gen_rep(&g, "E", 300);
	gen_add(&g, "E");
	assert_error(g.s, -RV_ELIMIT);
	free(g.s);
	memset(&g, 0, sizeof(g));
	gen_add(&g, "_RINvC3foo3bar");
	gen_rep(&g, "T", 300);
	gen_rep(&g, "E", 301);
	assert_error(g.s, -RV_ELIMIT);
	free(g.s);
	memset(&g, 0, sizeof(g));
	gen_add(&g, "_RINvC3foo3bar");
	gen_rep(&g, "FE", 300);
	gen_add(&g, "uE");
	assert_error(g.s, -RV_ELIMIT);
	free(g.s);
}
END_TEST

START_TEST(overlong_base62)
{
	/* 62^11 - 1 > 2^64 */
	assert_error("_RNvCsZZZZZZZZZZZ_3foo3bar", -RV_ELIMIT);
	assert_error("_RNvCsZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ_3foo3bar", -RV_ELIMIT);
	/* 62^10 - 1 in digits: the number is 62^10, the disambiguator 62^10 + 1 */
	assert_crates("_RNvCsZZZZZZZZZZ_3foo3bar", "foo[ba5ca5392cb0401]:P");
	/* backref, lifetime and binder numbers */
	assert_error("_RNvC3foo3barBZZZZZZZZZZZZ_", -RV_ELIMIT);
	assert_error("_RINvC3foo3barRLZZZZZZZZZZZZ_uE", -RV_ELIMIT);
	assert_error("_RINvC3foo3barFGZZZZZZZZZZZZ_EuE", -RV_ELIMIT);
	assert_error("_RINvC3foo3barLZZZZZZZZZZZZ_E", -RV_ELIMIT);
}
END_TEST

START_TEST(disambiguator_overflow_boundary)
{
	char num[16], sym[64];
	struct rv_v0_result r;

	/* "s" + base-62 of x gives disambiguator x + 1 */
	base62(num, ~0ULL - 1); /* -> 2^64 - 1: the largest */
	snprintf(sym, sizeof(sym), "_RNvCs%s3foo3bar", num);
	ck_assert_msg(parse(sym, &r) == 0, "%s: %s", sym, r.why);
	ck_assert_msg(r.crates[0].dis == ~0ULL, "%s: dis %llx", sym,
		      (unsigned long long)r.crates[0].dis);
	base62(num, ~0ULL); /* -> 2^64: does not fit */
	snprintf(sym, sizeof(sym), "_RNvCs%s3foo3bar", num);
	assert_error(sym, -RV_ELIMIT);
	/* digits worth 2^64 - 1: the base-62 number itself overflows */
	digits62(num, ~0ULL);
	snprintf(sym, sizeof(sym), "_RNvCs%s3foo3bar", num);
	assert_error(sym, -RV_ELIMIT);
	/* the same boundary for a backref number */
	snprintf(sym, sizeof(sym), "_RNvC3foo3barB%s", num);
	assert_error(sym, -RV_ELIMIT);
}
END_TEST

START_TEST(overlong_decimal)
{
	/* a length longer than the name is a bad symbol, not a limit */
	assert_error("_RNvC3foo99999999999999999999a", -RV_ESYNTAX);
	assert_error("_RNvC99999999999999999999999999999999foo3bar", -RV_ESYNTAX);
	/* fits in 64 bits but runs past the end */
	assert_error("_RNvC3foo9223372036854775808a", -RV_ESYNTAX);
	assert_error("_RNvC3foo4294967296a", -RV_ESYNTAX);
}
END_TEST

START_TEST(punycode)
{
	/* crate names are ASCII identifiers */
	assert_error("_RNvCu6abc_de3foo", -RV_ESYNTAX);
	assert_error("_RNvCu9gre_6ka8i3foo", -RV_ESYNTAX);
	/* bad punycode digits */
	assert_error("_RNvC3foou4ab_D", -RV_ESYNTAX);
	assert_error("_RNvC3foou5ab_c~", -RV_ESYNTAX);
	/* empty punycode part */
	assert_error("_RNvC3foou4abc_", -RV_ESYNTAX);
	/* a fine one: foo[0]::größe */
	assert_crates("_RNvC3foou9gre_6ka8i", "foo[0]:P");
}
END_TEST

START_TEST(non_ascii_and_control_bytes)
{
	struct rv_v0_result r;

	assert_error("_RNvC3f\xc3\xb6o3bar", -RV_ESYNTAX);
	parse("_RNvC3f\xc3\xb6o3bar", &r);
	ck_assert_uint_eq(r.err_pos, 7);
	assert_error("_RNvC3f\x7fo3bar", -RV_ESYNTAX);
	assert_error("_RNvC3f o3bar", -RV_ESYNTAX);
	assert_error("_RNvC3f\to3bar", -RV_ESYNTAX);
	assert_error_len("_RNvC3f\0o3bar", 13, -RV_ESYNTAX);
	assert_error("_RNvC3foo3bar.llvm.\xff", -RV_ESYNTAX);
}
END_TEST

/* Parses @sym and expects -RV_ESYNTAX reported at byte @pos. */
static void assert_error_at(const char *sym, size_t pos)
{
	struct rv_v0_result r;
	int err = parse(sym, &r);

	ck_assert_msg(err == -RV_ESYNTAX && r.err_pos == pos,
		      "%s: err %d at %zu ('%c'), want -RV_ESYNTAX at %zu ('%c'); why: %s", sym, err,
		      r.err_pos, sym[r.err_pos], pos, sym[pos], r.why ? r.why : "(null)");
}

START_TEST(err_pos_points_at_the_offending_byte)
{
	assert_error_at("_RNvW3foo3bar", 4);	    /* path tag */
	assert_error_at("_RINvC3foo3barGE", 14);    /* type tag */
	assert_error_at("_RINvC3foo3barKzE", 15);   /* const tag */
	assert_error_at("_RNvC3f\xc3\xb6o3bar", 7); /* non-ASCII */
	assert_error_at("_RNvC3foo3barxyz", 13);    /* trailing junk */
	assert_error_at("_RN3C3foo3bar", 3);	    /* namespace */
	assert_error_at("_RNvCs!_3foo3bar", 6);	    /* base-62 digit */
	assert_error_at("_RINvC3foo3barKjg_E", 16); /* hex digit */
}
END_TEST

START_TEST(unknown_tags)
{
	assert_error("_RNvW3foo3bar", -RV_ESYNTAX);		  /* path */
	assert_error("_RN3C3foo3bar", -RV_ESYNTAX);		  /* namespace */
	assert_error("_RINvC3foo3barGE", -RV_ESYNTAX);		  /* type */
	assert_error("_RINvC3foo3bargE", -RV_ESYNTAX);		  /* 'g' is no basic type */
	assert_error("_RINvC3foo3barKzE", -RV_ESYNTAX);		  /* const */
	assert_error("_RINvC3foo3barKf0_E", -RV_ESYNTAX);	  /* float const */
	assert_error("_RINvC3foo3barKVNtC3baz1UXE", -RV_ESYNTAX); /* const fields */
	assert_error("_RNvC3foo3barxyz", -RV_ESYNTAX);		  /* trailing junk */
	assert_error("_RNvC3foo3bar_", -RV_ESYNTAX);
	assert_error("_RNvC3foo3barC3bazC3qux", -RV_ESYNTAX); /* two inst crates */
}
END_TEST

START_TEST(symbol_length_limit)
{
	struct gen g = { 0 };
	char num[16];

	/* "_RNvC3foo" + decimal + bytes = RV_SYMBOL_MAX exactly */
	snprintf(num, sizeof(num), "%d", RV_SYMBOL_MAX - 13);
	ck_assert_uint_eq(strlen(num), 4);
	gen_add(&g, "_RNvC3foo");
	gen_add(&g, num);
	gen_rep(&g, "a", RV_SYMBOL_MAX - 13);
	ck_assert_uint_eq(g.len, RV_SYMBOL_MAX);
	assert_crates(g.s, "foo[0]:P");
	gen_add(&g, ".");
	assert_error(g.s, -RV_ELIMIT);
	gen_rep(&g, "x", 10000);
	assert_error(g.s, -RV_ELIMIT);
	free(g.s);
}
END_TEST

START_TEST(crate_name_limits)
{
	struct gen g = { 0 };
	char num[8];

	snprintf(num, sizeof(num), "%d", RV_CRATE_NAME_MAX - 1);
	gen_add(&g, "_RNvC");
	gen_add(&g, num);
	gen_rep(&g, "c", RV_CRATE_NAME_MAX - 1);
	gen_add(&g, "3foo");
	{
		char want[128];

		snprintf(want, sizeof(want), "%.*s[0]:P", RV_CRATE_NAME_MAX - 1, g.s + 7);
		assert_crates(g.s, want);
	}
	free(g.s);
	memset(&g, 0, sizeof(g));
	snprintf(num, sizeof(num), "%d", RV_CRATE_NAME_MAX);
	gen_add(&g, "_RNvC");
	gen_add(&g, num);
	gen_rep(&g, "c", RV_CRATE_NAME_MAX);
	gen_add(&g, "3foo");
	assert_error(g.s, -RV_ELIMIT);
	free(g.s);
	assert_error("_RNvC03foo", -RV_ESYNTAX);    /* empty */
	assert_error("_RNvC3a-b3foo", -RV_ESYNTAX); /* bad character */
}
END_TEST

START_TEST(too_many_crates)
{
	struct gen g = { 0 };
	char root[16];
	int i;

	gen_add(&g, "_RINvC3foo3bar");
	for (i = 0; i < RV_V0_MAX_CRATES - 1; i++) {
		snprintf(root, sizeof(root), "C3c%02d", i);
		gen_add(&g, root);
	}
	gen_add(&g, "E");
	{
		struct rv_v0_result r;

		ck_assert_msg(parse(g.s, &r) == 0, "%u crates refused: %s", RV_V0_MAX_CRATES,
			      r.why);
		ck_assert_uint_eq(r.ncrates, RV_V0_MAX_CRATES);
	}
	g.s[--g.len] = '\0';
	snprintf(root, sizeof(root), "C3c%02d", RV_V0_MAX_CRATES);
	gen_add(&g, root);
	gen_add(&g, "E");
	assert_error(g.s, -RV_ELIMIT);
	free(g.s);
}
END_TEST

START_TEST(const_generics_invalid)
{
	assert_error("_RINvC3foo3barKb2_E", -RV_ESYNTAX); /* bool 2 */
	assert_error("_RINvC3foo3barKb10000000000000001_E", -RV_ESYNTAX);
	assert_error("_RINvC3foo3barKcd800_E", -RV_ESYNTAX); /* surrogates */
	assert_error("_RINvC3foo3barKcdfff_E", -RV_ESYNTAX);
	assert_error("_RINvC3foo3barKc110000_E", -RV_ESYNTAX); /* > U+10FFFF */
	assert_error("_RINvC3foo3barKc10000000000000078_E", -RV_ESYNTAX);
	assert_error("_RINvC3foo3barKRe61626_E", -RV_ESYNTAX);		 /* odd str bytes */
	assert_error("_RINvC3foo3barKRe6g_E", -RV_ESYNTAX);		 /* bad hex */
	assert_error("_RINvC3foo3barKjA_E", -RV_ESYNTAX);		 /* upper-case hex */
	assert_error("_RINvC3foo3barKVNtC3baz1SS1aKb1_EE", -RV_ESYNTAX); /* "K" in a field */
	assert_crates("_RINvC3foo3barKcd7ff_Kce000_E", "foo[0]:P");	 /* around them */
}
END_TEST

START_TEST(fn_and_dyn_invalid)
{
	assert_error("_RINvC3foo3barFKu3abcEuE", -RV_ESYNTAX); /* punycode ABI */
	assert_error("_RINvC3foo3barFK0EuE", -RV_ESYNTAX);     /* empty ABI */
	assert_error("_RINvC3foo3barDNtC4core8Iteratorp4ItemE", -RV_ESYNTAX);
	assert_error("_RINvC3foo3barDNtC4core8IteratorEuE", -RV_ESYNTAX);
}
END_TEST

/* ---------------------------------------------------------- short path */

START_TEST(short_path_real_symbols)
{
	char b[RV_SYMBOL_MAX], out[256];

	ck_assert_str_eq(short_path(find_real(b, sizeof(b), "_RNvNt", "11call_printk", NULL), out,
				    sizeof(out)),
			 "kcrate::print::call_printk");
	ck_assert_str_eq(short_path(find_real(b, sizeof(b), "_RNvNtNtNtNtNtNt", "4leaf", NULL), out,
				    sizeof(out)),
			 "kcrate::deep::a::b::c::d::e::leaf");
	ck_assert_str_eq(
		short_path(find_real(b, sizeof(b), "_RNvXs_", "4Regs", "6Device5probe", NULL), out,
			   sizeof(out)),
		"<kcrate::Regs as kcrate::Device>::probe");
	ck_assert_str_eq(short_path(find_real(b, sizeof(b), "_RNvM", "3Arc", "4byte", NULL), out,
				    sizeof(out)),
			 "<kcrate::sync::arc::Arc::<..>>::byte");
	ck_assert_str_eq(
		short_path(find_real(b, sizeof(b), "_RINv", "8for_each", NULL), out, sizeof(out)),
		"kcrate::for_each::<..>");
	ck_assert_str_eq(
		short_path(find_real(b, sizeof(b), "_RNvY", "4user5MyDev", NULL), out, sizeof(out)),
		"<user::MyDev as kcrate::Device>::name");
}
END_TEST

START_TEST(short_path_hand_written)
{
	char out[256];

	ck_assert_str_eq(short_path("_RNCNvC3foo3bar0", out, sizeof(out)), "foo::bar::{closure}");
	ck_assert_str_eq(short_path("_RNvMs_C3fooNtC3bar1S3get", out, sizeof(out)),
			 "<bar::S>::get");
	ck_assert_str_eq(short_path("_RNvYNtC3bar1SNtC3baz5Trait3get", out, sizeof(out)),
			 "<bar::S as baz::Trait>::get");
	ck_assert_str_eq(short_path("_RNvC3foo3bar.llvm.1234", out, sizeof(out)), "foo::bar");
}
END_TEST

START_TEST(short_path_truncates_with_dots)
{
	const char *sym = "_RNvNtCs1234_6kcrate5print11call_printk";
	char out[64];
	size_t full = strlen("kcrate::print::call_printk");

	/* exactly fits */
	ck_assert_str_eq(short_path(sym, out, full + 1), "kcrate::print::call_printk");
	/* one short */
	ck_assert_str_eq(short_path(sym, out, full), "kcrate::print::call_pr...");
	ck_assert_str_eq(short_path(sym, out, 12), "kcrate::...");
}
END_TEST

START_TEST(short_path_tiny_buffers)
{
	const char *sym = "_RNvNtCs1234_6kcrate5print11call_printk";
	char out[8];

	memset(out, 'Z', sizeof(out));
	ck_assert_uint_eq(rv_v0_short_path(sym, strlen(sym), out, 0), 0);
	ck_assert_msg(out[0] == 'Z', "size 0 wrote into the buffer");
	ck_assert_str_eq(short_path(sym, out, 1), "");
	ck_assert_str_eq(short_path(sym, out, 2), "");
	ck_assert_str_eq(short_path(sym, out, 3), "");
	ck_assert_str_eq(short_path(sym, out, 4), "...");
	ck_assert_str_eq(short_path(sym, out, 5), "k...");
	/* the raw-name fallback obeys the same limits */
	ck_assert_str_eq(short_path("_ZN3foo3barE", out, 1), "");
	ck_assert_str_eq(short_path("_ZN3foo3barE", out, 4), "...");
	ck_assert_str_eq(short_path("_ZN3foo3barE", out, 6), "_Z...");
}
END_TEST

START_TEST(short_path_garbage_falls_back_to_raw)
{
	struct gen g = { 0 };
	char out[512];

	ck_assert_str_eq(short_path("_ZN3foo3barE", out, sizeof(out)), "_ZN3foo3barE");
	ck_assert_str_eq(short_path("printk", out, sizeof(out)), "printk");
	ck_assert_str_eq(short_path("_RNvC3foo3ba", out, sizeof(out)), "_RNvC3foo3ba");
	ck_assert_str_eq(short_path("_RNvB_3foo", out, sizeof(out)), "_RNvB_3foo");
	ck_assert_str_eq(short_path("", out, sizeof(out)), "");
	/* a long raw name is cut at 200 bytes and marked */
	gen_add(&g, "_RNvC3foo");
	gen_rep(&g, "!", 300);
	short_path(g.s, out, sizeof(out));
	ck_assert_uint_eq(strlen(out), 203);
	ck_assert_msg(!strncmp(out, g.s, 200) && !strcmp(out + 200, "..."),
		      "long garbage printed as %s", out);
	free(g.s);
	/* too deep to print: raw name */
	g.s = nested_n(1000);
	short_path(g.s, out, sizeof(out));
	ck_assert_msg(!strncmp(out, g.s, 200), "deep name printed as %s", out);
	free(g.s);
}
END_TEST

/* ------------------------------------------------------- backref chains */

/*
 * @head, then @root, then @n links each a backref to the previous one (the
 * first to @root), then @mid and a last backref to the last link, then
 * @tail.
 */
static char *chain(const char *head, const char *root, int n, const char *mid, const char *tail)
{
	struct gen g = { 0 };
	size_t prev;
	char num[16];
	int i;

	gen_add(&g, head);
	prev = g.len;
	gen_add(&g, root);
	for (i = 0; i <= n; i++) {
		size_t here = g.len;

		if (i == n)
			gen_add(&g, mid);
		base62(num, prev - 2);
		gen_add(&g, "B");
		gen_add(&g, num);
		prev = here;
	}
	gen_add(&g, tail);
	return g.s;
}

/*
 * The links as the trait objects of a fn pointer's argument, then the Y
 * path's trait: a backref to the last link. The 4-link form is
 * _RYFDC3fooB2_B7_Ba_Bd_EL_EuBg_. In collect mode the trait path is on the
 * way to the defining crate, so the whole chain is followed from it.
 */
static char *chain_in_one_place(int n)
{
	return chain("_RYFD", "C3foo", n, "EL_Eu", "");
}

/*
 * The links as generic arguments of the impl path (impl origin), then the
 * self type, printed, a backref to the last link: the chain is followed
 * from the printed path and, for the crates, in another origin.
 */
static char *chain_spread(int n)
{
	return chain("_RNvMI", "NtC3foo1S", n, "E", "3bar");
}

/*
 * The path cache (lib/v0.c, path_replay()) on the cases where a replay
 * could differ from a walk; parse_both() compares the two on each.
 */
START_TEST(path_cache_replays_exactly)
{
	static const char path[] = "NvNtNtCs1_4core3fmt9Formatter3pad";
	struct rv_v0_result r;
	struct gen g = { 0 };
	int depth;

	/* a closure's path ends with an empty identifier, "0", whose meaning
	 * depends on the byte after it: never replayed from its bytes alone */
	assert_crates("_RNCNvCs1_4user4init0", "user[3]:P");
	assert_crates("_RNCNvCs1_4user4init0_", "user[3]:P");
	assert_error("_RNCNvCs1_4user4init0_X", -RV_ESYNTAX);

	/* a backref into a replayed path: its inner productions are complete */
	assert_crates("_RNvNtNtCs1_4core3fmt9Formatter3pad", "core[3]:P");
	assert_crates("_RINvNtNtCs1_4core3fmt9Formatter3padB6_E", "core[3]:P");
	assert_crates("_RINvNtNtCs1_4core3fmt9Formatter3padB4_E", "core[3]:P");
	/* ... and its namespace bytes are not */
	assert_error("_RINvNtNtCs1_4core3fmt9Formatter3padB1_E", -RV_ESYNTAX);
	assert_error("_RINvNtNtCs1_4core3fmt9Formatter3padB3_E", -RV_ESYNTAX);

	/* a replay opens as many frames as the walk: the same depth limit */
	for (depth = RV_V0_MAX_DEPTH - 4; depth <= RV_V0_MAX_DEPTH - 2; depth++) {
		memset(&g, 0, sizeof(g));
		gen_add(&g, "_R");
		gen_rep(&g, "I", depth);
		gen_add(&g, path);
		gen_rep(&g, "E", depth);
		/* 3 N frames inside: fits up to RV_V0_MAX_DEPTH */
		if (depth + 3 <= RV_V0_MAX_DEPTH)
			assert_crates(g.s, "core[3]:P");
		else
			assert_error(g.s, -RV_ELIMIT);
		free(g.s);
	}

	/* the crates of a replayed path take the origin where it is met */
	assert_crates("_RNvMNtNtCs1_4core3fmt9FormatterNtNtCs1_4core3fmt9Formatter3pad",
		      "core[3]:PM");
	(void)r;
}
END_TEST

START_TEST(backref_chains)
{
	char out[128], *s;

	s = chain_in_one_place(4);
	ck_assert_str_eq(s, "_RYFDC3fooB2_B7_Ba_Bd_EL_EuBg_");
	assert_crates(s, "foo[0]:P");
	ck_assert_str_eq(short_path(s, out, sizeof(out)), "<fn(..) as foo>");
	free(s);

	s = chain_in_one_place(10);
	assert_crates(s, "foo[0]:P");
	free(s);
	s = chain_spread(10);
	assert_crates(s, "foo[0]:PM");
	ck_assert_str_eq(short_path(s, out, sizeof(out)), "<foo::S>::bar");
	free(s);

	/* 100 links: the 399-byte symbol that overflowed a 16 KiB stack */
	s = chain_in_one_place(100);
	ck_assert_uint_eq(strlen(s), 399);
	assert_error(s, -RV_ELIMIT);
	short_path(s, out, sizeof(out));
	ck_assert_msg(!strncmp(out, "_RYFDC3foo", 10), "chain printed as %s", out);
	free(s);
	s = chain_spread(100);
	assert_error(s, -RV_ELIMIT);
	short_path(s, out, sizeof(out));
	ck_assert_msg(!strncmp(out, "_RNvMI", 6), "chain printed as %s", out);
	free(s);

	s = chain_in_one_place(1000);
	assert_error(s, -RV_ELIMIT);
	short_path(s, out, sizeof(out));
	free(s);
	s = chain_spread(1000);
	assert_error(s, -RV_ELIMIT);
	short_path(s, out, sizeof(out));
	free(s);
}
END_TEST

/* ---------------------------------------------- what a newer rustc writes */

START_TEST(pattern_types)
{
	char out[128];

	/* rustc 1.95: take::<pattern_type!(u32 is 1..=9)> */
	assert_crates("_RINvCs7NKoKIKJuwV_4zoo24takeWmRm1_m9_EB2_", "zoo2[5ae119b9de6174eb]:PI");
	ck_assert_str_eq(short_path("_RMC3fooWmRm1_m9_", out, sizeof(out)), "<u32 is ..>");
	/* or-patterns, the non-null pattern, consts of other types */
	assert_crates("_RINvC3foo4takeWmORm0_m1_Rm5_m9_EE", "foo[0]:P");
	assert_crates("_RINvC3foo4takeWPuNE", "foo[0]:P");
	assert_crates("_RINvC3foo4takeWlRln5_l5_E", "foo[0]:P");
	/* an or-pattern needs an alternative; E alone is none */
	assert_error("_RINvC3foo4takeWmOEE", -RV_ESYNTAX);
	assert_error("_RINvC3foo4takeWmXE", -RV_ESYNTAX);
	assert_error("_RINvC3foo4takeWmRm1_E", -RV_ESYNTAX);
}
END_TEST

/*
 * f16 and f128 are written as the crate roots C3f16 and C4f128 in a type
 * (rustc_symbol_mangling/src/v0.rs, rust-lang/rust#123816): types, not
 * crates. The same bytes as the path of an item stay a crate (fail closed:
 * the kernel has no crate f16[0]).
 */
START_TEST(float_primitives_are_not_crates)
{
	char out[128];

	assert_crates("_RINvC3foo4takeC3f16E", "foo[0]:P");
	assert_crates("_RINvC3foo4takeC4f128E", "foo[0]:P");
	assert_crates("_RINvCs7NKoKIKJuwV_4zoo24takeTRC3f16QC4f128EEB2_",
		      "zoo2[5ae119b9de6174eb]:PI");
	assert_crates("_RNvC3f163foo", "f16[0]:P");
	assert_crates("_RINvC3foo4takeCs1_3f16E", "foo[0]:P f16[3]:P");
	assert_crates("_RINvC3foo4takeC3f32E", "foo[0]:P f32[0]:P");
	ck_assert_str_eq(short_path("_RMC3fooC3f16", out, sizeof(out)), "<f16>");
	ck_assert_str_eq(short_path("_RMC3fooSC4f128", out, sizeof(out)), "<[f128]>");
	assert_error("_RINvC3foo4takeC4f12E", -RV_ESYNTAX);
}
END_TEST

static void newer_parses(const char *sym, size_t len, void *arg)
{
	struct rv_v0_result r;
	int err = parse_both(sym, len, &scr, &r);

	(void)arg;
	ck_assert_msg(err == 0, "%.*s: %s at %zu", (int)len, sym, r.why, r.err_pos);
}

START_TEST(real_newer_rustc_symbols)
{
	size_t size;
	char *list = (char *)tu_load_fixture("newer_syms.txt", &size), *line, *save = NULL;
	struct rv_v0_result r;
	int n = 0, pattern = 0, pseudo = 0, floats = 0;

	list = realloc(list, size + 1);
	ck_assert_ptr_nonnull(list);
	list[size] = '\0';

	for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		newer_parses(line, strlen(line), NULL);
		ck_assert_int_eq(parse(line, &r), 0);
		if (strstr(line, "takeW"))
			pattern++;
		if (r.crates[0].name_len == 7 && !memcmp(r.crates[0].name, "__rustc", 7))
			pseudo++;
		/* take::<f16>, take::<f128>: one crate, newer (not f16[0]) */
		if (strstr(line, "takeC3f16E") || strstr(line, "takeC4f128E")) {
			floats++;
			ck_assert_msg(r.ncrates == 1 && r.crates[0].name_len == 5 &&
					      !memcmp(r.crates[0].name, "newer", 5),
				      "%s: %u crates, the first %.*s", line, r.ncrates,
				      (int)r.crates[0].name_len, r.crates[0].name);
		}
		n++;
	}
	free(list);
	if (!n) {
		printf("real_newer_rustc_symbols: the fixtures' rustc is too old for newer.rs\n");
		return;
	}
	ck_assert_msg(pattern == 1, "%d pattern-type symbols in newer_syms.txt", pattern);
	ck_assert_msg(pseudo >= 1, "no __rustc symbol in newer_syms.txt");
	ck_assert_msg(floats == 2, "%d take::<f16>/take::<f128> symbols in newer_syms.txt", floats);
}
END_TEST

START_TEST(const_integers_exactly_as_valid)
{
	/* no digits, or a leading zero: rustc never writes them, LLVM refuses them */
	assert_error("_RIC7integerKi_E", -RV_ESYNTAX);
	assert_error("_RIC7integerKi00_E", -RV_ESYNTAX);
	assert_error("_RIC7integerKi01_E", -RV_ESYNTAX);
	assert_error("_RIC7integerKin_E", -RV_ESYNTAX);
	assert_error("_RIC7integerKb_E", -RV_ESYNTAX);
	assert_error("_RIC7integerKb01_E", -RV_ESYNTAX);
	assert_error("_RIC7integerKc0061_E", -RV_ESYNTAX);
	assert_crates("_RIC7integerKi0_E", "integer[0]:P");
	assert_crates("_RIC7integerKi10_E", "integer[0]:P");
	assert_crates("_RIC7integerKin1_E", "integer[0]:P");
	assert_crates("_RIC7integerKb1_Kc66_E", "integer[0]:P");
	/* str consts are bytes: zero-padded pairs, empty, but UTF-8 */
	assert_crates("_RIC7integerKRe_KRe00_KRec3a9_E", "integer[0]:P");
	assert_error("_RIC7integerKRec3_E", -RV_ESYNTAX);
	assert_error("_RIC7integerKRe80_E", -RV_ESYNTAX);
	assert_error("_RIC7integerKRef8808080_E", -RV_ESYNTAX);
}
END_TEST

static Suite *v0_suite(void)
{
	Suite *s = suite_create("v0");
	TCase *tc;

	tc = tcase_create("real");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, real_symbols_all_parse);
	tcase_add_test(tc, real_symbols_agree_with_cxxfilt);
	tcase_add_test(tc, real_defining_crate_of_plain_path);
	tcase_add_test(tc, real_defining_crate_of_trait_impl_is_impl_crate);
	tcase_add_test(tc, real_defining_crate_of_inherent_impl);
	tcase_add_test(tc, real_defining_crate_of_y_path_is_trait_crate);
	tcase_add_test(tc, real_instantiating_crate_is_recorded);
	tcase_add_test(tc, real_symbols_truncated_at_every_byte);
	tcase_add_test(tc, real_symbols_mutated_never_crash);
	suite_add_tcase(s, tc);

	tc = tcase_create("valid");
	tcase_add_test(tc, crate_root_disambiguators);
	tcase_add_test(tc, impl_paths_and_defining_crate);
	tcase_add_test(tc, generic_paths);
	tcase_add_test(tc, instantiating_crate);
	tcase_add_test(tc, suffixes_accepted);
	tcase_add_test(tc, types);
	tcase_add_test(tc, fn_pointers_with_abi);
	tcase_add_test(tc, dyn_bounds_with_associated_types);
	tcase_add_test(tc, const_generics_ints_bool_char);
	tcase_add_test(tc, const_generics_str_struct_array_tuple_ref);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_test(tc, not_v0);
	tcase_add_test(tc, truncated_hand_written);
	tcase_add_test(tc, backref_self_reference);
	tcase_add_test(tc, backref_forward);
	tcase_add_test(tc, backref_into_identifier_or_wrong_kind);
	tcase_add_test(tc, backref_doubling_stays_linear);
	tcase_add_test(tc, deep_nesting_literal_refs);
	tcase_add_test(tc, deep_nesting_n_chain_limit);
	tcase_add_test(tc, deep_nesting_i_chain);
	tcase_add_test(tc, deep_nesting_consts_and_types);
	tcase_add_test(tc, overlong_base62);
	tcase_add_test(tc, disambiguator_overflow_boundary);
	tcase_add_test(tc, overlong_decimal);
	tcase_add_test(tc, punycode);
	tcase_add_test(tc, non_ascii_and_control_bytes);
	tcase_add_test(tc, unknown_tags);
	tcase_add_test(tc, err_pos_points_at_the_offending_byte);
	tcase_add_test(tc, symbol_length_limit);
	tcase_add_test(tc, crate_name_limits);
	tcase_add_test(tc, too_many_crates);
	tcase_add_test(tc, const_generics_invalid);
	tcase_add_test(tc, fn_and_dyn_invalid);
	suite_add_tcase(s, tc);

	tc = tcase_create("short_path");
	tcase_add_test(tc, short_path_real_symbols);
	tcase_add_test(tc, backref_chains);
	tcase_add_test(tc, path_cache_replays_exactly);
	tcase_add_test(tc, pattern_types);
	tcase_add_test(tc, float_primitives_are_not_crates);
	tcase_add_test(tc, real_newer_rustc_symbols);
	tcase_add_test(tc, const_integers_exactly_as_valid);
	tcase_add_test(tc, short_path_hand_written);
	tcase_add_test(tc, short_path_truncates_with_dots);
	tcase_add_test(tc, short_path_tiny_buffers);
	tcase_add_test(tc, short_path_garbage_falls_back_to_raw);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	size_t size;
	int rc;

	symbols_txt = (char *)tu_load_fixture("symbols.txt", &size);
	symbols_txt = realloc(symbols_txt, size + 1);
	symbols_txt[size] = '\0';
	rc = tu_run_suite(v0_suite());
	free(symbols_txt);
	return rc;
}
