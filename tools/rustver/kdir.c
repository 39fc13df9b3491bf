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

/* Module.symvers: "0xcrc\tsymbol\tmodule\texport\tnamespace" per line. */
static bool scan_symvers(struct table *t, struct seen *s, const char *kdir)
{
	char *path = xasprintf("%s/Module.symvers", kdir), *line = NULL;
	const char *why;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	f = fopen(path, "r");
	free(path);
	if (!f)
		return false;
	while ((n = getline(&line, &cap, f)) > 0) {
		char *sym = strchr(line, '\t'), *end;

		if (!sym)
			continue;
		sym++;
		end = strchr(sym, '\t');
		if (!end)
			continue;
		seen_symbol(s, sym, (size_t)(end - sym));
		/* every exported Rust symbol, for the verdict's fast path */
		if (!export_name_check(sym, (size_t)(end - sym), &why))
			table_add_export(t, sym, (size_t)(end - sym));
	}
	free(line);
	fclose(f);
	return true;
}

static Elf *open_vmlinux(const char *kdir, int *fd)
{
	char *path = xasprintf("%s/vmlinux", kdir);
	Elf *e;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
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

static void scan_vmlinux_symbols(struct seen *s, Elf *e)
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
			if (name)
				seen_symbol(s, name, strlen(name));
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
	FILE *f;

	f = fopen(path, "r");
	free(path);
	if (!f)
		return NULL;
	while (!value && getline(&line, &cap, f) > 0) {
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
	fclose(f);
	return value;
}

static int add_rmeta(struct table *t, const struct seen *s, const char *dir, const char *file)
{
	size_t len = strlen(file), nlen = len - strlen("lib") - strlen(".rmeta");
	char *path, name[RV_CRATE_NAME_MAX];
	const struct seen_crate *c = NULL;
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
	if (!t->rustc)
		t->rustc = rmeta_rustc(data, size);
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->c[i].name, name))
			c = &s->c[i];
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
	char *path = xasprintf("%s/%s", kdir, file), buf[256], *value = NULL;
	FILE *f = fopen(path, "r");

	free(path);
	if (!f)
		return NULL;
	if (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		value = xstrdup(buf);
	}
	fclose(f);
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
	bool have_symbols = scan_symvers(t, s, kdir);
	int fd;
	Elf *e = open_vmlinux(kdir, &fd);

	if (e) {
		scan_vmlinux_symbols(s, e);
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
	/* files were sorted, so the crates are sorted by name */
	if (!err)
		err = table_index_exports(t, kdir);
out:
	free(files);
	free(dir);
	free(s->c);
	free(s);
	if (err)
		table_free(t);
	return err;
}

static int cmp_export(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void table_add_export(struct table *t, const char *name, size_t len)
{
	char *s = xmalloc(len + 1);

	memcpy(s, name, len);
	s[len] = '\0';
	/* room for a power of two of them: doubled when full */
	if (!(t->nexports & (t->nexports - 1)))
		t->exports = xrealloc(t->exports,
				      (t->nexports ? 2 * t->nexports : 1) * sizeof(*t->exports));
	t->exports[t->nexports++] = s;
}

int table_index_exports(struct table *t, const char *where)
{
	struct rv_table view;
	const char *why;
	uint32_t n = 0;

	/* sorted and each once: the text table lists them so */
	for (uint32_t i = 1; i < t->nexports; i++) {
		if (strcmp(t->exports[i - 1], t->exports[i]) > 0) {
			qsort(t->exports, t->nexports, sizeof(*t->exports), cmp_export);
			break;
		}
	}
	for (uint32_t i = 0; i < t->nexports; i++) {
		if (n && !strcmp(t->exports[n - 1], t->exports[i]))
			free(t->exports[i]);
		else
			t->exports[n++] = t->exports[i];
	}
	t->nexports = n;
	free(t->export_lens);
	t->export_lens = xcalloc(n ? n : 1, sizeof(*t->export_lens));
	for (uint32_t i = 0; i < n; i++)
		t->export_lens[i] = strlen(t->exports[i]);
	export_index_free(&t->ix);
	if (export_index_build(&t->ix, t->crates, t->count, t->exports, t->export_lens, n, &why)) {
		rv_err("%s: exports: %s", where, why);
		return -1;
	}
	view = table_view(t);
	if (rv_exports_check(&view, &why)) {
		rv_err("%s: exports: internal error: %s", where, why);
		return -1;
	}
	return 0;
}

void table_drop_exports(struct table *t)
{
	for (uint32_t i = 0; i < t->nexports; i++)
		free(t->exports[i]);
	free(t->exports);
	free(t->export_lens);
	t->exports = NULL;
	t->export_lens = NULL;
	t->nexports = 0;
	export_index_free(&t->ix);
}

void table_free(struct table *t)
{
	table_drop_exports(t);
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
	free(t->kdir);
	memset(t, 0, sizeof(*t));
}

struct rv_table table_view(const struct table *t)
{
	return (struct rv_table){
		.crates = t->crates, .count = t->count, .rustc = t->rustc, .exports = t->ix.view
	};
}
