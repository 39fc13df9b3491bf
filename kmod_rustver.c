// SPDX-License-Identifier: GPL-2.0
/*
 * kmod_rustver: verifies the Rust imports of every module as it loads.
 *
 * A kretprobe on load_module() records, for the loading task, the module image
 * (struct load_info's hdr and len: the ELF the kernel validated, already
 * decompressed, without its signature). At MODULE_STATE_COMING the module
 * notifier runs the rustver engine on that image against rustver_core's
 * crate table, explains any failure in dmesg and, under policy=enforce,
 * fails the load with -ENOEXEC. The module:module_load tracepoint then
 * confirms that every module that finished loading was verified. The
 * kretprobe's return handler forgets the image when load_module() returns,
 * so a load that fails early leaves nothing behind.
 */
#define pr_fmt(fmt) "rustver: " fmt

#include <linux/atomic.h>
#include <linux/kobject.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/notifier.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/tracepoint.h>

#include <rustver/core.h>
#include <rustver/verdict.h>

#define CREATE_TRACE_POINTS
#include "rustver_trace.h"

#define PENDING_MAX	64	/* loads in flight at once */
#define SEEN_MAX	64	/* verified modules awaiting module_load */
#define LAST_MAX	16	/* verdicts kept for /sys/kernel/rustver/last_verdicts */
#define LAST_LEN	160
#define TIMES_MAX	1024	/* verification times kept for percentiles */

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
		/* Until reboot: the verifier can no longer be unloaded either. */
		__module_get(THIS_MODULE);
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

/* ---- counters and timings ---- */

static struct {
	atomic_t checked, passed, refused, warned, intree_unstamped, not_rust;
	atomic_t unverified, errors;
} stats;

static DEFINE_SPINLOCK(record_lock);	/* times[] and last[] */
static u64 times[TIMES_MAX];
static unsigned long times_count;
static u64 times_max;
static char last[LAST_MAX][LAST_LEN];
static unsigned int last_next;

static void record_verdict(const char *mod, const char *verdict,
			   const struct rv_verdict *v, u64 ns)
{
	unsigned long flags;

	spin_lock_irqsave(&record_lock, flags);
	times[times_count % TIMES_MAX] = ns;
	times_count++;
	if (ns > times_max)
		times_max = ns;
	snprintf(last[last_next], LAST_LEN, "%s %s crates=%u rust_imports=%u ns=%llu",
		 mod, verdict, v->ncrates, v->rust_imports, ns);
	last_next = (last_next + 1) % LAST_MAX;
	spin_unlock_irqrestore(&record_lock, flags);
}

/* ---- images in flight: recorded by the kprobe, taken by the notifier ---- */

struct pending {
	struct task_struct *task;
	const void *hdr;
	unsigned long len;
};

static DEFINE_SPINLOCK(pending_lock);	/* pending[] and seen[] */
static struct pending pending[PENDING_MAX];
static const struct module *seen[SEEN_MAX];

/* The leading fields of struct load_info, unchanged from 5.10 to 7.x. */
struct load_info_head {
	const char *name;
	struct module *mod;
	const void *hdr;
	unsigned long len;
};

static int load_module_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	const struct load_info_head *info =
		(const void *)regs_get_kernel_argument(regs, 0);
	struct pending *free = NULL;
	unsigned long flags;
	int i;

	spin_lock_irqsave(&pending_lock, flags);
	for (i = 0; i < PENDING_MAX; i++) {
		if (pending[i].task == current) {
			free = &pending[i];
			break;
		}
		if (!pending[i].task && !free)
			free = &pending[i];
	}
	if (free) {
		free->task = current;
		free->hdr = info->hdr;
		free->len = info->len;
	}
	spin_unlock_irqrestore(&pending_lock, flags);
	return 0;
}

