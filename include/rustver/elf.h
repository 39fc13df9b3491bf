/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rustver engine: a reader for ELF64 little-endian relocatable objects
 * (kernel modules) of the architectures with kernel Rust support (x86_64,
 * arm64, riscv64, loongarch64) over a byte buffer. rv_elf_open() validates the header, the
 * section header table, the section name table and the symbol table once;
 * the accessors below then never read outside the buffer.
 */
#ifndef RUSTVER_ELF_H
#define RUSTVER_ELF_H

#include <rustver/types.h>

#define RV_SHT_PROGBITS	1
#define RV_SHT_SYMTAB	2
#define RV_SHT_STRTAB	3
#define RV_SHT_NOBITS	8
#define RV_SHN_UNDEF	0
#define RV_SHN_LORESERVE 0xff00
#define RV_SHN_LIVEPATCH 0xff20	/* Linux: a reference livepatch resolves */
#define RV_SHF_ALLOC	0x2
#define RV_STB_LOCAL	0
#define RV_ELF_SYM_SIZE	24
#define RV_ELF_SHDR_SIZE 64
#define RV_ELF_EHDR_SIZE 64

/*
 * The byte ranges of an image that hold the file's bytes, sorted by offset,
 * when the caller loaded only part of it (the helper streams a large
 * compressed module and keeps only what the verdict reads; the rest of the
 * buffer reads as zeros). The reader refuses to use a header, a table or a
 * section that is not wholly inside them: it fails with -RV_ERANGE ("not
 * loaded") where it would have read those bytes, so a partial image gives
 * the verdict of the whole file or an error, never a verdict on zeros.
 */
struct rv_elf_range {
	u64 off, len;
};

struct rv_elf_loaded {
	const struct rv_elf_range *r;
	u32 n;
};

struct rv_elf {
	const u8 *data;
	u64 size;
	u64 shoff;
	u32 shnum;
	u32 shstrndx;
	u64 shstr_off, shstr_size;	/* section name table */
	u32 symtab_ndx;
	u64 sym_off;			/* symbol table */
	u32 nsyms;
	u64 str_off, str_size;		/* its string table */
	const char *why;		/* reason of the last failure */
	const struct rv_elf_loaded *loaded; /* NULL: the whole buffer */
};

struct rv_elf_shdr {
	u32 ndx;
	u32 name;
	u32 type;
	u64 flags;
	u64 offset;
	u64 size;
	u32 link;
	u32 info;
	u64 entsize;
};

struct rv_elf_sym {
	const char *name;	/* NUL-terminated, inside the buffer */
	size_t name_max;	/* bytes from name to the end of its string table */
	u8 info;
	u16 shndx;
	u64 value;
	u64 size;
};

/* e_machine values of the architectures with kernel Rust support. */
#define RV_EM_X86_64	62
#define RV_EM_AARCH64	183
#define RV_EM_RISCV	243
#define RV_EM_LOONGARCH	258

/* True when the reader knows objects of @machine (an ELF e_machine value). */
bool rv_elf_machine_known(u16 machine);

/*
 * Validates @data (@size bytes) as an ELF64 little-endian relocatable object
 * of a known machine, with a symbol table. Returns 0 or a negative RV_E*
 * code with elf->why set. Reads only the headers and the tables' bounds:
 * O(number of sections).
 */
int rv_elf_open(struct rv_elf *elf, const void *data, u64 size);

/*
 * The same on an image of which only @loaded holds the file's bytes (NULL:
 * all of it); every accessor then refuses what lies outside (see struct
 * rv_elf_loaded). @loaded must outlive @elf.
 */
int rv_elf_open_loaded(struct rv_elf *elf, const void *data, u64 size,
		       const struct rv_elf_loaded *loaded);

/* True when [@off, @off + @len) lies inside @elf's loaded ranges. */
bool rv_elf_is_loaded(const struct rv_elf *elf, u64 off, u64 len);

/* Section header @ndx (bounds already checked by rv_elf_open). */
int rv_elf_shdr(const struct rv_elf *elf, u32 ndx, struct rv_elf_shdr *sh);

/* Name of a section; never NULL after a successful rv_elf_open(). */
const char *rv_elf_section_name(const struct rv_elf *elf,
				const struct rv_elf_shdr *sh);

/*
 * Finds the section called @name: 0, -RV_ENOENT, -RV_EDUP, or -RV_ERANGE when
 * its contents were not loaded (struct rv_elf_loaded).
 */
int rv_elf_find_section(struct rv_elf *elf, const char *name,
			struct rv_elf_shdr *sh);

/* Contents of a section whose range was checked; NULL for SHT_NOBITS. */
const u8 *rv_elf_section_data(const struct rv_elf *elf,
			      const struct rv_elf_shdr *sh);

/* -RV_ERANGE when @sh overlaps the headers or a table the reader uses. */
int rv_elf_check_disjoint(struct rv_elf *elf, const struct rv_elf_shdr *sh);

/*
 * Symbol @i of the symbol table, 0 <= i < elf->nsyms. Constant time: the
 * name is not measured (a name may be as long as its string table, and
 * many symbols may share it); use rv_elf_sym_name_len() with a bound.
 */
int rv_elf_sym(struct rv_elf *elf, u32 i, struct rv_elf_sym *sym);

/*
 * Record @i of @nsyms symbol records at @syms (RV_ELF_SYM_SIZE bytes each,
 * little-endian) whose names index @str, of which @str_size bytes may be
 * read: 0, -RV_ERANGE (@i out of range) or -RV_ESTRING (st_name at or past
 * @str_size). Constant time, as rv_elf_sym().
 */
int rv_sym_read(const u8 *syms, u32 nsyms, const char *str, u64 str_size,
		u32 i, struct rv_elf_sym *sym);

/*
 * Length of @sym's name, looking at no more than @max bytes: returns @max
 * when the name is at least that long.
 */
static inline size_t rv_elf_sym_name_len(const struct rv_elf_sym *sym, size_t max)
{
	return rv_strnlen(sym->name, sym->name_max < max ? sym->name_max : max);
}

/*
 * The GNU build ID among ELF notes: @notes is @len bytes of note records (a
 * .notes section, e.g. what /sys/kernel/notes gives), each a 12-byte header
 * (namesz, descsz, type: u32, little-endian on every architecture the engine
 * reads) then the name and the descriptor, each padded to 4 bytes. Writes the
 * descriptor of the first note named "GNU" of type 3 (NT_GNU_BUILD_ID) as
 * lowercase hex into @hex (@size bytes, NUL-terminated). Returns 0,
 * -RV_ENOENT when there is no such note (or the records end malformed before
 * one), -RV_ERANGE when it does not fit in @size or is over 64 bytes.
 */
int rv_elf_note_build_id(const void *notes, u64 len, char *hex, size_t size);

static inline bool rv_elf_sym_undefined(const struct rv_elf_sym *sym)
{
	return sym->shndx == RV_SHN_UNDEF && sym->name[0] != '\0';
}

#endif /* RUSTVER_ELF_H */
