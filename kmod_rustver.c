// SPDX-License-Identifier: GPL-2.0
/*
 * kmod_rustver: verifies the Rust imports of every module as it loads.
 *
 * A kprobe on load_module() records, for the loading task, the address of
 * its struct load_info. At MODULE_STATE_COMING the module notifier, running
 * in that task, checks the record (on the task's stack, ELF magic at hdr,
 * the module structure inside the image carrying the module's name), reads
 * hdr and len there (decompressed, signature already cut off), runs the
 * rustver engine on the image against rustver_core's crate table, explains
 * any failure in dmesg and, under policy=enforce, fails the load with
 * -ENOEXEC. A module that reaches COMING without a usable record is refused
 * under enforce too (fail closed). The module:module_load tracepoint then
 * confirms that every module that finished loading was verified.
 *
 * A plain kprobe has no instance pool: loads sleeping in their init hold
 * nothing. Records live in preallocated tables from load_module() entry
 * to COMING (and from COMING to module_load); when more tasks than it holds
 * are between the two at once, the oldest record is dropped, and that load
 * fails closed.
 */
#define pr_fmt(fmt) "rustver: " fmt

#include <linux/atomic.h>
#include <linux/elf.h>
#include <linux/kobject.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/trace_events.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>

#include <rustver/core.h>
#include <rustver/verdict.h>

#include "rustver_capture.h"

#define CREATE_TRACE_POINTS
#include "rustver_trace.h"

#define RECORDS_MAX	1024	/* tasks between load_module() and module_load */
#define LAST_MAX	16	/* verdicts kept for /sys/kernel/rustver/last_verdicts */
#define LAST_LEN	160
#define TIMES_MAX	1024	/* verification times kept for percentiles */
#define EXPLAIN_CRATES	8	/* crate lines per verdict, then a count */
#define SYMBOL_SHOWN	64	/* bytes of a malformed symbol shown */

/* ---- policy ---- */

enum rv_policy { RV_POLICY_OFF, RV_POLICY_WARN, RV_POLICY_ENFORCE };

static const char * const policy_names[] = { "off", "warn", "enforce" };
static int policy = RV_POLICY_ENFORCE;
static bool policy_locked;

