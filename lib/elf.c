// SPDX-License-Identifier: GPL-2.0
/*
 * rustver engine: ELF64 reader. Every offset, size and count taken from the
 * file is checked against the buffer before it is used, with 64-bit
 * arithmetic that cannot wrap.
 */
#include <rustver/elf.h>

#define EI_CLASS	4
#define EI_DATA		5
#define EI_VERSION	6
#define ELFCLASS64	2
#define ELFDATA2LSB	1
#define ET_REL		1

static int fail(struct rv_elf *elf, int err, const char *why)
{
	elf->why = why;
	return -err;
}

static void read_shdr(const struct rv_elf *elf, u32 ndx, struct rv_elf_shdr *sh)
{
	const u8 *p = elf->data + elf->shoff + (u64)ndx * RV_ELF_SHDR_SIZE;

	sh->ndx = ndx;
	sh->name = rv_le32(p);
	sh->type = rv_le32(p + 4);
	sh->flags = rv_le64(p + 8);
	sh->offset = rv_le64(p + 24);
	sh->size = rv_le64(p + 32);
	sh->link = rv_le32(p + 40);
	sh->info = rv_le32(p + 44);
	sh->entsize = rv_le64(p + 56);
}

bool rv_elf_is_loaded(const struct rv_elf *elf, u64 off, u64 len)
{
	const struct rv_elf_loaded *l = elf->loaded;
	u64 at = off, end = off + len, prev = 0;
	u32 i;

	if (!l || !len)
		return true;
	if (len > ~0ULL - off)
		return false;
	/* the ranges are sorted: walk them, extending what is covered from @off */
	for (i = 0; i < l->n && at < end; i++) {
		const struct rv_elf_range *r = &l->r[i];

		if (r->off < prev || r->len > ~0ULL - r->off)
			return false;
		prev = r->off;
		if (r->off <= at && at < r->off + r->len)
			at = r->off + r->len;
	}
	return at >= end;
}
RV_EXPORT(rv_elf_is_loaded);

static int not_loaded(struct rv_elf *elf)
{
	return fail(elf, RV_ERANGE,
		    "a header, table or section the verdict reads was not loaded from the file");
}

static bool ranges_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	if (!alen || !blen)
		return false;
	return a < b + blen && b < a + alen;
}

static int check_header(struct rv_elf *elf)
{
	const u8 *h = elf->data;
	u16 shentsize;

	if (elf->size < 4)
		return fail(elf, RV_ETRUNC, "file shorter than the ELF magic");
	if (h[0] != 0x7f || h[1] != 'E' || h[2] != 'L' || h[3] != 'F')
		return fail(elf, RV_EFORMAT, "not an ELF file (bad magic)");
	if (elf->size < RV_ELF_EHDR_SIZE)
		return fail(elf, RV_ETRUNC, "truncated inside the ELF header");
	if (!rv_elf_is_loaded(elf, 0, RV_ELF_EHDR_SIZE))
		return not_loaded(elf);
	if (h[EI_CLASS] != ELFCLASS64)
		return fail(elf, RV_EFORMAT, "not a 64-bit ELF file");
	if (h[EI_DATA] != ELFDATA2LSB)
		return fail(elf, RV_EFORMAT, "not a little-endian ELF file");
	if (h[EI_VERSION] != 1 || rv_le32(h + 20) != 1)
		return fail(elf, RV_EFORMAT, "unknown ELF version");
	if (rv_le16(h + 16) != ET_REL)
		return fail(elf, RV_EFORMAT,
			    "not a relocatable object (a kernel module is ET_REL)");
	if (!rv_elf_machine_known(rv_le16(h + 18)))
		return fail(elf, RV_EFORMAT,
			    "not an object of an architecture with kernel Rust support (x86_64, arm64, riscv64, loongarch64)");

	elf->shoff = rv_le64(h + 40);
	shentsize = rv_le16(h + 58);
	elf->shnum = rv_le16(h + 60);
	elf->shstrndx = rv_le16(h + 62);

	/* kernel/module/main.c reads e_shnum and e_shstrndx as they are */
	if (elf->shnum == 0 || elf->shnum >= RV_SHN_LORESERVE ||
	    elf->shstrndx >= RV_SHN_LORESERVE)
		return fail(elf, RV_ERANGE,
			    elf->shnum == 0 && elf->shoff == 0 ? "no section headers" :
			    "extended section numbering: the kernel's module loader does not support it");
	if (shentsize != RV_ELF_SHDR_SIZE)
		return fail(elf, RV_EFORMAT, "unexpected section header entry size");
	if (!rv_in_bounds(elf->shoff, (u64)elf->shnum * RV_ELF_SHDR_SIZE, elf->size))
		return fail(elf, RV_ETRUNC, "section header table beyond the end of the file");
	if (!rv_elf_is_loaded(elf, elf->shoff, (u64)elf->shnum * RV_ELF_SHDR_SIZE))
		return not_loaded(elf);
	if (ranges_overlap(0, RV_ELF_EHDR_SIZE, elf->shoff,
			   (u64)elf->shnum * RV_ELF_SHDR_SIZE))
		return fail(elf, RV_ERANGE, "section header table overlaps the ELF header");
	if (elf->shstrndx >= elf->shnum)
		return fail(elf, RV_ERANGE, "section name table index out of range");
	return 0;
}