/* load_module() returned: whatever happened, this task's image is gone. */
static int load_module_return(struct kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	unsigned long flags;
	int i;

	spin_lock_irqsave(&pending_lock, flags);
	for (i = 0; i < PENDING_MAX; i++)
		if (pending[i].task == current)
			pending[i].task = NULL;
	spin_unlock_irqrestore(&pending_lock, flags);
	return 0;
}

static struct kretprobe load_module_krp = {
	.kp.symbol_name = "load_module",
	.entry_handler = load_module_entry,
	.handler = load_module_return,
	.maxactive = PENDING_MAX,
};

static bool take_pending(const void **hdr, unsigned long *len)
{
	unsigned long flags;
	bool found = false;
	int i;

	spin_lock_irqsave(&pending_lock, flags);
	for (i = 0; i < PENDING_MAX; i++) {
		if (pending[i].task != current)
			continue;
		*hdr = pending[i].hdr;
		*len = pending[i].len;
		pending[i].task = NULL;
		found = true;
		break;
	}
	spin_unlock_irqrestore(&pending_lock, flags);
	return found;
}

static void mark_seen(const struct module *mod)
{
	unsigned long flags;
	int i;

	spin_lock_irqsave(&pending_lock, flags);
	for (i = 0; i < SEEN_MAX; i++) {
		if (!seen[i]) {
			seen[i] = mod;
			break;
		}
	}
	spin_unlock_irqrestore(&pending_lock, flags);
}

/* Forgets @mod; true if it had been verified. */
static bool unmark_seen(const struct module *mod)
{
	unsigned long flags;
	bool found = false;
	int i;

	spin_lock_irqsave(&pending_lock, flags);
	for (i = 0; i < SEEN_MAX; i++) {
		if (seen[i] == mod) {
			seen[i] = NULL;
			found = true;
			break;
		}
	}
	spin_unlock_irqrestore(&pending_lock, flags);
	return found;
}

/* ---- explaining a verdict in dmesg ---- */

static DEFINE_RATELIMIT_STATE(explain_rs, 5 * HZ, 20);

