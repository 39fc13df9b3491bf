// SPDX-License-Identifier: GPL-2.0
/*
 * kmod_rustver: verifies the Rust imports of every module as it loads.
 *
 * Only public module interfaces are used. The module notifier runs at
 * MODULE_STATE_COMING, after the loader has relocated the module and before
 * its init: mod->kallsyms (struct mod_kallsyms, include/linux/module.h) then
 * points at the module's whole symbol and string tables, copied by the
 * loader into the module's init memory (kernel/module/kallsyms.c:
 * layout_symtab(), add_kallsyms(); the switch to the core-only tables comes
 * after init). Undefined imports are still SHN_UNDEF there; the stamp symbol
 * (include/rustver/stamp.h) has been relocated to the stamp's address in the
 * module's read-only memory; TAINT_OOT_MODULE in mod->taints tells whether
 * the module is in-tree. The engine (rv_verdict_judge(), lib/verdict.c)
 * judges those bytes against rustver_core's crate table, and the notifier's
 * error fails the load (blocking_notifier_call_chain_robust() unwinds it
 * cleanly).
 *
 * What it can refuse: under policy=enforce, a module with Rust imports whose
 * own verdict fails (a crate unknown, of another build or another CRC, a
 * missing or malformed stamp, a symbol the engine cannot judge within its
 * bounds). What it never refuses: a module without Rust imports, under any
 * policy; nothing else than the module's own bytes decides.
 *
 * At start, the same reading is checked on kmod_rustver's own tables: a
 * kernel that lays modules out otherwise makes it refuse to start, never
 * guess. Modules loaded before it are listed (/sys/kernel/rustver/
 * preloaded_modules): only loads from then on are verified.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/elf.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/string_helpers.h>
#include <linux/sysfs.h>

#include <rustver/core.h>
#include <rustver/verdict.h>

#define CREATE_TRACE_POINTS
#include "rustver_trace.h"

#ifndef CONFIG_KALLSYMS
#error "kmod_rustver reads each loading module's symbols from mod->kallsyms: it needs CONFIG_KALLSYMS"
#endif
#if !defined(CONFIG_64BIT) || defined(CONFIG_CPU_BIG_ENDIAN)
#error "the engine reads ELF64 little-endian symbol tables only"
#endif

/* Linux 7.0 added typed allocators; earlier kernels (6.1, 6.12) build too. */
#ifndef kmalloc_objs
#define kmalloc_objs(type, n) kmalloc_array(n, sizeof(type), GFP_KERNEL)
#endif
#ifndef kvmalloc_obj
#define kvmalloc_obj(obj) kvmalloc(sizeof(obj), GFP_KERNEL)
#endif

/*
 * The module memory types (mod->mem[], within_module_mem_type()) came in
 * Linux 6.4; on earlier kernels kmod_rustver builds and refuses to start.
 */
#define RV_HAVE_MOD_MEM (LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0))

MODULE_IMPORT_NS(RV_NS);

#define LAST_MAX	16	/* verdicts kept for /sys/kernel/rustver/last_verdicts */
#define LAST_LEN	200
#define TIMES_MAX	1024	/* verification times kept for percentiles */
#define EXPLAIN_CRATES	8	/* crate lines per verdict, then a count */
#define SYMBOL_SHOWN	64	/* bytes of a malformed symbol shown */
#define NAME_SHOWN	(MODULE_NAME_LEN * 4)	/* a module name, escaped */
#define PRELOADED_MAX	64	/* names kept of modules loaded before */

/* ---- parameters: what checking requires, and the lock ---- */

enum rv_policy { RV_POLICY_OFF, RV_POLICY_WARN, RV_POLICY_ENFORCE };

static const char * const policy_names[] = { "off", "warn", "enforce" };
static int policy = RV_POLICY_ENFORCE;
static bool intree_stamped;
static bool evidence_only;
static bool table_without_build_id;

/*
 * The lock takes effect when kmod_rustver has started: parameters given at
 * load time apply in any order (lock=1 policy=warn locks at warn); from
 * then on nothing that weakens checking is accepted until reboot.
 */
static bool started;
static bool lock_requested;
static bool policy_locked;

/* A setting that weakens checking, refused once locked. */
static int weakening(const char *name, const char *from, const char *to)
{
	if (!READ_ONCE(policy_locked))
		return 0;
	pr_warn("%s is locked at %s until reboot: not lowered to %s\n", name, from, to);
	return -EPERM;
}

static int policy_set(const char *val, const struct kernel_param *kp)
{
	int p = sysfs_match_string(policy_names, val);
	int cur = READ_ONCE(policy);
	int err;

	if (p < 0)
		return -EINVAL;
	if (p < cur) {
		err = weakening("policy", policy_names[cur], policy_names[p]);
		if (err)
			return err;
	}
	WRITE_ONCE(policy, p);
	if (READ_ONCE(started))
		pr_info("policy=%s\n", policy_names[p]);
	return 0;
}

