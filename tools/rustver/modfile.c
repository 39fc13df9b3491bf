// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: reading a module the way the kernel sees it. libkmod resolves
 * names as modprobe does and reads .modinfo; compressed modules (xz, zstd,
 * gzip, recognised by their magic) are decompressed here, and a signature
 * trailer is cut off, so the engine gets exactly the ELF image.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <libkmod.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <zlib.h>
#include <zstd.h>

#include "rustver.h"

#define SIG_MARKER	"~Module signature appended~\n"
#define SIG_INFO_SIZE	12 /* struct module_signature */

struct growbuf {
	uint8_t *p;
	size_t len, cap;
};

/* Largest decompressed module; the fuzzer lowers it. */
size_t modfile_max_size = (size_t)1 << 30;

static int grow(struct growbuf *b, const char *path)
{
	size_t cap = b->cap ? b->cap * 2 : 1 << 20;

	if (b->cap >= modfile_max_size) {
		rv_err("%s: decompresses to more than %zu bytes", path, modfile_max_size);
		return -1;
	}
	if (cap > modfile_max_size)
		cap = modfile_max_size;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
	return 0;
}

static int unxz(const uint8_t *in, size_t len, struct growbuf *out, const char *path)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret r;

	if (lzma_stream_decoder(&s, UINT64_MAX, 0) != LZMA_OK) {
		rv_err("%s: cannot start the xz decoder", path);
		return -1;
	}
	s.next_in = in;
	s.avail_in = len;
	do {
		if (out->len == out->cap && grow(out, path)) {
			lzma_end(&s);
			return -1;
		}
		s.next_out = out->p + out->len;
		s.avail_out = out->cap - out->len;
		r = lzma_code(&s, LZMA_FINISH);
		out->len = out->cap - s.avail_out;
	} while (r == LZMA_OK);
	lzma_end(&s);
	if (r != LZMA_STREAM_END) {
		rv_err("%s: corrupt xz data (liblzma error %d)", path, (int)r);
		return -1;
	}
	return 0;
}

static int unzstd(const uint8_t *in, size_t len, struct growbuf *out, const char *path)
{
	ZSTD_DStream *z = ZSTD_createDStream();
	ZSTD_inBuffer ib = { in, len, 0 };
	size_t r = 1;

	if (!z) {
		rv_err("%s: cannot start the zstd decoder", path);
		return -1;
	}
	ZSTD_initDStream(z);
	while (ib.pos < ib.size || r != 0) {
		ZSTD_outBuffer ob;

		if (out->len == out->cap && grow(out, path))
			goto fail;
		ob = (ZSTD_outBuffer){ out->p, out->cap, out->len };
		r = ZSTD_decompressStream(z, &ob, &ib);
		out->len = ob.pos;
		if (ZSTD_isError(r)) {
			rv_err("%s: corrupt zstd data: %s", path, ZSTD_getErrorName(r));
			goto fail;
		}
		if (r != 0 && ib.pos == ib.size && ob.pos < ob.size) {
			rv_err("%s: truncated zstd data", path);
			goto fail;
		}
	}
	ZSTD_freeDStream(z);
	return 0;
fail:
	ZSTD_freeDStream(z);
	return -1;
}

