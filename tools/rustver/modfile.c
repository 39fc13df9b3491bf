// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: reading a module the way the kernel sees it. libkmod resolves
 * names as modprobe does and reads .modinfo; compressed modules (xz, zstd,
 * gzip, recognised by their magic) are decompressed by decompress.c's
 * streams, and a signature trailer is cut off, so the engine gets exactly
 * the ELF image: whole, or for check (modfile_read()) only the byte ranges
 * the verdict reads of a module larger than the memory budget.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <libkmod.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "rustver.h"

#define SIG_MARKER    "~Module signature appended~\n"
#define SIG_INFO_SIZE 12 /* struct module_signature */

/* Largest decompressed module; the fuzzer lowers it. */
size_t modfile_max_size = (size_t)1 << 30;

/* The whole image in a buffer that grows (show, stamp, the fuzzer). */
struct growbuf {
	struct unpack_sink sink;
	uint8_t *p;
	size_t cap;
};

static uint8_t *grow_window(struct unpack_sink *sink, uint64_t off, size_t *len)
{
	struct growbuf *b = (struct growbuf *)sink;

	if (off == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 1 << 20;
		if (b->cap > modfile_max_size)
			b->cap = modfile_max_size;
		b->p = xrealloc(b->p, b->cap);
	}
	*len = b->cap - off;
	return b->p + off;
}

/*
 * Finds the ELF length of a signed module as the kernel's module_sig_check()
 * and mod_check_sig() do: 0 when unsigned or signed, -1 when the trailer is
 * one the kernel refuses even without signature enforcement (-EBADMSG).
 * A signature that is not PKCS#7 (-ENOPKG) is only fatal under
 * module.sig_enforce: the kernel then loads the image with the signature
 * still attached, as rustver reads it.
 */
static int cut_signature(struct modfile *m)
{
	size_t mlen = sizeof(SIG_MARKER) - 1, modlen, sig;
	const uint8_t *info;

	m->elf_size = m->size;
	if (m->size <= mlen || memcmp(m->data + m->size - mlen, SIG_MARKER, mlen))
		return 0;
	m->is_signed = true;
	modlen = m->size - mlen;
	if (modlen <= SIG_INFO_SIZE) {
		rv_err("%s: truncated module signature: the kernel refuses the module", m->path);
		return -1;
	}
	/* struct module_signature: algo, hash, id_type, signer_len, key_id_len, pad[3], sig_len */
	info = m->data + modlen - SIG_INFO_SIZE;
	sig = (size_t)info[8] << 24 | (size_t)info[9] << 16 | (size_t)info[10] << 8 | info[11];
	if (sig >= modlen - SIG_INFO_SIZE) {
		rv_err("%s: module signature longer than the file: the kernel refuses the module",
		       m->path);
		return -1;
	}
	if (info[2] != 2 /* PKEY_ID_PKCS7 */) {
		rv_warn("%s: the signature is not PKCS#7 (id type %u): the kernel loads it only "
			"when signatures are not enforced, as unsigned",
			m->path, info[2]);
		m->elf_size = modlen;
		return 0;
	}
	if (info[0] || info[1] || info[3] || info[4] || info[5] || info[6] || info[7]) {
		rv_err("%s: malformed module signature (PKCS#7 signature info with non-zero "
		       "parameters): the kernel refuses the module even when signatures are "
		       "not enforced",
		       m->path);
		return -1;
	}
	m->elf_size = modlen - SIG_INFO_SIZE - sig;
	return 0;
}

int modfile_from_bytes(struct modfile *m, const char *path, uint8_t *raw, size_t len)
{
	struct growbuf out = { .sink = { .window = grow_window } };
	struct unpack_src src = { .mem = raw, .len = len };
	struct unpacker *u;
	const struct codec *codec = codec_of(raw, len);
	uint64_t total;
	int err;

	memset(m, 0, sizeof(*m));
	m->path = xstrdup(path);
	if (!codec->name) {
		m->data = raw;
		m->size = len;
		return cut_signature(m);
	}
	m->compression = codec->name;
	m->refusal = codec->refusal ? codec->refusal(raw, len) : NULL;
	u = unpacker_new();
	err = unpack_run(u, &src, codec, path, &out.sink, &total);
	unpacker_free(u);
	free(raw);
	if (err) {
		free(out.p);
		return -1;
	}
	m->data = out.p;
	m->size = total;
	return cut_signature(m);
}