static int policy_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", policy_names[READ_ONCE(policy)]);
}

static const struct kernel_param_ops policy_ops = {
	.set = policy_set,
	.get = policy_get,
};
module_param_cb(policy, &policy_ops, NULL, 0644);
MODULE_PARM_DESC(policy, "off, warn or enforce (default): what a failing verdict does");

/*
 * A bool parameter for which one value weakens checking: setting it to
 * @weak from the other value is refused once locked.
 */
static int bool_set(const char *val, const struct kernel_param *kp, bool weak)
{
	bool *b = kp->arg, v;
	int err;

	if (kstrtobool(val, &v))
		return -EINVAL;
	if (v == weak && READ_ONCE(*b) != weak) {
		err = weakening(kp->name, weak ? "0" : "1", weak ? "1" : "0");
		if (err)
			return err;
	}
	WRITE_ONCE(*b, v);
	return 0;
}

/* A bool whose true is the stricter setting: lowering it is weakening. */
static int strict_bool_set(const char *val, const struct kernel_param *kp)
{
	return bool_set(val, kp, false);
}

static const struct kernel_param_ops strict_bool_ops = {
	.set = strict_bool_set,
	.get = param_get_bool,
};

/*
 * An in-tree Rust module (no TAINT_OOT_MODULE) without a stamp passes when
 * every crate it imports is the kernel's: stock distribution kernels ship
 * their in-tree Rust modules unstamped. Kernel developers and vendors who
 * stamp their trees ('rustver stamp --tree KDIR') set this, so that an
 * in-tree module of another build of the same source is refused too.
 */
module_param_cb(intree_stamped, &strict_bool_ops, &intree_stamped, 0644);
MODULE_PARM_DESC(intree_stamped, "in-tree Rust modules must carry a stamp like any other (default N: stock kernels ship them unstamped)");

/*
 * A stamp made with 'rustver stamp --unverified' took its CRCs from a table
 * the user named, which nothing ties to the module's build: counted and
 * named in every verdict, and refused with this set.
 */
module_param_cb(evidence_only, &strict_bool_ops, &evidence_only, 0644);
MODULE_PARM_DESC(evidence_only, "refuse stamps made with --unverified (default N: counted in unverified_stamps)");

/* A bool whose true is the weaker setting: raising it is weakening. */
static int lax_bool_set(const char *val, const struct kernel_param *kp)
{
	return bool_set(val, kp, true);
}

static const struct kernel_param_ops lax_bool_ops = {
	.set = lax_bool_set,
	.get = param_get_bool,
};

/*
 * A crate table made without the tree's vmlinux (from installed headers)
 * names no build ID: rustver_core compared only the release and UTS version,
 * which two reproducible builds of one source share. Under policy=enforce a
 * Rust module is then refused as not judged, unless this is set.
 */
module_param_cb(table_without_build_id, &lax_bool_ops, &table_without_build_id, 0644);
MODULE_PARM_DESC(table_without_build_id, "accept a crate table that names no vmlinux build ID, tied to this kernel by release and UTS version only (default N: Rust modules are refused under enforce)");

static int lock_set(const char *val, const struct kernel_param *kp)
{
	bool v;

	if (kstrtobool(val, &v))
		return -EINVAL;
	if (!v && (READ_ONCE(policy_locked) || READ_ONCE(lock_requested))) {
		pr_warn("lock is one-way: it stays set until reboot\n");
		return -EPERM;
	}
	if (!v || READ_ONCE(lock_requested))
		return 0;
	if (!READ_ONCE(started)) {
		WRITE_ONCE(lock_requested, true);	/* taken at the end of init */
		return 0;
	}
	/*
	 * Until reboot: the verifier can no longer be unloaded either.
	 * try_module_get() fails once rmmod has begun (try_stop_module()
	 * marked the module GOING): then the lock is not taken at all.
	 */
	if (!try_module_get(THIS_MODULE)) {
		pr_warn("kmod_rustver is being removed: not locked\n");
		return -EBUSY;
	}
	WRITE_ONCE(lock_requested, true);
	WRITE_ONCE(policy_locked, true);
	pr_info("locked until reboot: policy=%s intree_stamped=%d evidence_only=%d table_without_build_id=%d\n",
		policy_names[READ_ONCE(policy)], READ_ONCE(intree_stamped),
		READ_ONCE(evidence_only), READ_ONCE(table_without_build_id));
	return 0;
}

static int lock_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%c\n", READ_ONCE(policy_locked) ? 'Y' : 'N');
}

