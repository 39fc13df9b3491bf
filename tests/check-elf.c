// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the ELF64 reader (lib/elf.c): real objects built by rustc
 * and gcc read back as their own bytes (and nm) say, and hostile images
 * made by truncating and mutating those objects each get their error code
 * and a reason, never a read outside the buffer.
 */
#include <rustver/elf.h>

#include "testutil.h"

static u8 *user_o, *mixed_o, *plain_o, *kcrate_o;
static size_t user_sz, mixed_sz, plain_sz, kcrate_sz;

/*
 * Every accessor over every section and symbol of an opened image; all
 * pointers must stay inside the buffer (ASan checks the reads too).
 */
static void walk_all(struct rv_elf *elf)
{
	struct rv_elf_shdr sh;
	struct rv_elf_sym sym;
	const char *name;
	const u8 *data;
	size_t n;
	u32 i;
	int err;

	for (i = 0; i < elf->shnum; i++) {
		err = rv_elf_shdr(elf, i, &sh);
		tu_check(err == 0, "rv_elf_shdr(%u) of %u: %d", i, elf->shnum, err);
		tu_check(sh.ndx == i, "section %u read back as %u", i, sh.ndx);
		name = rv_elf_section_name(elf, &sh);
		tu_check(name != NULL, "section %u has a NULL name", i);
		/* in the buffer, or "" for an offset beyond the name table */
		tu_check(!*name || ((const u8 *)name >= elf->data &&
				    (const u8 *)name + strlen(name) < elf->data + elf->size),
			 "name of section %u outside the buffer", i);
		data = rv_elf_section_data(elf, &sh);
		if (sh.type == RV_SHT_NOBITS)
			tu_check(data == NULL, "NOBITS section %u has data", i);
		else
			tu_check(data == elf->data + sh.offset && sh.offset + sh.size <= elf->size,
				 "section %u [%#llx, +%#llx) outside %#llx bytes", i,
				 (unsigned long long)sh.offset, (unsigned long long)sh.size,
				 (unsigned long long)elf->size);
		(void)rv_elf_check_disjoint(elf, &sh);
	}
	for (i = 0; i < elf->nsyms; i++) {
		err = rv_elf_sym(elf, i, &sym);
		if (err) {
			tu_check(err == -RV_ESTRING && elf->why, "rv_elf_sym(%u): %d", i, err);
			continue;
		}
		n = rv_elf_sym_name_len(&sym, (size_t)-1);
		tu_check(n < sym.name_max && sym.name[n] == '\0' && strlen(sym.name) == n,
			 "symbol %u: name_len %zu, strlen %zu", i, n, strlen(sym.name));
		tu_check((const u8 *)sym.name + sym.name_max <= elf->data + elf->size,
			 "symbol %u name outside the buffer", i);
	}
}

/* Opens an exact-size copy; walks it when it opens; returns the error. */
static int open_copy(const u8 *buf, size_t size, const char **why)
{
	struct rv_elf elf;
	u8 *c = tu_dup(buf, size);
	int err = rv_elf_open(&elf, c, size);

	if (!err)
		walk_all(&elf);
	*why = elf.why;
	free(c);
	return err;
}

/* Asserts that rv_elf_open() on @buf fails with @want (or succeeds). */
#define assert_open(buf, size, want)                \
	do {                                        \
		const char *w_;                     \
		int e_ = open_copy(buf, size, &w_); \
		tu_assert_err(e_, want, w_);        \
	} while (0)

/* A mutable exact-size copy of user.o / mixed.o. */
static u8 *user_copy(void)
{
	return tu_dup(user_o, user_sz);
}

static u8 *mixed_copy(void)
{
	return tu_dup(mixed_o, mixed_sz);
}

/* ---------------------------------------------------------------- real */

START_TEST(real_user_header_facts_match_bytes)
{
	u32 symtab = tu_find_type(user_o, RV_SHT_SYMTAB);
	u32 strtab = (u32)tu_sh(user_o, symtab, TU_SH_LINK);
	struct rv_elf elf;

	tu_assert_err(rv_elf_open(&elf, user_o, user_sz), 0, elf.why);
	ck_assert_uint_eq(elf.shnum, tu_shnum(user_o));
	ck_assert_uint_eq(elf.shstrndx, tu_shstrndx(user_o));
	ck_assert_uint_eq(elf.shoff, tu_shoff(user_o));
	ck_assert_uint_eq(elf.size, user_sz);
	ck_assert_msg(symtab != 0, "user.o has no SHT_SYMTAB by its own bytes");
	ck_assert_uint_eq(elf.symtab_ndx, symtab);
	ck_assert_uint_eq(elf.nsyms, tu_sh(user_o, symtab, TU_SH_SIZE) / 24);
	ck_assert_uint_eq(elf.sym_off, tu_sh(user_o, symtab, TU_SH_OFFSET));
	ck_assert_uint_eq(elf.str_off, tu_sh(user_o, strtab, TU_SH_OFFSET));
	ck_assert_uint_eq(elf.str_size, tu_sh(user_o, strtab, TU_SH_SIZE));
}
END_TEST

static void check_sections_match_bytes(const u8 *buf, size_t size, const char *what)
{
	struct rv_elf_shdr sh;
	struct rv_elf elf;
	u32 i;

	tu_assert_err(rv_elf_open(&elf, buf, size), 0, elf.why);
	for (i = 0; i < elf.shnum; i++) {
		ck_assert_int_eq(rv_elf_shdr(&elf, i, &sh), 0);
		ck_assert_msg(!strcmp(rv_elf_section_name(&elf, &sh), tu_sh_name(buf, i)),
			      "%s section %u: engine name '%s', bytes say '%s'", what, i,
			      rv_elf_section_name(&elf, &sh), tu_sh_name(buf, i));
		ck_assert_uint_eq(sh.type, tu_sh(buf, i, TU_SH_TYPE));
		ck_assert_uint_eq(sh.offset, tu_sh(buf, i, TU_SH_OFFSET));
		ck_assert_uint_eq(sh.size, tu_sh(buf, i, TU_SH_SIZE));
		ck_assert_uint_eq(sh.flags, tu_sh(buf, i, TU_SH_FLAGS));
		ck_assert_uint_eq(sh.link, tu_sh(buf, i, TU_SH_LINK));
		ck_assert_uint_eq(sh.info, tu_sh(buf, i, TU_SH_INFO));
		ck_assert_uint_eq(sh.entsize, tu_sh(buf, i, TU_SH_ENTSIZE));
	}
}

