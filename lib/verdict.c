// SPDX-License-Identifier: GPL-2.0
/*
 * rustver engine: the verdict of DESIGN.md decision 2.
 */
#include <rustver/verdict.h>

#ifdef __KERNEL__
#include <linux/sched.h>
/* Symbols judged between two chances for the scheduler to run others. */
#define RESCHED_EVERY	2048
#define resched()	cond_resched()
#else
#define RESCHED_EVERY	2048
#define resched()	do { } while (0)
#endif

static int error(struct rv_verdict *v, int err, const char *where,
		 const char *why)
{
	v->result = RV_RESULT_ERROR;
	v->err = err;
	v->where = where;
	v->why = why;
	return err;
}

/*
 * In-tree as the loader decides: .modinfo (a sequence of NUL-terminated
 * "key=value" strings) has an "intree=" entry, whatever its value
 * (kernel/module/main.c sets TAINT_OOT_MODULE only without one).
 */
static bool modinfo_intree(struct rv_elf *elf)
{
	struct rv_elf_shdr sh;
	const char *p;
	u64 i = 0;

	if (rv_elf_find_section(elf, ".modinfo", &sh) || sh.type == RV_SHT_NOBITS)
		return false;
	p = (const char *)rv_elf_section_data(elf, &sh);
	while (i < sh.size) {
		size_t n = rv_strnlen(p + i, sh.size - i);

		if (n >= 7 && rv_memeq(p + i, "intree=", 7))
			return true;
		i += n + 1;
	}
	return false;
}

static int read_stamp(const struct rv_module *m, const struct rv_elf_sym *sym,
		      struct rv_stamp *st, struct rv_verdict *v)
{
	const char *why = "stamp symbol does not resolve";
	const u8 *data = NULL;
	u64 size = 0;
	int err;

	err = m->stamp ? m->stamp(m->ctx, sym, &data, &size, &why) : -RV_ENOENT;
	if (err)
		return error(v, err, "stamp", why);
	err = rv_stamp_parse(st, data, size);
	if (err)
		return error(v, err, "stamp", st->why);
	v->stamped = true;
	v->stamp = data;
	v->stamp_size = (u32)size;
	v->stamp_flags = st->flags;
	v->stamp_rustc = st->rustc[0] ? st->rustc : NULL;
	return 0;
}

static struct rv_crate_verdict *module_crate(struct rv_verdict *v,
					     const struct rv_crate_ref *c)
{
	struct rv_crate_verdict *m;
	u32 i;

	for (i = 0; i < v->ncrates; i++) {
		m = &v->crates[i];
		if (m->dis == c->dis && m->name_len == c->name_len &&
		    rv_memeq(m->name, c->name, c->name_len))
			return m;
	}
	if (v->ncrates == RV_MODULE_MAX_CRATES)
		return NULL;
	m = &v->crates[v->ncrates++];
	*m = (struct rv_crate_verdict){
		.name = c->name, .name_len = c->name_len, .dis = c->dis,
	};
	return m;
}

/*
 * Crate roots that name no crate of the kernel: rustc's `__rustc`, under
 * which it mangles its own internal symbols (__rust_alloc & co., rustc
 * 1.90+). Their ABI is rustc's, not a crate's (there is no .rmeta to
 * CRC); the rustc version is in the disambiguator, as for every crate.
 */
static bool pseudo_crate(const struct rv_crate_ref *c)
{
	return c->name_len == 7 && rv_memeq(c->name, "__rustc", 7);
}

#define KLP_PREFIX	".klp.sym."
#define KLP_PREFIX_LEN	9
#define KLP_OBJ_MAX	56	/* kernel/livepatch/core.c: "%55[^.]" and its '.' */

/*
 * The symbol @sym of SHN_LIVEPATCH is a reference ".klp.sym.OBJ.NAME,POS" (Linux,
 * Documentation/livepatch/module-elf-format.rst): OBJ ends at the first '.',
 * NAME at the first ',' after it. Sets *@len to NAME's length, measured no
 * further than RV_SYMBOL_MAX + 1 bytes, and returns NAME, or NULL when the
 * symbol is not such a reference.
 */