static const struct kernel_param_ops lock_ops = {
	.set = lock_set,
	.get = lock_get,
};
module_param_cb(lock, &lock_ops, NULL, 0644);
MODULE_PARM_DESC(lock, "once set, nothing that weakens checking is accepted and the module cannot be unloaded until reboot");

/* ---- counters and timings ---- */

static struct {
	atomic64_t seen, checked, passed, refused, warned, intree_unstamped;
	atomic64_t not_rust, unverified, errors, limits, unverified_stamps;
	atomic64_t explain_suppressed;
} stats;

/*
 * verify_mutex serialises verifications: one preallocated work area serves
 * them all, so no verdict depends on an allocation. It also guards times[],
 * last[] and the escaped name.
 */
struct work_area {
	struct rv_verdict_scratch scr;
	struct rv_verdict v;
	char name[NAME_SHOWN + 1];
};

static DEFINE_MUTEX(verify_mutex);
static struct work_area *work;
static u64 times[TIMES_MAX];
static unsigned long times_count;
static u64 times_max;
static char last[LAST_MAX][LAST_LEN];
static unsigned int last_next;

/* Modules loaded before kmod_rustver started: never verified. */
static char preloaded[PRELOADED_MAX][MODULE_NAME_LEN];
static unsigned int preloaded_count;

/*
 * @name (a module's, chosen by whoever built it) with every byte that is not
 * printable ASCII, and the backslash, as \xNN: no name can forge a line or a
 * terminal sequence in dmesg, the trace or sysfs.
 */
static void escape_name(const char *name, char *out, size_t size)
{
	size_t n = strnlen(name, MODULE_NAME_LEN);
	int len;

	/* printable ASCII passes, except the backslash (ESCAPE_APPEND) */
	len = string_escape_mem(name, n, out, size - 1,
				ESCAPE_HEX | ESCAPE_NAP | ESCAPE_APPEND, "\\");
	out[min_t(size_t, len, size - 1)] = '\0';
}

static void record_verdict(const char *mod, const char *verdict,
			   unsigned int ncrates, unsigned int rust_imports, u64 ns,
			   bool timed)
{
	lockdep_assert_held(&verify_mutex);
	if (timed) {
		times[times_count % TIMES_MAX] = ns;
		times_count++;
		if (ns > times_max)
			times_max = ns;
	}
	snprintf(last[last_next], LAST_LEN, "%s %s crates=%u rust_imports=%u ns=%llu",
		 mod, verdict, ncrates, rust_imports, ns);
	last_next = (last_next + 1) % LAST_MAX;
	trace_rustver_verdict(mod, verdict, ncrates, ns);
}

/* ---- a loading module's symbols, as the loader left them at COMING ---- */

/* The memory type of @mod holding [@addr, @addr + @size), or -1. */
static int mem_type_of(const struct module *mod, unsigned long addr,
		       unsigned long size)
{
#if RV_HAVE_MOD_MEM
	if (!size || addr + size - 1 < addr)
		return -1;
	for_each_mod_mem_type(t)
		if (within_module_mem_type(addr, mod, t) &&
		    within_module_mem_type(addr + size - 1, mod, t))
			return t;
#endif
	return -1;
}

/* The end of module memory type @t of @mod (mem_type_of() found it). */
static unsigned long mem_end(const struct module *mod, int t)
{
#if RV_HAVE_MOD_MEM
	return (unsigned long)mod->mem[t].base + mod->mem[t].size;
#else
	return 0;
#endif
}

/*
 * The stamp symbol of a loaded module: relocated by simplify_symbols() to
 * the stamp's address, which must lie in the module's own memory (a stamp
 * in a section the loader did not keep points into the freed load copy).
 */
static int module_stamp(const void *ctx, const struct rv_elf_sym *sym,
			const u8 **data, u64 *size, const char **why)
{
	const struct module *mod = ctx;

	if (mem_type_of(mod, sym->value, sym->size) < 0) {
		*why = "the stamp symbol does not point into the module's memory";
		return -RV_EFORMAT;
	}
	*data = (const u8 *)sym->value;
	*size = sym->size;
	return 0;
}

/*
 * What the engine reads of @mod at MODULE_STATE_COMING. The string table has
 * no recorded size: names are read no further than the end of the module
 * memory that holds it, where the loader placed it. Return: NULL, or why the
 * tables cannot be read.
 */