static void explain_crate(const char *mod, const struct rv_crate_verdict *c)
{
	char ex[96];

	rv_v0_short_path(c->example, strnlen(c->example, RV_SYMBOL_MAX), ex,
			 sizeof(ex));
	switch (c->status) {
	case RV_CRATE_MISMATCH:
		pr_err("%s: crate %.*s[%llx]: built against 0x%08x, running kernel has 0x%08x (%u imported symbol%s, e.g. %s)\n",
		       mod, c->name_len, c->name, c->dis, c->stamp_crc,
		       c->kernel_crc, c->nsyms, c->nsyms == 1 ? "" : "s", ex);
		break;
	case RV_CRATE_UNSTAMPED:
		pr_err("%s: crate %.*s[%llx]: not in the module's stamp, running kernel has 0x%08x (%u imported symbol%s, e.g. %s)\n",
		       mod, c->name_len, c->name, c->dis, c->kernel_crc,
		       c->nsyms, c->nsyms == 1 ? "" : "s", ex);
		break;
	case RV_CRATE_UNKNOWN:
		pr_err("%s: crate %.*s[%llx]: unknown to the running kernel (%u imported symbol%s, e.g. %s)\n",
		       mod, c->name_len, c->name, c->dis, c->nsyms,
		       c->nsyms == 1 ? "" : "s", ex);
		break;
	case RV_CRATE_OTHER_BUILD:
		pr_err("%s: crate %.*s[%llx]: running kernel has %.*s[%llx] instead: another rustc built one of them (%u imported symbol%s, e.g. %s)\n",
		       mod, c->name_len, c->name, c->dis, c->name_len, c->name,
		       c->kernel_dis, c->nsyms, c->nsyms == 1 ? "" : "s", ex);
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
	if (!v->stamped)
		return "out-of-tree Rust modules need a stamp: run 'rustver stamp --kdir KDIR' after building";
	return "rebuild against this kernel's build tree and run 'rustver stamp'";
}

static void explain(const char *mod, const struct rv_verdict *v,
		    const struct rv_table *t, bool refused)
{
	const char *a, *b;
	size_t la, lb;
	u32 i;

	if (!__ratelimit(&explain_rs))
		return;
	if (v->result == RV_RESULT_ERROR) {
		pr_err("%s: malformed %s: %s\n", mod, v->where, v->why);
		if (v->bad_symbol)
			pr_err("%s: in symbol %.64s%s (offset %u)\n", mod, v->bad_symbol,
			       strnlen(v->bad_symbol, 65) > 64 ? "..." : "",
			       v->bad_symbol_pos);
	} else {
		if (v->rustc_differs) {
			a = rv_rustc_version(v->stamp_rustc, &la);
			b = rv_rustc_version(t->rustc, &lb);
			if (a && b)
				pr_err("%s: built by rustc %.*s, running kernel by rustc %.*s: the most common cause\n",
				       mod, (int)min_t(size_t, la, 32), a,
				       (int)min_t(size_t, lb, 32), b);
		}
		for (i = 0; i < v->ncrates; i++)
			explain_crate(mod, &v->crates[i]);
	}
	if (refused)
		pr_err("%s: refused (policy=enforce): %s\n", mod, fix_hint(v));
	else
		pr_warn("%s: loaded anyway (policy=warn): %s\n", mod, fix_hint(v));
}

/* ---- the check at MODULE_STATE_COMING ---- */

struct work_area {
	struct rv_verdict_scratch scr;
	struct rv_verdict v;
};

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
	struct work_area *w;
	bool failed, refused;
	u64 t0, ns;

	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w) {
		atomic_inc(&stats.errors);
		pr_err("%s: out of memory while verifying\n", mod->name);
		return pol == RV_POLICY_ENFORCE ? -ENOMEM : 0;
	}
	t0 = local_clock();
	rv_verdict_check(hdr, len, table, &w->scr, &w->v);
	ns = local_clock() - t0;

	failed = w->v.result == RV_RESULT_FAIL || w->v.result == RV_RESULT_ERROR;
	refused = failed && pol == RV_POLICY_ENFORCE;
	atomic_inc(&stats.checked);
	if (w->v.result == RV_RESULT_NOT_RUST)
		atomic_inc(&stats.not_rust);
	else if (w->v.result == RV_RESULT_PASS)
		atomic_inc(&stats.passed);
	else if (w->v.result == RV_RESULT_INTREE_UNSTAMPED)
		atomic_inc(&stats.intree_unstamped);
	else if (refused)
		atomic_inc(&stats.refused);
	else
		atomic_inc(&stats.warned);
	if (w->v.result == RV_RESULT_ERROR)
		atomic_inc(&stats.errors);

	if (failed)
		explain(mod->name, &w->v, table, refused);
	if (w->v.result != RV_RESULT_NOT_RUST) {
		record_verdict(mod->name, verdict_name(&w->v, refused), &w->v, ns);
		trace_rustver_verdict(mod->name, verdict_name(&w->v, refused),
				      w->v.ncrates, ns);
	}
	kfree(w);
	return refused ? -ENOEXEC : 0;
}

