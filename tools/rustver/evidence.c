// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: the evidence of what a module was built against, from Kbuild's
 * own records beside it.
 *
 *   DIR/M.mod              the module's objects, one a line, relative to the
 *                          directory make ran in (M= for an out-of-tree
 *                          module, the kernel tree for an in-tree one)
 *   .../.OBJ.o.cmd         per object: "savedcmd_OBJ.o := COMMAND", then
 *                          "deps_OBJ.o := \" and one dependency a line;
 *                          Kbuild compiles Rust with -Zbinary_dep_depinfo=y,
 *                          so every .rmeta rustc read is listed, by the path
 *                          rustc saw
 *   .../.OBJ.o.rmeta-sha256  per object compiled by scripts/rustver-rustc
 *                          (rustver.mk, dkms-make): rustc's own dep-info
 *                          lines "# checksum:sha256=HEX file_len:BYTES PATH"
 *                          (-Zchecksum-hash-algorithm=sha256, rustc >= 1.82)
 *                          for the .rmeta files it read
 *
 * The .rmeta files must all be in one tree's rust/ directory and exist.
 * Evidence by content: when the object's COMMAND is rustver-rustc's, each
 * .rmeta must have the length and SHA-256 rustc recorded, whatever its file
 * times (copies, touch, tar); the CRC is kept from the same bytes.
 * Evidence by times, for an object compiled by plain rustc (no record, or a
 * record that belongs to another compile), only when the caller accepts it
 * (stamp --by-times, with a warning): each .rmeta must be no newer (mtime,
 * and ctime, which a replacement cannot set back) than the object. Paths recorded in a chroot or a container are
 * mapped with --prefix-map RECORDED=HERE, never guessed.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "rustver.h"

#define SHA256_LEN 32
/* "# checksum:sha256=" + 64 hex digits + " file_len:" */
#define SUM_PREFIX "# checksum:sha256="

/* @path with the first matching RECORDED prefix replaced by HERE; caller frees. */
static char *map_path(const struct prefix_map *pm, const char *path)
{
	for (size_t i = 0; pm && i < pm->n; i++) {
		size_t n = strlen(pm->from[i]);

		if (n == 1 && path[0] == '/') /* RECORDED is the root: every absolute path */
			return xasprintf("%s%s", strcmp(pm->to[i], "/") ? pm->to[i] : "", path);
		if (!strncmp(path, pm->from[i], n) && (path[n] == '/' || path[n] == '\0'))
			return xasprintf("%s%s", pm->to[i], path + n);
	}
	return xstrdup(path);
}

int prefix_map_add(struct prefix_map *pm, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1] || arg[0] != '/' || eq[1] != '/') {
		rv_err("--prefix-map '%s': expected RECORDED=HERE, two absolute paths", arg);
		return -1;
	}
	pm->from = xrealloc(pm->from, (pm->n + 1) * sizeof(*pm->from));
	pm->to = xrealloc(pm->to, (pm->n + 1) * sizeof(*pm->to));
	pm->from[pm->n] = xasprintf("%.*s", (int)(eq - arg), arg);
	pm->to[pm->n] = xstrdup(eq + 1);
	/* "/build/" and "/build" alike */
	while (strlen(pm->from[pm->n]) > 1 && pm->from[pm->n][strlen(pm->from[pm->n]) - 1] == '/')
		pm->from[pm->n][strlen(pm->from[pm->n]) - 1] = '\0';
	while (strlen(pm->to[pm->n]) > 1 && pm->to[pm->n][strlen(pm->to[pm->n]) - 1] == '/')
		pm->to[pm->n][strlen(pm->to[pm->n]) - 1] = '\0';
	pm->n++;
	return 0;
}

void prefix_map_free(struct prefix_map *pm)
{
	for (size_t i = 0; i < pm->n; i++) {
		free(pm->from[i]);
		free(pm->to[i]);
	}
	free(pm->from);
	free(pm->to);
	memset(pm, 0, sizeof(*pm));
}

/*
 * The whole of a build record, NUL-terminated (at most MAX_TEXT_SIZE bytes,
 * a regular file); NULL when it is absent or unreadable (then printed).
 */
static char *slurp_text(const char *path)
{
	struct text t;
	char *s;

	if (text_open(&t, path, MAX_TEXT_SIZE))
		return NULL;
	s = t.data;
	t.data = NULL;
	text_close(&t);
	return s;
}

