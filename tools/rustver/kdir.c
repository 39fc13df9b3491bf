// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: the crate table of a kernel build tree.
 *
 * Crates come from KDIR/rust/lib<crate>.rmeta, each with the CRC-32 of the
 * file. A crate's disambiguator is not in its .rmeta in a form we can read,
 * so it is taken from the crate roots of the Rust symbols the kernel
 * exports (KDIR/Module.symvers) and defines (KDIR/vmlinux's symbol table).
 * A crate that no symbol names is reported, never guessed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rustver.h"

struct seen_crate {
	char name[RV_CRATE_NAME_MAX];
	uint64_t dis[4];
	unsigned int ndis;
	bool has_rmeta; /* rust/lib<name>.rmeta was found */
};

struct seen {
	struct seen_crate *c;
	size_t n, cap;
	struct rv_v0_scratch scr;
	struct rv_v0_result res;
};

static void seen_add(struct seen *s, const struct rv_crate_ref *r)
{
	struct seen_crate *c = NULL;

	for (size_t i = 0; i < s->n; i++) {
		if (strlen(s->c[i].name) == r->name_len &&
		    !memcmp(s->c[i].name, r->name, r->name_len)) {
			c = &s->c[i];
			break;
		}
	}
	if (!c) {
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 32;
			s->c = xrealloc(s->c, s->cap * sizeof(*s->c));
		}
		c = &s->c[s->n++];
		memset(c, 0, sizeof(*c));
		memcpy(c->name, r->name, r->name_len);
	}
	for (unsigned int i = 0; i < c->ndis; i++)
		if (c->dis[i] == r->dis)
			return;
	if (c->ndis < 4)
		c->dis[c->ndis++] = r->dis;
}

static void seen_symbol(struct seen *s, const char *sym, size_t len)
{
	if (!rv_v0_is_v0(sym, len) || rv_v0_parse(sym, len, &s->scr, &s->res))
		return;
	for (uint32_t i = 0; i < s->res.ncrates; i++)
		seen_add(s, &s->res.crates[i]);
}

/*
 * Module.symvers: "0xcrc\tsymbol\tmodule\texport\tnamespace" per line.
 * Return: 1 read, 0 absent, -1 unreadable (printed).
 */
static int scan_symvers(struct seen *s, const char *kdir)
{
	char *path = xasprintf("%s/Module.symvers", kdir), *line = NULL;
	struct text tx;
	size_t cap = 0;
	ssize_t n;
	int err;

	err = text_open(&tx, path, MAX_TEXT_SIZE);
	if (err) {
		free(path);
		return err > 0 ? 0 : -1;
	}
	while ((n = getline(&line, &cap, tx.f)) > 0) {
		char *sym = strchr(line, '\t'), *end;

		if (!sym)
			continue;
		sym++;
		end = strchr(sym, '\t');
		if (end)
			seen_symbol(s, sym, (size_t)(end - sym));
	}
	free(line);
	err = text_end(&tx, path) ? -1 : 1;
	text_close(&tx);
	free(path);
	return err;
}

/* KDIR/vmlinux, or NULL: *@bad when it is there but not a readable file (printed). */
static Elf *open_vmlinux(const char *kdir, int *fd, bool *bad)
{
	char *path = xasprintf("%s/vmlinux", kdir);
	Elf *e;

	*fd = open_regular(path, NULL);
	*bad = *fd < 0 && errno != ENOENT;
	if (*fd < 0) {
		free(path);
		return NULL;
	}
	elf_version(EV_CURRENT);
	e = elf_begin(*fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		rv_warn("%s: not an ELF file, ignored", path);
		if (e)
			elf_end(e);
		close(*fd);
		free(path);
		return NULL;
	}
	free(path);
	return e;
}

/*
 * VERMAGIC_STRING as the loader compares it, if @sym is vmlinux's
 * "static const char vermagic[]" of kernel/module/main.c: a local object
 * whose bytes are a string, starting with the release and a space
 * (@release, when known), and NULs to its end. NULL when it is not.
 */