static const char *module_symbols(struct module *mod, struct rv_module *m)
{
	const struct mod_kallsyms *ks;
	unsigned long str, end;
	int t;

	/*
	 * The loader is blocked in this notifier (or, for THIS_MODULE, in our
	 * init): mod->kallsyms cannot change under us.
	 */
	ks = rcu_dereference_protected(mod->kallsyms, 1);
	if (!ks || !ks->symtab || !ks->strtab || !ks->num_symtab)
		return "the module has no symbol table in mod->kallsyms";
	if (mem_type_of(mod, (unsigned long)ks->symtab,
			ks->num_symtab * sizeof(Elf_Sym)) < 0)
		return "the symbol table is not in the module's memory";
	str = (unsigned long)ks->strtab;
	t = mem_type_of(mod, str, 1);
	if (t < 0)
		return "the string table is not in the module's memory";
	end = mem_end(mod, t);
	*m = (struct rv_module){
		.syms = (const u8 *)ks->symtab,
		.nsyms = ks->num_symtab,
		.str = ks->strtab,
		.str_size = end - str,
		.intree = !test_bit(TAINT_OOT_MODULE, &mod->taints),
		.stamp = module_stamp,
		.ctx = mod,
	};
	return NULL;
}

/* Looked up by name in kmod_rustver's own symbol table: see self_check(). */
static const char rustver_self_check_anchor[] __used = "kmod_rustver";

/*
 * The layout module_symbols() relies on, checked on kmod_rustver itself
 * during its init (its mod->kallsyms is then the whole table too): an
 * import still SHN_UNDEF, a defined object relocated to its address.
 */
static const char *self_check(void)
{
	bool import = false, defined = false;
	struct rv_elf_sym sym;
	struct rv_module m;
	const char *why;
	u32 i;

	why = module_symbols(THIS_MODULE, &m);
	if (why)
		return why;
	for (i = 1; i < m.nsyms; i++) {
		if (rv_sym_read(m.syms, m.nsyms, m.str, m.str_size, i, &sym))
			return "a symbol name lies past the string table";
		if (sym.shndx == RV_SHN_UNDEF &&
		    !strncmp(sym.name, "rustver_core_table", sym.name_max))
			import = true;
		if (sym.shndx != RV_SHN_UNDEF &&
		    !strncmp(sym.name, "rustver_self_check_anchor", sym.name_max) &&
		    sym.value == (unsigned long)rustver_self_check_anchor)
			defined = true;
	}
	if (!import)
		return "kmod_rustver's import of rustver_core_table is not an undefined symbol in mod->kallsyms";
	if (!defined)
		return "kmod_rustver's own symbols are not relocated to their addresses in mod->kallsyms";
	return NULL;
}

/* ---- explaining a verdict in dmesg ---- */

/* One decision per verdict: all its lines (at most 11) or none. */
static DEFINE_RATELIMIT_STATE(explain_rs, 5 * HZ, 10);
static u64 suppressed_pending;	/* verdicts not explained; under verify_mutex */

static bool explain_allowed(void)
{
	lockdep_assert_held(&verify_mutex);
	if (!__ratelimit(&explain_rs)) {
		suppressed_pending++;
		atomic64_inc(&stats.explain_suppressed);
		return false;
	}
	if (suppressed_pending) {
		pr_warn("%llu verdict explanation%s suppressed (rate limit): see /sys/kernel/rustver/last_verdicts\n",
			suppressed_pending, suppressed_pending == 1 ? "" : "s");
		suppressed_pending = 0;
	}
	return true;
}

static void explain_crate(const char *mod, const struct rv_crate_verdict *c)
{
	const char *s = c->nsyms == 1 ? "" : "s";
	char ex[96];
	int n;

	rv_v0_short_path(c->example, c->example_len, ex, sizeof(ex));
	n = strnlen(ex, sizeof(ex));
	/* Crate names are [A-Za-z0-9_]+ (the engine checks); ex comes from the module. */
	switch (c->status) {
	case RV_CRATE_MISMATCH:
		pr_err("%s: crate %.*s[%llx]: built against 0x%08x, running kernel has 0x%08x (%u imported symbol%s, e.g. %*pEhp)\n",
		       mod, c->name_len, c->name, c->dis, c->stamp_crc,
		       c->kernel_crc, c->nsyms, s, n, ex);
		break;
	case RV_CRATE_UNSTAMPED:
		pr_err("%s: crate %.*s[%llx]: not in the module's stamp, running kernel has 0x%08x (%u imported symbol%s, e.g. %*pEhp)\n",
		       mod, c->name_len, c->name, c->dis, c->kernel_crc,
		       c->nsyms, s, n, ex);
		break;
	case RV_CRATE_UNKNOWN:
		pr_err("%s: crate %.*s[%llx]: unknown to the running kernel (%u imported symbol%s, e.g. %*pEhp)\n",
		       mod, c->name_len, c->name, c->dis, c->nsyms, s, n, ex);
		break;
	case RV_CRATE_OTHER_BUILD:
		pr_err("%s: crate %.*s[%llx]: running kernel has %.*s[%llx] instead: another rustc built one of them (%u imported symbol%s, e.g. %*pEhp)\n",
		       mod, c->name_len, c->name, c->dis, c->name_len, c->name,
		       c->kernel_dis, c->nsyms, s, n, ex);
		break;
	case RV_CRATE_PASS:
		break;
	}
}