static const char *klp_name(const struct rv_elf_sym *sym, size_t *len)
{
	size_t max = sym->name_max, i, n;
	const char *p = sym->name;

	if (max < KLP_PREFIX_LEN || !rv_memeq(p, KLP_PREFIX, KLP_PREFIX_LEN))
		return NULL;
	for (i = KLP_PREFIX_LEN; i < max && i < KLP_PREFIX_LEN + KLP_OBJ_MAX; i++) {
		if (!p[i] || p[i] == '.')
			break;
	}
	if (i >= max || p[i] != '.')
		return NULL;
	p += i + 1;
	max -= i + 1;
	if (max > RV_SYMBOL_MAX + 1)
		max = RV_SYMBOL_MAX + 1;
	for (n = 0; n < max && p[n] && p[n] != ','; n++)
		;
	*len = n;
	return p;
}

/* @sym, a defined symbol, is RV_STAMP_SYMBOL. */
static bool is_stamp_symbol(const struct rv_elf_sym *sym)
{
	static const char name[] = RV_STAMP_SYMBOL;

	return sym->name_max >= sizeof(name) && rv_memeq(sym->name, name, sizeof(name));
}

/* Adds the crates of the v0 name @name (@max bytes readable) to @v. */
static int add_import(struct rv_verdict_scratch *scr, struct rv_verdict *v,
		      const char *name, size_t max)
{
	struct rv_crate_verdict *m;
	size_t len = 0;
	u32 j;
	int err;

	v->rust_imports++;
	/* measured no further than RV_SYMBOL_MAX + 1 bytes */
	err = rv_v0_parse_str(name, max, &scr->v0, &scr->sym, &len);
	if (err) {
		v->bad_symbol = name;
		v->bad_symbol_pos = (u32)scr->sym.err_pos;
		return error(v, err, "symbol", scr->sym.why);
	}
	for (j = 0; j < scr->sym.ncrates; j++) {
		if (pseudo_crate(&scr->sym.crates[j]))
			continue;
		m = module_crate(v, &scr->sym.crates[j]);
		if (!m)
			return error(v, -RV_ELIMIT, "module",
				     "more than 128 (RV_MODULE_MAX_CRATES) crates in one module");
		if (!m->nsyms++) {
			m->example = name;
			m->example_len = (u32)len;
		}
	}
	return 0;
}

/*
 * Collects the crates of every undefined v0 symbol and every livepatch
 * reference to one, and finds the stamp symbol: returns how many define it
 * (the first in *@stamp), or a negative RV_E* code. Linear in the symbol
 * table: a name is tested for "_R" before it is measured, and measured no
 * further than RV_SYMBOL_MAX + 1 bytes (a longer v0 name is an error). A
 * st_name past the string table is an error; the kernel's loader refuses
 * such a module before COMING (elf_validity_cache_strtab() in 7.3).
 */
static int collect(const struct rv_module *mod, struct rv_verdict_scratch *scr,
		   struct rv_verdict *v, struct rv_elf_sym *stamp)
{
	struct rv_elf_sym sym;
	const char *name;
	int stamps = 0;
	size_t len;
	u32 i;
	int err = 0;

	rv_v0_scratch_reset(&scr->v0);	/* the path cache: this module's names only */
	for (i = 1; i < mod->nsyms; i++) {
		if (!(i % RESCHED_EVERY))
			resched();
		err = rv_sym_read(mod->syms, mod->nsyms, mod->str, mod->str_size, i, &sym);
		if (err)
			return error(v, err, "ELF",
				     "symbol name offset beyond the string table");
		/* "_R" then a path or a version (the string table ends with a NUL) */
		if (sym.shndx == RV_SHN_UNDEF) {
			if (rv_elf_sym_undefined(&sym) && rv_v0_is_v0(sym.name, 3))
				err = add_import(scr, v, sym.name, sym.name_max);
		} else if (sym.shndx == RV_SHN_LIVEPATCH) {
			name = klp_name(&sym, &len);
			if (name && rv_v0_is_v0(name, len))
				err = add_import(scr, v, name, len);
		} else if (is_stamp_symbol(&sym) && stamps++ == 0) {
			*stamp = sym;
		}
		if (err)
			return err;
	}
	return stamps;
}

static void judge_crate(const struct rv_table *table, const struct rv_stamp *st,
			struct rv_verdict *v, struct rv_crate_verdict *m)
{
	const struct rv_crate *k;