static char *vermagic_of(Elf *e, const GElf_Sym *sym, const char *release)
{
	size_t n = release ? strlen(release) : 0;
	Elf_Data *raw;
	GElf_Shdr dsh;
	const char *p;

	if (GELF_ST_TYPE(sym->st_info) != STT_OBJECT || sym->st_size < 2 || sym->st_size > 1024 ||
	    sym->st_shndx == SHN_UNDEF || sym->st_shndx >= SHN_LORESERVE ||
	    !gelf_getshdr(elf_getscn(e, sym->st_shndx), &dsh) || dsh.sh_type != SHT_PROGBITS ||
	    sym->st_value < dsh.sh_addr || dsh.sh_size < sym->st_size ||
	    sym->st_value - dsh.sh_addr > dsh.sh_size - sym->st_size)
		return NULL;
	raw = elf_getdata_rawchunk(e, (int64_t)(dsh.sh_offset + sym->st_value - dsh.sh_addr),
				   sym->st_size, ELF_T_BYTE);
	if (!raw || raw->d_size != sym->st_size)
		return NULL;
	p = raw->d_buf;
	/* clang pads the array (64 bytes for 30): a string, then NULs */
	if (strnlen(p, sym->st_size) == sym->st_size ||
	    (release && (strncmp(p, release, n) || p[n] != ' ')))
		return NULL;
	for (size_t i = strlen(p); i < sym->st_size; i++)
		if (p[i])
			return NULL;
	return xstrdup(p);
}

/* The crates vmlinux's symbols name, and its vermagic into @t. */
static void scan_vmlinux_symbols(struct seen *s, Elf *e, struct table *t)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e, scn))) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(d, (int)i, &sym))
				break;
			name = elf_strptr(e, sh.sh_link, sym.st_name);
			if (!name)
				continue;
			seen_symbol(s, name, strlen(name));
			if (!t->vermagic && !strcmp(name, "vermagic"))
				t->vermagic = vermagic_of(e, &sym, t->release);
		}
	}
}

static char *read_build_id(Elf *e)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(e, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(e, scn))) {
		const char *name;
		Elf_Data *d;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (!name || (strcmp(name, ".notes") && strcmp(name, ".note.gnu.build-id")))
			continue;
		d = elf_getdata(scn, NULL);
		while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp((char *)d->d_buf + name_off, "GNU", 4)) {
				char *hex = xmalloc(nh.n_descsz * 2 + 1);

				for (size_t i = 0; i < nh.n_descsz; i++)
					sprintf(hex + 2 * i, "%02x",
						((unsigned char *)d->d_buf)[desc_off + i]);
				return hex;
			}
		}
	}
	return NULL;
}

/* .rmeta files start "rust\0\0\0" version, 8 bytes, then a length-prefixed
 * rustc banner; look for it in the first bytes rather than trust the layout. */
static char *rmeta_rustc(const uint8_t *d, size_t size)
{
	if (size < 8 || memcmp(d, "rust", 4))
		return NULL;
	for (size_t i = 5; i + 7 < size && i < 64; i++) {
		size_t len = d[i - 1], n;

		if (memcmp(d + i, "rustc ", 6) || i + len > size)
			continue;
		for (n = 0; n < len && d[i + n] >= 0x20 && d[i + n] < 0x7f; n++)
			;
		if (n == len) {
			char *s = xmalloc(len + 1);

			memcpy(s, d + i, len);
			s[len] = '\0';
			return s;
		}
	}
	return NULL;
}

/* The string value of "#define NAME "value"" in a generated header. */
static char *header_define(const char *kdir, const char *file, const char *name)
{
	char *path = xasprintf("%s/%s", kdir, file), *line = NULL, *value = NULL;
	size_t cap = 0, nlen = strlen(name);
	struct text tx;

	if (text_open(&tx, path, MAX_TEXT_SIZE)) {
		free(path);
		return NULL;
	}
	free(path);
	while (!value && getline(&line, &cap, tx.f) > 0) {
		char *p = line, *q;

		if (strncmp(p, "#define ", 8) || strncmp(p + 8, name, nlen) ||
		    (p[8 + nlen] != ' ' && p[8 + nlen] != '\t'))
			continue;
		p = strchr(p + 8 + nlen, '"');
		q = p ? strrchr(p + 1, '"') : NULL;
		if (p && q) {
			*q = '\0';
			value = xstrdup(p + 1);
		}
	}
	free(line);
	text_close(&tx);
	return value;
}