static bool weak_stamp(const struct rv_verdict *v)
{
	return v->stamped && (v->stamp_flags & RV_STAMP_F_UNVERIFIED);
}

static const char *fix_hint(const struct rv_verdict *v)
{
	u32 i;

	if (v->result == RV_RESULT_ERROR && v->err == -RV_ELIMIT)
		return "the module exceeds a bound of the verifier and cannot be judged: 'rustver check' names it";
	if (v->result == RV_RESULT_ERROR)
		return "the module's stamp or symbols are malformed: rebuild it and run 'rustver stamp'";
	if (v->result == RV_RESULT_PASS && weak_stamp(v))
		return "evidence_only=1: its stamp was made with 'rustver stamp --unverified': stamp it from its build records";
	for (i = 0; i < v->ncrates; i++)
		if (v->crates[i].status == RV_CRATE_OTHER_BUILD)
			return "build the module with the rustc that built this kernel, against its build tree";
	if (!v->stamped && v->intree)
		return "intree_stamped=1: in-tree Rust modules need a stamp: run 'rustver stamp --tree KDIR' between 'make modules' and 'make modules_install'";
	if (!v->stamped)
		return "out-of-tree Rust modules need a stamp: run 'rustver stamp MODULE.ko' where it was built, after linking (a stamp made by rustver 0.1, format 1 or 2, is not seen at load time: stamp again)";
	return "rebuild against this kernel's build tree and run 'rustver stamp'";
}

static void explain_error(const char *mod, const struct rv_verdict *v)
{
	size_t n;

	if (v->err == -RV_ELIMIT)
		pr_err("%s: cannot judge: %s exceeds a verifier bound: %s\n",
		       mod, v->where, v->why);
	else
		pr_err("%s: malformed %s: %s\n", mod, v->where, v->why);
	if (!v->bad_symbol)
		return;
	n = strnlen(v->bad_symbol, SYMBOL_SHOWN + 1);
	pr_err("%s: in symbol %*pEhp%s (offset %u)\n", mod,
	       (int)min_t(size_t, n, SYMBOL_SHOWN), v->bad_symbol,
	       n > SYMBOL_SHOWN ? "..." : "", v->bad_symbol_pos);
}

static void explain(const char *mod, const struct rv_verdict *v,
		    const struct rv_table *t, bool refused)
{
	const char *a, *b;
	u32 i, shown = 0;
	size_t la, lb;

	if (!explain_allowed())
		return;
	if (v->result == RV_RESULT_ERROR) {
		explain_error(mod, v);
	} else {
		if (v->rustc_differs) {
			a = rv_rustc_version(v->stamp_rustc, &la);
			b = rv_rustc_version(t->rustc, &lb);
			if (a && b)
				pr_err("%s: built by rustc %*pEhp, running kernel by rustc %.*s: the most common cause\n",
				       mod, (int)min_t(size_t, la, 32), a,
				       (int)min_t(size_t, lb, 32), b);
		}
		for (i = 0; i < v->ncrates; i++) {
			if (v->crates[i].status == RV_CRATE_PASS)
				continue;
			if (shown++ < EXPLAIN_CRATES)
				explain_crate(mod, &v->crates[i]);
		}
		if (shown > EXPLAIN_CRATES)
			pr_err("%s: and %u more failing crate%s: 'rustver check' lists them all\n",
			       mod, shown - EXPLAIN_CRATES,
			       shown - EXPLAIN_CRATES == 1 ? "" : "s");
	}
	if (refused)
		pr_err("%s: refused (policy=enforce): %s\n", mod, fix_hint(v));
	else
		pr_warn("%s: loaded anyway (policy=warn): %s\n", mod, fix_hint(v));
}

/*
 * A table that names no build ID (made from headers without vmlinux) is tied
 * to this kernel by its release and UTS version alone: accepted only with
 * table_without_build_id=1.
 */
static bool table_tied(const struct rv_table *t)
{
	return t->build_id || READ_ONCE(table_without_build_id);
}

static void explain_untied(const char *mod, bool refused)
{
	if (!explain_allowed())
		return;
	pr_err("%s: cannot judge: the crate table names no vmlinux build ID, so nothing but the release and UTS version ties it to this kernel build\n",
	       mod);
	if (refused)
		pr_err("%s: refused (policy=enforce): make rustver_core's table from a tree with vmlinux, or accept it with kmod_rustver table_without_build_id=1\n",
		       mod);
	else
		pr_warn("%s: loaded anyway (policy=warn): make rustver_core's table from a tree with vmlinux, or accept it with kmod_rustver table_without_build_id=1\n",
			mod);
}

/* ---- the check at MODULE_STATE_COMING ---- */

