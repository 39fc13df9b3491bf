/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rustver engine: the lookup of an imported name among the kernel's
 * exports (struct rv_exports), inline for the verdict's loop over a
 * module's symbols (lib/verdict.c) and for rv_exports_find() (lib/table.c).
 * Not an API: engine files only.
 */
#ifndef RUSTVER_EXPORTFIND_H
#define RUSTVER_EXPORTFIND_H

#include <rustver/table.h>

#define EXPORT_HASH_SEED	0x2d358dccaa6c78a5ULL
#define EXPORT_HASH_MUL		0x9e3779b97f4a7c15ULL

/* 8 bytes as a little-endian number, whatever the CPU's byte order. */
static inline u64 export_le64(const char *p)
{
	u64 x;

	memcpy(&x, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	return x;
}

/*
 * One word into the hash: the rotation brings what the multiplication
 * carried into the top bits back down, so that a difference in any bit of
 * any word reaches every bit of the result.
 */
static inline u64 export_hash_word(u64 h, u64 w)
{
	h = (h ^ w) * EXPORT_HASH_MUL;
	return h << 29 | h >> 35;
}

/* The hash of the 4 words that hold a name's first 32 bytes. */
static inline u32 export_hash_words(u64 w0, u64 w1, u64 w2, u64 w3)
{
	u64 h = export_hash_word(EXPORT_HASH_SEED, w0);

	h = export_hash_word(h, w1);
	h = export_hash_word(h, w2);
	h = export_hash_word(h, w3);
	h ^= h >> 32;
	h *= EXPORT_HASH_MUL;
	return (u32)(h >> 32);
}

/* The high bit of each zero byte of @w; the lowest one set is exact. */
static inline u64 export_zero_bytes(u64 w)
{
	return (w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL;
}

/* @w without the bytes from the first zero one on; @z its zero bytes. */
static inline u64 export_cut(u64 w, u64 z)
{
	/* the lowest flagged bit is the first NUL's: keep what precedes it */
	return w & ((z & -z) - 1);
}

/* The hash of the NUL-terminated name at @name, 32 bytes of it readable. */
static inline u32 export_hash_head(const char *name)
{
	u64 w0 = export_le64(name), w1 = export_le64(name + 8);
	u64 w2 = export_le64(name + 16), w3 = export_le64(name + 24);
	u64 z0 = export_zero_bytes(w0), z1 = export_zero_bytes(w1);
	u64 z2 = export_zero_bytes(w2), z3 = export_zero_bytes(w3);

	/* most names: no NUL in their first 32 bytes */
	if (z0 | z1 | z2 | z3) {
		if (z0) {
			w0 = export_cut(w0, z0);
			w1 = w2 = w3 = 0;
		} else if (z1) {
			w1 = export_cut(w1, z1);
			w2 = w3 = 0;
		} else if (z2) {
			w2 = export_cut(w2, z2);
			w3 = 0;
		} else {
			w3 = export_cut(w3, z3);
		}
	}
	return export_hash_words(w0, w1, w2, w3);
}

/* The @n bytes at @a and @b are equal: four words a step, @n >= 8. */
static inline bool export_eq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i + 32 <= n; i += 32) {
		if ((export_le64(a + i) ^ export_le64(b + i)) |
		    (export_le64(a + i + 8) ^ export_le64(b + i + 8)) |
		    (export_le64(a + i + 16) ^ export_le64(b + i + 16)) |
		    (export_le64(a + i + 24) ^ export_le64(b + i + 24)))
			return false;
	}
	/* fewer than 32 left: words, the last one overlapping */
	for (; i + 8 < n; i += 8) {
		if (export_le64(a + i) != export_le64(b + i))
			return false;
	}
	return export_le64(a + n - 8) == export_le64(b + n - 8);
}

/*
 * The export whose bytes are the name at @name (NUL-terminated, or the
 * @max bytes readable there), or NULL: see rv_exports_find().
 */
static __always_inline const struct rv_export *
export_find(const struct rv_exports *x, const char *name, size_t max, size_t *len)
{
	const struct rv_export *e, *end;
	const char *p;
	u32 hash, b;
	size_t n;

	if (!x->count || x->version != RV_EXPORTS_VERSION)
		return NULL;
	if (max >= 32)
		hash = export_hash_head(name);
	else	/* near the end of a string table: its bytes, up to a NUL */
		hash = rv_export_hash(name, rv_strnlen(name, max));
	b = hash >> (32 - x->bits);
	end = x->e + x->bucket[b + 1];
	for (e = x->e + x->bucket[b]; e < end; e++) {
		if (e->hash != hash)
			continue;
		/* the name ends where the export does: at a NUL, or at @max */
		n = e->len;
		if (n < max ? name[n] : n > max)
			continue;
		p = x->names + e->name;
		if (n < 16 ? !rv_memeq(p, name, n) :
		    export_le64(p + n - 8) != export_le64(name + n - 8) ||
		    !export_eq(p, name, n - 8))
			continue;
		*len = n;
		return e;
	}
	return NULL;
}

#endif /* RUSTVER_EXPORTFIND_H */
