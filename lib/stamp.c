// SPDX-License-Identifier: GPL-2.0
/*
 * rustver engine: reading and writing the stamp section (format in
 * include/rustver/stamp.h).
 */
#include <rustver/stamp.h>

#define OFF_VERSION	8
#define OFF_HDR_SIZE	10
#define OFF_ENTRY_SIZE	12
#define OFF_COUNT	16
#define OFF_FLAGS	20
#define OFF_RUSTC	24
#define FIXED_SIZE	OFF_RUSTC

#define ENT_DIS		64
#define ENT_CRC		72
#define ENT_RESERVED	76

static int fail(struct rv_stamp *st, int err, const char *why)
{
	st->why = why;
	return -err;
}

static bool printable(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static bool all_zero(const u8 *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static int check_entries(struct rv_stamp *st)
{
	struct rv_crate a, b;
	u32 i, j;

	for (i = 0; i < st->count; i++) {
		const u8 *e = st->data + st->hdr_size + (u64)i * st->entry_size;
		size_t len = rv_strnlen((const char *)e, RV_CRATE_NAME_MAX);

		if (len == RV_CRATE_NAME_MAX)
			return fail(st, RV_ESTRING, "crate name in the stamp is not NUL-terminated");
		if (!rv_crate_name_valid((const char *)e, len))
			return fail(st, RV_ESTRING, "bad crate name in the stamp");
		if (!all_zero(e + len, RV_CRATE_NAME_MAX - len))
			return fail(st, RV_EFORMAT, "crate name in the stamp is not NUL-padded");
		if (rv_le32(e + ENT_RESERVED))
			return fail(st, RV_EFORMAT, "reserved field of a stamp entry is not 0");
	}
	for (i = 0; i < st->count; i++) {
		rv_stamp_entry(st, i, &a);
		for (j = i + 1; j < st->count; j++) {
			rv_stamp_entry(st, j, &b);
			if (a.dis == b.dis && rv_memeq(a.name, b.name, RV_CRATE_NAME_MAX))
				return fail(st, RV_EDUP, "the same crate appears twice in the stamp");
		}
	}
	return 0;
}

int rv_stamp_parse(struct rv_stamp *st, const void *data, u64 size)
{
	const u8 *p = data;
	size_t rustc_len;

	*st = (struct rv_stamp){ .data = p };
	if (!p || size < FIXED_SIZE)
		return fail(st, RV_ETRUNC, "stamp shorter than its fixed header");
	if (!rv_memeq(p, RV_STAMP_MAGIC, 8))
		return fail(st, RV_EFORMAT, "not a rustver stamp (bad magic)");
	st->version = rv_le16(p + OFF_VERSION);
	if (st->version < 1 || st->version > RV_STAMP_VERSION)
		return fail(st, RV_EFORMAT, "unsupported stamp version");
	st->hdr_size = rv_le16(p + OFF_HDR_SIZE);
	st->entry_size = rv_le32(p + OFF_ENTRY_SIZE);
	st->count = rv_le32(p + OFF_COUNT);
	if (st->hdr_size < RV_STAMP_HDR_SIZE)
		return fail(st, RV_EFORMAT, "stamp header size too small");
	if (st->entry_size < RV_STAMP_ENTRY_SIZE || st->entry_size > 4096)
		return fail(st, RV_EFORMAT, "stamp entry size out of range");
	if (size < st->hdr_size)
		return fail(st, RV_ETRUNC, "stamp shorter than its header");
	st->flags = rv_le32(p + OFF_FLAGS);
	if (st->version == 1 && st->flags)
		return fail(st, RV_EFORMAT, "unknown stamp flags");
	if (st->version == 1)
		st->flags = RV_STAMP_F_UNVERIFIED;
	else if (st->flags != RV_STAMP_F_EVIDENCE && st->flags != RV_STAMP_F_UNVERIFIED)
		return fail(st, RV_EFORMAT, "stamp flags are not exactly one of evidence, unverified");
	if (st->count > RV_TABLE_MAX_CRATES)
		return fail(st, RV_ELIMIT, "too many crates in the stamp");
	if (size != st->hdr_size + (u64)st->count * st->entry_size)
		return fail(st, size < st->hdr_size + (u64)st->count * st->entry_size ?
			    RV_ETRUNC : RV_ERANGE,
			    "stamp size does not match its number of entries");

	rustc_len = rv_strnlen((const char *)p + OFF_RUSTC, RV_RUSTC_MAX);
	if (rustc_len == RV_RUSTC_MAX)
		return fail(st, RV_ESTRING, "rustc version in the stamp is not NUL-terminated");
	if (!printable((const char *)p + OFF_RUSTC, rustc_len))
		return fail(st, RV_ESTRING, "rustc version in the stamp is not printable");
	if (!all_zero(p + OFF_RUSTC + rustc_len, RV_RUSTC_MAX - rustc_len))
		return fail(st, RV_EFORMAT, "rustc version in the stamp is not NUL-padded");
	st->rustc = (const char *)p + OFF_RUSTC;
	return check_entries(st);
}
RV_EXPORT(rv_stamp_parse);

void rv_stamp_entry(const struct rv_stamp *st, u32 i, struct rv_crate *out)
{
	const u8 *e = st->data + st->hdr_size + (u64)i * st->entry_size;

	memcpy(out->name, e, RV_CRATE_NAME_MAX);
	out->name[RV_CRATE_NAME_MAX - 1] = '\0';
	out->dis = rv_le64(e + ENT_DIS);
	out->crc = rv_le32(e + ENT_CRC);
}
RV_EXPORT(rv_stamp_entry);

bool rv_stamp_find(const struct rv_stamp *st, const char *name, size_t len,
		   u64 dis, u32 *crc)
{
	u32 i;

	if (len >= RV_CRATE_NAME_MAX)
		return false;
	for (i = 0; i < st->count; i++) {
		const u8 *e = st->data + st->hdr_size + (u64)i * st->entry_size;

		if (rv_le64(e + ENT_DIS) == dis && rv_memeq(e, name, len) &&
		    e[len] == '\0') {
			*crc = rv_le32(e + ENT_CRC);
			return true;
		}
	}
	return false;
}
RV_EXPORT(rv_stamp_find);

int rv_stamp_build(void *buf, u64 size, const char *rustc, u32 flags,
		   const struct rv_crate *crates, u32 count)
{
	size_t rustc_len = rustc ? rv_strnlen(rustc, RV_RUSTC_MAX) : 0;
	u8 *p = buf;
	u32 i;

	if (count > RV_TABLE_MAX_CRATES)
		return -RV_ELIMIT;
	if (flags != RV_STAMP_F_EVIDENCE && flags != RV_STAMP_F_UNVERIFIED)
		return -RV_EFORMAT;
	if (size != rv_stamp_size(count))
		return -RV_ERANGE;
	if (rustc_len == RV_RUSTC_MAX || !printable(rustc ? rustc : "", rustc_len))
		return -RV_ESTRING;
	memset(p, 0, size);
	memcpy(p, RV_STAMP_MAGIC, 8);
	rv_put_le16(p + OFF_VERSION, RV_STAMP_VERSION);
	rv_put_le16(p + OFF_HDR_SIZE, RV_STAMP_HDR_SIZE);
	rv_put_le32(p + OFF_ENTRY_SIZE, RV_STAMP_ENTRY_SIZE);
	rv_put_le32(p + OFF_COUNT, count);
	rv_put_le32(p + OFF_FLAGS, flags);
	if (rustc_len)
		memcpy(p + OFF_RUSTC, rustc, rustc_len);
	for (i = 0; i < count; i++) {
		u8 *e = p + RV_STAMP_HDR_SIZE + (u64)i * RV_STAMP_ENTRY_SIZE;
		size_t len = rv_strnlen(crates[i].name, RV_CRATE_NAME_MAX);

		if (!rv_crate_name_valid(crates[i].name, len))
			return -RV_ESTRING;
		memcpy(e, crates[i].name, len);
		rv_put_le64(e + ENT_DIS, crates[i].dis);
		rv_put_le32(e + ENT_CRC, crates[i].crc);
	}
	return 0;
}
RV_EXPORT(rv_stamp_build);