START_TEST(real_sections_match_bytes)
{
	check_sections_match_bytes(user_o, user_sz, "user.o");
	check_sections_match_bytes(mixed_o, mixed_sz, "mixed.o");
	check_sections_match_bytes(plain_o, plain_sz, "plain.o");
	check_sections_match_bytes(kcrate_o, kcrate_sz, "kcrate.o");
}
END_TEST

/* The engine's undefined named symbols, one per line, in symbol order. */
static char *engine_undefined(const u8 *buf, size_t size)
{
	size_t len = 0, cap = 1;
	struct rv_elf_sym sym;
	struct rv_elf elf;
	char *out;
	u32 i;

	tu_assert_err(rv_elf_open(&elf, buf, size), 0, elf.why);
	for (i = 0; i < elf.nsyms; i++) {
		ck_assert_int_eq(rv_elf_sym(&elf, i, &sym), 0);
		if (rv_elf_sym_undefined(&sym))
			cap += strlen(sym.name) + 1;
	}
	out = malloc(cap);
	ck_assert_ptr_nonnull(out);
	for (i = 0; i < elf.nsyms; i++) {
		ck_assert_int_eq(rv_elf_sym(&elf, i, &sym), 0);
		if (!rv_elf_sym_undefined(&sym))
			continue;
		memcpy(out + len, sym.name, strlen(sym.name));
		len += strlen(sym.name);
		out[len++] = '\n';
	}
	out[len] = '\0';
	return out;
}

static void check_undefined_like_nm(const u8 *buf, size_t size, const char *name)
{
	char *nm = tu_capture("nm -u --format=just-symbols '%s' | sort", tu_fixture_path(name));
	char *mine = engine_undefined(buf, size), *sorted;
	char dir[256], path[320];

	/* sort ours the same way, with the same tool */
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/undef", dir);
	ck_assert_int_eq(tu_write_file(path, mine, strlen(mine)), 0);
	sorted = tu_capture("sort '%s'", path);
	tu_rm_rf(dir);
	ck_assert_msg(!strcmp(sorted, nm),
		      "%s: undefined symbols differ from nm:\n"
		      "engine:\n%s\nnm:\n%s",
		      name, sorted, nm);
	free(nm);
	free(mine);
	free(sorted);
}

START_TEST(real_undefined_symbols_match_nm)
{
	check_undefined_like_nm(user_o, user_sz, "user.o");
	check_undefined_like_nm(mixed_o, mixed_sz, "mixed.o");
	check_undefined_like_nm(plain_o, plain_sz, "plain.o");
	check_undefined_like_nm(kcrate_o, kcrate_sz, "kcrate.o");
}
END_TEST

START_TEST(real_user_has_rust_imports)
{
	struct rv_elf_sym sym;
	struct rv_elf elf;
	u32 i, n = 0;

	tu_assert_err(rv_elf_open(&elf, user_o, user_sz), 0, elf.why);
	for (i = 0; i < elf.nsyms; i++) {
		ck_assert_int_eq(rv_elf_sym(&elf, i, &sym), 0);
		if (rv_elf_sym_undefined(&sym) && !strncmp(sym.name, "_R", 2))
			n++;
	}
	ck_assert_msg(n >= 3, "user.o: only %u undefined _R symbols", n);
}
END_TEST

START_TEST(real_all_fixtures_walk)
{
	const char *why;

	tu_assert_err(open_copy(user_o, user_sz, &why), 0, why);
	tu_assert_err(open_copy(mixed_o, mixed_sz, &why), 0, why);
	tu_assert_err(open_copy(plain_o, plain_sz, &why), 0, why);
	tu_assert_err(open_copy(kcrate_o, kcrate_sz, &why), 0, why);
}
END_TEST

START_TEST(find_section_by_name)
{
	struct rv_elf_shdr sh;
	struct rv_elf elf;
	const u8 *data;

	tu_assert_err(rv_elf_open(&elf, user_o, user_sz), 0, elf.why);
	tu_assert_err(rv_elf_find_section(&elf, ".symtab", &sh), 0, elf.why);
	ck_assert_uint_eq(sh.ndx, elf.symtab_ndx);
	ck_assert_uint_eq(sh.type, RV_SHT_SYMTAB);
	tu_assert_err(rv_elf_find_section(&elf, ".strtab", &sh), 0, elf.why);
	ck_assert_uint_eq(sh.ndx, tu_find_named(user_o, ".strtab"));
	ck_assert_uint_eq(sh.type, RV_SHT_STRTAB);
	/* gcc always writes .comment ("GCC: ..."); older rustc does not */
	tu_assert_err(rv_elf_open(&elf, mixed_o, mixed_sz), 0, elf.why);
	tu_assert_err(rv_elf_find_section(&elf, ".comment", &sh), 0, elf.why);
	ck_assert_uint_eq(sh.ndx, tu_find_named(mixed_o, ".comment"));
	data = rv_elf_section_data(&elf, &sh);
	ck_assert_msg(sh.size > 4 && tu_memmem(data, sh.size, "GCC"),
		      "mixed.o .comment does not name GCC");
	ck_assert_int_eq(rv_elf_find_section(&elf, ".no_such_section", &sh), -RV_ENOENT);
	ck_assert_int_eq(rv_elf_find_section(&elf, "", &sh), -RV_ENOENT);
	ck_assert_int_eq(rv_elf_find_section(&elf, ".symta", &sh), -RV_ENOENT);
	ck_assert_int_eq(rv_elf_find_section(&elf, ".symtab.", &sh), -RV_ENOENT);
}
END_TEST

START_TEST(find_section_duplicate_name_is_edup)
{
	u8 *m = mixed_copy();
	u32 a = tu_find_named(m, ".comment");
	u32 b = tu_find_named(m, ".note.GNU-stack");
	struct rv_elf_shdr sh;
	struct rv_elf elf;
	int err;

	ck_assert_msg(a && b, "mixed.o lacks .comment or .note.GNU-stack");
	tu_set_sh(m, b, TU_SH_NAME, tu_sh(m, a, TU_SH_NAME));
	tu_assert_err(rv_elf_open(&elf, m, mixed_sz), 0, elf.why);
	err = rv_elf_find_section(&elf, ".comment", &sh);
	tu_assert_err(err, -RV_EDUP, elf.why);
	free(m);
}
END_TEST