/*
 * check's reader. A module that decompresses to at most the budget is kept
 * whole in the reader's buffer (one mapping, reused: its pages are touched
 * only as far as the largest such module). A larger one is streamed:
 *
 *   pass 1 decompresses everything (so corrupt data is found as before) and
 *   keeps the ELF header, the last WINDOW bytes before the section header
 *   table and the table itself (where GNU ld and lld put .shstrtab), and the
 *   last bytes of the file (the signature trailer);
 *   then, from the section headers, the byte ranges the verdict reads are
 *   copied from the whole-image buffer, which still holds the first
 *   budget bytes, or decompressed again, each pass stopping after the last
 *   range it needs, into a sparse mapping of the file's size (MAP_NORESERVE:
 *   pages never written are never resident).
 *
 * The ranges are those rv_elf_open() and rv_verdict_check() read: the
 * section name table, the symbol table and its string table, and the
 * sections named in verdict_sections[]. The engine is told which ranges are
 * loaded and refuses to read anything else, so a range missing here is an
 * error in the verdict, never a verdict on zeros.
 */
#define WINDOW		 (64 << 10) /* at most; a quarter of the budget */
#define MIN_BUDGET	 4096
#define TAIL		 (sizeof(SIG_MARKER) - 1 + SIG_INFO_SIZE)
#define SCRATCH		 (64 << 10)
#define MAX_PASS	 4
#define MODFILE_MAX_FILE (1ULL << 31) /* as read_file() */

/* The sections the verdict reads by name (lib/verdict.c). */
static const char *const verdict_sections[] = { ".modinfo", RV_STAMP_SECTION };

struct modreader {
	struct unpacker *u;
	uint8_t *buf; /* the whole-image buffer, budget bytes */
	size_t budget;
	size_t window; /* kept before the section headers in pass 1 */
	uint8_t *scratch;
};

struct modreader *modreader_new(size_t budget)
{
	struct modreader *r = xcalloc(1, sizeof(*r));

	r->u = unpacker_new();
	r->budget = budget < MIN_BUDGET ? MIN_BUDGET : budget;
	r->window = r->budget / 4 < WINDOW ? r->budget / 4 : WINDOW;
	r->buf = mmap(NULL, r->budget, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->buf == MAP_FAILED) {
		fprintf(stderr, "%s: out of memory\n", progname);
		exit(EXIT_TROUBLE);
	}
	r->scratch = xmalloc(SCRATCH);
	return r;
}

void modreader_free(struct modreader *r)
{
	if (!r)
		return;
	unpacker_free(r->u);
	munmap(r->buf, r->budget);
	free(r->scratch);
	free(r);
}

/* Adds [off, off + len) to m's loaded ranges, kept sorted and merged. */
static void add_loaded(struct modfile *m, uint64_t off, uint64_t len)
{
	struct rv_elf_range *r = m->ranges;
	uint32_t n = m->loaded.n, i, j;

	if (!len)
		return;
	for (i = 0; i < n && r[i].off < off; i++)
		;
	if (n == MODFILE_MAX_RANGES) {
		/* cannot happen with the few ranges the verdict needs: fail closed */
		return;
	}
	memmove(&r[i + 1], &r[i], (n - i) * sizeof(*r));
	r[i] = (struct rv_elf_range){ off, len };
	n++;
	for (i = 0, j = 0; i < n; i++) {
		if (j && r[i].off <= r[j - 1].off + r[j - 1].len) {
			uint64_t end = r[i].off + r[i].len;

			if (end > r[j - 1].off + r[j - 1].len)
				r[j - 1].len = end - r[j - 1].off;
		} else {
			r[j++] = r[i];
		}
	}
	m->loaded.n = j;
}