static int module_notify(struct notifier_block *nb, unsigned long state,
			 void *data)
{
	struct module *mod = data;
	unsigned long len;
	const void *hdr;
	int err;

	if (state == MODULE_STATE_GOING)
		unmark_seen(mod);	/* failed after COMING, or unloading */
	if (state != MODULE_STATE_COMING)
		return NOTIFY_DONE;
	if (!take_pending(&hdr, &len))
		return NOTIFY_DONE;	/* counted by the tracepoint */
	mark_seen(mod);
	if (READ_ONCE(policy) == RV_POLICY_OFF)
		return NOTIFY_DONE;
	err = verify(mod, hdr, len);
	if (err)
		unmark_seen(mod);
	return notifier_from_errno(err);
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

static void module_loaded(void *data, struct module *mod)
{
	if (unmark_seen(mod))
		return;
	atomic_inc(&stats.unverified);
	pr_warn_ratelimited("%s: loaded without being verified\n", mod->name);
}

/* ---- /sys/kernel/rustver ---- */

#define COUNTER(field)							\
static ssize_t field##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%d\n", atomic_read(&stats.field));	\
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

static ssize_t last_verdicts_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	unsigned long flags;
	unsigned int i, n;
	int at = 0;
	char *copy;

	copy = kmalloc(sizeof(last), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	spin_lock_irqsave(&record_lock, flags);
	memcpy(copy, last, sizeof(last));
	n = last_next;
	spin_unlock_irqrestore(&record_lock, flags);
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
	unsigned long flags, count, n;
	u64 *copy, max, p50 = 0, p99 = 0;

	copy = kmalloc_array(TIMES_MAX, sizeof(u64), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	spin_lock_irqsave(&record_lock, flags);
	count = times_count;
	max = times_max;
	n = min_t(unsigned long, count, TIMES_MAX);
	memcpy(copy, times, n * sizeof(u64));
	spin_unlock_irqrestore(&record_lock, flags);
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
	&last_verdicts_attr.attr,
	&verify_time_ns_attr.attr,
	NULL,
};

static const struct attribute_group verifier_group = {
	.attrs = verifier_attrs,
};

/* ---- init and exit ---- */

static int __init kmod_rustver_init(void)
{
	const struct rv_table *table = rustver_core_table();
	int err;

	if (!IS_ENABLED(CONFIG_RUST) || !table->count) {
		pr_info("this kernel has no Rust crates (CONFIG_RUST is not set): nothing to verify\n");
		return 0;
	}
	err = sysfs_create_group(rustver_core_kobj(), &verifier_group);
	if (err)
		return err;

	for_each_kernel_tracepoint(find_module_load, NULL);
	if (module_load_tp) {
		err = tracepoint_probe_register(module_load_tp, module_loaded, NULL);
		if (err) {
			pr_err("cannot attach to the module:module_load tracepoint (%d)\n", err);
			goto remove_group;
		}
	} else {
		pr_warn("no module:module_load tracepoint (CONFIG_TRACEPOINTS?): loads are not cross-checked\n");
	}

	err = register_module_notifier(&module_nb);
	if (err)
		goto unregister_tp;

	err = register_kretprobe(&load_module_krp);
	if (err) {
		pr_err("cannot probe load_module (%d): without it no module image can be verified; refusing to load (is CONFIG_KPROBES set?)\n",
		       err);
		goto unregister_notifier;
	}

	pr_info("verifying Rust imports of loaded modules against %u crates, policy=%s%s\n",
		table->count, policy_names[READ_ONCE(policy)],
		READ_ONCE(policy_locked) ? " (locked)" : "");
	return 0;

unregister_notifier:
	unregister_module_notifier(&module_nb);
unregister_tp:
	if (module_load_tp) {
		tracepoint_probe_unregister(module_load_tp, module_loaded, NULL);
		tracepoint_synchronize_unregister();
	}
remove_group:
	sysfs_remove_group(rustver_core_kobj(), &verifier_group);
	return err;
}

static void __exit kmod_rustver_exit(void)
{
	if (!IS_ENABLED(CONFIG_RUST) || !rustver_core_table()->count)
		return;
	/* No new images, then no check in flight, then no tracepoint call. */
	unregister_kretprobe(&load_module_krp);
	unregister_module_notifier(&module_nb);
	if (module_load_tp) {
		tracepoint_probe_unregister(module_load_tp, module_loaded, NULL);
		tracepoint_synchronize_unregister();
	}
	sysfs_remove_group(rustver_core_kobj(), &verifier_group);
	pr_info("stopped: module loads are no longer verified\n");
}

module_init(kmod_rustver_init);
module_exit(kmod_rustver_exit);

MODULE_DESCRIPTION("rustver: verifies the Rust crate interfaces of loading modules");
MODULE_LICENSE("GPL");