START_TEST(section_data_of_nobits_is_null)
{
	u32 bss = tu_find_type(mixed_o, RV_SHT_NOBITS);
	struct rv_elf_shdr sh;
	struct rv_elf elf;

	ck_assert_msg(bss != 0, "mixed.o (gcc) has no NOBITS section");
	tu_assert_err(rv_elf_open(&elf, mixed_o, mixed_sz), 0, elf.why);
	ck_assert_int_eq(rv_elf_shdr(&elf, bss, &sh), 0);
	ck_assert_ptr_null(rv_elf_section_data(&elf, &sh));
}
END_TEST

START_TEST(shdr_index_out_of_range)
{
	struct rv_elf_shdr sh;
	struct rv_elf elf;

	tu_assert_err(rv_elf_open(&elf, user_o, user_sz), 0, elf.why);
	ck_assert_int_eq(rv_elf_shdr(&elf, elf.shnum, &sh), -RV_ERANGE);
	ck_assert_int_eq(rv_elf_shdr(&elf, 0xffffffffu, &sh), -RV_ERANGE);
	ck_assert_int_eq(rv_elf_shdr(&elf, elf.shnum - 1, &sh), 0);
}
END_TEST

START_TEST(sym_index_out_of_range)
{
	struct rv_elf_sym sym;
	struct rv_elf elf;

	tu_assert_err(rv_elf_open(&elf, user_o, user_sz), 0, elf.why);
	elf.why = NULL;
	tu_assert_err(rv_elf_sym(&elf, elf.nsyms, &sym), -RV_ERANGE, elf.why);
	elf.why = NULL;
	tu_assert_err(rv_elf_sym(&elf, 0xffffffffu, &sym), -RV_ERANGE, elf.why);
}
END_TEST

START_TEST(sym_name_offset_beyond_strtab)
{
	u8 *m = user_copy();
	struct rv_elf_sym sym;
	struct rv_elf elf;
	u64 symoff;

	tu_assert_err(rv_elf_open(&elf, m, user_sz), 0, elf.why);
	symoff = elf.sym_off + 1 * RV_ELF_SYM_SIZE;
	tu_put(m + symoff, 4, elf.str_size); /* one past the end */
	elf.why = NULL;
	tu_assert_err(rv_elf_sym(&elf, 1, &sym), -RV_ESTRING, elf.why);
	tu_put(m + symoff, 4, 0xffffffffu);
	elf.why = NULL;
	tu_assert_err(rv_elf_sym(&elf, 1, &sym), -RV_ESTRING, elf.why);
	tu_put(m + symoff, 4, elf.str_size - 1); /* the final NUL: "" */
	tu_assert_err(rv_elf_sym(&elf, 1, &sym), 0, elf.why);
	ck_assert_uint_eq(rv_elf_sym_name_len(&sym, 100), 0);
	ck_assert_msg(!rv_elf_sym_undefined(&sym), "an empty name counts as an import");
	free(m);
}
END_TEST

START_TEST(section_name_offset_beyond_table_is_empty)
{
	u8 *m = user_copy();
	struct rv_elf_shdr sh;
	struct rv_elf elf;

	tu_set_sh(m, 2, TU_SH_NAME, 0xfffffff0u);
	tu_assert_err(rv_elf_open(&elf, m, user_sz), 0, elf.why);
	ck_assert_int_eq(rv_elf_shdr(&elf, 2, &sh), 0);
	ck_assert_str_eq(rv_elf_section_name(&elf, &sh), "");
	tu_set_sh(m, 2, TU_SH_NAME, elf.shstr_size);
	ck_assert_int_eq(rv_elf_shdr(&elf, 2, &sh), 0);
	ck_assert_str_eq(rv_elf_section_name(&elf, &sh), "");
	free(m);
}
END_TEST

START_TEST(null_data_is_etrunc)
{
	struct rv_elf elf;

	tu_assert_err(rv_elf_open(&elf, NULL, 0), -RV_ETRUNC, elf.why);
	tu_assert_err(rv_elf_open(&elf, NULL, 4096), -RV_ETRUNC, elf.why);
}
END_TEST

/* ---------------------------------------------------------- truncation */

static void truncate_everywhere(const u8 *buf, size_t size, const char *what)
{
	u64 need = tu_elf_extent(buf);
	const char *why;
	size_t cut;
	int err;

	tu_check(need <= size, "%s declares %llu bytes, has %zu", what, (unsigned long long)need,
		 size);
	for (cut = 0; cut <= size; cut++) {
		err = open_copy(buf, cut, &why);
		if (cut < need)
			tu_check(err == -RV_ETRUNC && why,
				 "%s cut at %zu of %zu (needs %llu): got %d (%s), "
				 "want -RV_ETRUNC; why: %s",
				 what, cut, size, (unsigned long long)need, err, rv_strerror(err),
				 why ? why : "(null)");
		else
			tu_check(err == 0,
				 "%s cut at %zu, after everything it "
				 "declares (%llu): got %d; why: %s",
				 what, cut, (unsigned long long)need, err, why ? why : "(null)");
	}
}

START_TEST(truncated_user_at_every_byte)
{
	truncate_everywhere(user_o, user_sz, "user.o");
}
END_TEST

START_TEST(truncated_mixed_at_every_byte)
{
	truncate_everywhere(mixed_o, mixed_sz, "mixed.o");
}
END_TEST

START_TEST(truncated_plain_at_every_byte)
{
	truncate_everywhere(plain_o, plain_sz, "plain.o");
}
END_TEST

START_TEST(truncated_at_header_boundaries)
{
	static const size_t fixed[] = {
		0, 1, 3, 4, 5, 6, 7, 16, 18, 20, 24, 40, 48, 58, 60, 62, 63
	};
	u64 shoff = tu_shoff(user_o);
	u32 shnum = tu_shnum(user_o), i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		assert_open(user_o, fixed[i], -RV_ETRUNC);
	/* the header alone, then every section header boundary */
	for (i = 0; i < shnum; i++) {
		assert_open(user_o, shoff + (u64)i * 64, -RV_ETRUNC);
		assert_open(user_o, shoff + (u64)i * 64 + 63, -RV_ETRUNC);
	}
	assert_open(user_o, 64, -RV_ETRUNC);
	/* every section's first and last byte (the SHT is last in user.o) */
	for (i = 1; i < shnum; i++) {
		u64 off = tu_sh(user_o, i, TU_SH_OFFSET);
		u64 sz = tu_sh(user_o, i, TU_SH_SIZE);

		if (sz && off + sz <= shoff) {
			assert_open(user_o, off, -RV_ETRUNC);
			assert_open(user_o, off + sz - 1, -RV_ETRUNC);
		}
	}
}
END_TEST

