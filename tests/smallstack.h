/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The engine on a kernel-sized stack. Included by testutil.h when the unit
 * tests are built with -DTU_SMALL_STACK (make's $(BUILD)/stack/check-*,
 * optimised like the kernel, no sanitizers): every call a test makes to
 * rv_v0_parse(), rv_v0_short_path(), rv_elf_open() or rv_verdict_check()
 * then runs on a fresh 12 KiB stack (the kernel's 16 KiB less headroom)
 * with a PROT_NONE guard page below it, so an overflow is a SIGSEGV that
 * fails the test, not a silent pass on an 8 MiB userspace stack.
 *
 * The stack is painted before each call; the bytes the call changed are
 * its high-water mark, which must stay within TU_STACK_LIMIT (4 KiB). The
 * largest mark of the whole program, over every call of every test (the
 * forked test processes share one counter), is printed at the end and a
 * program whose mark exceeds the limit fails.
 */
#ifndef RUSTVER_SMALLSTACK_H
#define RUSTVER_SMALLSTACK_H

#include <sys/mman.h>
#include <ucontext.h>

#include <rustver/verdict.h>

#define TU_STACK_SIZE	(12 * 1024)	/* bytes the engine runs on */
#define TU_STACK_LIMIT	4096		/* bytes it may use */
#define TU_STACK_PAINT	0xa5

/* Shared between the Check runner and its forked test processes. */
struct tu_stack_stats {
	size_t max;		/* largest high-water mark, bytes */
	unsigned long calls;	/* engine calls measured */
	char worst[128];	/* what the largest mark was measured on */
};

static struct tu_stack_stats *tu_stack_stats;
static unsigned char *tu_stack_lo; /* guard page, then the stack */
static ucontext_t tu_stack_caller, tu_stack_callee;
static void (*tu_stack_fn)(void *);
static void *tu_stack_arg;

static void tu_stack_entry(void)
{
	tu_stack_fn(tu_stack_arg);
}

TU_FN void tu_stack_init(void)
{
	tu_stack_stats = mmap(NULL, sizeof(*tu_stack_stats), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tu_stack_stats == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	memset(tu_stack_stats, 0, sizeof(*tu_stack_stats));
}

/* Runs @fn(@arg) on the small stack; returns the bytes of stack it used. */
static size_t tu_on_small_stack(void (*fn)(void *), void *arg, const char *what, size_t what_len)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *stack;
	size_t i, used;

	if (!tu_stack_lo) {
		tu_stack_lo = mmap(NULL, (size_t)page + TU_STACK_SIZE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (tu_stack_lo == MAP_FAILED || mprotect(tu_stack_lo, (size_t)page, PROT_NONE))
			ck_abort_msg("cannot map the small stack: %s", strerror(errno));
	}
	stack = tu_stack_lo + page;
	memset(stack, TU_STACK_PAINT, TU_STACK_SIZE);
	if (getcontext(&tu_stack_callee))
		ck_abort_msg("getcontext: %s", strerror(errno));
	tu_stack_callee.uc_stack.ss_sp = stack;
	tu_stack_callee.uc_stack.ss_size = TU_STACK_SIZE;
	tu_stack_callee.uc_link = &tu_stack_caller;
	makecontext(&tu_stack_callee, tu_stack_entry, 0);
	tu_stack_fn = fn;
	tu_stack_arg = arg;
	if (swapcontext(&tu_stack_caller, &tu_stack_callee))
		ck_abort_msg("swapcontext: %s", strerror(errno));

	for (i = 0; i < TU_STACK_SIZE && stack[i] == TU_STACK_PAINT; i++)
		;
	used = TU_STACK_SIZE - i;
	if (tu_stack_stats) {
		tu_stack_stats->calls++;
		if (used > tu_stack_stats->max) {
			tu_stack_stats->max = used;
			snprintf(tu_stack_stats->worst, sizeof(tu_stack_stats->worst), "%.*s",
				 (int)(what_len > 100 ? 100 : what_len), what ? what : "");
		}
	}
	tu_check(used <= TU_STACK_LIMIT,
		 "the engine used %zu bytes of stack (limit %d) on %.*s", used, TU_STACK_LIMIT,
		 (int)(what_len > 100 ? 100 : what_len), what ? what : "");
	return used;
}

/* Prints the program's high-water mark; nonzero when over the limit. */
TU_FN int tu_stack_report(void)
{
	if (!tu_stack_stats)
		return 0;
	printf("engine stack high-water: %zu bytes over %lu calls on a %d-byte stack "
	       "(limit %d), largest on: %s\n",
	       tu_stack_stats->max, tu_stack_stats->calls, TU_STACK_SIZE, TU_STACK_LIMIT,
	       tu_stack_stats->worst);
	return tu_stack_stats->max > TU_STACK_LIMIT;
}

struct tu_args {
	const void *a;
	size_t n;
	void *p, *q, *r;
	const void *c;
	u64 size;
	long ret;
};

static void tu_v0_parse_thunk(void *p)
{
	struct tu_args *x = p;

	x->ret = (rv_v0_parse)(x->a, x->n, x->p, x->q);
}

TU_FN int tu_v0_parse(const char *name, size_t len, struct rv_v0_scratch *scr,
		      struct rv_v0_result *res)
{
	struct tu_args x = { .a = name, .n = len, .p = scr, .q = res };

	tu_on_small_stack(tu_v0_parse_thunk, &x, name, len);
	return (int)x.ret;
}

static void tu_v0_parse_str_thunk(void *p)
{
	struct tu_args *x = p;

	x->ret = (rv_v0_parse_str)(x->a, x->n, x->p, x->q, x->r);
}

TU_FN int tu_v0_parse_str(const char *name, size_t max, struct rv_v0_scratch *scr,
			  struct rv_v0_result *res, size_t *len)
{
	struct tu_args x = { .a = name, .n = max, .p = scr, .q = res, .r = len };

	tu_on_small_stack(tu_v0_parse_str_thunk, &x, name, rv_strnlen(name, max));
	return (int)x.ret;
}

static void tu_v0_short_path_thunk(void *p)
{
	struct tu_args *x = p;

	x->ret = (long)(rv_v0_short_path)(x->a, x->n, x->p, x->size);
}

TU_FN size_t tu_v0_short_path(const char *name, size_t len, char *out, size_t size)
{
	struct tu_args x = { .a = name, .n = len, .p = out, .size = size };

	tu_on_small_stack(tu_v0_short_path_thunk, &x, name, len);
	return (size_t)x.ret;
}

static void tu_elf_open_thunk(void *p)
{
	struct tu_args *x = p;

	x->ret = (rv_elf_open)(x->p, x->a, x->size);
}

TU_FN int tu_elf_open(struct rv_elf *elf, const void *data, u64 size)
{
	struct tu_args x = { .p = elf, .a = data, .size = size };

	tu_on_small_stack(tu_elf_open_thunk, &x, "an ELF image", 12);
	return (int)x.ret;
}

static void tu_verdict_check_thunk(void *p)
{
	struct tu_args *x = p;

	x->ret = (rv_verdict_check)(x->a, x->size, x->c, x->p, x->q);
}

TU_FN int tu_verdict_check(const void *data, u64 size, const struct rv_table *table,
			   struct rv_verdict_scratch *scr, struct rv_verdict *v)
{
	struct tu_args x = { .a = data, .size = size, .c = table, .p = scr, .q = v };

	tu_on_small_stack(tu_verdict_check_thunk, &x, "a module verdict", 16);
	return (int)x.ret;
}

#define rv_v0_parse(...)	tu_v0_parse(__VA_ARGS__)
#define rv_v0_parse_str(...)	tu_v0_parse_str(__VA_ARGS__)
#define rv_v0_short_path(...)	tu_v0_short_path(__VA_ARGS__)
#define rv_elf_open(...)	tu_elf_open(__VA_ARGS__)
#define rv_verdict_check(...)	tu_verdict_check(__VA_ARGS__)

#endif /* RUSTVER_SMALLSTACK_H */