struct want {
	uint64_t off, len;
};

struct sparse {
	struct unpack_sink sink;
	struct modreader *r;
	struct modfile *m;
	uint64_t size; /* decompressed size (pass 2 on) */
	/* pass 1 */
	uint64_t win_off, win_len; /* the window kept before and over the section headers */
	uint8_t *win;
	uint8_t tail[TAIL];
	/* later passes: the ranges still to load */
	struct want want[MODFILE_MAX_RANGES];
	unsigned int nwant;
	bool names;	      /* the named sections were added to want */
	struct want names_at; /* the section name table, when in bounds */
};

static bool add_want(struct sparse *sp, uint64_t off, uint64_t len)
{
	if (!len || !rv_in_bounds(off, len, sp->size))
		return true; /* the engine refuses it from the section headers alone */
	if (sp->nwant == MODFILE_MAX_RANGES)
		return false;
	sp->want[sp->nwant++] = (struct want){ off, len };
	return true;
}

/*
 * The byte ranges the verdict reads, from the header and section headers
 * (and, once loaded, the section name table), as lib/elf.c finds them: the
 * engine refuses an image before reading a table whose bounds are wrong or
 * a second symbol table or section of a name, so only those it would read
 * are wanted.
 */
static void find_wanted(struct sparse *sp)
{
	const uint8_t *d = sp->m->data;
	struct rv_elf_shdr sh, names = { 0 };
	struct rv_elf elf = { .data = d, .size = sp->size, .loaded = &sp->m->loaded };
	uint64_t shoff = rv_le64(d + 40);
	uint32_t shnum = rv_le16(d + 60), shstrndx = rv_le16(d + 62), nsym = 0;
	bool have_names;

	sp->nwant = 0;
	elf.shoff = shoff;
	elf.shnum = shnum;
	if (!shnum || shnum >= RV_SHN_LORESERVE || rv_le16(d + 58) != RV_ELF_SHDR_SIZE ||
	    !rv_in_bounds(shoff, (uint64_t)shnum * RV_ELF_SHDR_SIZE, sp->size) ||
	    !rv_elf_is_loaded(&elf, shoff, (uint64_t)shnum * RV_ELF_SHDR_SIZE))
		return;
	if (shstrndx < shnum) {
		rv_elf_shdr(&elf, shstrndx, &names);
		if (!add_want(sp, names.offset, names.size))
			return;
	}
	for (uint32_t i = 1; i < shnum; i++) {
		rv_elf_shdr(&elf, i, &sh);
		if (sh.type == RV_SHT_SYMTAB && !nsym++) {
			struct rv_elf_shdr str;

			if (!add_want(sp, sh.offset, sh.size))
				return;
			if (sh.link && sh.link < shnum) {
				rv_elf_shdr(&elf, sh.link, &str);
				if (!add_want(sp, str.offset, str.size))
					return;
			}
		}
	}
	if (shstrndx < shnum && names.size && rv_in_bounds(names.offset, names.size, sp->size))
		sp->names_at = (struct want){ names.offset, names.size };
	have_names = sp->names_at.len && rv_elf_is_loaded(&elf, names.offset, names.size);
	sp->names = have_names;
	for (size_t k = 0; have_names && k < sizeof(verdict_sections) / sizeof(*verdict_sections);
	     k++) {
		const char *want = verdict_sections[k];
		uint32_t found = 0, at = 0;

		for (uint32_t i = 1; i < shnum; i++) {
			rv_elf_shdr(&elf, i, &sh);
			if (sh.name < names.size &&
			    !strncmp((const char *)d + names.offset + sh.name, want,
				     names.size - sh.name) &&
			    rv_strnlen((const char *)d + names.offset + sh.name,
				       names.size - sh.name) == strlen(want)) {
				found++;
				at = i;
			}
		}
		if (found == 1) {
			rv_elf_shdr(&elf, at, &sh);
			if (sh.type != RV_SHT_NOBITS && !add_want(sp, sh.offset, sh.size))
				return;
		}
	}
}

