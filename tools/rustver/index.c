// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: the index of check --all. For each module file of a tree it
 * keeps what the verdict is computed from, keyed by what any change to the
 * file changes (device, inode, size, modification and change times in ns,
 * and the path), so that a repeat run decompresses nothing and a changed
 * file is read again. The verdict itself is computed again from the kept
 * inputs, against the table of this run, by the same engine:
 *
 *   - a module with Rust imports is kept as a small ELF image holding what
 *     rv_verdict_check() reads of it: its undefined symbols whose names start
 *     with "_R" and its livepatch references (in their order), "intree=Y" in
 *     .modinfo when it has an intree entry, the stamp it has (an allocated
 *     section and its symbol) or an old stamp section no symbol names; the
 *     image is made, then checked to give the very verdict the module gave,
 *     or the module is not kept;
 *   - a module without Rust imports, or one the engine refuses (malformed
 *     ELF, stamp or symbol), is kept as that outcome, which no table changes;
 *   - a file that could not be decompressed is kept as that, with its
 *     messages;
 *
 * and each with what kmod or the kernel would refuse in it, what the
 * loader's own checks read of it (loader.c: its vermagic, whether it has
 * __versions), and the messages its reading printed. Files that could not be read at all are not kept.
 *
 * The file (little-endian): a 32-byte header (magic "RVINDEX\0", version,
 * record count, payload size, CRC-32 of header and payload), then the
 * payload: the module directory and the identity (GNU build ID) of the
 * rustver that wrote it, each a u16 length and a NUL-terminated string, then
 * the records, sorted by path. Anything wrong with it (short, bad magic,
 * other version, CRC mismatch, a record out of bounds or order, another
 * directory or another rustver build) and it is ignored and rebuilt; it is
 * written through replace.c (a new file renamed over it, a symlink's target
 * replaced). A file that does not even start with the magic is not an index
 * (modules.dep given as --index): warned about, read as no index and never
 * overwritten.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <rustver/elf.h>

#include "rustver.h"

#define IX_MAGIC   "RVINDEX"
#define IX_VERSION INDEX_FORMAT_VERSION
#define IX_HDR	   32

enum { IX_LOADFAIL = 1, IX_FIXED = 2, IX_IMAGE = 3 };
/* the load facts' flags: a u8, then the vermagic (a string, empty: none) */
enum { IX_FACTS = 1, IX_VERSIONS = 2, IX_MODINFO = 4, IX_VERMAGIC = 8 };

struct ix_ent {
	const char *rel;
	struct ix_key key;
	const uint8_t *rec; /* the whole record */
	uint32_t len;
};

struct index {
	uint8_t *buf; /* the file read */
	size_t size;
	struct ix_ent *e;
	size_t n;
	bool read;    /* a file was read: @st is its stat, the one index_write() replaces */
	bool foreign; /* a file that is not an index: never overwritten */
	struct stat st;
};

/* ---- bytes */