/*
 * Adds @path (taken) once. @sum (NULL: by times) and @len: rustc's SHA-256
 * and length of it, which its bytes were shown to have, and @crc their CRC.
 * A second object that read the same file by times keeps the first one's
 * content proof; one by content upgrades an entry made by times.
 */
static void add_rmeta(struct evidence *e, char *path, const struct stat *st, uint32_t crc,
		      const uint8_t *sum, unsigned long long len)
{
	bool by_content = sum != NULL;
	size_t i;

	for (i = 0; i < e->nrmeta; i++) {
		if (!strcmp(e->rmeta[i], path) ||
		    (e->dev[i] == (uint64_t)st->st_dev && e->ino[i] == (uint64_t)st->st_ino)) {
			if (by_content && !e->by_content[i]) {
				/* an object by times read it first: shown by content now */
				e->by_content[i] = true;
				e->crc[i] = crc;
				memcpy(e->sum[i], sum, SHA256_LEN);
				e->len[i] = len;
			}
			free(path);
			return;
		}
	}
	e->rmeta = xrealloc(e->rmeta, (e->nrmeta + 1) * sizeof(*e->rmeta));
	e->crc = xrealloc(e->crc, (e->nrmeta + 1) * sizeof(*e->crc));
	e->by_content = xrealloc(e->by_content, (e->nrmeta + 1) * sizeof(*e->by_content));
	e->sum = xrealloc(e->sum, (e->nrmeta + 1) * sizeof(*e->sum));
	e->len = xrealloc(e->len, (e->nrmeta + 1) * sizeof(*e->len));
	if (sum)
		memcpy(e->sum[e->nrmeta], sum, SHA256_LEN);
	else
		memset(e->sum[e->nrmeta], 0, sizeof(*e->sum));
	e->len[e->nrmeta] = len;
	e->dev = xrealloc(e->dev, (e->nrmeta + 1) * sizeof(*e->dev));
	e->ino = xrealloc(e->ino, (e->nrmeta + 1) * sizeof(*e->ino));
	e->dev[e->nrmeta] = (uint64_t)st->st_dev;
	e->ino[e->nrmeta] = (uint64_t)st->st_ino;
	e->rmeta[e->nrmeta] = path;
	e->crc[e->nrmeta] = crc;
	e->by_content[e->nrmeta] = by_content;
	e->nrmeta++;
}

/*
 * The line of the object's recorded compile command in its .cmd file:
 * "savedcmd_OBJ := ..." since Linux 6.3 ("kbuild: rename cmd_$@ to savedcmd_$@
 * in *.cmd files"), "cmd_OBJ := ..." before. NULL if none.
 */
static const char *saved_command(const char *cmdtext)
{
	static const char *const keys[] = { "savedcmd_", "cmd_" };

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		for (const char *p = cmdtext; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
			if (!strncmp(p, keys[k], strlen(keys[k])))
				return p;
	}
	return NULL;
}

/*
 * The entry of the file @st when it was shown by content already, else -1:
 * then its recorded SHA-256 and length are compared with @sum and @len (the
 * same claim, or a record that contradicts itself) instead of hashing the
 * file again, so the work is bounded by the files, not by a record's lines.
 */
static long known_by_content(const struct evidence *e, const struct stat *st)
{
	for (size_t i = 0; i < e->nrmeta; i++)
		if (e->by_content[i] && e->dev[i] == (uint64_t)st->st_dev &&
		    e->ino[i] == (uint64_t)st->st_ino)
			return (long)i;
	return -1;
}

/*
 * Whether the word [@w, @end) is a shell variable assignment (NAME=value, as
 * Kbuild puts OBJTREE=... RUST_MODFILE=... before the compiler): a name of
 * [A-Za-z0-9_], not starting with a digit, then '='. The value may hold '/'.
 */
static bool is_assignment(const char *w, const char *end)
{
	const char *p = w;

	if (p == end || (*p >= '0' && *p <= '9'))
		return false;
	while (p < end && (*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			   (*p >= '0' && *p <= '9')))
		p++;
	return p > w && p < end && *p == '=';
}

/*
 * True when the object's recorded compile command runs scripts/rustver-rustc:
 * then its .rmeta-sha256 record was written by that compile (the wrapper
 * removes any older one first, and Kbuild recompiles when the command changes).
 * The compiler is the command's first word after its VAR=value assignments
 * (Kbuild's "OBJTREE=... RUST_MODFILE=... $(RUSTC) ..."), named by path.
 */