/* Drops from want what is loaded; copies what lies in the whole-image buffer. */
static void prune_wanted(struct sparse *sp, uint64_t in_buf)
{
	struct rv_elf elf = { .loaded = &sp->m->loaded };
	unsigned int j = 0;

	for (unsigned int i = 0; i < sp->nwant; i++) {
		struct want *w = &sp->want[i];

		if (w->off < in_buf && w->len <= in_buf - w->off) {
			memcpy(sp->m->data + w->off, sp->r->buf + w->off, w->len);
			add_loaded(sp->m, w->off, w->len);
		}
		if (!rv_elf_is_loaded(&elf, w->off, w->len))
			sp->want[j++] = *w;
	}
	sp->nwant = j;
}

static uint8_t *pass1_window(struct unpack_sink *sink, uint64_t off, size_t *len)
{
	struct sparse *sp = (struct sparse *)sink;
	struct modreader *r = sp->r;

	if (off < r->budget) {
		*len = r->budget - off;
		return r->buf + off;
	}
	if (off == r->budget && !sp->win) {
		/* the image does not fit: keep the window and the tail from here on */
		uint64_t shoff = rv_le64(r->buf + 40), shnum = rv_le16(r->buf + 60);

		sp->win_off = shoff > r->window ? shoff - r->window : 0;
		sp->win_len = r->window + shnum * RV_ELF_SHDR_SIZE;
		if (shoff < r->window)
			sp->win_len = shoff + shnum * RV_ELF_SHDR_SIZE;
		sp->win = xcalloc(1, sp->win_len ? sp->win_len : 1);
		if (sp->win_off < off) {
			uint64_t n =
				off - sp->win_off < sp->win_len ? off - sp->win_off : sp->win_len;
			memcpy(sp->win, r->buf + sp->win_off, n);
		}
		memcpy(sp->tail, r->buf + r->budget - TAIL, TAIL);
	}
	*len = SCRATCH;
	return r->scratch;
}

static int pass1_wrote(struct unpack_sink *sink, uint64_t off, const uint8_t *p, size_t n)
{
	struct sparse *sp = (struct sparse *)sink;
	uint64_t a, b;

	if (p != sp->r->scratch)
		return 0;
	a = off > sp->win_off ? off : sp->win_off;
	b = off + n < sp->win_off + sp->win_len ? off + n : sp->win_off + sp->win_len;
	if (a < b)
		memcpy(sp->win + (a - sp->win_off), p + (a - off), b - a);
	if (n >= TAIL) {
		memcpy(sp->tail, p + n - TAIL, TAIL);
	} else {
		memmove(sp->tail, sp->tail + n, TAIL - n);
		memcpy(sp->tail + TAIL - n, p, n);
	}
	return 0;
}

static uint8_t *passk_window(struct unpack_sink *sink, uint64_t off, size_t *len)
{
	struct sparse *sp = (struct sparse *)sink;
	uint64_t next = UINT64_MAX;

	if (!sp->nwant)
		return NULL;
	for (unsigned int i = 0; i < sp->nwant; i++) {
		struct want *w = &sp->want[i];

		if (w->off <= off && off < w->off + w->len) {
			*len = w->off + w->len - off;
			return sp->m->data + off;
		}
		if (w->off > off && w->off < next)
			next = w->off;
	}
	if (next == UINT64_MAX)
		return NULL; /* every range still wanted lies behind: next pass */
	*len = next - off < SCRATCH ? next - off : SCRATCH;
	return sp->r->scratch;
}