/* -------------------------------------------------------------- header */

START_TEST(bad_magic_each_byte)
{
	u8 *m = user_copy();
	int i;

	for (i = 0; i < 4; i++) {
		u8 saved = m[i];

		m[i] ^= 0x20;
		assert_open(m, user_sz, -RV_EFORMAT);
		m[i] = saved;
	}
	assert_open(m, user_sz, 0);
	free(m);
}
END_TEST

START_TEST(short_non_elf_is_etrunc_or_eformat)
{
	assert_open((const u8 *)"\x7f"
				"EL",
		    3, -RV_ETRUNC);
	assert_open((const u8 *)"MZ\x90\x00", 4, -RV_EFORMAT);
	assert_open((const u8 *)"\x7f"
				"ELF\x02\x01\x01",
		    7, -RV_ETRUNC);
}
END_TEST

static void assert_byte_mutation(size_t off, u8 value, int want)
{
	u8 *m = user_copy();

	m[off] = value;
	assert_open(m, user_sz, want);
	free(m);
}

static void assert_field_mutation(size_t off, int bytes, u64 value, int want)
{
	u8 *m = user_copy();

	tu_put(m + off, bytes, value);
	assert_open(m, user_sz, want);
	free(m);
}

START_TEST(bad_class)
{
	assert_byte_mutation(4, 1, -RV_EFORMAT); /* ELFCLASS32 */
	assert_byte_mutation(4, 0, -RV_EFORMAT);
	assert_byte_mutation(4, 3, -RV_EFORMAT);
}
END_TEST

START_TEST(bad_data_encoding)
{
	assert_byte_mutation(5, 2, -RV_EFORMAT); /* big-endian */
	assert_byte_mutation(5, 0, -RV_EFORMAT);
}
END_TEST

START_TEST(bad_version)
{
	assert_byte_mutation(6, 0, -RV_EFORMAT);
	assert_byte_mutation(6, 2, -RV_EFORMAT);
	assert_field_mutation(TU_E_VERSION, 4, 0, -RV_EFORMAT);
	assert_field_mutation(TU_E_VERSION, 4, 2, -RV_EFORMAT);
}
END_TEST

START_TEST(bad_type)
{
	assert_field_mutation(TU_E_TYPE, 2, 0, -RV_EFORMAT); /* ET_NONE */
	assert_field_mutation(TU_E_TYPE, 2, 2, -RV_EFORMAT); /* ET_EXEC */
	assert_field_mutation(TU_E_TYPE, 2, 3, -RV_EFORMAT); /* ET_DYN */
	assert_field_mutation(TU_E_TYPE, 2, 4, -RV_EFORMAT); /* ET_CORE */
	assert_field_mutation(TU_E_TYPE, 2, 0x101, -RV_EFORMAT);
}
END_TEST

/*
 * The GNU build ID among ELF notes, as rustver_core reads /sys/kernel/notes
 * and the helper checks it: notes of a real link (gcc, ld --build-id=sha1;
 * glibc's ABI-tag note, when there is one, then the build-id note, each
 * dumped by objcopy), readelf as the oracle, then the same bytes cut and
 * damaged.
 */
START_TEST(note_build_id)
{
	char dir[256], path[300], hex[129], small[41], *want;
	u8 *notes, buf[1024];
	size_t n;
	FILE *f;
	u32 i;

	tu_mkdtemp(dir, sizeof(dir));
	ck_assert_int_eq(tu_run("cd '%s' && echo 'int main(void) { return 0; }' > m.c && "
				"gcc -Wl,--build-id=sha1 -o m m.c && "
				"{ objcopy --dump-section .note.ABI-tag=abi m m2 || : > abi; } && "
				"objcopy --dump-section .note.gnu.build-id=bid m m3 && cat abi bid > notes",
				dir),
			 0);
	want = tu_capture("readelf -n '%s/m' | sed -n 's/.*Build ID: *//p'", dir);
	want[strcspn(want, "\n")] = '\0';
	ck_assert_uint_eq(strlen(want), 40);
	snprintf(path, sizeof(path), "%s/notes", dir);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, 512, f);
	fclose(f);
	ck_assert_msg(n > 12 && n < 512, "%zu bytes of notes", n);
	notes = buf;
	ck_assert_int_eq(rv_elf_note_build_id(notes, n, hex, sizeof(hex)), 0);
	ck_assert_str_eq(hex, want);
	/* a buffer too small for 40 digits and the NUL */
	ck_assert_int_eq(rv_elf_note_build_id(notes, n, small, 40), -RV_ERANGE);
	ck_assert_int_eq(rv_elf_note_build_id(notes, n, small, 41), 0);
	/* cut anywhere before the end of the build-id note: not found, never past @n */
	for (i = 0; i < n; i++) {
		u8 *cut = malloc(i ? i : 1);

		memcpy(cut, notes, i);
		tu_check(rv_elf_note_build_id(cut, i, hex, sizeof(hex)) != 0 ||
				 !strcmp(hex, want),
			 "cut at %u: %s", i, hex);
		free(cut);
	}
	/* a name size of 0xffffffff must not wrap the padding arithmetic */
	memcpy(buf + 512, notes, 12);
	tu_put(buf + 512, 4, 0xffffffffu);
	ck_assert_int_eq(rv_elf_note_build_id(buf + 512, 12, hex, sizeof(hex)), -RV_ENOENT);
	ck_assert_int_eq(rv_elf_note_build_id(NULL, 0, hex, sizeof(hex)), -RV_ENOENT);
	/*
	 * {namesz 4, descsz 1} of another type in exactly 17 bytes: the
	 * descriptor's padding carries the next record's start past the end;
	 * nothing after byte 17 may be read (ASan: a heap buffer of 17 bytes).
	 */
	{
		u8 *tight = malloc(17);

		memset(tight, 0, 17);
		tu_put(tight, 4, 4);
		tu_put(tight + 4, 4, 1);
		tu_put(tight + 8, 4, 1); /* NT_GNU_ABI_TAG, not a build ID */
		memcpy(tight + 12, "GNU", 4);
		ck_assert_int_eq(rv_elf_note_build_id(tight, 17, hex, sizeof(hex)), -RV_ENOENT);
		free(tight);
	}
	free(want);
	tu_rm_rf(dir);
}
END_TEST

