/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rustver:rustver_verdict, one event per verified module with Rust imports:
 * usable from tracefs (events/rustver/rustver_verdict), perf and trace-cmd.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM rustver

#if !defined(_RUSTVER_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _RUSTVER_TRACE_H

#include <linux/tracepoint.h>
#include <linux/version.h>

/* __assign_str() lost its source argument in 6.10. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
#define rustver_assign_str(dst) __assign_str(dst, dst)
#else
#define rustver_assign_str(dst) __assign_str(dst)
#endif

TRACE_EVENT(rustver_verdict,

	TP_PROTO(const char *module, const char *verdict, unsigned int crates, u64 ns),

	TP_ARGS(module, verdict, crates, ns),

	TP_STRUCT__entry(
		__string(module, module)
		__string(verdict, verdict)
		__field(unsigned int, crates)
		__field(u64, ns)
	),

	TP_fast_assign(
		rustver_assign_str(module);
		rustver_assign_str(verdict);
		__entry->crates = crates;
		__entry->ns = ns;
	),

	TP_printk("module=%s verdict=%s crates=%u ns=%llu",
		  __get_str(module), __get_str(verdict), __entry->crates,
		  __entry->ns)
);

#endif /* _RUSTVER_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE rustver_trace
#include <trace/define_trace.h>