/*
 * What rustc reads as a crate's metadata: an .rmeta file, which starts
 * "rust\0\0\0" and a format version (METADATA_HEADER,
 * rustc_metadata/src/rmeta/mod.rs), or an object file holding it in a
 * .rmeta section (the lib.rmeta member of an .rlib).
 */
static bool is_metadata(const uint8_t *d, size_t size)
{
	struct rv_elf_shdr sh;
	struct rv_elf elf;

	if (size >= 8 && !memcmp(d, "rust\0\0\0", 7))
		return true;
	return !rv_elf_open(&elf, d, size) && !rv_elf_find_section(&elf, ".rmeta", &sh);
}

/* A crate the kernel's symbols name, without its .rmeta: a line of "# not in the table". */
static void missing_rmeta(struct table *t, const struct seen *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct seen_crate *c = &s->c[i];

		/* rustc's `__rustc` pseudo-crate (__rust_alloc & co.) has none */
		if (c->has_rmeta || !strcmp(c->name, "__rustc"))
			continue;
		t->missing = xrealloc(t->missing, (t->nmissing + 1) * sizeof(char *));
		t->missing[t->nmissing++] =
			xasprintf("%s: the kernel's symbols name it, but there is no "
				  "rust/lib%s.rmeta",
				  c->name, c->name);
	}
}

static int add_rmeta(struct table *t, struct seen *s, const char *dir, const char *file)
{
	size_t len = strlen(file), nlen = len - strlen("lib") - strlen(".rmeta");
	char *path, name[RV_CRATE_NAME_MAX];
	struct seen_crate *c = NULL;
	uint8_t *data;
	size_t size;

	if (nlen >= RV_CRATE_NAME_MAX || !rv_crate_name_valid(file + 3, nlen)) {
		rv_warn("%s/%s: not a crate name, ignored", dir, file);
		return 0;
	}
	memcpy(name, file + 3, nlen);
	name[nlen] = '\0';
	path = xasprintf("%s/%s", dir, file);
	if (read_file(path, &data, &size)) {
		free(path);
		return -1;
	}
	if (!is_metadata(data, size)) {
		rv_err("%s: not rustc metadata (neither the \"rust\" header of an .rmeta "
		       "nor an object with a .rmeta section): a broken build tree?",
		       path);
		free(data);
		free(path);
		return -1;
	}
	if (!t->rustc)
		t->rustc = rmeta_rustc(data, size);
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->c[i].name, name))
			c = &s->c[i];
	if (c)
		c->has_rmeta = true;
	if (!c || c->ndis != 1) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s: %s", name,
			 c ? "several disambiguators in the kernel's symbols"
			   : "no kernel symbol names this crate, disambiguator unknown");
		t->missing = xrealloc(t->missing, (t->nmissing + 1) * sizeof(char *));
		t->missing[t->nmissing++] = xstrdup(msg);
		free(data);
		free(path);
		return 0;
	}
	t->crates = xrealloc(t->crates, (t->count + 1) * sizeof(*t->crates));
	t->rmeta = xrealloc(t->rmeta, (t->count + 1) * sizeof(char *));
	memset(&t->crates[t->count], 0, sizeof(t->crates[0]));
	memcpy(t->crates[t->count].name, name, nlen + 1);
	t->crates[t->count].dis = c->dis[0];
	t->crates[t->count].crc = crc32_buf(data, size);
	t->rmeta[t->count] = path;
	t->count++;
	free(data);
	return 0;
}

