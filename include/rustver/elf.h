/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rustver engine: a reader for ELF64 x86-64 relocatable objects (kernel
 * modules) over a byte buffer. rv_elf_open() validates the header, the
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
#define RV_STB_LOCAL	0
#define RV_ELF_SYM_SIZE	24
#define RV_ELF_SHDR_SIZE 64
#define RV_ELF_EHDR_SIZE 64

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
	size_t name_len;
	u8 info;
	u16 shndx;
	u64 value;
};

/* Validates @data as an ELF64 x86-64 relocatable object with a symbol table. */
int rv_elf_open(struct rv_elf *elf, const void *data, u64 size);

/* Section header @ndx (bounds already checked by rv_elf_open). */
int rv_elf_shdr(const struct rv_elf *elf, u32 ndx, struct rv_elf_shdr *sh);

/* Name of a section; never NULL after a successful rv_elf_open(). */
const char *rv_elf_section_name(const struct rv_elf *elf,
				const struct rv_elf_shdr *sh);

/* Finds the section called @name: 0, -RV_ENOENT or -RV_EDUP. */
int rv_elf_find_section(struct rv_elf *elf, const char *name,
			struct rv_elf_shdr *sh);

/* Contents of a section whose range was checked; NULL for SHT_NOBITS. */
const u8 *rv_elf_section_data(const struct rv_elf *elf,
			      const struct rv_elf_shdr *sh);

/* -RV_ERANGE when @sh overlaps the headers or a table the reader uses. */
int rv_elf_check_disjoint(struct rv_elf *elf, const struct rv_elf_shdr *sh);

/* Symbol @i of the symbol table, 0 <= i < elf->nsyms. */
int rv_elf_sym(struct rv_elf *elf, u32 i, struct rv_elf_sym *sym);

static inline bool rv_elf_sym_undefined(const struct rv_elf_sym *sym)
{
	return sym->shndx == RV_SHN_UNDEF && sym->name_len != 0;
}

#endif /* RUSTVER_ELF_H */