static int check_sections(struct rv_elf *elf)
{
	struct rv_elf_shdr sh;
	u32 i;

	for (i = 0; i < elf->shnum; i++) {
		read_shdr(elf, i, &sh);
		if (sh.type != RV_SHT_NOBITS &&
		    !rv_in_bounds(sh.offset, sh.size, elf->size))
			return fail(elf, RV_ETRUNC,
				    "a section's contents lie beyond the end of the file");
	}
	return 0;
}

static int check_strtab(struct rv_elf *elf, const struct rv_elf_shdr *sh,
			const char *what)
{
	if (sh->type != RV_SHT_STRTAB)
		return fail(elf, RV_EFORMAT, what);
	if (!rv_elf_is_loaded(elf, sh->offset, sh->size))
		return not_loaded(elf);
	if (sh->size == 0 || elf->data[sh->offset + sh->size - 1] != '\0')
		return fail(elf, RV_ESTRING, "string table is empty or not NUL-terminated");
	return 0;
}

static int find_symtab(struct rv_elf *elf, struct rv_elf_shdr *symtab)
{
	struct rv_elf_shdr sh;
	bool found = false;
	u32 i;

	for (i = 1; i < elf->shnum; i++) {
		read_shdr(elf, i, &sh);
		if (sh.type != RV_SHT_SYMTAB)
			continue;
		if (found)
			return fail(elf, RV_EDUP, "more than one symbol table");
		*symtab = sh;
		found = true;
	}
	if (!found)
		return fail(elf, RV_ENOENT, "no symbol table (stripped module?)");
	return 0;
}

static int check_symtab(struct rv_elf *elf)
{
	struct rv_elf_shdr symtab = { 0 }, strtab;
	u64 shtab_len = (u64)elf->shnum * RV_ELF_SHDR_SIZE;
	int err;

	err = find_symtab(elf, &symtab);
	if (err)
		return err;
	/*
	 * sh_entsize is not checked: the kernel's loader reuses it (and
	 * sh_addr, sh_flags) in its copy of the image to lay out the module,
	 * and that copy is what kmod_rustver verifies. ELF64 symbols are 24
	 * bytes whatever the header says.
	 */
	if (symtab.size % RV_ELF_SYM_SIZE)
		return fail(elf, RV_ERANGE, "symbol table size is not a whole number of entries");
	if (symtab.size / RV_ELF_SYM_SIZE > 0xffffffffULL)
		return fail(elf, RV_ELIMIT, "too many symbols");
	if (symtab.link == 0 || symtab.link >= elf->shnum)
		return fail(elf, RV_ERANGE, "symbol table links to no string table");
	if (!rv_elf_is_loaded(elf, symtab.offset, symtab.size))
		return not_loaded(elf);
	read_shdr(elf, symtab.link, &strtab);
	err = check_strtab(elf, &strtab, "symbol table links to a section that is not a string table");
	if (err)
		return err;

	elf->symtab_ndx = symtab.ndx;
	elf->sym_off = symtab.offset;
	elf->nsyms = (u32)(symtab.size / RV_ELF_SYM_SIZE);
	elf->str_off = strtab.offset;
	elf->str_size = strtab.size;

	if (ranges_overlap(symtab.offset, symtab.size, strtab.offset, strtab.size) ||
	    ranges_overlap(symtab.offset, symtab.size, elf->shstr_off, elf->shstr_size) ||
	    ranges_overlap(symtab.offset, symtab.size, elf->shoff, shtab_len) ||
	    ranges_overlap(symtab.offset, symtab.size, 0, RV_ELF_EHDR_SIZE) ||
	    ranges_overlap(strtab.offset, strtab.size, elf->shoff, shtab_len) ||
	    ranges_overlap(strtab.offset, strtab.size, 0, RV_ELF_EHDR_SIZE))
		return fail(elf, RV_ERANGE, "symbol or string table overlaps another table");
	return 0;
}

