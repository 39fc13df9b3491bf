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

/* .modinfo is a sequence of NUL-terminated "key=value" strings. */
static bool modinfo_has(struct rv_elf *elf, const char *entry, size_t len)
{
	struct rv_elf_shdr sh;
	const char *p;
	u64 i = 0;

	if (rv_elf_find_section(elf, ".modinfo", &sh) || sh.type == RV_SHT_NOBITS)
		return false;
	p = (const char *)rv_elf_section_data(elf, &sh);
	while (i < sh.size) {
		size_t n = rv_strnlen(p + i, sh.size - i);

		if (n == len && rv_memeq(p + i, entry, len))
			return true;
		i += n + 1;
	}
	return false;
}

static int read_stamp(struct rv_elf *elf, struct rv_stamp *st,
		      struct rv_verdict *v)
{
	struct rv_elf_shdr sh;
	int err;

	err = rv_elf_find_section(elf, RV_STAMP_SECTION, &sh);
	if (err == -RV_ENOENT)
		return 0;
	if (err)
		return error(v, err, "stamp",
			     err == -RV_EDUP ? "two stamp sections" : elf->why);
	if (sh.type != RV_SHT_PROGBITS)
		return error(v, -RV_EFORMAT, "stamp", "stamp section is not PROGBITS");
	err = rv_elf_check_disjoint(elf, &sh);
	if (err)
		return error(v, err, "stamp", elf->why);
	err = rv_stamp_parse(st, rv_elf_section_data(elf, &sh), sh.size);
	if (err)
		return error(v, err, "stamp", st->why);
	v->stamped = true;
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

/*
 * Collects the crates of every undefined v0 symbol. Linear in the symbol
 * table: a name is tested for "_R" before it is measured, and measured no
 * further than RV_SYMBOL_MAX + 1 bytes (a longer v0 name is an error).
 */
static int collect(struct rv_elf *elf, struct rv_verdict_scratch *scr,
		   struct rv_verdict *v)
{
	struct rv_crate_verdict *m;
	struct rv_elf_sym sym;
	u32 i, j;
	int err;

	rv_v0_scratch_reset(&scr->v0);	/* the path cache: this module's names only */
	for (i = 1; i < elf->nsyms; i++) {
		if (!(i % RESCHED_EVERY))
			resched();
		err = rv_elf_sym(elf, i, &sym);
		if (err)
			return error(v, err, "ELF", elf->why);
		/* "_R" then a path or a version (the string table ends with a NUL) */
		if (!rv_elf_sym_undefined(&sym) || !rv_v0_is_v0(sym.name, 3))
			continue;
		v->rust_imports++;
		/* measured no further than RV_SYMBOL_MAX + 1 bytes */
		err = rv_v0_parse_str(sym.name, sym.name_max, &scr->v0, &scr->sym, NULL);
		if (err) {
			v->bad_symbol = sym.name;
			v->bad_symbol_pos = (u32)scr->sym.err_pos;
			return error(v, err, "symbol", scr->sym.why);
		}
		for (j = 0; j < scr->sym.ncrates; j++) {
			if (pseudo_crate(&scr->sym.crates[j]))
				continue;
			m = module_crate(v, &scr->sym.crates[j]);
			if (!m)
				return error(v, -RV_ELIMIT, "module",
					     "too many crates in one module");
			if (!m->nsyms++)
				m->example = sym.name;
		}
	}
	return 0;
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
RV_EXPORT(rv_rustc_version);

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

int rv_verdict_check(const void *data, u64 size, const struct rv_table *table,
		     struct rv_verdict_scratch *scr, struct rv_verdict *v)
{
	return rv_verdict_check_loaded(data, size, NULL, table, scr, v);
}
RV_EXPORT(rv_verdict_check);

int rv_verdict_check_loaded(const void *data, u64 size,
			    const struct rv_elf_loaded *loaded,
			    const struct rv_table *table,
			    struct rv_verdict_scratch *scr, struct rv_verdict *v)
{
	struct rv_stamp st = { 0 };
	struct rv_elf elf;
	bool unstamped_only = true;
	u32 i;
	int err;

	__builtin_memset(v, 0, sizeof(*v));

	err = rv_elf_open_loaded(&elf, data, size, loaded);
	if (err)
		return error(v, err, "ELF", elf.why);
	err = collect(&elf, scr, v);
	if (err)
		return err;
	if (!v->rust_imports) {
		v->result = RV_RESULT_NOT_RUST;
		return 0;
	}
	v->intree = modinfo_has(&elf, "intree=Y", 8);
	err = read_stamp(&elf, &st, v);
	if (err)
		return err;
	if (v->stamped)
		v->rustc_differs = rustc_differs(v->stamp_rustc, table->rustc);

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
RV_EXPORT(rv_verdict_check_loaded);

const char *rv_crate_status_name(enum rv_crate_status s)
{
	switch (s) {
	case RV_CRATE_PASS:
		return "pass";
	case RV_CRATE_MISMATCH:
		return "mismatch";
	case RV_CRATE_UNSTAMPED:
		return "not stamped";
	case RV_CRATE_UNKNOWN:
		return "unknown crate";
	case RV_CRATE_OTHER_BUILD:
		return "other rustc";
	}
	return "?";
}
RV_EXPORT(rv_crate_status_name);

const char *rv_result_name(enum rv_result r)
{
	switch (r) {
	case RV_RESULT_NOT_RUST:
		return "not rust";
	case RV_RESULT_PASS:
		return "pass";
	case RV_RESULT_INTREE_UNSTAMPED:
		return "pass (in-tree, not stamped)";
	case RV_RESULT_FAIL:
		return "fail";
	case RV_RESULT_ERROR:
		return "error";
	}
	return "?";
}
RV_EXPORT(rv_result_name);

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
