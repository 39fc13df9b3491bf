// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: reading a module the way the kernel sees it. libkmod resolves
 * names as modprobe does and reads .modinfo; compressed modules (xz, zstd,
 * gzip, recognised by their magic) are decompressed here, and a signature
 * trailer is cut off, so the engine gets exactly the ELF image.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <libkmod.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <zlib.h>
#include <zstd.h>

#include "rustver.h"

#define MAX_MODULE_SIZE (1ULL << 30)
#define SIG_MARKER	"~Module signature appended~\n"
#define SIG_INFO_SIZE	12 /* struct module_signature */

struct growbuf {
	uint8_t *p;
	size_t len, cap;
};

static int grow(struct growbuf *b, const char *path)
{
	size_t cap = b->cap ? b->cap * 2 : 1 << 20;

	if (b->cap >= MAX_MODULE_SIZE) {
		rv_err("%s: decompresses to more than %llu bytes", path,
		       (unsigned long long)MAX_MODULE_SIZE);
		return -1;
	}
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

/* Finds the ELF length of a signed module; 0 if unsigned, -1 if corrupt. */
static int cut_signature(struct modfile *m)
{
	size_t mlen = sizeof(SIG_MARKER) - 1, sig;
	const uint8_t *info;

	m->elf_size = m->size;
	if (m->size < mlen || memcmp(m->data + m->size - mlen, SIG_MARKER, mlen))
		return 0;
	m->is_signed = true;
	if (m->size < mlen + SIG_INFO_SIZE) {
		rv_err("%s: truncated module signature", m->path);
		return -1;
	}
	info = m->data + m->size - mlen - SIG_INFO_SIZE;
	sig = (size_t)info[8] << 24 | (size_t)info[9] << 16 | (size_t)info[10] << 8 | info[11];
	if (sig > m->size - mlen - SIG_INFO_SIZE) {
		rv_err("%s: module signature longer than the file", m->path);
		return -1;
	}
	m->elf_size = m->size - mlen - SIG_INFO_SIZE - sig;
	return 0;
}

int modfile_load(struct modfile *m, const char *path)
{
	static const uint8_t xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	static const uint8_t zst[] = { 0x28, 0xb5, 0x2f, 0xfd };
	static const uint8_t gz[] = { 0x1f, 0x8b };
	struct growbuf out = { 0 };
	uint8_t *raw;
	size_t len;
	int err = 0;

	memset(m, 0, sizeof(*m));
	m->path = xstrdup(path);
	if (read_file(path, &raw, &len))
		return -1;
	if (len >= sizeof(xz) && !memcmp(raw, xz, sizeof(xz))) {
		m->compression = "xz";
		err = unxz(raw, len, &out, path);
	} else if (len >= sizeof(zst) && !memcmp(raw, zst, sizeof(zst))) {
		m->compression = "zstd";
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

/* Resolves a module name or alias to its file, as modprobe does. */
static char *lookup_module(const char *name, const char *basedir, const char *release)
{
	struct kmod_list *list = NULL, *l;
	char *dir = module_dir(basedir, release), *path = NULL;
	struct kmod_ctx *ctx;

	ctx = kmod_open(dir);
	if (!ctx) {
		rv_err("%s: cannot open the module directory", dir);
		free(dir);
		return NULL;
	}
	if (kmod_module_new_from_lookup(ctx, name, &list) < 0 || !list) {
		rv_err("%s: no such file, and no module of that name in %s "
		       "(is modules.dep there? run depmod)",
		       name, dir);
		goto out;
	}
	kmod_list_foreach (l, list) {
		struct kmod_module *mod = kmod_module_get_module(l);
		const char *p = kmod_module_get_path(mod);

		if (p && !path)
			path = xstrdup(p);
		kmod_module_unref(mod);
	}
	if (!path)
		rv_err("%s: built into the kernel, not a loadable module", name);
out:
	kmod_module_unref_list(list);
	kmod_unref(ctx);
	free(dir);
	return path;
}

int modfile_open(struct modfile *m, const char *module, const char *basedir, const char *release)
{
	struct stat st;
	char *path;
	int err;

	if (strchr(module, '/') || stat(module, &st) == 0)
		return modfile_load(m, module);
	path = lookup_module(module, basedir, release);
	if (!path) {
		memset(m, 0, sizeof(*m));
		return -1;
	}
	err = modfile_load(m, path);
	free(path);
	return err;
}

char *modfile_modinfo(const char *path, const char *key)
{
	struct kmod_list *info = NULL, *l;
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	char *value = NULL;

	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		return NULL;
	kmod_set_log_fn(ctx, quiet_log, NULL);
	if (kmod_module_new_from_path(ctx, path, &mod) < 0)
		goto out;
	if (kmod_module_get_info(mod, &info) < 0)
		goto out;
	kmod_list_foreach (l, info) {
		if (!strcmp(kmod_module_info_get_key(l), key)) {
			value = xstrdup(kmod_module_info_get_value(l));
			break;
		}
	}
	kmod_module_info_free_list(info);
out:
	if (mod)
		kmod_module_unref(mod);
	kmod_unref(ctx);
	return value;
}

static char **walk_paths;
static size_t walk_n;
static int walk_worst;

static bool is_module_name(const char *path)
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

static int walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DNR) {
		rv_err("%s: cannot read directory", path);
		walk_worst = EXIT_TROUBLE;
	}
	if (type != FTW_F || !is_module_name(path))
		return 0;
	walk_paths = xrealloc(walk_paths, (walk_n + 1) * sizeof(char *));
	walk_paths[walk_n++] = xstrdup(path);
	return 0;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int for_each_module_file(const char *dir, int (*fn)(const char *path, void *arg), void *arg)
{
	int worst;

	walk_paths = NULL;
	walk_n = 0;
	walk_worst = 0;
	if (nftw(dir, walk_one, 32, FTW_PHYS) < 0) {
		rv_err("%s: cannot walk: %s", dir, strerror(errno));
		return EXIT_TROUBLE;
	}
	worst = walk_worst;
	qsort(walk_paths, walk_n, sizeof(char *), cmp_path);
	for (size_t i = 0; i < walk_n; i++) {
		int r = fn(walk_paths[i], arg);

		if (r > worst)
			worst = r;
		free(walk_paths[i]);
	}
	free(walk_paths);
	if (!walk_n) {
		rv_err("%s: no modules found", dir);
		return EXIT_TROUBLE;
	}
	return worst;
}