static bool is_rmeta(const char *f)
{
	size_t len = strlen(f);

	return len > 9 && !strncmp(f, "lib", 3) && !strcmp(f + len - 6, ".rmeta");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *read_line_file(const char *kdir, const char *file)
{
	char *path = xasprintf("%s/%s", kdir, file), *value = NULL;
	struct text tx;

	if (!text_open(&tx, path, MAX_LINE_SIZE)) {
		tx.data[strcspn(tx.data, "\n")] = '\0';
		value = xstrdup(tx.data);
		text_close(&tx);
	}
	free(path);
	return value;
}

/* Release, UTS version: what tells one kernel build from another. */
static void read_identity(struct table *t, const char *kdir)
{
	t->release = read_line_file(kdir, "include/config/kernel.release");
	t->uts_version = header_define(kdir, "include/generated/utsversion.h", "UTS_VERSION");
	if (!t->uts_version)
		t->uts_version = header_define(kdir, "include/generated/compile.h", "UTS_VERSION");
}

/* The sorted lib*.rmeta names in @dir; -1 if the directory is unreadable. */
static int list_rmeta(const char *dir, char ***files, size_t *nfiles)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	*files = NULL;
	*nfiles = 0;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (!is_rmeta(de->d_name))
			continue;
		*files = xrealloc(*files, (*nfiles + 1) * sizeof(char *));
		(*files)[(*nfiles)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*nfiles)
		qsort(*files, *nfiles, sizeof(char *), cmp_str);
	return 0;
}

/* Learns disambiguators from the kernel's symbols, and the build-id. */
static int scan_symbols(struct table *t, struct seen *s, const char *kdir)
{
	int symvers = scan_symvers(s, kdir), fd;
	bool have_symbols = symvers > 0, bad;
	Elf *e;

	if (symvers < 0)
		return -1;
	e = open_vmlinux(kdir, &fd, &bad);
	if (bad)
		return -1;
	if (e) {
		scan_vmlinux_symbols(s, e, t);
		t->build_id = read_build_id(e);
		elf_end(e);
		close(fd);
		have_symbols = true;
	}
	if (!have_symbols) {
		rv_err("%s: neither Module.symvers nor vmlinux: cannot learn the crates' "
		       "disambiguators",
		       kdir);
		return -1;
	}
	return 0;
}

int table_from_kdir(struct table *t, const char *kdir, bool no_rust)
{
	struct seen *s = xcalloc(1, sizeof(*s));
	char *dir = xasprintf("%s/rust", kdir), **files;
	const char *missing;
	size_t nfiles;
	int err = 0;

	memset(t, 0, sizeof(*t));
	t->kdir = xstrdup(kdir);
	t->source = xstrdup(kdir);
	read_identity(t, kdir);
	missing = list_rmeta(dir, &files, &nfiles) ? "no rust/ directory"
		  : !nfiles			   ? "no lib*.rmeta files in rust/"
						   : NULL;
	if (missing && no_rust) {
		if (!t->release)
			rv_warn("%s: no include/config/kernel.release: is it a kernel tree?", kdir);
		goto out;
	}
	if (missing) {
		rv_err("%s: %s: not a Rust-enabled kernel build tree (is CONFIG_RUST=y? "
		       "linux-headers packages ship no .rmeta: give a table file, "
		       "'rustver table --table FILE' or 'make modules RUSTVER_TABLE=FILE')",
		       kdir, missing);
		err = -1;
		goto out;
	}
	err = scan_symbols(t, s, kdir);
	for (size_t i = 0; i < nfiles; i++) {
		if (!err && add_rmeta(t, s, dir, files[i]))
			err = -1;
		free(files[i]);
	}
	if (!err)
		missing_rmeta(t, s);
	/* files were sorted, so the crates are sorted by name */
out:
	free(files);
	free(dir);
	free(s->c);
	free(s);
	if (err)
		table_free(t);
	return err;
}

void table_free(struct table *t)
{
	for (uint32_t i = 0; i < t->nmissing; i++)
		free(t->missing[i]);
	for (uint32_t i = 0; t->rmeta && i < t->count; i++)
		free(t->rmeta[i]);
	free(t->missing);
	free(t->rmeta);
	free(t->crates);
	free(t->rustc);
	free(t->source);
	free(t->release);
	free(t->uts_version);
	free(t->build_id);
	free(t->vermagic);
	free(t->kdir);
	memset(t, 0, sizeof(*t));
}

struct rv_table table_view(const struct table *t)
{
	return (struct rv_table){ .crates = t->crates, .count = t->count, .rustc = t->rustc };
}