static int passk_wrote(struct unpack_sink *sink, uint64_t off, const uint8_t *p, size_t n)
{
	struct sparse *sp = (struct sparse *)sink;

	if (p == sp->r->scratch)
		return 0;
	add_loaded(sp->m, off, n);
	if (!sp->names && sp->names_at.len) {
		struct rv_elf elf = { .loaded = &sp->m->loaded };

		/* the section names just arrived: the named sections are wanted too */
		if (rv_elf_is_loaded(&elf, sp->names_at.off, sp->names_at.len))
			find_wanted(sp);
	}
	prune_wanted(sp, 0);
	return 0;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static int rewind_fd(int fd, const char *path)
{
	if (lseek(fd, 0, SEEK_SET) < 0) {
		rv_err("%s: cannot seek: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int read_sparse(struct modfile *m, struct sparse *sp, int fd, const struct codec *codec,
		       const struct stat *st)
{
	struct modreader *r = sp->r;
	uint64_t total;
	struct stat now;
	void *map;

	/* the whole file was decompressed once: its size is known */
	if (sp->size < RV_ELF_EHDR_SIZE + TAIL) {
		rv_err("%s: internal error: streamed image too small", m->path);
		return -1;
	}
	map = mmap(NULL, sp->size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED) {
		rv_err("%s: cannot map %llu bytes: %s", m->path, (unsigned long long)sp->size,
		       strerror(errno));
		return -1;
	}
	m->data = map;
	m->size = sp->size;
	m->sparse = true;
	m->loaded.r = m->ranges;
	memcpy(m->data, r->buf, RV_ELF_EHDR_SIZE);
	add_loaded(m, 0, RV_ELF_EHDR_SIZE);
	if (sp->win_off < sp->size) {
		uint64_t n =
			sp->size - sp->win_off < sp->win_len ? sp->size - sp->win_off : sp->win_len;

		memcpy(m->data + sp->win_off, sp->win, n);
		add_loaded(m, sp->win_off, n);
	}
	memcpy(m->data + sp->size - TAIL, sp->tail, TAIL);
	add_loaded(m, sp->size - TAIL, TAIL);
	free(sp->win);
	sp->win = NULL;

	find_wanted(sp);
	prune_wanted(sp, r->budget);
	sp->sink = (struct unpack_sink){ .window = passk_window, .wrote = passk_wrote };
	while (sp->nwant && m->passes < MAX_PASS) {
		struct unpack_src src = { .fd = fd };

		if (rewind_fd(fd, m->path))
			return -1;
		m->passes++;
		if (unpack_run(r->u, &src, codec, m->path, &sp->sink, &total) < 0)
			return -1;
		if (!sp->names)
			find_wanted(sp);
		prune_wanted(sp, r->budget);
	}
	/* what is still not loaded, the engine refuses to read */
	if (fstat(fd, &now) < 0 || !same_file(st, &now)) {
		rv_err("%s: the file changed while it was read", m->path);
		return -1;
	}
	return 0;
}

int modfile_read(struct modfile *m, struct modreader *r, const char *path, int fd,
		 const struct stat *st)
{
	struct sparse sp = { .sink = { .window = pass1_window, .wrote = pass1_wrote },
			     .r = r,
			     .m = m };
	struct unpack_src src = { .fd = fd };
	uint8_t head[12] = { 0 };
	uint64_t total;
	ssize_t n;
	const struct codec *codec;
	int err;

	memset(m, 0, sizeof(*m));
	m->path = xstrdup(path);
	m->io_error = true;
	if (!S_ISREG(st->st_mode)) {
		rv_err("%s: not a regular file", path);
		return -1;
	}
	if ((unsigned long long)st->st_size > MODFILE_MAX_FILE) {
		rv_err("%s: file too large (%lld bytes)", path, (long long)st->st_size);
		return -1;
	}
	do
		n = pread(fd, head, sizeof(head), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		rv_err("%s: read error: %s", path, strerror(errno));
		return -1;
	}
	m->io_error = false;
	codec = codec_of(head, (size_t)n);
	m->compression = codec->name;
	m->refusal = codec->refusal ? codec->refusal(head, (size_t)n) : NULL;
	m->passes = 1;
	err = unpack_run(r->u, &src, codec, path, &sp.sink, &total);
	if (err) {
		m->io_error = src.io_error;
		free(sp.win);
		return -1;
	}
	if (!codec->name && total != (uint64_t)st->st_size) {
		rv_err("%s: read error: file shrank while reading", path);
		m->io_error = true;
		free(sp.win);
		return -1;
	}
	if (total <= r->budget) {
		m->data = r->buf;
		m->size = total;
		m->borrowed = true;
		free(sp.win);
		return cut_signature(m);
	}
	sp.size = total;
	err = read_sparse(m, &sp, fd, codec, st);
	free(sp.win);
	if (err) {
		m->io_error = true; /* decompressed once already: the file or its reading */
		return -1;
	}
	return cut_signature(m);
}

int modfile_load(struct modfile *m, const char *path)
{
	uint8_t *raw;
	size_t len;

	if (read_file(path, &raw, &len)) {
		memset(m, 0, sizeof(*m));
		return -1;
	}
	return modfile_from_bytes(m, path, raw, len);
}

void modfile_close(struct modfile *m)
{
	free(m->path);
	if (m->sparse)
		munmap(m->data, m->size);
	else if (!m->borrowed)
		free(m->data);
	memset(m, 0, sizeof(*m));
}

const char *default_release(void)
{
	static struct utsname u;

	if (uname(&u) < 0)
		return "unknown";
	return u.release;
}

static void quiet_log(void *data, int priority, const char *file, int line, const char *fn,
		      const char *format, va_list args)
{
	(void)data;
	(void)priority;
	(void)file;
	(void)line;
	(void)fn;
	(void)format;
	(void)args;
}

char *module_dir(const char *basedir, const char *release)
{
	return xasprintf("%s/lib/modules/%s", basedir ? basedir : "",
			 release ? release : default_release());
}

static struct kmod_ctx *kmod_open(const char *dir)
{
	struct kmod_ctx *ctx = kmod_new(dir, NULL);

	if (ctx)
		kmod_set_log_fn(ctx, quiet_log, NULL);
	return ctx;
}

static void add_path(struct modlist *l, const char *path)
{
	l->paths = xrealloc(l->paths, (l->n + 1) * sizeof(char *));
	l->deps = xrealloc(l->deps, (l->n + 1) * sizeof(*l->deps));
	l->deps[l->n] = (struct moddeps){ 0 };
	l->paths[l->n++] = xstrdup(path);
}

/*
 * The dependencies of the last module added, as modules.dep lists them
 * (the whole closure, which modprobe loads first, the last one first).
 */
static void add_deps(struct modlist *l, struct kmod_module *mod)
{
	struct kmod_list *deps = kmod_module_get_dependencies(mod), *it;
	struct moddeps *d = &l->deps[l->n - 1];

	kmod_list_foreach (it, deps) {
		struct kmod_module *dep = kmod_module_get_module(it);
		const char *p = kmod_module_get_path(dep);

		if (p)
			moddeps_add(d, xstrdup(p), xstrdup(kmod_module_get_name(dep)));
		kmod_module_unref(dep);
	}
	kmod_module_unref_list(deps);
}

void moddeps_add(struct moddeps *d, char *path, char *name)
{
	d->paths = xrealloc(d->paths, (d->n + 1) * sizeof(char *));
	d->names = xrealloc(d->names, (d->n + 1) * sizeof(char *));
	d->paths[d->n] = path;
	d->names[d->n++] = name;
}

void moddeps_free(struct moddeps *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->paths[i]);
		free(d->names[i]);
	}
	free(d->paths);
	free(d->names);
}

void modlist_free(struct modlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		moddeps_free(&l->deps[i]);
		free(l->paths[i]);
	}
	free(l->paths);
	free(l->deps);
	memset(l, 0, sizeof(*l));
}