START_TEST(bad_machine)
{
	assert_field_mutation(TU_E_MACHINE, 2, 3, -RV_EFORMAT);	  /* EM_386 */
	assert_field_mutation(TU_E_MACHINE, 2, 40, -RV_EFORMAT); /* EM_ARM */
	assert_field_mutation(TU_E_MACHINE, 2, 8, -RV_EFORMAT);	  /* EM_MIPS */
	assert_field_mutation(TU_E_MACHINE, 2, 21, -RV_EFORMAT);  /* EM_PPC64 */
	/* the four with kernel Rust (objects of each: tests/cli/arch.sh) */
	assert_field_mutation(TU_E_MACHINE, 2, 183, 0);	/* EM_AARCH64 */
	assert_field_mutation(TU_E_MACHINE, 2, 243, 0);	/* EM_RISCV */
	assert_field_mutation(TU_E_MACHINE, 2, 258, 0);	/* EM_LOONGARCH */
	assert_field_mutation(TU_E_MACHINE, 2, 62 | 0x100, -RV_EFORMAT);
}
END_TEST

START_TEST(bad_shentsize)
{
	assert_field_mutation(TU_E_SHENTSIZE, 2, 0, -RV_EFORMAT);
	assert_field_mutation(TU_E_SHENTSIZE, 2, 40, -RV_EFORMAT); /* ELF32 */
	assert_field_mutation(TU_E_SHENTSIZE, 2, 63, -RV_EFORMAT);
	assert_field_mutation(TU_E_SHENTSIZE, 2, 65, -RV_EFORMAT);
	assert_field_mutation(TU_E_SHENTSIZE, 2, 128, -RV_EFORMAT);
	assert_field_mutation(TU_E_SHENTSIZE, 2, 0xffff, -RV_EFORMAT);
}
END_TEST

START_TEST(shoff_past_end)
{
	assert_field_mutation(TU_E_SHOFF, 8, user_sz, -RV_ETRUNC);
	assert_field_mutation(TU_E_SHOFF, 8, user_sz - 63, -RV_ETRUNC);
	assert_field_mutation(TU_E_SHOFF, 8, tu_shoff(user_o) + 1, -RV_ETRUNC);
	assert_field_mutation(TU_E_SHOFF, 8, 0x7fffffffffffffffULL, -RV_ETRUNC);
}
END_TEST

START_TEST(shoff_plus_table_size_overflows)
{
	/* shoff + shnum * 64 wraps around 2^64 */
	assert_field_mutation(TU_E_SHOFF, 8, ~0ULL, -RV_ETRUNC);
	assert_field_mutation(TU_E_SHOFF, 8, ~0ULL - 63, -RV_ETRUNC);
	assert_field_mutation(TU_E_SHOFF, 8, 0ULL - (u64)tu_shnum(user_o) * 64 + 64, -RV_ETRUNC);
	assert_field_mutation(TU_E_SHOFF, 8, 0ULL - (u64)tu_shnum(user_o) * 64, -RV_ETRUNC);
}
END_TEST

START_TEST(shnum_past_end)
{
	assert_field_mutation(TU_E_SHNUM, 2, tu_shnum(user_o) + 1, -RV_ETRUNC);
	assert_field_mutation(TU_E_SHNUM, 2, 0xfeff, -RV_ETRUNC); /* largest * 64 */
}
END_TEST

START_TEST(shnum_zero_or_extended)
{
	assert_field_mutation(TU_E_SHNUM, 2, 0, -RV_ERANGE);
	assert_field_mutation(TU_E_SHNUM, 2, 0xff00, -RV_ERANGE); /* SHN_LORESERVE */
	assert_field_mutation(TU_E_SHNUM, 2, 0xffff, -RV_ERANGE);
}
END_TEST

START_TEST(shstrndx_out_of_range)
{
	u32 shnum = tu_shnum(user_o);

	assert_field_mutation(TU_E_SHSTRNDX, 2, shnum, -RV_ERANGE);
	assert_field_mutation(TU_E_SHSTRNDX, 2, shnum + 100, -RV_ERANGE);
	assert_field_mutation(TU_E_SHSTRNDX, 2, 0xff00, -RV_ERANGE);
	assert_field_mutation(TU_E_SHSTRNDX, 2, 0xffff, -RV_ERANGE); /* SHN_XINDEX */
}
END_TEST

START_TEST(shstrndx_not_a_strtab)
{
	/* section 0 (SHT_NULL), the symbol table, a PROGBITS section */
	assert_field_mutation(TU_E_SHSTRNDX, 2, 0, -RV_EFORMAT);
	assert_field_mutation(TU_E_SHSTRNDX, 2, tu_find_type(user_o, RV_SHT_SYMTAB), -RV_EFORMAT);
	assert_field_mutation(TU_E_SHSTRNDX, 2, tu_find_type(user_o, RV_SHT_PROGBITS), -RV_EFORMAT);
}
END_TEST

START_TEST(section_table_overlaps_elf_header)
{
	assert_field_mutation(TU_E_SHOFF, 8, 0, -RV_ERANGE);
	assert_field_mutation(TU_E_SHOFF, 8, 32, -RV_ERANGE);
	assert_field_mutation(TU_E_SHOFF, 8, 63, -RV_ERANGE);
}
END_TEST

/* ---------------------------------------------------------- section names */

START_TEST(shstrtab_not_nul_terminated)
{
	u8 *m = mixed_copy();
	u32 ndx = tu_shstrndx(m);

	m[tu_sh(m, ndx, TU_SH_OFFSET) + tu_sh(m, ndx, TU_SH_SIZE) - 1] = 'x';
	assert_open(m, mixed_sz, -RV_ESTRING);
	free(m);
}
END_TEST

START_TEST(shstrtab_empty)
{
	u8 *m = mixed_copy();

	tu_set_sh(m, tu_shstrndx(m), TU_SH_SIZE, 0);
	assert_open(m, mixed_sz, -RV_ESTRING);
	free(m);
}
END_TEST