/**
 * rv_elf_machine_known() - whether the engine reads modules of a machine
 * @machine: an ELF e_machine value (EM_X86_64, EM_AARCH64, ...)
 *
 * Return: true for the architectures with kernel Rust support the reader
 * knows (x86_64, arm64, riscv64, loongarch64).
 */
bool rv_elf_machine_known(u16 machine)
{
	switch (machine) {
	case RV_EM_X86_64:
	case RV_EM_AARCH64:
	case RV_EM_RISCV:
	case RV_EM_LOONGARCH:
		return true;
	}
	return false;
}
RV_EXPORT_MODULE(rv_elf_machine_known);

int rv_elf_open(struct rv_elf *elf, const void *data, u64 size)
{
	return rv_elf_open_loaded(elf, data, size, NULL);
}
RV_EXPORT(rv_elf_open);

int rv_elf_open_loaded(struct rv_elf *elf, const void *data, u64 size,
		       const struct rv_elf_loaded *loaded)
{
	struct rv_elf_shdr sh;
	int err;

	*elf = (struct rv_elf){ .data = data, .size = size, .loaded = loaded };
	if (!data)
		return fail(elf, RV_ETRUNC, "no data");

	err = check_header(elf);
	if (!err)
		err = check_sections(elf);
	if (err)
		return err;

	read_shdr(elf, elf->shstrndx, &sh);
	err = check_strtab(elf, &sh, "section name table is not a string table");
	if (err)
		return err;
	elf->shstr_off = sh.offset;
	elf->shstr_size = sh.size;
	if (ranges_overlap(sh.offset, sh.size, elf->shoff,
			   (u64)elf->shnum * RV_ELF_SHDR_SIZE) ||
	    ranges_overlap(sh.offset, sh.size, 0, RV_ELF_EHDR_SIZE))
		return fail(elf, RV_ERANGE, "section name table overlaps the headers");

	return check_symtab(elf);
}
RV_EXPORT(rv_elf_open_loaded);

int rv_elf_shdr(const struct rv_elf *elf, u32 ndx, struct rv_elf_shdr *sh)
{
	if (ndx >= elf->shnum)
		return -RV_ERANGE;
	read_shdr(elf, ndx, sh);
	return 0;
}
RV_EXPORT(rv_elf_shdr);

const char *rv_elf_section_name(const struct rv_elf *elf,
				const struct rv_elf_shdr *sh)
{
	/* The table ends with a NUL, so any in-range offset is terminated. */
	if (sh->name >= elf->shstr_size)
		return "";
	return (const char *)elf->data + elf->shstr_off + sh->name;
}
RV_EXPORT(rv_elf_section_name);