static int policy_set(const char *val, const struct kernel_param *kp)
{
	int p = sysfs_match_string(policy_names, val);

	if (p < 0)
		return -EINVAL;
	if (READ_ONCE(policy_locked) && p < READ_ONCE(policy)) {
		pr_warn("policy is locked at %s until reboot: not lowered to %s\n",
			policy_names[READ_ONCE(policy)], policy_names[p]);
		return -EPERM;
	}
	WRITE_ONCE(policy, p);
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

static int lock_set(const char *val, const struct kernel_param *kp)
{
	bool v;

	if (kstrtobool(val, &v))
		return -EINVAL;
	if (!v && READ_ONCE(policy_locked)) {
		pr_warn("lock is one-way: it stays set until reboot\n");
		return -EPERM;
	}
	if (v && !READ_ONCE(policy_locked)) {
		/*
		 * Until reboot: the verifier can no longer be unloaded either.
		 * try_module_get() fails once rmmod has begun (try_stop_module()
		 * marked the module GOING): then the lock is not taken at all.
		 */
		if (!try_module_get(THIS_MODULE)) {
			pr_warn("kmod_rustver is being removed: policy not locked\n");
			return -EBUSY;
		}
		WRITE_ONCE(policy_locked, true);
		pr_info("policy locked at %s until reboot\n",
			policy_names[READ_ONCE(policy)]);
	}
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
MODULE_PARM_DESC(lock, "once set, the policy cannot be lowered and the module not unloaded until reboot");

/*
 * An in-tree Rust module (intree=Y in .modinfo) without a stamp passes when
 * every crate it imports is the kernel's: stock distribution kernels ship
 * their in-tree Rust modules unstamped. Kernel developers and vendors who
 * stamp their trees ('rustver stamp --tree KDIR') set this, so that an
 * in-tree module of another build of the same source is refused too.
 */
static bool intree_stamped;
module_param(intree_stamped, bool, 0644);
MODULE_PARM_DESC(intree_stamped, "in-tree Rust modules must carry a stamp like any other (default N: stock kernels ship them unstamped)");

/* ---- counters and timings ---- */

static struct {
	atomic64_t checked, passed, refused, warned, intree_unstamped, not_rust;
	atomic64_t unverified, errors, no_image, explain_suppressed;
} stats;

/*
 * verify_mutex serialises verifications: one preallocated work area serves
 * them all, so no verdict depends on an allocation. It also guards times[]
 * and last[].
 */
struct work_area {
	struct rv_verdict_scratch scr;
	struct rv_verdict v;
};

static DEFINE_MUTEX(verify_mutex);
static struct work_area *work;
static u64 times[TIMES_MAX];
static unsigned long times_count;
static u64 times_max;
static char last[LAST_MAX][LAST_LEN];
static unsigned int last_next;

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
}

/* ---- load_info records: made by the kprobe, taken by the notifier ---- */

/*
 * The kprobe handler may run from the int3 trap, which lockdep counts as NMI
 * context: no lock at all there, not even a raw spinlock. A record belongs
 * to the task in its task field, claimed and released with cmpxchg(); only
 * that task writes info and reads it back (at COMING, in process context).
 * A record is taken from another task only when the table is full (the
 * oldest one); that task then finds no record and fails closed. Whatever a
 * race leaves behind is caught by rv_capture_check(): a load_info must lie on
 * the loading task's own stack and name the loading module.
 */
struct record {
	struct task_struct *task;
	const void *info;
	u64 seq;
};

static struct record records[RECORDS_MAX];
static atomic64_t records_seq;
static atomic64_t records_dropped;

/* kprobe on load_module() entry: NMI-like context, lock-free. */
static int load_module_entry(struct kprobe *p, struct pt_regs *regs)
{
	const void *info = (const void *)regs_get_kernel_argument(regs, 0);
	struct record *r, *mine = NULL, *oldest = NULL;
	struct task_struct *owner;

	for (r = records; r < records + RECORDS_MAX && !mine; r++)
		if (READ_ONCE(r->task) == current)
			mine = r;	/* an earlier load of this task failed early */
	for (r = records; r < records + RECORDS_MAX && !mine; r++)
		if (!READ_ONCE(r->task) && !cmpxchg(&r->task, NULL, current))
			mine = r;
	if (!mine) {
		for (r = records; r < records + RECORDS_MAX; r++)
			if (!oldest || READ_ONCE(r->seq) < READ_ONCE(oldest->seq))
				oldest = r;
		owner = READ_ONCE(oldest->task);
		if (owner && cmpxchg(&oldest->task, owner, current) == owner)
			mine = oldest;
		atomic64_inc(&records_dropped);
		if (!mine)
			return 0;	/* this load fails closed */
	}
	WRITE_ONCE(mine->info, info);
	WRITE_ONCE(mine->seq, atomic64_inc_return(&records_seq));
	return 0;
}

static struct kprobe load_module_kp = {
	.symbol_name = "load_module",
	.pre_handler = load_module_entry,
};

/* The load_info the current task recorded, or NULL; its record is freed. */
static const void *take_info(void)
{
	const void *info;
	struct record *r;

	for (r = records; r < records + RECORDS_MAX; r++) {
		if (READ_ONCE(r->task) != current)
			continue;
		info = READ_ONCE(r->info);
		/* Still ours when released: info was this task's. */
		return cmpxchg(&r->task, current, NULL) == current ? info : NULL;
	}
	return NULL;
}

/*
 * Modules that got their verdict at COMING, until module:module_load (or
 * GOING). Process context and the tracepoint probe (preemption off): a raw
 * spinlock.
 */
struct seen {
	const struct module *mod;
	bool unverified;	/* let through unverified under warn */
	u64 seq;
};

static DEFINE_RAW_SPINLOCK(seen_lock);	/* seen[], seen_seq */
static struct seen seen[RECORDS_MAX];
static u64 seen_seq;
static bool module_load_hooked;

/* @mod got its verdict at COMING; module_load will look for it. */
static void mark_seen(const struct module *mod, bool unverified)
{
	struct seen *e, *slot = NULL;
	unsigned long flags;

	if (!module_load_hooked)
		return;
	raw_spin_lock_irqsave(&seen_lock, flags);
	for (e = seen; e < seen + RECORDS_MAX; e++) {
		if (!e->mod) {
			slot = e;
			break;
		}
		if (!slot || e->seq < slot->seq)
			slot = e;	/* full: the oldest goes */
	}
	slot->mod = mod;
	slot->unverified = unverified;
	slot->seq = ++seen_seq;
	raw_spin_unlock_irqrestore(&seen_lock, flags);
}

enum seen_as { NOT_SEEN, SEEN, SEEN_UNVERIFIED };

/* Forgets @mod: whether, and how, it had been seen at COMING. */
static enum seen_as unmark_seen(const struct module *mod)
{
	enum seen_as found = NOT_SEEN;
	unsigned long flags;
	struct seen *e;

	raw_spin_lock_irqsave(&seen_lock, flags);
	for (e = seen; e < seen + RECORDS_MAX; e++) {
		if (e->mod == mod) {
			found = e->unverified ? SEEN_UNVERIFIED : SEEN;
			e->mod = NULL;
			break;
		}
	}
	raw_spin_unlock_irqrestore(&seen_lock, flags);
	return found;
}

static int read_nofault(void *dst, const void *src, size_t size)
{
	return copy_from_kernel_nofault(dst, src, size) ? -EFAULT : 0;
}

static const struct rv_capture_layout capture_layout = {
	.ehdr_size = sizeof(Elf_Ehdr),
	.mod_size = sizeof(struct module),
	.mod_name_off = offsetof(struct module, name),
	.name_len = MODULE_NAME_LEN,
};

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

	rv_v0_short_path(c->example, strnlen(c->example, RV_SYMBOL_MAX), ex,
			 sizeof(ex));
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

static const char *fix_hint(const struct rv_verdict *v)
{
	u32 i;

	if (v->result == RV_RESULT_ERROR)
		return "the module file is damaged or was not made by rustver: rebuild it and run 'rustver stamp'";
	for (i = 0; i < v->ncrates; i++)
		if (v->crates[i].status == RV_CRATE_OTHER_BUILD)
			return "build the module with the rustc that built this kernel, against its build tree";
	if (!v->stamped && v->intree)
		return "intree_stamped=1: in-tree Rust modules need a stamp: run 'rustver stamp --tree KDIR' between 'make modules' and 'make modules_install'";
	if (!v->stamped)
		return "out-of-tree Rust modules need a stamp: run 'rustver stamp MODULE.ko' where it was built, after linking";
	return "rebuild against this kernel's build tree and run 'rustver stamp'";
}

static void explain_error(const char *mod, const struct rv_verdict *v)
{
	size_t n;

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

/* ---- the check at MODULE_STATE_COMING ---- */

static const char *verdict_name(const struct rv_verdict *v, bool refused)
{
	switch (v->result) {
	case RV_RESULT_NOT_RUST:
		return "not-rust";
	case RV_RESULT_PASS:
		return "pass";
	case RV_RESULT_INTREE_UNSTAMPED:
		return "intree-unstamped";
	case RV_RESULT_FAIL:
		return refused ? "refused" : "warned";
	case RV_RESULT_ERROR:
		return refused ? "refused-malformed" : "warned-malformed";
	}
	return "?";
}

static int verify(struct module *mod, const void *hdr, unsigned long len)
{
	const struct rv_table *table = rustver_core_table();
	int pol = READ_ONCE(policy);
	struct rv_verdict *v;
	bool failed, refused;
	u64 t0, ns;

	mutex_lock(&verify_mutex);
	v = &work->v;
	t0 = local_clock();
	rv_verdict_check(hdr, len, table, &work->scr, v);
	ns = local_clock() - t0;
	/* intree_stamped=1: an unstamped in-tree module fails like any other */
	if (v->result == RV_RESULT_INTREE_UNSTAMPED && READ_ONCE(intree_stamped))
		v->result = RV_RESULT_FAIL;

	failed = v->result == RV_RESULT_FAIL || v->result == RV_RESULT_ERROR;
	refused = failed && pol == RV_POLICY_ENFORCE;
	atomic64_inc(&stats.checked);
	if (v->result == RV_RESULT_NOT_RUST)
		atomic64_inc(&stats.not_rust);
	else if (v->result == RV_RESULT_PASS)
		atomic64_inc(&stats.passed);
	else if (v->result == RV_RESULT_INTREE_UNSTAMPED)
		atomic64_inc(&stats.intree_unstamped);
	else if (refused)
		atomic64_inc(&stats.refused);
	else
		atomic64_inc(&stats.warned);
	if (v->result == RV_RESULT_ERROR)
		atomic64_inc(&stats.errors);

	if (failed)
		explain(mod->name, v, table, refused);
	if (v->result != RV_RESULT_NOT_RUST) {
		record_verdict(mod->name, verdict_name(v, refused), v->ncrates,
			       v->rust_imports, ns, true);
		trace_rustver_verdict(mod->name, verdict_name(v, refused),
				      v->ncrates, ns);
	}
	mutex_unlock(&verify_mutex);
	return refused ? -ENOEXEC : 0;
}

/* Set while loads reach COMING with no usable image, so that it is said once. */
static bool blind;

/*
 * @mod reached COMING without an image the verifier can trust: refused under
 * enforce, let through and counted under warn.
 */
static int unverifiable(struct module *mod, const char *why, bool recorded)
{
	bool refused = READ_ONCE(policy) == RV_POLICY_ENFORCE;
	const char *verdict = refused ? "refused-unverified" : "warned-unverified";

	atomic64_inc(&stats.no_image);
	if (refused)
		atomic64_inc(&stats.refused);
	mutex_lock(&verify_mutex);
	if (!recorded && !blind) {
		WRITE_ONCE(blind, true);
		pr_err("module images cannot be seen (kprobes disabled in /sys/kernel/debug/kprobes/enabled, a probe miss, or a load begun before kmod_rustver): %s\n",
		       refused ? "such loads are refused (policy=enforce)" :
				 "such loads are let through unverified (policy=warn)");
	}
	if (explain_allowed()) {
		if (refused)
			pr_err("%s: refused (policy=enforce): not verified: %s\n",
			       mod->name, why);
		else
			pr_warn("%s: loaded unverified (policy=warn): %s\n",
				mod->name, why);
	}
	record_verdict(mod->name, verdict, 0, 0, 0, false);
	trace_rustver_verdict(mod->name, verdict, 0, 0);
	mutex_unlock(&verify_mutex);
	if (refused)
		return -ENOEXEC;
	mark_seen(mod, true);
	return 0;
}

static int module_coming(struct module *mod)
{
	const void *info, *hdr = NULL;
	unsigned long len = 0;
	const char *why;
	int err;

	info = take_info();
	if (READ_ONCE(policy) == RV_POLICY_OFF) {
		if (info)
			mark_seen(mod, false);
		return 0;
	}
	why = rv_capture_check(info, info && object_is_on_stack(info), mod->name,
			       &capture_layout, read_nofault, &hdr, &len);
	if (why)
		return unverifiable(mod, why, info);
	if (READ_ONCE(blind)) {
		mutex_lock(&verify_mutex);
		if (blind)
			pr_info("module images are seen again: loads are verified\n");
		WRITE_ONCE(blind, false);
		mutex_unlock(&verify_mutex);
	}
	err = verify(mod, hdr, len);
	if (!err)
		mark_seen(mod, false);
	return err;
}

static int module_notify(struct notifier_block *nb, unsigned long state,
			 void *data)
{
	struct module *mod = data;

	if (state == MODULE_STATE_GOING)
		unmark_seen(mod);	/* failed after COMING, or unloading */
	if (state != MODULE_STATE_COMING)
		return NOTIFY_DONE;
	return notifier_from_errno(module_coming(mod));
}

static struct notifier_block module_nb = {
	.notifier_call = module_notify,
};

/* ---- module:module_load: every loaded module must have been seen ---- */

static struct tracepoint *module_load_tp;

static void find_module_load(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "module_load"))
		module_load_tp = tp;
}