START_TEST(shstrtab_overlaps_headers)
{
	u8 *m = mixed_copy();
	u32 ndx = tu_shstrndx(m);

	/* over the ELF header: its byte 63 (high byte of e_shstrndx) is 0 */
	tu_set_sh(m, ndx, TU_SH_OFFSET, 0);
	tu_set_sh(m, ndx, TU_SH_SIZE, 64);
	assert_open(m, mixed_sz, -RV_ERANGE);
	/* over section header 0, all zero */
	tu_set_sh(m, ndx, TU_SH_OFFSET, tu_shoff(m));
	assert_open(m, mixed_sz, -RV_ERANGE);
	free(m);
}
END_TEST

/* ------------------------------------------------------ section ranges */

static void assert_section_range(u32 ndx, u64 off, u64 size, int want)
{
	u8 *m = user_copy();

	tu_set_sh(m, ndx, TU_SH_OFFSET, off);
	tu_set_sh(m, ndx, TU_SH_SIZE, size);
	assert_open(m, user_sz, want);
	free(m);
}

START_TEST(section_offset_plus_size_overflows)
{
	u32 text = tu_find_type(user_o, RV_SHT_PROGBITS);

	ck_assert_msg(text != 0, "user.o has no PROGBITS section");
	assert_section_range(text, ~0ULL - 15, 32, -RV_ETRUNC);
	assert_section_range(text, 16, ~0ULL, -RV_ETRUNC);
	assert_section_range(text, ~0ULL, ~0ULL, -RV_ETRUNC);
	assert_section_range(text, 0x8000000000000000ULL, 0x8000000000000000ULL, -RV_ETRUNC);
}
END_TEST

START_TEST(section_past_end)
{
	u32 text = tu_find_type(user_o, RV_SHT_PROGBITS);

	assert_section_range(text, user_sz, 1, -RV_ETRUNC);
	assert_section_range(text, user_sz - 4, 5, -RV_ETRUNC);
	assert_section_range(text, 0, user_sz + 1, -RV_ETRUNC);
	/* an empty section right at the end is in bounds */
	assert_section_range(text, user_sz, 0, 0);
}
END_TEST

START_TEST(nobits_section_range_is_not_checked)
{
	u8 *m = mixed_copy();
	u32 bss = tu_find_type(m, RV_SHT_NOBITS);

	tu_set_sh(m, bss, TU_SH_OFFSET, ~0ULL);
	tu_set_sh(m, bss, TU_SH_SIZE, ~0ULL);
	assert_open(m, mixed_sz, 0);
	free(m);
}
END_TEST

START_TEST(huge_symtab_size)
{
	u32 symtab = tu_find_type(user_o, RV_SHT_SYMTAB);

	assert_section_range(symtab, tu_sh(user_o, symtab, TU_SH_OFFSET), 24ULL << 40, -RV_ETRUNC);
	assert_section_range(symtab, tu_sh(user_o, symtab, TU_SH_OFFSET), ~0ULL / 24 * 24,
			     -RV_ETRUNC);
}
END_TEST

/* ------------------------------------------------------------ symtab */

static void assert_sh_field(u8 *(*copy)(void), size_t size, u32 ndx, int field, u64 value, int want)
{
	u8 *m = copy();

	tu_set_sh(m, ndx, field, value);
	assert_open(m, size, want);
	free(m);
}

START_TEST(missing_symtab)
{
	assert_sh_field(user_copy, user_sz, tu_find_type(user_o, RV_SHT_SYMTAB), TU_SH_TYPE,
			RV_SHT_PROGBITS, -RV_ENOENT);
	assert_sh_field(mixed_copy, mixed_sz, tu_find_type(mixed_o, RV_SHT_SYMTAB), TU_SH_TYPE,
			11 /* SHT_DYNSYM */, -RV_ENOENT);
}
END_TEST

START_TEST(two_symtabs)
{
	assert_sh_field(user_copy, user_sz, tu_find_type(user_o, RV_SHT_PROGBITS), TU_SH_TYPE,
			RV_SHT_SYMTAB, -RV_EDUP);
	assert_sh_field(mixed_copy, mixed_sz, 1, TU_SH_TYPE, RV_SHT_SYMTAB, -RV_EDUP);
}
END_TEST

START_TEST(symtab_fields_rewritten_by_the_kernel)
{
	/*
	 * The kernel's loader reuses sh_entsize, sh_addr and sh_flags of its
	 * copy of the image (layout_sections, layout_symtab,
	 * rewrite_section_headers); the reader must not depend on them.
	 */
	u32 s = tu_find_type(user_o, RV_SHT_SYMTAB);

	assert_sh_field(user_copy, user_sz, s, TU_SH_ENTSIZE, 0, 0);
	assert_sh_field(user_copy, user_sz, s, TU_SH_ENTSIZE, 0x40000000ULL | 0x1230, 0);
	assert_sh_field(user_copy, user_sz, s, TU_SH_FLAGS, 0x2 /* SHF_ALLOC */, 0);
	assert_sh_field(user_copy, user_sz, s, TU_SH_ADDR, 0xffffffffc0001000ULL, 0);
}
END_TEST

START_TEST(symtab_size_not_multiple_of_entry)
{
	u32 s = tu_find_type(user_o, RV_SHT_SYMTAB);
	u64 size = tu_sh(user_o, s, TU_SH_SIZE);

	assert_sh_field(user_copy, user_sz, s, TU_SH_SIZE, size - 1, -RV_ERANGE);
	assert_sh_field(user_copy, user_sz, s, TU_SH_SIZE, size - 23, -RV_ERANGE);
	assert_sh_field(user_copy, user_sz, s, TU_SH_SIZE, 1, -RV_ERANGE);
	assert_sh_field(user_copy, user_sz, s, TU_SH_SIZE, size - 24, 0);
	assert_sh_field(user_copy, user_sz, s, TU_SH_SIZE, 0, 0);
}
END_TEST

START_TEST(symtab_link_out_of_range)
{
	u32 s = tu_find_type(user_o, RV_SHT_SYMTAB);

	assert_sh_field(user_copy, user_sz, s, TU_SH_LINK, 0, -RV_ERANGE);
	assert_sh_field(user_copy, user_sz, s, TU_SH_LINK, tu_shnum(user_o), -RV_ERANGE);
	assert_sh_field(user_copy, user_sz, s, TU_SH_LINK, 0xffffffffu, -RV_ERANGE);
}
END_TEST