static const char *verdict_name(const struct rv_verdict *v, bool failed,
				bool refused)
{
	switch (v->result) {
	case RV_RESULT_NOT_RUST:
	case RV_RESULT_INTREE_UNSTAMPED:
		return rv_result_name(v->result);
	case RV_RESULT_PASS:
		if (failed)	/* evidence_only and an --unverified stamp */
			return refused ? "refused-unverified-stamp" : "warned-unverified-stamp";
		return weak_stamp(v) ? "pass-unverified-stamp" : rv_result_name(v->result);
	case RV_RESULT_FAIL:
		return refused ? "refused" : "warned";
	case RV_RESULT_ERROR:
		if (v->err == -RV_ELIMIT)
			return refused ? "refused-limit" : "warned-limit";
		return refused ? "refused-malformed" : "warned-malformed";
	}
	return "?";
}

static void count_verdict(const struct rv_verdict *v, bool failed, bool refused)
{
	atomic64_inc(&stats.checked);
	if (v->result == RV_RESULT_NOT_RUST)
		atomic64_inc(&stats.not_rust);
	else if (failed && refused)
		atomic64_inc(&stats.refused);
	else if (failed)
		atomic64_inc(&stats.warned);
	else if (v->result == RV_RESULT_PASS)
		atomic64_inc(&stats.passed);
	else
		atomic64_inc(&stats.intree_unstamped);
	if (v->result == RV_RESULT_ERROR)
		atomic64_inc(&stats.errors);
	if (v->result == RV_RESULT_ERROR && v->err == -RV_ELIMIT)
		atomic64_inc(&stats.limits);
	if (weak_stamp(v))
		atomic64_inc(&stats.unverified_stamps);
}

static int verify(struct module *mod, const struct rv_module *m)
{
	const struct rv_table *table = rustver_core_table();
	int pol = READ_ONCE(policy);
	struct rv_verdict *v;
	bool failed, refused, untied;
	u64 t0, ns;

	mutex_lock(&verify_mutex);
	v = &work->v;
	t0 = local_clock();
	rv_verdict_judge(m, table, &work->scr, v);
	ns = local_clock() - t0;
	/* intree_stamped=1: an unstamped in-tree module fails like any other */
	if (v->result == RV_RESULT_INTREE_UNSTAMPED && READ_ONCE(intree_stamped))
		v->result = RV_RESULT_FAIL;

	failed = v->result == RV_RESULT_FAIL || v->result == RV_RESULT_ERROR ||
		 (v->result == RV_RESULT_PASS && weak_stamp(v) &&
		  READ_ONCE(evidence_only));
	/* Whatever the crates say, nothing tied the table to this build. */
	untied = v->result != RV_RESULT_NOT_RUST && !table_tied(table);
	failed = failed || untied;
	refused = failed && pol == RV_POLICY_ENFORCE;
	count_verdict(v, failed, refused);
	if (v->result != RV_RESULT_NOT_RUST) {
		escape_name(mod->name, work->name, sizeof(work->name));
		if (untied)
			explain_untied(work->name, refused);
		else if (failed)
			explain(work->name, v, table, refused);
		record_verdict(work->name,
			       untied ? (refused ? "refused-table-untied" : "warned-table-untied") :
			       verdict_name(v, failed, refused),
			       v->ncrates, v->rust_imports, ns, true);
	}
	mutex_unlock(&verify_mutex);
	return refused ? -ENOEXEC : 0;
}

/*
 * A load kmod_rustver did not judge (policy=off, or tables it cannot read,
 * which self_check() makes unreachable on a kernel it started on): let
 * through, whatever it is, and counted.
 */
static void let_through(struct module *mod, const char *why)
{
	atomic64_inc(&stats.unverified);
	mutex_lock(&verify_mutex);
	escape_name(mod->name, work->name, sizeof(work->name));
	if (why && explain_allowed())
		pr_err("%s: loaded unverified: %s\n", work->name, why);
	record_verdict(work->name, why ? "unverified" : "unverified-policy-off",
		       0, 0, 0, false);
	mutex_unlock(&verify_mutex);
}

static int module_coming(struct module *mod)
{
	struct rv_module m;
	const char *why;

	atomic64_inc(&stats.seen);
	if (READ_ONCE(policy) == RV_POLICY_OFF) {
		let_through(mod, NULL);
		return 0;
	}
	why = module_symbols(mod, &m);
	if (why) {
		let_through(mod, why);
		return 0;
	}
	return verify(mod, &m);
}

static int module_notify(struct notifier_block *nb, unsigned long state,
			 void *data)
{
	if (state != MODULE_STATE_COMING)
		return NOTIFY_DONE;
	return notifier_from_errno(module_coming(data));
}

static struct notifier_block module_nb = {
	.notifier_call = module_notify,
};