static int ungzip(const uint8_t *in, size_t len, struct growbuf *out, const char *path)
{
	z_stream s = { 0 };
	int r;

	if (inflateInit2(&s, 15 + 16) != Z_OK) {
		rv_err("%s: cannot start the gzip decoder", path);
		return -1;
	}
	s.next_in = (Bytef *)in;
	s.avail_in = (uInt)len;
	do {
		if (out->len == out->cap && grow(out, path)) {
			inflateEnd(&s);
			return -1;
		}
		s.next_out = out->p + out->len;
		s.avail_out = (uInt)(out->cap - out->len);
		r = inflate(&s, Z_NO_FLUSH);
		out->len = out->cap - s.avail_out;
	} while (r == Z_OK);
	inflateEnd(&s);
	if (r != Z_STREAM_END) {
		rv_err("%s: corrupt or truncated gzip data", path);
		return -1;
	}
	return 0;
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

/*
 * A zstd skippable frame (magic 0x184D2A50 to 0x184D2A5F, little-endian),
 * as pzstd writes before every frame.
 */
static bool zstd_skippable(const uint8_t *p, size_t len)
{
	return len >= 4 && (p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d && p[3] == 0x18;
}

/*
 * The kernel's xz decoder (XZ Embedded, Documentation/staging/xz.rst) knows
 * only the CRC32 integrity check, or none: a kernel that decompresses
 * modules itself (CONFIG_MODULE_DECOMPRESS with xz, as Debian's), to which
 * kmod hands a .ko.xz through finit_module(), refuses CRC64 (xz's default)
 * and SHA-256. Kbuild compresses with --check=crc32.
 */
static const char *xz_refusal(const uint8_t *p, size_t len)
{
	/* stream header: magic, then the stream flags 0x00 and the check type */
	if (len < 12 || p[6] != 0 || (p[7] & 0x0f) <= 1)
		return NULL;
	switch (p[7] & 0x0f) {
	case 4:
		return "xz data with a CRC64 integrity check (xz's default): the kernel's xz "
		       "decoder knows only CRC32, so a kernel that decompresses modules "
		       "itself (CONFIG_MODULE_DECOMPRESS, as Debian's), to which modprobe "
		       "hands the file, would refuse it; recompress with "
		       "'xz --check=crc32 --lzma2=dict=1MiB', as Kbuild does";
	case 10:
		return "xz data with a SHA-256 integrity check: the kernel's xz decoder knows "
		       "only CRC32, so a kernel that decompresses modules itself "
		       "(CONFIG_MODULE_DECOMPRESS, as Debian's), to which modprobe hands the "
		       "file, would refuse it; recompress with "
		       "'xz --check=crc32 --lzma2=dict=1MiB', as Kbuild does";
	default:
		return "xz data with an integrity check other than CRC32: the kernel's xz "
		       "decoder knows only CRC32, so a kernel that decompresses modules "
		       "itself (CONFIG_MODULE_DECOMPRESS, as Debian's) would refuse it; "
		       "recompress with 'xz --check=crc32 --lzma2=dict=1MiB', as Kbuild does";
	}
}

int modfile_from_bytes(struct modfile *m, const char *path, uint8_t *raw, size_t len)
{
	static const uint8_t xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	static const uint8_t zst[] = { 0x28, 0xb5, 0x2f, 0xfd };
	static const uint8_t gz[] = { 0x1f, 0x8b };
	struct growbuf out = { 0 };
	int err = 0;

	memset(m, 0, sizeof(*m));
	m->path = xstrdup(path);
	/* the magics kmod's libkmod-file.c and the kernel's decompress.c know */
	if (len >= sizeof(xz) && !memcmp(raw, xz, sizeof(xz))) {
		m->compression = "xz";
		m->refusal = xz_refusal(raw, len);
		err = unxz(raw, len, &out, path);
	} else if (len >= sizeof(zst) && !memcmp(raw, zst, sizeof(zst))) {
		m->compression = "zstd";
		err = unzstd(raw, len, &out, path);
	} else if (zstd_skippable(raw, len)) {
		/*
		 * Read, so that show can tell what is inside; but kmod and the
		 * kernel know zstd only by its frame magic: they take this file
		 * for an uncompressed module, and the kernel refuses its bytes.
		 */
		m->compression = "zstd";
		m->refusal = "zstd data that starts with a skippable frame (as pzstd writes): "
			     "kmod and the kernel recognise zstd only by the frame magic "
			     "28 b5 2f fd, so they would load the compressed bytes as they are "
			     "and the kernel would refuse them (invalid module format); "
			     "recompress with 'zstd'";
		err = unzstd(raw, len, &out, path);
	} else if (len >= sizeof(gz) && !memcmp(raw, gz, sizeof(gz))) {
		m->compression = "gzip";
		err = ungzip(raw, len, &out, path);
	} else {
		m->data = raw;
		m->size = len;
		return cut_signature(m);
	}
	free(raw);
	if (err) {
		free(out.p);
		return -1;
	}
	m->data = out.p;
	m->size = out.len;
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
	l->paths[l->n++] = xstrdup(path);
}

void modlist_free(struct modlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	memset(l, 0, sizeof(*l));
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
		struct stat st;

		if (stat(name, &st) == 0)
			rv_err("%s: no module of that name in %s; the file of that name is "
			       "not taken for a module, as its name does not end in .ko, "
			       ".ko.xz, .ko.zst or .ko.gz (kmod's rule): write ./%s",
			       name, dir, name);
		else
			rv_err("%s: no such file, and no module of that name in %s "
			       "(is modules.dep there? run depmod)",
			       name, dir);
		goto out;
	}
	kmod_list_foreach (it, list) {
		struct kmod_module *mod = kmod_module_get_module(it);
		const char *p = kmod_module_get_path(mod);

		if (p) /* no path: built into the kernel */
			add_path(l, p);
		kmod_module_unref(mod);
	}
	if (!l->n)
		rv_err("%s: built into the kernel, not a loadable module", name);
	else
		err = 0;
out:
	kmod_module_unref_list(list);
	kmod_unref(ctx);
out_dir:
	free(dir);
	return err;
}

/* kmod's path_ends_with_kmod_ext() */
bool is_module_name(const char *path)
{
	static const char *const ext[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
	size_t len = strlen(path);

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t n = strlen(ext[i]);

		if (len > n && !strcmp(path + len - n, ext[i]))
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

/* "PATH", or "PATH -> TARGET" when PATH is a symlink; caller frees. */
char *shown_path(const char *path)
{
	char *target, *s;
	struct stat st;

	if (lstat(path, &st) || !S_ISLNK(st.st_mode))
		return xstrdup(path);
	target = realpath(path, NULL);
	if (!target)
		return xstrdup(path);
	s = xasprintf("%s -> %s", path, target);
	free(target);
	return s;
}