/* ".ko.xz, ... or .ko" in @s (@size bytes): the module file names of codecs[], for messages */
static const char *module_exts(char *s, size_t size)
{
	size_t n = 0;

	s[0] = '\0';
	for (size_t i = 0; i < ncodecs && n < size; i++)
		n += (size_t)snprintf(s + n, size - n, "%s.ko%s",
				      !i		? ""
				      : i + 1 < ncodecs ? ", "
							: " or ",
				      codecs[i].ext);
	return s;
}

/*
 * Every module file a name or alias stands for, as modprobe finds them
 * (kmod_module_new_from_lookup: modules.dep, modules.alias, modules.symbols,
 * modules.builtin): modprobe inserts each module an alias matches.
 */
static int lookup_module(struct modlist *l, const char *name, const char *basedir,
			 const char *release)
{
	struct kmod_list *list = NULL, *it;
	char *dir = module_dir(basedir, release);
	struct kmod_ctx *ctx;
	int err = -1;

	ctx = kmod_open(dir);
	if (!ctx) {
		rv_err("%s: cannot open the module directory", dir);
		goto out_dir;
	}
	if (kmod_module_new_from_lookup(ctx, name, &list) < 0 || !list) {
		char exts[128];
		struct stat st;
		bool exists = stat(name, &st) == 0;

		if (exists && !S_ISREG(st.st_mode))
			rv_err("%s: no module of that name in %s; the file of that name is "
			       "%s, so it is not taken for a module (kmod takes only "
			       "regular files)",
			       name, dir, file_type(st.st_mode));
		else if (exists)
			rv_err("%s: no module of that name in %s; the file of that name is "
			       "not taken for a module, as its name does not end in %s "
			       "(kmod's rule): write ./%s",
			       name, dir, module_exts(exts, sizeof(exts)), name);
		else
			rv_err("%s: no such file, and no module of that name in %s "
			       "(is modules.dep there? run depmod)",
			       name, dir);
		goto out;
	}
	kmod_list_foreach (it, list) {
		struct kmod_module *mod = kmod_module_get_module(it);
		const char *p = kmod_module_get_path(mod);

		if (p) { /* no path: built into the kernel */
			add_path(l, p);
			add_deps(l, mod);
		}
		kmod_module_unref(mod);
	}
	l->builtin = !l->n; /* modprobe: nothing to load, exit 0 */
	err = 0;
out:
	kmod_module_unref_list(list);
	kmod_unref(ctx);
out_dir:
	free(dir);
	return err;
}