/*
 * The modules in /sys/module when kmod_rustver starts (after its notifier is
 * registered): they were loaded unverified. The module kset's list is walked
 * under its lock, which keeps each listed module's kobject, and so the
 * module, from being torn down. A load between its COMING and its sysfs
 * entry at that very moment is in neither list: load kmod_rustver first
 * (from the initramfs) for full coverage.
 */
static void list_preloaded(void)
{
	struct kset *kset = THIS_MODULE->mkobj.kobj.kset;
	struct module_kobject *mk;
	struct kobject *k;

	if (!kset)
		return;
	spin_lock(&kset->list_lock);
	list_for_each_entry(k, &kset->list, entry) {
		mk = container_of(k, struct module_kobject, kobj);
		if (!mk->mod || mk->mod == THIS_MODULE ||
		    !strcmp(mk->mod->name, "rustver_core") ||
		    !strcmp(mk->mod->name, "rustver_engine"))
			continue;
		if (preloaded_count < PRELOADED_MAX)
			strscpy(preloaded[preloaded_count], mk->mod->name,
				MODULE_NAME_LEN);
		preloaded_count++;
	}
	spin_unlock(&kset->list_lock);
}

/* ---- /sys/kernel/rustver (Documentation/ABI/testing/sysfs-kernel-rustver) ---- */

#define COUNTER(field)							\
static ssize_t field##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%lld\n", atomic64_read(&stats.field));	\
}									\
static struct kobj_attribute field##_attr = __ATTR_RO(field)

COUNTER(seen);
COUNTER(checked);
COUNTER(passed);
COUNTER(refused);
COUNTER(warned);
COUNTER(intree_unstamped);
COUNTER(not_rust);
COUNTER(unverified);
COUNTER(errors);
COUNTER(limits);
COUNTER(unverified_stamps);
COUNTER(explain_suppressed);

static ssize_t preloaded_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%u\n", preloaded_count);
}
static struct kobj_attribute preloaded_attr = __ATTR_RO(preloaded);

static ssize_t preloaded_modules_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	char name[NAME_SHOWN + 1];
	unsigned int i;
	int at = 0;

	for (i = 0; i < min_t(unsigned int, preloaded_count, PRELOADED_MAX); i++) {
		escape_name(preloaded[i], name, sizeof(name));
		at += sysfs_emit_at(buf, at, "%s\n", name);
	}
	if (preloaded_count > PRELOADED_MAX)
		at += sysfs_emit_at(buf, at, "... and %u more\n",
				    preloaded_count - PRELOADED_MAX);
	return at;
}
static struct kobj_attribute preloaded_modules_attr = __ATTR_RO(preloaded_modules);

static ssize_t last_verdicts_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	unsigned int i;
	int at = 0;

	/* LAST_MAX * LAST_LEN bytes fit in sysfs's page */
	BUILD_BUG_ON(LAST_MAX * LAST_LEN > PAGE_SIZE);
	mutex_lock(&verify_mutex);
	for (i = 0; i < LAST_MAX; i++) {
		const char *s = last[(last_next + i) % LAST_MAX];

		if (s[0])
			at += sysfs_emit_at(buf, at, "%s\n", s);
	}
	mutex_unlock(&verify_mutex);
	return at;
}
/* Which modules were loaded, and when: root only. */
static struct kobj_attribute last_verdicts_attr = __ATTR(last_verdicts, 0400,
							 last_verdicts_show, NULL);

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

enum time_stat { TIME_COUNT, TIME_P50, TIME_P99, TIME_MAX };

/*
 * One statistic of the verification times (nanoseconds, over the last
 * TIMES_MAX Rust verdicts; count and max over all of them). Return: the
 * value, or -ENOMEM in @err.
 */
static u64 time_stat(enum time_stat which, int *err)
{
	unsigned long count, n;
	u64 *copy, max, v = 0;

	*err = 0;
	mutex_lock(&verify_mutex);
	count = times_count;
	max = times_max;
	mutex_unlock(&verify_mutex);
	if (which == TIME_COUNT)
		return count;
	if (which == TIME_MAX)
		return max;

	copy = kmalloc_objs(u64, TIMES_MAX);
	if (!copy) {
		*err = -ENOMEM;
		return 0;
	}
	mutex_lock(&verify_mutex);
	n = min_t(unsigned long, times_count, TIMES_MAX);
	memcpy(copy, times, n * sizeof(u64));
	mutex_unlock(&verify_mutex);
	if (n) {
		sort(copy, n, sizeof(u64), cmp_u64, NULL);
		v = copy[(n - 1) * (which == TIME_P50 ? 50 : 99) / 100];
	}
	kfree(copy);
	return v;
}