static bool name_is(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

int rv_elf_find_section(struct rv_elf *elf, const char *name,
			struct rv_elf_shdr *out)
{
	struct rv_elf_shdr sh;
	bool found = false;
	u32 i;

	for (i = 1; i < elf->shnum; i++) {
		read_shdr(elf, i, &sh);
		if (!name_is(rv_elf_section_name(elf, &sh), name))
			continue;
		if (found)
			return fail(elf, RV_EDUP, "two sections with the same name");
		*out = sh;
		found = true;
	}
	if (found && out->type != RV_SHT_NOBITS &&
	    !rv_elf_is_loaded(elf, out->offset, out->size))
		return not_loaded(elf);
	return found ? 0 : -RV_ENOENT;
}
RV_EXPORT(rv_elf_find_section);

const u8 *rv_elf_section_data(const struct rv_elf *elf,
			      const struct rv_elf_shdr *sh)
{
	if (sh->type == RV_SHT_NOBITS)
		return NULL;
	return elf->data + sh->offset;
}
RV_EXPORT(rv_elf_section_data);

int rv_elf_check_disjoint(struct rv_elf *elf, const struct rv_elf_shdr *sh)
{
	u64 off = sh->offset, len = sh->size;

	if (ranges_overlap(off, len, 0, RV_ELF_EHDR_SIZE) ||
	    ranges_overlap(off, len, elf->shoff, (u64)elf->shnum * RV_ELF_SHDR_SIZE) ||
	    ranges_overlap(off, len, elf->shstr_off, elf->shstr_size) ||
	    ranges_overlap(off, len, elf->sym_off, (u64)elf->nsyms * RV_ELF_SYM_SIZE) ||
	    ranges_overlap(off, len, elf->str_off, elf->str_size))
		return fail(elf, RV_ERANGE, "section overlaps the headers or the symbol tables");
	return 0;
}
RV_EXPORT(rv_elf_check_disjoint);

/**
 * rv_sym_read() - one record of a symbol table held apart from its file
 * @syms: @nsyms records of RV_ELF_SYM_SIZE (24) bytes, Elf64_Sym, little-endian
 * @nsyms: number of records
 * @str: the string table the records' st_name index
 * @str_size: bytes of @str that may be read
 * @i: the record to read, < @nsyms
 * @sym: filled with the record; sym->name points into @str, sym->name_max
 *	 bytes of which may be read
 *
 * Constant time: the name is not measured.
 *
 * Return: 0, -RV_ERANGE when @i is out of range, -RV_ESTRING when st_name is
 * at or past @str_size.
 */
int rv_sym_read(const u8 *syms, u32 nsyms, const char *str, u64 str_size,
		u32 i, struct rv_elf_sym *sym)
{
	const u8 *p;
	u32 name;

	if (i >= nsyms)
		return -RV_ERANGE;
	p = syms + (u64)i * RV_ELF_SYM_SIZE;
	name = rv_le32(p);
	if (name >= str_size)
		return -RV_ESTRING;
	sym->name = str + name;
	sym->name_max = str_size - name;
	sym->info = p[4];
	sym->shndx = rv_le16(p + 6);
	sym->value = rv_le64(p + 8);
	sym->size = rv_le64(p + 16);
	return 0;
}
RV_EXPORT_MODULE(rv_sym_read);

int rv_elf_sym(struct rv_elf *elf, u32 i, struct rv_elf_sym *sym)
{
	int err = rv_sym_read(elf->data + elf->sym_off, elf->nsyms,
			      (const char *)elf->data + elf->str_off,
			      elf->str_size, i, sym);

	if (err == -RV_ERANGE)
		return fail(elf, RV_ERANGE, "symbol index out of range");
	if (err)
		return fail(elf, RV_ESTRING, "symbol name offset beyond the string table");
	return 0;
}
RV_EXPORT(rv_elf_sym);

/**
 * rv_elf_note_build_id() - the GNU build ID among ELF notes
 * @notes: @len bytes of note records (a .notes section, /sys/kernel/notes)
 * @len: their size in bytes
 * @hex: where the ID is written as lowercase hex, NUL-terminated
 * @size: bytes at @hex
 *
 * Reads nothing outside @notes, whatever the records claim.
 *
 * Return: 0, -RV_ENOENT without an NT_GNU_BUILD_ID note named "GNU",
 * -RV_ERANGE when the ID is over 64 bytes or does not fit in @size.
 */
int rv_elf_note_build_id(const void *notes, u64 len, char *hex, size_t size)
{
	static const char digits[] = "0123456789abcdef";
	const u8 *p = notes;
	u64 at = 0, name_at, desc_at, namesz, descsz;
	u32 i;

	/* at may pass len by a descriptor's padding: test before subtracting */
	while (p && at <= len && len - at >= 12) {
		namesz = rv_le32(p + at);
		descsz = rv_le32(p + at + 4);
		name_at = at + 12;
		desc_at = name_at + ((namesz + 3) & ~3ULL);	/* 64-bit: no wrap */
		if (desc_at > len || descsz > len - desc_at)
			break;
		if (rv_le32(p + at + 8) == 3 && namesz == 4 &&
		    rv_memeq(p + name_at, "GNU", 4) && descsz) {
			if (descsz > 64 || size < 2 * descsz + 1)
				return -RV_ERANGE;
			for (i = 0; i < descsz; i++) {
				hex[2 * i] = digits[p[desc_at + i] >> 4];
				hex[2 * i + 1] = digits[p[desc_at + i] & 15];
			}
			hex[2 * descsz] = '\0';
			return 0;
		}
		at = desc_at + ((descsz + 3) & ~3ULL);
	}
	return -RV_ENOENT;
}
RV_EXPORT_MODULE(rv_elf_note_build_id);