/* kmod's path_ends_with_kmod_ext(): ".ko", then a format's suffix */
bool is_module_name(const char *path)
{
	size_t len = strlen(path);

	for (size_t i = 0; i < ncodecs; i++) {
		size_t n = strlen(codecs[i].ext) + 3;

		if (len > n && !memcmp(path + len - n, ".ko", 3) &&
		    !strcmp(path + len - n + 3, codecs[i].ext))
			return true;
	}
	return false;
}

/*
 * kmod's rule (modprobe's is_module_filename()): an argument is a file when
 * it is a regular file, symlinks followed, with a module extension;
 * anything else is a module name or alias. rustver also takes every
 * argument with a '/' for a path, so that a mistyped path is reported as
 * a missing file rather than as an unknown module name.
 */
int module_resolve(struct modlist *l, const char *arg, const char *basedir, const char *release)
{
	struct stat st;

	memset(l, 0, sizeof(*l));
	if (strchr(arg, '/') ||
	    (stat(arg, &st) == 0 && S_ISREG(st.st_mode) && is_module_name(arg))) {
		add_path(l, arg);
		return 0;
	}
	l->by_name = true;
	return lookup_module(l, arg, basedir, release);
}

/*
 * The same, and the file's stat (symlinks followed) in *@st: true when it
 * could be had (one lstat() for a file that is not a link).
 */
char *shown_path_stat(const char *path, struct stat *st, bool *have)
{
	char *target, *s;

	*have = false;
	if (lstat(path, st))
		return xstrdup(path);
	if (!S_ISLNK(st->st_mode)) {
		*have = true;
		return xstrdup(path);
	}
	*have = stat(path, st) == 0;
	target = realpath(path, NULL);
	if (!target)
		return xstrdup(path);
	s = xasprintf("%s -> %s", path, target);
	free(target);
	return s;
}

/* "PATH", or "PATH -> TARGET" when PATH is a symlink; caller frees. */
char *shown_path(const char *path)
{
	struct stat st;
	bool have;

	return shown_path_stat(path, &st, &have);
}