#define TIME_ATTR(field, which)						\
static ssize_t field##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	int err;							\
	u64 v = time_stat(which, &err);					\
									\
	return err ? err : sysfs_emit(buf, "%llu\n", v);		\
}									\
static struct kobj_attribute field##_attr = __ATTR_RO(field)

TIME_ATTR(count, TIME_COUNT);
TIME_ATTR(p50_ns, TIME_P50);
TIME_ATTR(p99_ns, TIME_P99);
TIME_ATTR(max_ns, TIME_MAX);

static struct attribute *time_attrs[] = {
	&count_attr.attr,
	&p50_ns_attr.attr,
	&p99_ns_attr.attr,
	&max_ns_attr.attr,
	NULL,
};

/* /sys/kernel/rustver/verify_time/: one statistic per file */
static const struct attribute_group time_group = {
	.name = "verify_time",
	.attrs = time_attrs,
};

static struct attribute *verifier_attrs[] = {
	&seen_attr.attr,
	&checked_attr.attr,
	&passed_attr.attr,
	&refused_attr.attr,
	&warned_attr.attr,
	&intree_unstamped_attr.attr,
	&not_rust_attr.attr,
	&unverified_attr.attr,
	&errors_attr.attr,
	&limits_attr.attr,
	&unverified_stamps_attr.attr,
	&explain_suppressed_attr.attr,
	&preloaded_attr.attr,
	&preloaded_modules_attr.attr,
	&last_verdicts_attr.attr,
	NULL,
};

static const struct attribute_group verifier_group = {
	.attrs = verifier_attrs,
};

static const struct attribute_group *verifier_groups[] = {
	&verifier_group,
	&time_group,
	NULL,
};

/* ---- init and exit ---- */

static int __init kmod_rustver_init(void)
{
	const struct rv_table *table = rustver_core_table();
	const char *why;
	int err;

	BUILD_BUG_ON(sizeof(Elf_Sym) != RV_ELF_SYM_SIZE);
	if (!IS_ENABLED(CONFIG_RUST) || !table->count) {
		pr_info("this kernel has no Rust crates (CONFIG_RUST is not set): nothing to verify\n");
		return 0;
	}
	/* Else every module image of this kernel would be an ERROR verdict. */
	if (!rv_elf_machine_known(ELF_ARCH)) {
		pr_err("the engine does not read this architecture's modules (ELF machine %u): not starting\n",
		       (unsigned int)ELF_ARCH);
		return -ENOEXEC;
	}
	why = self_check();
	if (why) {
		pr_err("this kernel does not keep a loading module's symbols as kmod_rustver reads them (%s): not starting\n",
		       why);
		return -ENOEXEC;
	}
	ratelimit_set_flags(&explain_rs, RATELIMIT_MSG_ON_RELEASE);

	work = kvmalloc_obj(*work);
	if (!work)
		return -ENOMEM;

	err = sysfs_create_groups(rustver_core_kobj(), verifier_groups);
	if (err)
		goto free_work;

	err = register_module_notifier(&module_nb);
	if (err)
		goto remove_group;

	list_preloaded();
	WRITE_ONCE(started, true);
	if (READ_ONCE(lock_requested)) {
		__module_get(THIS_MODULE);	/* until reboot */
		WRITE_ONCE(policy_locked, true);
	}
	pr_info("verifying Rust imports of loading modules against %u crates, policy=%s%s%s%s%s\n",
		table->count, policy_names[READ_ONCE(policy)],
		READ_ONCE(intree_stamped) ? " intree_stamped" : "",
		READ_ONCE(evidence_only) ? " evidence_only" : "",
		READ_ONCE(table_without_build_id) ? " table_without_build_id" : "",
		READ_ONCE(policy_locked) ? " (locked)" : "");
	if (!table_tied(table))
		pr_warn("the crate table names no vmlinux build ID: Rust modules are not judged (refused under policy=enforce) unless table_without_build_id=1\n");
	if (preloaded_count)
		pr_warn("%u module%s loaded before kmod_rustver were not verified: see /sys/kernel/rustver/preloaded_modules\n",
			preloaded_count, preloaded_count == 1 ? "" : "s");
	return 0;

remove_group:
	sysfs_remove_groups(rustver_core_kobj(), verifier_groups);
free_work:
	kvfree(work);
	return err;
}

static void __exit kmod_rustver_exit(void)
{
	if (!IS_ENABLED(CONFIG_RUST) || !rustver_core_table()->count)
		return;
	unregister_module_notifier(&module_nb);
	sysfs_remove_groups(rustver_core_kobj(), verifier_groups);
	kvfree(work);
	pr_info("stopped: module loads are no longer verified\n");
}

module_init(kmod_rustver_init);
module_exit(kmod_rustver_exit);

MODULE_DESCRIPTION("rustver: verifies the Rust crate interfaces of loading modules");
MODULE_LICENSE("GPL");