START_TEST(symtab_link_not_strtab)
{
	u32 s = tu_find_type(user_o, RV_SHT_SYMTAB);

	assert_sh_field(user_copy, user_sz, s, TU_SH_LINK, s, -RV_EFORMAT);
	assert_sh_field(user_copy, user_sz, s, TU_SH_LINK, tu_find_type(user_o, RV_SHT_PROGBITS),
			-RV_EFORMAT);
}
END_TEST

START_TEST(strtab_not_nul_terminated)
{
	u8 *m = mixed_copy();
	u32 s = (u32)tu_sh(m, tu_find_type(m, RV_SHT_SYMTAB), TU_SH_LINK);

	ck_assert_msg(s != tu_shstrndx(m), "mixed.o shares its string tables");
	m[tu_sh(m, s, TU_SH_OFFSET) + tu_sh(m, s, TU_SH_SIZE) - 1] = 'A';
	assert_open(m, mixed_sz, -RV_ESTRING);
	free(m);
}
END_TEST

START_TEST(strtab_empty)
{
	u32 s = (u32)tu_sh(mixed_o, tu_find_type(mixed_o, RV_SHT_SYMTAB), TU_SH_LINK);

	assert_sh_field(mixed_copy, mixed_sz, s, TU_SH_SIZE, 0, -RV_ESTRING);
}
END_TEST

static void assert_mixed_move(u32 ndx, u64 off, u64 size, int want)
{
	u8 *m = mixed_copy();

	tu_set_sh(m, ndx, TU_SH_OFFSET, off);
	if (size)
		tu_set_sh(m, ndx, TU_SH_SIZE, size);
	assert_open(m, mixed_sz, want);
	free(m);
}

START_TEST(symtab_overlaps_strtab)
{
	u32 sym = tu_find_type(mixed_o, RV_SHT_SYMTAB);
	u32 str = (u32)tu_sh(mixed_o, sym, TU_SH_LINK);
	u64 stroff = tu_sh(mixed_o, str, TU_SH_OFFSET);

	assert_mixed_move(sym, stroff, 0, -RV_ERANGE);
	assert_mixed_move(sym, stroff - 24, 0, -RV_ERANGE); /* tail over head */
	/* a 1-byte table on the null symbol's last byte, which is 0 */
	assert_mixed_move(str, tu_sh(mixed_o, sym, TU_SH_OFFSET) + 23, 1, -RV_ERANGE);
}
END_TEST

START_TEST(symtab_overlaps_headers_or_names)
{
	u32 sym = tu_find_type(mixed_o, RV_SHT_SYMTAB);

	assert_mixed_move(sym, 0, 0, -RV_ERANGE); /* ELF header */
	assert_mixed_move(sym, 40, 0, -RV_ERANGE);
	assert_mixed_move(sym, tu_shoff(mixed_o), 0, -RV_ERANGE); /* SHT */
	assert_mixed_move(sym, tu_sh(mixed_o, tu_shstrndx(mixed_o), TU_SH_OFFSET), 24,
			  -RV_ERANGE); /* .shstrtab */
}
END_TEST

START_TEST(strtab_overlaps_headers)
{
	u32 str = (u32)tu_sh(mixed_o, tu_find_type(mixed_o, RV_SHT_SYMTAB), TU_SH_LINK);

	/* both ranges end in a 0 byte, so only the overlap is wrong */
	assert_mixed_move(str, 0, 64, -RV_ERANGE);
	assert_mixed_move(str, tu_shoff(mixed_o), 64, -RV_ERANGE);
}
END_TEST

/* ---------------------------------------------------- check_disjoint */

static int disjoint(struct rv_elf *elf, u64 off, u64 size)
{
	struct rv_elf_shdr sh = { .type = RV_SHT_PROGBITS, .offset = off, .size = size };

	elf->why = NULL;
	return rv_elf_check_disjoint(elf, &sh);
}

START_TEST(disjoint_rejects_headers_and_tables)
{
	struct rv_elf elf;

	tu_assert_err(rv_elf_open(&elf, mixed_o, mixed_sz), 0, elf.why);
	tu_assert_err(disjoint(&elf, 0, 16), -RV_ERANGE, elf.why); /* a stamp on the header */
	tu_assert_err(disjoint(&elf, 63, 1), -RV_ERANGE, elf.why);
	tu_assert_err(disjoint(&elf, 60, 100), -RV_ERANGE, elf.why);
	tu_assert_err(disjoint(&elf, elf.shoff + 100, 8), -RV_ERANGE, elf.why);
	tu_assert_err(disjoint(&elf, elf.shoff - 1, 2), -RV_ERANGE, elf.why);
	tu_assert_err(disjoint(&elf, elf.shstr_off, 1), -RV_ERANGE, elf.why);
	tu_assert_err(disjoint(&elf, elf.sym_off + 30, 4), -RV_ERANGE, elf.why);
	tu_assert_err(disjoint(&elf, elf.str_off + elf.str_size - 1, 1), -RV_ERANGE, elf.why);
	tu_assert_err(disjoint(&elf, 0, mixed_sz), -RV_ERANGE, elf.why);
}
END_TEST

START_TEST(disjoint_accepts_other_sections)
{
	struct rv_elf_shdr sh;
	struct rv_elf elf;
	u32 i, n = 0;

	tu_assert_err(rv_elf_open(&elf, user_o, user_sz), 0, elf.why);
	for (i = 1; i < elf.shnum; i++) {
		ck_assert_int_eq(rv_elf_shdr(&elf, i, &sh), 0);
		if (sh.type == RV_SHT_SYMTAB || sh.type == RV_SHT_STRTAB)
			continue;
		tu_assert_err(rv_elf_check_disjoint(&elf, &sh), 0, elf.why);
		n++;
	}
	ck_assert_msg(n > 3, "only %u ordinary sections in user.o", n);
	/* touching but not overlapping: right after the ELF header */
	tu_assert_err(disjoint(&elf, 64, 0), 0, elf.why);
	tu_assert_err(disjoint(&elf, elf.shoff + (u64)elf.shnum * 64, 0), 0, elf.why);
}
END_TEST