	k = rv_table_find(table, m->name, m->name_len, m->dis);
	if (k) {
		m->has_kernel_crc = true;
		m->kernel_crc = k->crc;
	}
	if (v->stamped)
		m->has_stamp_crc = rv_stamp_find(st, m->name, m->name_len,
						 m->dis, &m->stamp_crc);
	if (!k) {
		k = rv_table_find_name(table, m->name, m->name_len);
		m->status = k ? RV_CRATE_OTHER_BUILD : RV_CRATE_UNKNOWN;
		if (k)
			m->kernel_dis = k->dis;
	} else if (!m->has_stamp_crc) {
		m->status = RV_CRATE_UNSTAMPED;
	} else {
		m->status = m->stamp_crc == m->kernel_crc ? RV_CRATE_PASS :
			    RV_CRATE_MISMATCH;
	}
}

/**
 * rv_rustc_version() - the version token of a rustc banner
 * @banner: "rustc 1.85.1 (...)" or "rustc version 1.95.0 (...)", or NULL
 * @len: set to the token's length
 *
 * Return: the first word starting with a digit ("1.85.1"), inside @banner,
 * or NULL.
 */
const char *rv_rustc_version(const char *banner, size_t *len)
{
	size_t i, n;

	if (!banner)
		return NULL;
	for (i = 0; banner[i]; i++) {
		if (banner[i] < '0' || banner[i] > '9' ||
		    (i && banner[i - 1] != ' '))
			continue;
		for (n = 0; banner[i + n] && banner[i + n] != ' '; n++)
			;
		*len = n;
		return banner + i;
	}
	return NULL;
}
RV_EXPORT_MODULE(rv_rustc_version);

static bool rustc_differs(const char *a, const char *b)
{
	const char *va, *vb;
	size_t la, lb;

	va = rv_rustc_version(a, &la);
	vb = rv_rustc_version(b, &lb);
	if (!va || !vb)
		return false;
	return la != lb || !rv_memeq(va, vb, la);
}

/**
 * rv_verdict_judge() - the verdict on a module's Rust imports
 * @m: its symbol records, string table and bound, in-tree flag and stamp
 *     resolver (struct rv_module)
 * @table: the kernel's crate table
 * @scr: working memory, reused across calls
 * @v: the verdict; it points into @m's memory
 *
 * Reads every record once, each name no further than RV_SYMBOL_MAX + 1
 * bytes, allocates nothing, recursion bounded by RV_V0_MAX_DEPTH.
 *
 * Return: 0 when a verdict was reached (v->result), or the negative RV_E*
 * code that made it RV_RESULT_ERROR (-RV_ELIMIT: an engine bound).
 */
int rv_verdict_judge(const struct rv_module *m, const struct rv_table *table,
		     struct rv_verdict_scratch *scr, struct rv_verdict *v)
{
	bool unstamped_only = true;
	struct rv_stamp st = { 0 };
	struct rv_elf_sym stamp;
	int err, have_stamp;
	u32 i;

	memset(v, 0, sizeof(*v));
	have_stamp = collect(m, scr, v, &stamp);
	if (have_stamp < 0)
		return have_stamp;
	/* nothing but a Rust import makes a module rustver's business */
	if (!v->rust_imports) {
		v->result = RV_RESULT_NOT_RUST;
		return 0;
	}
	if (have_stamp > 1)
		return error(v, -RV_EDUP, "stamp", "two stamp symbols");
	v->intree = m->intree;
	if (have_stamp) {
		err = read_stamp(m, &stamp, &st, v);
		if (err)
			return err;
		v->rustc_differs = rustc_differs(v->stamp_rustc, table->rustc);
	}

	for (i = 0; i < v->ncrates; i++) {
		judge_crate(table, &st, v, &v->crates[i]);
		if (v->crates[i].status == RV_CRATE_PASS)
			continue;
		v->nfailed++;
		if (v->crates[i].status != RV_CRATE_UNSTAMPED)
			unstamped_only = false;
	}
	if (!v->nfailed)
		v->result = RV_RESULT_PASS;
	else if (!v->stamped && v->intree && unstamped_only)
		v->result = RV_RESULT_INTREE_UNSTAMPED;
	else
		v->result = RV_RESULT_FAIL;
	return 0;
}
RV_EXPORT_MODULE(rv_verdict_judge);

int rv_verdict_check(const void *data, u64 size, const struct rv_table *table,
		     struct rv_verdict_scratch *scr, struct rv_verdict *v)
{
	return rv_verdict_check_loaded(data, size, NULL, table, scr, v);
}
RV_EXPORT(rv_verdict_check);