static bool compiled_by_wrapper(const char *cmdtext)
{
	const char *p = saved_command(cmdtext), *w, *end, *base, *eol;

	if (!p || !(w = strstr(p, " := ")) || ((eol = strchr(p, '\n')) && w > eol))
		return false;
	for (w += 4;; w = end) {
		while (*w == ' ' || *w == '\t')
			w++;
		end = w + strcspn(w, " \t\n");
		if (end == w)
			return false;
		if (!is_assignment(w, end))
			break; /* the compiler */
	}
	for (base = end; base > w && base[-1] != '/'; base--)
		;
	return (size_t)(end - base) == strlen("rustver-rustc") &&
	       !strncmp(base, "rustver-rustc", strlen("rustver-rustc"));
}

/* A lower-case hex digit's value (rustc writes them so), else -1. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * The SHA-256 and length rustc recorded for @token (a dependency path as the
 * .cmd file spells it) in the record text @sums; 0 when found, -1 if absent.
 */
static int recorded_sum(const char *sums, const char *token, uint8_t sum[SHA256_LEN],
			unsigned long long *len)
{
	size_t tlen = strlen(token);

	for (const char *l = sums; *l;) {
		const char *end = strchr(l, '\n'), *path;
		size_t llen = end ? (size_t)(end - l) : strlen(l);
		char *stop;

		if (llen > strlen(SUM_PREFIX) + 2 * SHA256_LEN + 10 &&
		    !strncmp(l, SUM_PREFIX, strlen(SUM_PREFIX)) &&
		    !strncmp(l + strlen(SUM_PREFIX) + 2 * SHA256_LEN, " file_len:", 10)) {
			const char *hex = l + strlen(SUM_PREFIX);

			errno = 0;
			*len = strtoull(hex + 2 * SHA256_LEN + 10, &stop, 10);
			path = stop + 1;
			if (!errno && stop > hex + 2 * SHA256_LEN + 10 && *stop == ' ' &&
			    (size_t)(l + llen - path) == tlen && !strncmp(path, token, tlen)) {
				for (int i = 0; i < 2 * SHA256_LEN; i++) {
					int d = hexval(hex[i]);

					if (d < 0)
						return -1;
					if (i % 2)
						sum[i / 2] |= (uint8_t)d;
					else
						sum[i / 2] = (uint8_t)(d << 4);
				}
				return 0;
			}
		}
		l += llen + (end ? 1 : 0);
	}
	return -1;
}

/*
 * Whether @path (here) holds the bytes rustc recorded (@sum, @len); the CRC
 * of the bytes read in @crc. 1: yes, 0: other bytes, -1: unreadable (printed).
 */
static int same_content(const char *path, const uint8_t sum[SHA256_LEN], unsigned long long len,
			uint32_t *crc)
{
	uint8_t *data, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t size;
	int same;

	if (read_file(path, &data, &size))
		return -1;
	if (!EVP_Digest(data, size, md, &mdlen, EVP_sha256(), NULL) || mdlen != SHA256_LEN) {
		rv_err("%s: SHA-256 failed (OpenSSL EVP_Digest)", path);
		free(data);
		return -1;
	}
	same = size == len && !memcmp(md, sum, SHA256_LEN);
	*crc = crc32_buf(data, size);
	free(data);
	return same;
}

/*
 * The .rmeta dependencies of object @obj (a path that exists), from its
 * .cmd file; @base is the directory make ran in, for relative paths. By
 * content when rustver-rustc compiled it and rustc recorded checksums; else
 * by times, and only when @by_times (--by-times: said in a warning, once per
 * module, through e->by_times), otherwise refused. A C object (no .rmeta in
 * its dependencies) adds nothing.
 */