/* Tracepoint probe: preemption off. */
static void module_loaded(void *data, struct module *mod)
{
	switch (unmark_seen(mod)) {
	case SEEN:
		return;
	case SEEN_UNVERIFIED:	/* let through under warn, already said */
		atomic64_inc(&stats.unverified);
		return;
	case NOT_SEEN:
		atomic64_inc(&stats.unverified);
		pr_warn_ratelimited("%s: loaded without being verified\n", mod->name);
		return;
	}
}

/* ---- /sys/kernel/rustver ---- */

#define COUNTER(field)							\
static ssize_t field##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%lld\n", atomic64_read(&stats.field));	\
}									\
static struct kobj_attribute field##_attr = __ATTR_RO(field)

COUNTER(checked);
COUNTER(passed);
COUNTER(refused);
COUNTER(warned);
COUNTER(intree_unstamped);
COUNTER(not_rust);
COUNTER(unverified);
COUNTER(errors);
COUNTER(no_image);
COUNTER(explain_suppressed);

static ssize_t probe_missed_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", (u64)READ_ONCE(load_module_kp.nmissed) +
			  (u64)atomic64_read(&records_dropped));
}
static struct kobj_attribute probe_missed_attr = __ATTR_RO(probe_missed);

static ssize_t last_verdicts_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	unsigned int i, n;
	int at = 0;
	char *copy;

	copy = kmalloc(sizeof(last), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	mutex_lock(&verify_mutex);
	memcpy(copy, last, sizeof(last));
	n = last_next;
	mutex_unlock(&verify_mutex);
	for (i = 0; i < LAST_MAX; i++) {
		const char *s = copy + ((n + i) % LAST_MAX) * LAST_LEN;

		if (s[0])
			at += sysfs_emit_at(buf, at, "%s\n", s);
	}
	kfree(copy);
	return at;
}
static struct kobj_attribute last_verdicts_attr = __ATTR_RO(last_verdicts);

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static ssize_t verify_time_ns_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	unsigned long count, n;
	u64 *copy, max, p50 = 0, p99 = 0;

	copy = kmalloc_array(TIMES_MAX, sizeof(u64), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	mutex_lock(&verify_mutex);
	count = times_count;
	max = times_max;
	n = min_t(unsigned long, count, TIMES_MAX);
	memcpy(copy, times, n * sizeof(u64));
	mutex_unlock(&verify_mutex);
	if (n) {
		sort(copy, n, sizeof(u64), cmp_u64, NULL);
		p50 = copy[(n - 1) / 2];
		p99 = copy[(n - 1) * 99 / 100];
	}
	kfree(copy);
	return sysfs_emit(buf, "count %lu\np50 %llu\np99 %llu\nmax %llu\n",
			  count, p50, p99, max);
}
static struct kobj_attribute verify_time_ns_attr = __ATTR_RO(verify_time_ns);

