// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: writing the stamp with libelf: the allocated section
 * RV_STAMP_SECTION and its symbol RV_STAMP_SYMBOL (include/rustver/stamp.h).
 * The symbol is appended at the end of .symtab (a global after the locals,
 * sh_info unchanged), so no symbol a relocation names is renumbered; a module
 * stamped before keeps its symbol, updated in place.
 *
 * The module is copied to a new file in its directory (replace.c: the
 * target of a symlink, its owner, mode and extended attributes kept), the
 * stamp section is replaced or added there, the result is read back and
 * checked with the engine, and only then renamed over the original, unless
 * the module was replaced or modified since it was read: an interrupted or
 * failed stamp never leaves a broken .ko behind, nor a stamped old build
 * over a new one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rustver.h"

static Elf_Scn *find_scn(Elf *e, size_t shstrndx, const char *name)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, &sh))
			return NULL;
		n = elf_strptr(e, shstrndx, sh.sh_name);
		if (n && !strcmp(n, name))
			return scn;
	}
	return NULL;
}

#define KEEP_MAX 4 /* buffers given to libelf: name tables, .strtab, .symtab */

struct keep {
	void *p[KEEP_MAX];
	unsigned int n;
};

/* Appends @len bytes to the one data block of section @ndx; returns their offset or 0. */
static size_t append(Elf *e, size_t ndx, const void *bytes, size_t len, struct keep *k)
{
	Elf_Scn *scn = elf_getscn(e, ndx);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	size_t off;
	uint8_t *buf;

	if (!d || elf_getdata(scn, d) || k->n == KEEP_MAX) /* expect exactly one data block */
		return 0;
	off = d->d_size;
	buf = xmalloc(off + len);
	memcpy(buf, d->d_buf, off);
	memcpy(buf + off, bytes, len);
	d->d_buf = buf;
	d->d_size = off + len;
	elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY);
	k->p[k->n++] = buf;
	return off;
}

static Elf_Scn *find_type(Elf *e, GElf_Word type, int *count)
{
	Elf_Scn *scn = NULL, *found = NULL;
	GElf_Shdr sh;

	*count = 0;
	while ((scn = elf_nextscn(e, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == type) {
			found = scn;
			++*count;
		}
	return found;
}

/*
 * Defines RV_STAMP_SYMBOL at the start of section @ndx, @size bytes: the
 * symbol already there is updated, else one is appended.
 */
static int set_symbol(Elf *e, size_t ndx, size_t size, struct keep *k, const char **why)
{
	static const char name[] = RV_STAMP_SYMBOL;
	GElf_Sym sym = { 0 };
	Elf_Scn *symscn;
	Elf_Data *d;
	GElf_Shdr sh;
	size_t n, i, off;
	int count;

	symscn = find_type(e, SHT_SYMTAB, &count);
	if (count != 1 || !gelf_getshdr(symscn, &sh)) {
		*why = "not exactly one symbol table";
		return -1;
	}
	find_type(e, SHT_SYMTAB_SHNDX, &count);
	if (count || ndx >= SHN_LORESERVE) {
		*why = "the module uses extended section indices (SHT_SYMTAB_SHNDX)";
		return -1;
	}
	d = elf_getdata(symscn, NULL);
	if (!d || elf_getdata(symscn, d) || !sh.sh_entsize) {
		*why = "the symbol table is not one block of data";
		return -1;
	}
	n = d->d_size / sh.sh_entsize;
	for (i = 1; i < n; i++) {
		const char *s;

		if (!gelf_getsym(d, (int)i, &sym)) {
			*why = "cannot read the symbol table";
			return -1;
		}
		s = elf_strptr(e, sh.sh_link, sym.st_name);
		if (s && !strcmp(s, name) && sym.st_shndx != SHN_UNDEF)
			break;
	}
	if (i >= n) {
		off = append(e, sh.sh_link, name, sizeof(name), k);
		if (!off) {
			*why = "cannot extend the string table";
			return -1;
		}
		memset(&sym, 0, sizeof(sym));
		sym.st_name = (GElf_Word)off;
		/* the symbol table grows by one record, zeroed, set below */
		{
			uint8_t zero[sizeof(Elf64_Sym)] = { 0 };

			if (!append(e, elf_ndxscn(symscn), zero, sizeof(zero), k)) {
				*why = "cannot extend the symbol table";
				return -1;
			}
		}
		d = elf_getdata(symscn, NULL);
		i = n;
	}
	sym.st_info = GELF_ST_INFO(STB_GLOBAL, STT_OBJECT);
	sym.st_other = STV_DEFAULT;
	sym.st_shndx = (GElf_Section)ndx;
	sym.st_value = 0;
	sym.st_size = size;
	if (!d || !gelf_update_sym(d, (int)i, &sym)) {
		*why = "cannot write the stamp symbol";
		return -1;
	}
	elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY);
	return 0;
}

static int set_stamp(Elf *e, const uint8_t *stamp, size_t size, struct keep *k, const char **why)
{
	size_t shstrndx, name;
	Elf_Scn *scn;
	Elf_Data *d;
	GElf_Shdr sh;

	*why = elf_errmsg(-1);
	if (elf_getshdrstrndx(e, &shstrndx))
		return -1;
	scn = find_scn(e, shstrndx, RV_STAMP_SECTION);
	if (scn) {
		d = elf_getdata(scn, NULL);
		if (!d || elf_getdata(scn, d) || !gelf_getshdr(scn, &sh))
			return -1;
	} else {
		name = append(e, shstrndx, RV_STAMP_SECTION, sizeof(RV_STAMP_SECTION), k);
		if (!name)
			return -1;
		scn = elf_newscn(e);
		d = scn ? elf_newdata(scn) : NULL;
		if (!d || !gelf_getshdr(scn, &sh))
			return -1;
		sh.sh_name = (GElf_Word)name;
		sh.sh_type = SHT_PROGBITS;
	}
	/* read-only data the loader keeps: MOD_RODATA */
	sh.sh_flags = SHF_ALLOC;
	sh.sh_addralign = 8;
	d->d_buf = (void *)stamp;
	d->d_size = size;
	d->d_type = ELF_T_BYTE;
	d->d_align = 8;
	d->d_off = 0;
	sh.sh_size = size;
	if (!gelf_update_shdr(scn, &sh))
		return -1;
	elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY);
	elf_flagscn(scn, ELF_C_SET, ELF_F_DIRTY);
	return set_symbol(e, elf_ndxscn(scn), size, k, why);
}