static int object_deps(struct evidence *e, const char *module, const char *base, const char *obj,
		       const struct prefix_map *pm, bool by_times)
{
	char *copy = xstrdup(obj), *dir = dirname(copy), *cmd, *text, *p, *tok, *save = NULL;
	const char *file = strrchr(obj, '/') ? strrchr(obj, '/') + 1 : obj;
	char *sumfile = NULL, *sums = NULL;
	const char *why = NULL;
	struct stat ost, rst;
	int err = 0;

	cmd = xasprintf("%s/.%s.cmd", dir, file);
	text = slurp_text(cmd);
	if (!text) {
		rv_err("%s: no build record %s for its object %s", module, cmd, obj);
		err = -1;
		goto out;
	}
	if (stat(obj, &ost)) {
		rv_err("%s: %s: %s", module, obj, strerror(errno));
		err = -1;
		goto out;
	}
	p = strstr(text, "\ndeps_");
	if (!strstr(p ? p : text, ".rmeta"))
		goto out;
	sumfile = xasprintf("%s/.%s.rmeta-sha256", dir, file);
	if (!compiled_by_wrapper(text))
		why = "was compiled by plain rustc";
	else if (lstat(sumfile, &rst) && errno == ENOENT)
		why = "was compiled by rustver-rustc, which kept no checksums (its rustc is "
		      "older than 1.82, or the compile failed)";
	if (!why) {
		sums = slurp_text(sumfile);
		if (!sums) {
			err = -1;
			goto out;
		}
	}
	p = strstr(text, "\ndeps_");
	for (tok = strtok_r(p ? p : text, " \t\n\\", &save); tok;
	     tok = strtok_r(NULL, " \t\n\\", &save)) {
		size_t n = strlen(tok);
		uint8_t sum[SHA256_LEN];
		unsigned long long len;
		long known;
		uint32_t crc = 0;
		char *path, *rel;

		if (n < 7 || strcmp(tok + n - 6, ".rmeta"))
			continue;
		rel = tok[0] == '/' ? xstrdup(tok) : xasprintf("%s/%s", base, tok);
		path = map_path(pm, rel);
		free(rel);
		if (stat(path, &rst)) {
			if (!e->nmissing++)
				rv_err("%s: %s, which rustc read for %s (%s), is not here: %s%s",
				       module, path, obj, cmd, strerror(errno),
				       tok[0] == '/' && (!pm || !pm->n)
					       ? "; if the build ran in a chroot or a container, map its "
						 "paths with --prefix-map RECORDED=HERE"
					       : "");
			free(path);
			err = -1;
			continue;
		}
		if (sums) {
			int same;

			if (recorded_sum(sums, tok, sum, &len)) {
				rv_err("%s: %s names %s, but %s has no checksum of it in rustc's form "
				       "(\"" SUM_PREFIX
				       "HEX file_len:BYTES PATH\"): records of two "
				       "compiles, or edited; rebuild the module",
				       module, cmd, tok, sumfile);
				free(path);
				err = -1;
				continue;
			}
			known = known_by_content(e, &rst);
			if (known >= 0 &&
			    (e->len[known] != len || memcmp(e->sum[known], sum, SHA256_LEN))) {
				rv_err("%s: %s: rustc's records give two SHA-256 or lengths for one "
				       "file (%s, as %s and %s): rebuild the module",
				       module, sumfile, path, e->rmeta[known], tok);
				free(path);
				err = -1;
				continue;
			}
			if (known >= 0) {
				free(path);
				continue;
			}
			same = same_content(path, sum, len, &crc);
			if (same <= 0) {
				if (!same)
					rv_err("%s: %s is not the file %s was compiled against (rustc "
					       "recorded another SHA-256 or length in %s): rebuild the "
					       "module",
					       module, path, obj, sumfile);
				free(path);
				err = -1;
				continue;
			}
			add_rmeta(e, path, &rst, crc, sum, len);
			continue;
		}
		if (!by_times) {
			if (why)
				rv_err("%s: %s %s: nothing shows by content which .rmeta files it "
				       "read; build it with rustver.mk or dkms-make (Kbuild's "
				       "RUSTC=rustver-rustc), or give --by-times to trust file "
				       "times, or --unverified",
				       module, obj, why);
			why = NULL;
			free(path);
			err = -1;
			continue;
		}
		if (why && !e->by_times++)
			rv_warn("%s: %s %s: evidence by file times (--by-times), which a copy or a "
				"touch can fool",
				module, obj, why);
		why = NULL;
		if (rst.st_mtim.tv_sec > ost.st_mtim.tv_sec ||
		    (rst.st_mtim.tv_sec == ost.st_mtim.tv_sec &&
		     rst.st_mtim.tv_nsec > ost.st_mtim.tv_nsec) ||
		    rst.st_ctim.tv_sec > ost.st_mtim.tv_sec) {
			rv_err("%s: %s changed after %s was compiled against it: rebuild the module",
			       module, path, obj);
			free(path);
			err = -1;
			continue;
		}
		add_rmeta(e, path, &rst, 0, NULL, 0);
	}
out:
	free(sums);
	free(sumfile);
	free(text);
	free(cmd);
	free(copy);
	return err;
}

/*
 * The directory make ran in: the first of the module's directory and its
 * parents in which @rel (an object path from M.mod) exists.
 */