struct wbuf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct wbuf *b, const void *p, size_t n)
{
	if (!n)
		return;
	if (b->cap - b->len < n) {
		while (b->cap - b->len < n)
			b->cap = b->cap ? 2 * b->cap : 4096;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void put8(struct wbuf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void put16(struct wbuf *b, uint16_t v)
{
	uint8_t x[2];

	rv_put_le16(x, v);
	put(b, x, 2);
}

static void put32(struct wbuf *b, uint32_t v)
{
	uint8_t x[4];

	rv_put_le32(x, v);
	put(b, x, 4);
}

static void put64(struct wbuf *b, uint64_t v)
{
	uint8_t x[8];

	rv_put_le64(x, v);
	put(b, x, 8);
}

/* a string of at most 65534 bytes, u16 length with its NUL */
static void put_str(struct wbuf *b, const char *s, size_t n)
{
	if (n > 0xfffe)
		n = 0xfffe;
	put16(b, (uint16_t)(n + 1));
	put(b, s, n);
	put8(b, 0);
}

struct rbuf {
	const uint8_t *p;
	size_t len, at;
	bool bad;
};

static const uint8_t *get(struct rbuf *r, size_t n)
{
	const uint8_t *p;

	if (r->bad || r->len - r->at < n) {
		r->bad = true;
		return NULL;
	}
	p = r->p + r->at;
	r->at += n;
	return p;
}

static uint8_t get8(struct rbuf *r)
{
	const uint8_t *p = get(r, 1);

	return p ? p[0] : 0;
}

static uint16_t get16(struct rbuf *r)
{
	const uint8_t *p = get(r, 2);

	return p ? rv_le16(p) : 0;
}

static uint32_t get32(struct rbuf *r)
{
	const uint8_t *p = get(r, 4);

	return p ? rv_le32(p) : 0;
}

static uint64_t get64(struct rbuf *r)
{
	const uint8_t *p = get(r, 8);

	return p ? rv_le64(p) : 0;
}

/* a NUL-terminated string (NULL when the length is 0) */
static const char *get_str(struct rbuf *r)
{
	uint16_t n = get16(r);
	const uint8_t *p;

	if (!n)
		return NULL;
	p = get(r, n);
	if (!p || p[n - 1]) {
		r->bad = true;
		return NULL;
	}
	return (const char *)p;
}

/*
 * The load facts of a record: its flags, then the vermagic; in *@f when
 * given (NULL vermagic: none). Return: 1, 0 for a record without facts
 * (a file whose ELF could not be read), -1 when malformed.
 */
static int get_facts(struct rbuf *r, struct load_facts *f)
{
	uint8_t fl = get8(r);
	const char *vm = get_str(r);

	if (fl & ~(IX_FACTS | IX_VERSIONS | IX_MODINFO | IX_VERMAGIC) ||
	    !!vm != !!(fl & IX_VERMAGIC) || (!(fl & IX_FACTS) && fl) || r->bad)
		return -1;
	if (f)
		*f = (struct load_facts){ .vermagic = vm,
					  .vermagic_len = vm ? strlen(vm) : 0,
					  .has_modinfo = fl & IX_MODINFO,
					  .versions = fl & IX_VERSIONS };
	return fl & IX_FACTS ? 1 : 0;
}

/* The load facts @f (NULL: none) of a record. */
static void put_facts(struct wbuf *b, const struct load_facts *f)
{
	uint8_t fl = 0;

	if (f)
		fl = IX_FACTS | (f->versions ? IX_VERSIONS : 0) |
		     (f->has_modinfo ? IX_MODINFO : 0) | (f->vermagic ? IX_VERMAGIC : 0);
	put8(b, fl);
	if (f && f->vermagic)
		put_str(b, f->vermagic, f->vermagic_len);
	else
		put16(b, 0);
}

/* ---- keys and identity */

void ix_key_of(struct ix_key *k, const struct stat *st)
{
	*k = (struct ix_key){
		.dev = (uint64_t)st->st_dev,
		.ino = (uint64_t)st->st_ino,
		.size = (uint64_t)st->st_size,
		.mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec,
		.ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec,
	};
}

static bool same_key(const struct ix_key *a, const struct ix_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

static int note_id(struct dl_phdr_info *info, size_t size, void *arg)
{
	char *id = arg;

	(void)size;
	/* the first object is the program itself */
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_NOTE &&
		    !rv_elf_note_build_id((const void *)(info->dlpi_addr + ph->p_vaddr),
					  ph->p_memsz, id, 130))
			return 1;
	}
	return 1;
}

/*
 * Which rustver wrote an index: the GNU build ID of this program (any change
 * to the engine or the helper changes it), else a CRC-32 of its file.
 */
static const char *self_id(void)
{
	static char id[131];
	uint8_t *exe;
	size_t len;

	if (id[0])
		return id;
	dl_iterate_phdr(note_id, id);
	if (id[0])
		return id;
	if (!read_file("/proc/self/exe", &exe, &len)) {
		snprintf(id, sizeof(id), "crc32:%08x:%zu", crc32_buf(exe, len), len);
		free(exe);
	} else {
		snprintf(id, sizeof(id), "version:%s", RUSTVER_VERSION);
	}
	return id;
}

char *index_default_path(const char *dir)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a of the module directory */
	char *base, *path;

	for (const char *p = dir; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	if (xdg && xdg[0] == '/')
		base = xasprintf("%s/rustver", xdg);
	else if (geteuid() == 0)
		base = xstrdup("/var/cache/rustver");
	else if (home && home[0] == '/')
		base = xasprintf("%s/.cache/rustver", home);
	else
		return NULL;
	path = xasprintf("%s/index/check-%016llx.idx", base, (unsigned long long)h);
	free(base);
	return path;
}

/* ---- reading */

static int cmp_ent(const void *a, const void *b)
{
	return strcmp(((const struct ix_ent *)a)->rel, ((const struct ix_ent *)b)->rel);
}

/* Validates one record fully, so that replaying it cannot fail. */
static bool parse_record(struct ix_ent *e, const uint8_t *p, uint32_t len)
{
	struct rbuf r = { .p = p, .len = len };
	uint8_t kind;
	int facts;

	get32(&r);
	e->rel = get_str(&r);
	e->key.dev = get64(&r);
	e->key.ino = get64(&r);
	e->key.size = get64(&r);
	e->key.mtime_ns = (int64_t)get64(&r);
	e->key.ctime_ns = (int64_t)get64(&r);
	kind = get8(&r);
	get_str(&r); /* refusal */
	facts = get_facts(&r, NULL);
	if (facts < 0 || (kind == IX_LOADFAIL && facts))
		return false;
	get(&r, get32(&r)); /* messages */
	switch (kind) {
	case IX_LOADFAIL: break;
	case IX_FIXED: {
		uint8_t result = get8(&r);

		get8(&r);
		get32(&r);
		get32(&r);
		if (!get_str(&r) || !get_str(&r)) /* where, why */
			return false;
		get_str(&r);
		get32(&r);
		if (result != RV_RESULT_NOT_RUST && result != RV_RESULT_ERROR)
			return false;
		break;
	}
	case IX_IMAGE: get(&r, get32(&r)); break;
	default: return false;
	}
	e->rec = p;
	e->len = len;
	return !r.bad && e->rel && r.at == len;
}

static struct index *index_parse(uint8_t *buf, size_t size, const char *dir, const char **why)
{
	struct index *ix;
	struct rbuf r;
	uint32_t count;
	uint64_t plen;
	const char *d, *id;
	uLong crc;

	*why = NULL;
	if (size < IX_HDR || memcmp(buf, IX_MAGIC, 8)) {
		*why = "not a rustver index";
		return NULL;
	}
	if (rv_le32(buf + 8) != IX_VERSION) {
		*why = "another version of the index format";
		return NULL;
	}
	count = rv_le32(buf + 12);
	plen = rv_le64(buf + 16);
	if (plen != size - IX_HDR) {
		*why = "truncated or overlong";
		return NULL;
	}
	crc = crc32(0, buf, 24);
	crc = crc32(crc, buf + IX_HDR, (uInt)plen);
	if ((uint32_t)crc != rv_le32(buf + 24)) {
		*why = "checksum mismatch";
		return NULL;
	}
	r = (struct rbuf){ .p = buf + IX_HDR, .len = plen };
	d = get_str(&r);
	id = get_str(&r);
	if (r.bad || !d || !id) {
		*why = "malformed";
		return NULL;
	}
	if (strcmp(d, dir) || strcmp(id, self_id())) {
		/* another tree, or another build of rustver: silently rebuilt */
		return NULL;
	}
	if (count > plen / 48) {
		*why = "malformed";
		return NULL;
	}
	ix = xcalloc(1, sizeof(*ix));
	ix->e = xcalloc(count ? count : 1, sizeof(*ix->e));
	for (uint32_t i = 0; i < count; i++) {
		uint32_t len;

		if (plen - r.at < 4 || (len = rv_le32(r.p + r.at)) < 4 || len > plen - r.at ||
		    !parse_record(&ix->e[i], r.p + r.at, len) ||
		    (i && cmp_ent(&ix->e[i - 1], &ix->e[i]) >= 0)) {
			*why = "malformed record";
			free(ix->e);
			free(ix);
			return NULL;
		}
		r.at += len;
	}
	if (r.at != plen) {
		*why = "malformed";
		free(ix->e);
		free(ix);
		return NULL;
	}
	ix->n = count;
	ix->buf = buf;
	ix->size = size;
	return ix;
}

const char *index_writer_id(void)
{
	return self_id();
}

struct index *index_from_bytes(uint8_t *buf, size_t size, const char *dir, const char **why)
{
	return index_parse(buf, size, dir, why);
}

const struct ix_rec *index_entry(const struct index *ix, size_t i)
{
	return ix && i < ix->n ? (const struct ix_rec *)&ix->e[i] : NULL;
}

/* Not a damaged index but another file: something, and no prefix of the magic. */
static bool foreign_file(const uint8_t *buf, size_t size)
{
	return size && memcmp(buf, IX_MAGIC, size < sizeof(IX_MAGIC) ? size : sizeof(IX_MAGIC));
}

struct index *index_open(const char *file, const char *dir)
{
	struct index *ix;
	const char *why;
	uint8_t *buf;
	size_t size;
	bool saved = rv_quiet;
	struct stat st;

	if (stat(file, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return xcalloc(1, sizeof(struct index));
	} else if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
		return xcalloc(1, sizeof(struct index)); /* --index /dev/null: nothing to read */
	}
	rv_quiet = true;
	if (read_file_stat(file, &buf, &size, &st)) {
		rv_quiet = saved;
		rv_warn("index %s: cannot read it: checking every module", file);
		return xcalloc(1, sizeof(struct index));
	}
	rv_quiet = saved;
	ix = index_parse(buf, size, dir, &why);
	if (!ix) {
		ix = xcalloc(1, sizeof(struct index));
		if (foreign_file(buf, size)) {
			rv_warn("index %s: not a rustver index: checking every module, and not "
				"overwriting it (give --index another file, or --no-index)",
				file);
			ix->foreign = true;
		} else if (why) {
			rv_warn("index %s: %s: ignored, rebuilt", file,
				size ? why : "an empty file");
		}
		free(buf);
	}
	ix->read = true;
	ix->st = st;
	return ix;
}

void index_free(struct index *ix)
{
	if (!ix)
		return;
	free(ix->e);
	free(ix->buf);
	free(ix);
}

size_t index_entries(const struct index *ix)
{
	return ix ? ix->n : 0;
}

const struct ix_rec *index_find(const struct index *ix, const char *rel, const struct ix_key *k)
{
	size_t lo = 0, hi = ix ? ix->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(rel, ix->e[mid].rel);

		if (!c)
			return same_key(&ix->e[mid].key, k) ? (const struct ix_rec *)&ix->e[mid]
							    : NULL;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* ---- records */

struct ix_new {
	struct wbuf b;
};

/*
 * A file's times tell a change only once they are older than the
 * filesystem's time granularity: on ext2/3, ext4 with 128-byte inodes (1 s)
 * or FAT (2 s), a file rewritten in the same second as it was read keeps
 * its size and times, and a record made from the first contents would be
 * taken for the second's (git's "racy clean" entries). So a module whose
 * modification or change time is less than IX_SETTLE_NS before now (or
 * ahead of the clock) is not kept: it is read again on the next run.
 */
#define IX_SETTLE_NS (3 * 1000000000LL)

static bool settled(const struct ix_key *k)
{
	struct timespec now;
	int64_t t;

	if (clock_gettime(CLOCK_REALTIME, &now))
		return false;
	t = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec - IX_SETTLE_NS;
	return k->mtime_ns < t && k->ctime_ns < t;
}

static struct ix_new *rec_start(const char *rel, const struct ix_key *k, uint8_t kind,
				const char *refusal, const struct load_facts *f)
{
	struct ix_new *n = xcalloc(1, sizeof(*n));

	put32(&n->b, 0); /* length, set by index_record_done() */
	put_str(&n->b, rel, strlen(rel));
	put64(&n->b, k->dev);
	put64(&n->b, k->ino);
	put64(&n->b, k->size);
	put64(&n->b, (uint64_t)k->mtime_ns);
	put64(&n->b, (uint64_t)k->ctime_ns);
	put8(&n->b, kind);
	if (refusal)
		put_str(&n->b, refusal, strlen(refusal));
	else
		put16(&n->b, 0);
	put_facts(&n->b, f);
	return n;
}

/* The ELF image that gives the verdict @v of the module @m (see the top). */
static bool make_image(struct wbuf *img, const struct modfile *m, const struct rv_verdict *v)
{
	struct wbuf str = { 0 }, sym = { 0 };
	static const char shstr[] = "\0.symtab\0.strtab\0.shstrtab\0.modinfo\0" RV_STAMP_SECTION;
	const uint8_t *stamp = NULL;
	struct rv_elf_shdr sh;
	struct rv_elf elf;
	uint64_t stamp_len = 0, off;
	uint32_t nsec, nsym = 1;
	uint8_t zero[RV_ELF_SYM_SIZE] = { 0 };

	if (rv_elf_open_loaded(&elf, m->data, m->elf_size, modfile_loaded(m)))
		return false;
	if (v->stamped) {
		stamp = v->stamp;
		stamp_len = v->stamp_size;
	} else if (v->old_stamp) {
		if (rv_elf_find_section(&elf, RV_STAMP_SECTION, &sh) || sh.type == RV_SHT_NOBITS)
			return false;
		stamp = rv_elf_section_data(&elf, &sh);
		stamp_len = sh.size;
	}
	put8(&str, 0);
	put(&sym, zero, sizeof(zero));
	for (uint32_t i = 1; i < elf.nsyms; i++) {
		struct rv_elf_sym s;
		uint8_t e[RV_ELF_SYM_SIZE] = { 0 };
		size_t len;

		if (rv_elf_sym(&elf, i, &s))
			goto fail;
		if (!(rv_elf_sym_undefined(&s) && s.name[0] == '_' && s.name[1] == 'R') &&
		    s.shndx != RV_SHN_LIVEPATCH)
			continue;
		len = rv_elf_sym_name_len(&s, s.name_max);
		rv_put_le32(e, (uint32_t)str.len);
		e[4] = s.info;
		rv_put_le16(e + 6, s.shndx);
		put(&sym, e, sizeof(e));
		put(&str, s.name, len);
		put8(&str, 0);
		nsym++;
	}
	if (v->stamped) {
		static const char name[] = RV_STAMP_SYMBOL;
		uint8_t e[RV_ELF_SYM_SIZE] = { 0 };
		uint16_t ndx = v->intree ? 5 : 4;

		rv_put_le32(e, (uint32_t)str.len);
		e[4] = 0x11; /* STB_GLOBAL, STT_OBJECT */
		rv_put_le16(e + 6, ndx);
		rv_put_le64(e + 16, stamp_len);
		put(&sym, e, sizeof(e));
		put(&str, name, sizeof(name));
	}
	/* header, .strtab, .shstrtab, .modinfo, stamp, .symtab, section headers */
	nsec = 4 + (v->intree ? 1 : 0) + (stamp ? 1 : 0);
	put(img, m->data, 16); /* e_ident */
	put16(img, 1);	       /* ET_REL */
	put16(img, rv_le16(m->data + 18));
	put32(img, 1);
	put64(img, 0);
	put64(img, 0);
	off = RV_ELF_EHDR_SIZE + str.len + sizeof(shstr);
	off += v->intree ? 9 : 0;
	off += stamp_len;
	off = (off + 7) & ~7ULL;
	put64(img, off + sym.len); /* e_shoff */
	put32(img, 0);
	put16(img, RV_ELF_EHDR_SIZE);
	put16(img, 0);
	put16(img, 0);
	put16(img, RV_ELF_SHDR_SIZE);
	put16(img, (uint16_t)nsec);
	put16(img, 3); /* .shstrtab */
	put(img, str.p, str.len);
	put(img, shstr, sizeof(shstr));
	if (v->intree)
		put(img, "intree=Y", 9);
	if (stamp)
		put(img, stamp, stamp_len);
	while (img->len % 8)
		put8(img, 0);
	put(img, sym.p, sym.len);
	/* section headers: name, type, flags, addr, offset, size, link, info, align, entsize */
	{
		struct img_shdr {
			uint32_t name, type;
			uint64_t off, size;
			uint32_t link;
			uint64_t flags;
		} s[6] = {
			{ 0, 0, 0, 0, 0, 0 },
			{ 1, RV_SHT_SYMTAB, off, sym.len, 2, 0 },
			{ 9, RV_SHT_STRTAB, RV_ELF_EHDR_SIZE, str.len, 0, 0 },
			{ 17, RV_SHT_STRTAB, RV_ELF_EHDR_SIZE + str.len, sizeof(shstr), 0, 0 },
		};
		uint64_t at = RV_ELF_EHDR_SIZE + str.len + sizeof(shstr);
		uint32_t k = 4;

		if (v->intree) {
			s[k++] = (struct img_shdr){ 27, RV_SHT_PROGBITS, at, 9, 0, 0 };
			at += 9;
		}
		if (stamp)
			s[k++] = (struct img_shdr){ 36, RV_SHT_PROGBITS,
						    at, stamp_len,
						    0,	v->stamped ? RV_SHF_ALLOC : 0 };
		for (uint32_t i = 0; i < nsec; i++) {
			put32(img, s[i].name);
			put32(img, s[i].type);
			put64(img, s[i].flags);
			put64(img, 0);
			put64(img, s[i].off);
			put64(img, s[i].size);
			put32(img, s[i].link);
			put32(img, 0);
			put64(img, 8);
			put64(img, s[i].type == RV_SHT_SYMTAB ? RV_ELF_SYM_SIZE : 0);
		}
	}
	free(str.p);
	free(sym.p);
	return nsym > 1;
fail:
	free(str.p);
	free(sym.p);
	return false;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The verdict the kept image gives is the module's own, field by field. */
static bool same_verdict(const struct rv_verdict *a, const struct rv_verdict *b)
{
	if (a->result != b->result || a->rust_imports != b->rust_imports ||
	    a->nfailed != b->nfailed || a->intree != b->intree || a->stamped != b->stamped ||
	    a->stamp_flags != b->stamp_flags || a->rustc_differs != b->rustc_differs ||
	    a->old_stamp != b->old_stamp || a->stamp_size != b->stamp_size ||
	    !same_str(a->stamp_rustc, b->stamp_rustc) || a->ncrates != b->ncrates)
		return false;
	for (uint32_t i = 0; i < a->ncrates; i++) {
		const struct rv_crate_verdict *x = &a->crates[i], *y = &b->crates[i];

		if (x->name_len != y->name_len || memcmp(x->name, y->name, x->name_len) ||
		    x->dis != y->dis || x->status != y->status ||
		    x->has_stamp_crc != y->has_stamp_crc ||
		    x->has_kernel_crc != y->has_kernel_crc || x->stamp_crc != y->stamp_crc ||
		    x->kernel_crc != y->kernel_crc || x->kernel_dis != y->kernel_dis ||
		    x->nsyms != y->nsyms || x->example_len != y->example_len ||
		    !same_str(x->example, y->example))
			return false;
	}
	return true;
}

struct ix_new *index_record_verdict(const char *rel, const struct ix_key *k,
				    const struct modfile *m, const struct rv_verdict *v,
				    const struct load_facts *f, const struct rv_table *t,
				    struct rv_verdict_scratch *scr)
{
	struct ix_new *n;

	if (!settled(k))
		return NULL; /* too recent to be told from a rewrite: read again */
	if (f && f->vermagic &&
	    (f->vermagic_len > 0xfffe || memchr(f->vermagic, 0, f->vermagic_len)))
		return NULL; /* not what a record's string keeps */
	if (v->result == RV_RESULT_NOT_RUST || v->result == RV_RESULT_ERROR) {
		if (v->stamped || v->stamp_rustc || v->rustc_differs)
			return NULL; /* not what the record keeps: not kept */
		n = rec_start(rel, k, IX_FIXED, m->refusal, f);
		put32(&n->b, 0); /* messages, set by index_record_done() */
		put8(&n->b, (uint8_t)v->result);
		put8(&n->b, v->intree);
		put32(&n->b, v->rust_imports);
		put32(&n->b, (uint32_t)v->err);
		put_str(&n->b, v->where ? v->where : "", v->where ? strlen(v->where) : 0);
		put_str(&n->b, v->why ? v->why : "", v->why ? strlen(v->why) : 0);
		if (v->bad_symbol)
			put_str(&n->b, v->bad_symbol, strnlen(v->bad_symbol, 201));
		else
			put16(&n->b, 0);
		put32(&n->b, v->bad_symbol_pos);
		return n;
	}
	{
		struct wbuf img = { 0 };
		struct rv_verdict *again = xmalloc(sizeof(*again));
		bool ok = make_image(&img, m, v);

		if (ok) {
			rv_verdict_check(img.p, img.len, t, scr, again);
			ok = same_verdict(v, again);
		}
		free(again);
		if (!ok || img.len > UINT32_MAX / 2) {
			free(img.p);
			return NULL;
		}
		n = rec_start(rel, k, IX_IMAGE, m->refusal, f);
		put32(&n->b, 0);
		put32(&n->b, (uint32_t)img.len);
		put(&n->b, img.p, img.len);
		free(img.p);
		return n;
	}
}

struct ix_new *index_record_copy(const struct ix_rec *rec)
{
	const struct ix_ent *e = (const struct ix_ent *)rec;
	struct ix_new *n = xcalloc(1, sizeof(*n));

	n->b.p = xmalloc(e->len);
	memcpy(n->b.p, e->rec, e->len);
	n->b.len = n->b.cap = e->len;
	return n;
}

struct ix_new *index_record_loadfail(const char *rel, const struct ix_key *k)
{
	struct ix_new *n;

	if (!settled(k))
		return NULL;
	n = rec_start(rel, k, IX_LOADFAIL, NULL, NULL);
	put32(&n->b, 0);
	return n;
}

/* Sets the messages (kept in their place: the u32 before the kind's fields). */
void index_record_done(struct ix_new *n, const char *msgs, size_t len)
{
	struct rbuf r = { .p = n->b.p, .len = n->b.len };
	struct wbuf tail = { 0 };
	size_t at;

	get32(&r);
	get_str(&r);
	get(&r, 41);
	get_str(&r);
	get_facts(&r, NULL);
	at = r.at; /* the messages, replaced */
	get(&r, get32(&r));
	put(&tail, n->b.p + r.at, n->b.len - r.at);
	n->b.len = at;
	put32(&n->b, (uint32_t)len);
	put(&n->b, msgs, len);
	put(&n->b, tail.p, tail.len);
	free(tail.p);
	rv_put_le32(n->b.p, (uint32_t)n->b.len);
	/* kept until the end of the run: no slack */
	n->b.p = xrealloc(n->b.p, n->b.len);
	n->b.cap = n->b.len;
}

void index_record_free(struct ix_new *n)
{
	if (n) {
		free(n->b.p);
		free(n);
	}
}

/* ---- replay */

int index_replay(const struct ix_rec *rec, const struct rv_table *t, struct rv_verdict_scratch *scr,
		 struct rv_verdict *v, struct load_facts *f, const char **refusal, FILE *msgs)
{
	int facts;
	const struct ix_ent *e = (const struct ix_ent *)rec;
	struct rbuf r = { .p = e->rec, .len = e->len };
	uint8_t kind;
	uint32_t n;
	const uint8_t *p;

	get32(&r);
	get_str(&r);
	get(&r, 40);
	kind = get8(&r);
	*refusal = get_str(&r);
	facts = get_facts(&r, f);
	n = get32(&r);
	p = get(&r, n);
	if (n)
		fwrite(p, 1, n, msgs);
	switch (kind) {
	case IX_FIXED:
		memset(v, 0, sizeof(*v));
		v->result = get8(&r);
		v->intree = get8(&r);
		v->rust_imports = get32(&r);
		v->err = (int)get32(&r);
		v->where = get_str(&r);
		v->why = get_str(&r);
		v->bad_symbol = get_str(&r);
		v->bad_symbol_pos = get32(&r);
		return facts;
	case IX_IMAGE:
		n = get32(&r);
		p = get(&r, n);
		rv_verdict_check(p, n, t, scr, v);
		return facts;
	}
	return -1; /* the file could not be decompressed: its messages say why */
}

int index_facts(const struct ix_rec *rec, struct load_facts *f)
{
	const struct ix_ent *e = (const struct ix_ent *)rec;
	struct rbuf r = { .p = e->rec, .len = e->len };

	get32(&r);
	get_str(&r);
	get(&r, 41);
	get_str(&r);
	return get_facts(&r, f) > 0 ? 1 : 0;
}

/* ---- writing */

int index_write(const struct index *ix, const char *file, const char *dir,
		struct ix_new *const *recs, size_t n)
{
	struct wbuf b = { 0 };
	uint8_t hdr[IX_HDR] = { 0 };
	const char *id = self_id();
	struct replace r;
	char *slash, *parent;
	uint32_t count = 0;
	uLong crc;
	int err = -1;

	if (ix && ix->foreign)
		return -1; /* index_open() said why */
	put_str(&b, dir, strlen(dir));
	put_str(&b, id, strlen(id));
	for (size_t i = 0; i < n; i++) {
		if (!recs[i])
			continue;
		put(&b, recs[i]->b.p, recs[i]->b.len);
		count++;
	}
	memcpy(hdr, IX_MAGIC, 8);
	rv_put_le32(hdr + 8, IX_VERSION);
	rv_put_le32(hdr + 12, count);
	rv_put_le64(hdr + 16, b.len);
	crc = crc32(0, hdr, 24);
	crc = crc32(crc, b.p, (uInt)b.len);
	rv_put_le32(hdr + 24, (uint32_t)crc);

	/* mkdir -p of the directory */
	parent = xstrdup(file);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		for (char *q = parent + 1; *q; q++) {
			if (*q != '/')
				continue;
			*q = '\0';
			mkdir(parent, 0755);
			*q = '/';
		}
		mkdir(parent, 0755);
	}
	free(parent);
	if (replace_file(&r, file, ix && ix->read ? &ix->st : NULL, hdr, IX_HDR, b.p, b.len))
		rv_warn("index %s: cannot write it (%s): the next run reads every module again",
			r.shown, r.why);
	else
		err = 0;
	replace_end(&r);
	free(b.p);
	return err;
}