static struct attribute *verifier_attrs[] = {
	&checked_attr.attr,
	&passed_attr.attr,
	&refused_attr.attr,
	&warned_attr.attr,
	&intree_unstamped_attr.attr,
	&not_rust_attr.attr,
	&unverified_attr.attr,
	&errors_attr.attr,
	&no_image_attr.attr,
	&probe_missed_attr.attr,
	&explain_suppressed_attr.attr,
	&last_verdicts_attr.attr,
	&verify_time_ns_attr.attr,
	NULL,
};

static const struct attribute_group verifier_group = {
	.attrs = verifier_attrs,
};

/* ---- init and exit ---- */

/*
 * load_module() must name kernel/module/main.c's function alone: a build
 * that emits another static load_module() out of line (drivers/md/dm-target.c)
 * would have the kprobe on whichever kallsyms finds first. Creating a kprobe
 * event runs the tracing code's own ambiguity check (-EADDRNOTAVAIL).
 */
static int check_probe_symbol(void)
{
#ifdef CONFIG_KPROBE_EVENTS
	static const char event[] = "rustver_load_module_check";
	struct dynevent_cmd cmd;
	char *buf;
	int err;

	buf = kzalloc(MAX_DYNEVENT_CMD_LEN, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	kprobe_event_delete(event);	/* left over by an earlier failure */
	kprobe_event_cmd_init(&cmd, buf, MAX_DYNEVENT_CMD_LEN);
	err = kprobe_event_gen_cmd_start(&cmd, event, load_module_kp.symbol_name);
	if (!err)
		err = kprobe_event_gen_cmd_end(&cmd);
	kfree(buf);
	if (err == -EADDRNOTAVAIL) {
		pr_err("load_module is ambiguous in kallsyms (several functions have that name): the probe could land on the wrong one; refusing to start\n");
		return err;
	}
	if (err) {
		pr_err("cannot check that load_module is unique in kallsyms (%d); refusing to start\n",
		       err);
		return err;
	}
	kprobe_event_delete(event);
	return 0;
#else
	pr_warn("no CONFIG_KPROBE_EVENTS: cannot check that load_module is unique in kallsyms; every capture is still checked at load time\n");
	return 0;
#endif
}

static int __init kmod_rustver_init(void)
{
	const struct rv_table *table = rustver_core_table();
	int err;

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
	ratelimit_set_flags(&explain_rs, RATELIMIT_MSG_ON_RELEASE);
	err = check_probe_symbol();
	if (err)
		return err;

	work = kvmalloc(sizeof(*work), GFP_KERNEL);
	if (!work)
		return -ENOMEM;

	err = sysfs_create_group(rustver_core_kobj(), &verifier_group);
	if (err)
		goto free_work;

	for_each_kernel_tracepoint(find_module_load, NULL);
	if (module_load_tp) {
		err = tracepoint_probe_register(module_load_tp, module_loaded, NULL);
		if (err) {
			pr_err("cannot attach to the module:module_load tracepoint (%d)\n", err);
			goto remove_group;
		}
		module_load_hooked = true;
	} else {
		pr_warn("no module:module_load tracepoint (CONFIG_TRACEPOINTS?): loads are not cross-checked\n");
	}

	/* The probe before the notifier: every load it misses fails closed. */
	err = register_kprobe(&load_module_kp);
	if (err) {
		pr_err("cannot probe load_module (%d): without it no module image can be verified; refusing to load (is CONFIG_KPROBES set?)\n",
		       err);
		goto unregister_tp;
	}

	err = register_module_notifier(&module_nb);
	if (err)
		goto unregister_kprobe;

	pr_info("verifying Rust imports of loaded modules against %u crates, policy=%s%s\n",
		table->count, policy_names[READ_ONCE(policy)],
		READ_ONCE(policy_locked) ? " (locked)" : "");
	return 0;

unregister_kprobe:
	unregister_kprobe(&load_module_kp);
unregister_tp:
	if (module_load_tp) {
		tracepoint_probe_unregister(module_load_tp, module_loaded, NULL);
		tracepoint_synchronize_unregister();
	}
remove_group:
	sysfs_remove_group(rustver_core_kobj(), &verifier_group);
free_work:
	kvfree(work);
	return err;
}

static void __exit kmod_rustver_exit(void)
{
	if (!IS_ENABLED(CONFIG_RUST) || !rustver_core_table()->count)
		return;
	/*
	 * No new verdicts first (a load in flight then goes unchecked, as after
	 * the unload), then no records, then no tracepoint call.
	 */
	unregister_module_notifier(&module_nb);
	unregister_kprobe(&load_module_kp);
	if (module_load_tp) {
		tracepoint_probe_unregister(module_load_tp, module_loaded, NULL);
		tracepoint_synchronize_unregister();
	}
	sysfs_remove_group(rustver_core_kobj(), &verifier_group);
	kvfree(work);
	pr_info("stopped: module loads are no longer verified\n");
}

module_init(kmod_rustver_init);
module_exit(kmod_rustver_exit);

MODULE_DESCRIPTION("rustver: verifies the Rust crate interfaces of loading modules");
MODULE_LICENSE("GPL");