static char *find_base(const char *moddir, const char *rel)
{
	char *base = xstrdup(moddir);

	for (;;) {
		char *p = xasprintf("%s/%s", base, rel), *slash;
		struct stat st;

		if (!stat(p, &st) && S_ISREG(st.st_mode)) {
			free(p);
			return base;
		}
		free(p);
		slash = strrchr(base, '/');
		if (!slash || slash == base) {
			free(base);
			return NULL;
		}
		*slash = '\0';
	}
}

int evidence_load(struct evidence *e, const char *module, const struct prefix_map *pm,
		  bool by_times)
{
	char real[PATH_MAX], *moddir, *stem, *modfile, *list, *line, *save = NULL, *kdir;
	size_t n;
	int err = 0;

	memset(e, 0, sizeof(*e));
	if (!realpath(module, real)) {
		rv_err("%s: %s", module, strerror(errno));
		return -1;
	}
	moddir = xstrdup(real);
	*strrchr(moddir, '/') = '\0';
	stem = xstrdup(strrchr(real, '/') + 1);
	n = strlen(stem);
	if (n > 3 && !strcmp(stem + n - 3, ".ko"))
		stem[n - 3] = '\0';
	modfile = xasprintf("%s/%s.mod", moddir, stem);
	list = slurp_text(modfile);
	if (!list) {
		e->none = true;
		rv_err("%s: no build records beside it (%s): stamp it where it was built, "
		       "or give --unverified with --kdir or --table",
		       module, modfile);
		err = -1;
		goto out;
	}
	for (line = strtok_r(list, " \n", &save); line; line = strtok_r(NULL, " \n", &save)) {
		char *base = find_base(moddir, line), *obj;

		if (!base) {
			rv_err("%s: object %s (listed in %s) not found in %s or above", module,
			       line, modfile, moddir);
			err = -1;
			continue;
		}
		obj = xasprintf("%s/%s", base, line);
		if (object_deps(e, module, base, obj, pm, by_times))
			err = -1;
		free(obj);
		free(base);
	}
	if (e->nmissing > 1)
		rv_err("%s: ... and %u more of the .rmeta files it was built against are not here",
		       module, e->nmissing - 1);
	if (err)
		goto out;
	if (!e->nrmeta) {
		e->none = true;
		rv_err("%s: its build records (%s and the objects' .cmd files) name no .rmeta: "
		       "not built by Kbuild with Rust (-Zbinary_dep_depinfo)",
		       module, modfile);
		err = -1;
		goto out;
	}
	/* one tree: KDIR/rust/lib*.rmeta */
	for (size_t i = 0; i < e->nrmeta; i++) {
		char *c = xstrdup(e->rmeta[i]), *rustdir = dirname(c);

		kdir = xstrdup(rustdir);
		free(c);
		if (strlen(kdir) < 5 || strcmp(kdir + strlen(kdir) - 5, "/rust")) {
			rv_err("%s: %s is not in a kernel tree's rust/ directory", module,
			       e->rmeta[i]);
			free(kdir);
			err = -1;
			break;
		}
		kdir[strlen(kdir) - 5] = '\0';
		if (!e->kdir) {
			e->kdir = kdir;
		} else if (strcmp(e->kdir, kdir)) {
			rv_err("%s: built against two trees: %s and %s", module, e->kdir, kdir);
			free(kdir);
			err = -1;
			break;
		} else {
			free(kdir);
		}
	}
out:
	free(list);
	free(modfile);
	free(stem);
	free(moddir);
	if (err && !e->none)
		evidence_free(e);
	return err;
}

const struct evidence_rmeta *evidence_find(const struct evidence *e, const char *rmeta,
					   struct evidence_rmeta *found)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (!rmeta || !realpath(rmeta, a))
		return NULL;
	for (size_t i = 0; i < e->nrmeta; i++) {
		if (realpath(e->rmeta[i], b) && !strcmp(a, b)) {
			found->path = e->rmeta[i];
			found->by_content = e->by_content[i];
			found->crc = e->crc[i];
			return found;
		}
	}
	return NULL;
}

void evidence_free(struct evidence *e)
{
	for (size_t i = 0; i < e->nrmeta; i++)
		free(e->rmeta[i]);
	free(e->rmeta);
	free(e->crc);
	free(e->by_content);
	free(e->dev);
	free(e->ino);
	free(e->sum);
	free(e->len);
	free(e->kdir);
	memset(e, 0, sizeof(*e));
}