/* Rewrites the copy at @fd; returns 0 or -1 with a message printed. */
static int rewrite(int fd, const char *path, const uint8_t *stamp, size_t size)
{
	struct keep keep = { 0 };
	const char *why;
	off_t len;
	Elf *e;
	int err = -1;

	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_RDWR, NULL);
	if (!e) {
		rv_err("%s: libelf cannot read it: %s", path, elf_errmsg(-1));
		return -1;
	}
	if (set_stamp(e, stamp, size, &keep, &why)) {
		rv_err("%s: cannot add the stamp: %s", path, why);
		goto out;
	}
	len = elf_update(e, ELF_C_WRITE);
	if (len < 0) {
		rv_err("%s: libelf cannot write it: %s", path, elf_errmsg(-1));
		goto out;
	}
	if (ftruncate(fd, len)) {
		rv_err("%s: cannot truncate: %s", path, strerror(errno));
		goto out;
	}
	err = 0;
out:
	elf_end(e);
	for (unsigned int i = 0; i < keep.n; i++)
		free(keep.p[i]);
	return err;
}

/* Exactly one RV_STAMP_SYMBOL, defined at offset 0 of section @ndx, @size bytes. */
static bool stamp_symbol_is(struct rv_elf *elf, uint32_t ndx, size_t size)
{
	struct rv_elf_sym s;
	unsigned int found = 0;

	for (uint32_t i = 1; i < elf->nsyms; i++) {
		if (rv_elf_sym(elf, i, &s))
			return false;
		if (rv_elf_sym_name_len(&s, sizeof(RV_STAMP_SYMBOL)) + 1 ==
			    sizeof(RV_STAMP_SYMBOL) &&
		    !memcmp(s.name, RV_STAMP_SYMBOL, sizeof(RV_STAMP_SYMBOL)) && s.shndx != 0) {
			if (s.shndx != ndx || s.value || s.size != size)
				return false;
			found++;
		}
	}
	return found == 1;
}

/* Reads the rewritten copy (open as @fd) back and checks the stamp with the engine. */
static int verify(int fd, const char *path, const uint8_t *stamp, size_t size)
{
	struct rv_elf_shdr sh;
	struct rv_elf elf;
	struct rv_stamp st;
	uint8_t *data;
	size_t len;
	int err = -1;

	if (read_fd(fd, path, &data, &len, NULL))
		return -1;
	if (rv_elf_open(&elf, data, len))
		rv_err("%s: stamped copy is not a valid module: %s", path, elf.why);
	else if (rv_elf_find_section(&elf, RV_STAMP_SECTION, &sh) || sh.size != size ||
		 !(sh.flags & RV_SHF_ALLOC) ||
		 rv_stamp_parse(&st, rv_elf_section_data(&elf, &sh), sh.size) ||
		 memcmp(rv_elf_section_data(&elf, &sh), stamp, size) ||
		 !stamp_symbol_is(&elf, sh.ndx, size))
		rv_err("%s: stamped copy does not read back the stamp", path);
	else
		err = 0;
	free(data);
	return err;
}

int stamp_write(const char *path, const struct stat *st, const uint8_t *orig, size_t orig_size,
		const uint8_t *stamp, size_t size)
{
	struct replace r;
	int err = -1;

	if (replace_begin(&r, path, st) || replace_write(&r, orig, orig_size)) {
		rv_err("%s: %s", r.shown, r.why);
		goto out;
	}
	replace_expect_bytes(&r, orig, orig_size);
	if (rewrite(r.fd, path, stamp, size) || verify(r.fd, path, stamp, size))
		goto out;
	if (replace_commit(&r)) {
		rv_err("%s: %s", r.shown, r.why);
		goto out;
	}
	err = 0;
out:
	replace_end(&r);
	return err;
}
