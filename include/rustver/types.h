/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rustver engine: the few definitions every engine file needs, so the same
 * sources compile unchanged in a kernel module and in userspace.
 *
 * The engine is freestanding: no libc calls but memcpy and memset (the
 * kernel's, FORTIFY_SOURCE-checked, in the module), no allocation, no floating
 * point. Callers hand it buffers and scratch memory; it returns 0 or a
 * negative RV_E* code and leaves a static reason string for the caller to
 * print.
 */
#ifndef RUSTVER_TYPES_H
#define RUSTVER_TYPES_H

#ifdef __KERNEL__
#include <linux/export.h>
#include <linux/stddef.h>
#include <linux/string.h>	/* memcpy, memset: FORTIFY_SOURCE checks them */
#include <linux/types.h>
#include <linux/version.h>
/* The symbol namespace of rustver's exports: a string from Linux 6.13 on. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define RV_NS "RUSTVER"
#else
#define RV_NS RUSTVER
#endif
/*
 * RV_EXPORT marks the engine's API; RV_EXPORT_MODULE also exports it from
 * rustver_engine.ko, in namespace RUSTVER: only what rustver_core and
 * kmod_rustver call.
 */
#define RV_EXPORT(sym) _Static_assert(1, "api: " #sym)
#define RV_EXPORT_MODULE(sym) EXPORT_SYMBOL_NS_GPL(sym, RV_NS)
#else
#define RV_EXPORT(sym) _Static_assert(1, "api: " #sym)
#define RV_EXPORT_MODULE(sym) _Static_assert(1, "api: " #sym)
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#ifndef fallthrough
#define fallthrough __attribute__((__fallthrough__))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#endif

/* Error codes, returned negated. */
enum rv_error {
	RV_EOK = 0,
	RV_ETRUNC,	/* the data ends inside a structure it declares */
	RV_EFORMAT,	/* wrong magic, class, machine, type or version */
	RV_ERANGE,	/* an offset, size or count is out of bounds */
	RV_ESTRING,	/* a string is unterminated, empty or has bad bytes */
	RV_ENOENT,	/* something required is absent */
	RV_ELIMIT,	/* an engine limit (depth, length, count) was reached */
	RV_ESYNTAX,	/* a malformed Rust v0 symbol name */
	RV_EDUP,	/* the same entry twice */
	RV_NERRORS
};

/* Limits shared by the kernel and the helper. */
#define RV_CRATE_NAME_MAX	64	/* bytes, including the NUL */
#define RV_SYMBOL_MAX		4096	/* longest symbol name parsed */
/*
 * Open productions (paths, types, consts, patterns and followed backrefs)
 * in one v0 symbol: every Rust symbol of Debian's 7.3.4 kernel needs at
 * most 10, so 64 leaves a wide margin. Each costs an 8-byte frame in the
 * walker, which lives on the caller's stack.
 */
#define RV_V0_MAX_DEPTH		64
#define RV_V0_MAX_CRATES	32	/* distinct crates in one symbol */
#define RV_MODULE_MAX_CRATES	128	/* distinct crates in one module */
#define RV_TABLE_MAX_CRATES	256	/* crates in a table or a stamp */
#define RV_RUSTC_MAX		88	/* rustc version string, with NUL */

const char *rv_strerror(int err);

/* Little-endian loads that tolerate any alignment. */
static inline u16 rv_le16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static inline u32 rv_le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static inline u64 rv_le64(const u8 *p)
{
	return (u64)rv_le32(p) | (u64)rv_le32(p + 4) << 32;
}

static inline void rv_put_le16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static inline void rv_put_le32(u8 *p, u32 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
	p[2] = (u8)(v >> 16);
	p[3] = (u8)(v >> 24);
}

static inline void rv_put_le64(u8 *p, u64 v)
{
	rv_put_le32(p, (u32)v);
	rv_put_le32(p + 4, (u32)(v >> 32));
}

/* True when [off, off + len) lies inside a buffer of @size bytes. */
static inline bool rv_in_bounds(u64 off, u64 len, u64 size)
{
	return off <= size && len <= size - off;
}

/* @n bytes at @a and @b are equal; a word at a time, any alignment. */
static inline bool rv_memeq(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	u64 wx, wy;

	if (n < 8) {
		for (; n; n--)
			if (*x++ != *y++)
				return false;
		return true;
	}
	/* whole words, then the last 8 bytes (overlapping the last word) */
	for (; n > 8; n -= 8, x += 8, y += 8) {
		memcpy(&wx, x, 8);
		memcpy(&wy, y, 8);
		if (wx != wy)
			return false;
	}
	memcpy(&wx, x + n - 8, 8);
	memcpy(&wy, y + n - 8, 8);
	return wx == wy;
}

/*
 * Length of the NUL-terminated string at @s, looking at most @max bytes;
 * returns @max when no NUL was found.
 */
static inline size_t rv_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

#endif /* RUSTVER_TYPES_H */