/*
 * The stamp symbol as the loader relocates it: st_value is an offset in
 * section st_shndx, which the loader keeps only when it is SHF_ALLOC.
 */
static int file_stamp(const void *ctx, const struct rv_elf_sym *sym,
		      const u8 **data, u64 *size, const char **why)
{
	struct rv_elf *elf = (struct rv_elf *)ctx;
	struct rv_elf_shdr sh;
	int err;

	if (sym->shndx >= RV_SHN_LORESERVE || rv_elf_shdr(elf, sym->shndx, &sh)) {
		*why = "stamp symbol names no section";
		return -RV_EFORMAT;
	}
	if (sh.type != RV_SHT_PROGBITS || !(sh.flags & RV_SHF_ALLOC)) {
		*why = "stamp is not in an allocated PROGBITS section: the loader does not keep it";
		return -RV_EFORMAT;
	}
	if (sym->value > sh.size || sym->size > sh.size - sym->value) {
		*why = "stamp symbol reaches past its section";
		return -RV_ERANGE;
	}
	err = rv_elf_check_disjoint(elf, &sh);
	if (err) {
		*why = elf->why;
		return err;
	}
	if (!rv_elf_is_loaded(elf, sh.offset + sym->value, sym->size)) {
		*why = "the stamp was not loaded from the file";
		return -RV_ERANGE;
	}
	*data = rv_elf_section_data(elf, &sh) + sym->value;
	*size = sym->size;
	return 0;
}

int rv_verdict_check_loaded(const void *data, u64 size,
			    const struct rv_elf_loaded *loaded,
			    const struct rv_table *table,
			    struct rv_verdict_scratch *scr, struct rv_verdict *v)
{
	struct rv_elf_shdr sh;
	struct rv_module m;
	struct rv_elf elf;
	int err;

	err = rv_elf_open_loaded(&elf, data, size, loaded);
	if (err) {
		memset(v, 0, sizeof(*v));
		return error(v, err, "ELF", elf.why);
	}
	m = (struct rv_module){
		.syms = elf.data + elf.sym_off,
		.nsyms = elf.nsyms,
		.str = (const char *)elf.data + elf.str_off,
		.str_size = elf.str_size,
		.intree = modinfo_intree(&elf),
		.stamp = file_stamp,
		.ctx = &elf,
	};
	err = rv_verdict_judge(&m, table, scr, v);
	/* a stamp section no symbol names: versions 1 and 2, unseen by the loader */
	if (!err && v->result != RV_RESULT_NOT_RUST && !v->stamped &&
	    rv_elf_find_section(&elf, RV_STAMP_SECTION, &sh) != -RV_ENOENT)
		v->old_stamp = true;
	return err;
}
RV_EXPORT(rv_verdict_check_loaded);

const char *rv_crate_status_name(enum rv_crate_status s)
{
	switch (s) {
	case RV_CRATE_PASS:
		return "pass";
	case RV_CRATE_MISMATCH:
		return "mismatch";
	case RV_CRATE_UNSTAMPED:
		return "unstamped";
	case RV_CRATE_UNKNOWN:
		return "unknown";
	case RV_CRATE_OTHER_BUILD:
		return "other-build";
	}
	return "?";
}
RV_EXPORT(rv_crate_status_name);

const char *rv_result_name(enum rv_result r)
{
	switch (r) {
	case RV_RESULT_NOT_RUST:
		return "not-rust";
	case RV_RESULT_PASS:
		return "pass";
	case RV_RESULT_INTREE_UNSTAMPED:
		return "intree-unstamped";
	case RV_RESULT_FAIL:
		return "fail";
	case RV_RESULT_ERROR:
		return "error";
	}
	return "?";
}
RV_EXPORT_MODULE(rv_result_name);

const char *rv_strerror(int err)
{
	static const char *const names[RV_NERRORS] = {
		[RV_EOK] = "success",
		[RV_ETRUNC] = "truncated",
		[RV_EFORMAT] = "bad format",
		[RV_ERANGE] = "out of range",
		[RV_ESTRING] = "bad string",
		[RV_ENOENT] = "not found",
		[RV_ELIMIT] = "limit exceeded",
		[RV_ESYNTAX] = "bad symbol syntax",
		[RV_EDUP] = "duplicate",
	};

	if (err < 0)
		err = -err;
	return err < RV_NERRORS ? names[err] : "unknown error";
}
RV_EXPORT(rv_strerror);