START_TEST(disjoint_the_tables_themselves)
{
	struct rv_elf_shdr sh;
	struct rv_elf elf;

	tu_assert_err(rv_elf_open(&elf, user_o, user_sz), 0, elf.why);
	ck_assert_int_eq(rv_elf_shdr(&elf, elf.symtab_ndx, &sh), 0);
	tu_assert_err(rv_elf_check_disjoint(&elf, &sh), -RV_ERANGE, elf.why);
	ck_assert_int_eq(rv_elf_shdr(&elf, elf.shstrndx, &sh), 0);
	tu_assert_err(rv_elf_check_disjoint(&elf, &sh), -RV_ERANGE, elf.why);
}
END_TEST

/* ------------------------------------------------ single-byte damage */

/*
 * Every byte of the ELF header and of the section header table set to a
 * few hostile values: the reader either refuses with a reason or accepts
 * and then never reads outside the buffer.
 */
static void damage_every_header_byte(const u8 *buf, size_t size)
{
	static const u8 values[] = { 0x00, 0xff, 0x80, 0x7f, 0x01 };
	u64 end = tu_shoff(buf) + (u64)tu_shnum(buf) * 64;
	const char *why;
	size_t off, v;
	u8 *m = tu_dup(buf, size);

	for (off = 0; off < end; off++) {
		if (off == 64)
			off = tu_shoff(buf);
		for (v = 0; v < sizeof(values); v++) {
			u8 saved = m[off];
			struct rv_elf elf;
			int err;

			m[off] = values[v];
			err = rv_elf_open(&elf, m, size);
			why = elf.why;
			if (!err)
				walk_all(&elf);
			m[off] = saved;
			tu_check(err <= 0 && err > -RV_NERRORS && (!err || why),
				 "byte %zu = %#x: err %d, why %s", off, values[v], err,
				 why ? why : "(null)");
		}
	}
	free(m);
}

START_TEST(damaged_header_bytes_user)
{
	damage_every_header_byte(user_o, user_sz);
}
END_TEST

START_TEST(damaged_header_bytes_mixed)
{
	damage_every_header_byte(mixed_o, mixed_sz);
}
END_TEST

static Suite *elf_suite(void)
{
	Suite *s = suite_create("elf");
	TCase *tc;

	tc = tcase_create("real");
	tcase_add_test(tc, real_user_header_facts_match_bytes);
	tcase_add_test(tc, real_sections_match_bytes);
	tcase_add_test(tc, real_undefined_symbols_match_nm);
	tcase_add_test(tc, real_user_has_rust_imports);
	tcase_add_test(tc, real_all_fixtures_walk);
	tcase_add_test(tc, find_section_by_name);
	tcase_add_test(tc, find_section_duplicate_name_is_edup);
	tcase_add_test(tc, section_data_of_nobits_is_null);
	tcase_add_test(tc, shdr_index_out_of_range);
	tcase_add_test(tc, sym_index_out_of_range);
	tcase_add_test(tc, sym_name_offset_beyond_strtab);
	tcase_add_test(tc, section_name_offset_beyond_table_is_empty);
	tcase_add_test(tc, null_data_is_etrunc);
	suite_add_tcase(s, tc);

	tc = tcase_create("truncation");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, truncated_user_at_every_byte);
	tcase_add_test(tc, truncated_mixed_at_every_byte);
	tcase_add_test(tc, truncated_plain_at_every_byte);
	tcase_add_test(tc, truncated_at_header_boundaries);
	suite_add_tcase(s, tc);

	tc = tcase_create("header");
	tcase_add_test(tc, bad_magic_each_byte);
	tcase_add_test(tc, short_non_elf_is_etrunc_or_eformat);
	tcase_add_test(tc, bad_class);
	tcase_add_test(tc, bad_data_encoding);
	tcase_add_test(tc, bad_version);
	tcase_add_test(tc, bad_type);
	tcase_add_test(tc, bad_machine);
	tcase_add_test(tc, note_build_id);
	tcase_add_test(tc, bad_shentsize);
	tcase_add_test(tc, shoff_past_end);
	tcase_add_test(tc, shoff_plus_table_size_overflows);
	tcase_add_test(tc, shnum_past_end);
	tcase_add_test(tc, shnum_zero_or_extended);
	tcase_add_test(tc, shstrndx_out_of_range);
	tcase_add_test(tc, shstrndx_not_a_strtab);
	tcase_add_test(tc, section_table_overlaps_elf_header);
	suite_add_tcase(s, tc);

	tc = tcase_create("sections");
	tcase_add_test(tc, shstrtab_not_nul_terminated);
	tcase_add_test(tc, shstrtab_empty);
	tcase_add_test(tc, shstrtab_overlaps_headers);
	tcase_add_test(tc, section_offset_plus_size_overflows);
	tcase_add_test(tc, section_past_end);
	tcase_add_test(tc, nobits_section_range_is_not_checked);
	tcase_add_test(tc, huge_symtab_size);
	suite_add_tcase(s, tc);

	tc = tcase_create("symtab");
	tcase_add_test(tc, missing_symtab);
	tcase_add_test(tc, two_symtabs);
	tcase_add_test(tc, symtab_fields_rewritten_by_the_kernel);
	tcase_add_test(tc, symtab_size_not_multiple_of_entry);
	tcase_add_test(tc, symtab_link_out_of_range);
	tcase_add_test(tc, symtab_link_not_strtab);
	tcase_add_test(tc, strtab_not_nul_terminated);
	tcase_add_test(tc, strtab_empty);
	tcase_add_test(tc, symtab_overlaps_strtab);
	tcase_add_test(tc, symtab_overlaps_headers_or_names);
	tcase_add_test(tc, strtab_overlaps_headers);
	suite_add_tcase(s, tc);

	tc = tcase_create("disjoint");
	tcase_add_test(tc, disjoint_rejects_headers_and_tables);
	tcase_add_test(tc, disjoint_accepts_other_sections);
	tcase_add_test(tc, disjoint_the_tables_themselves);
	suite_add_tcase(s, tc);

	tc = tcase_create("damage");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, damaged_header_bytes_user);
	tcase_add_test(tc, damaged_header_bytes_mixed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int rc;

	user_o = tu_load_fixture("user.o", &user_sz);
	mixed_o = tu_load_fixture("mixed.o", &mixed_sz);
	plain_o = tu_load_fixture("plain.o", &plain_sz);
	kcrate_o = tu_load_fixture("kcrate.o", &kcrate_sz);
	rc = tu_run_suite(elf_suite());
	free(user_o);
	free(mixed_o);
	free(plain_o);
	free(kcrate_o);
	return rc;
}
