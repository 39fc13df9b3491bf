// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: the evidence of what a module was built against, from Kbuild's
 * own records beside it.
 *
 *   DIR/M.mod              the module's objects, one a line, relative to the
 *                          directory make ran in (M= for an out-of-tree
 *                          module, the kernel tree for an in-tree one)
 *   .../.OBJ.o.cmd         per object: "deps_OBJ.o := \" then one
 *                          dependency a line; Kbuild compiles Rust with
 *                          -Zbinary_dep_depinfo=y, so every .rmeta rustc
 *                          read is listed, by the path rustc saw
 *
 * The .rmeta files must all be in one tree's rust/ directory, exist, and be
 * no newer (mtime, and ctime, which a replacement cannot set back) than the
 * object that read them. Paths recorded in a chroot or a container are
 * mapped with --prefix-map RECORDED=HERE, never guessed.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rustver.h"

/* @path with the first matching RECORDED prefix replaced by HERE; caller frees. */
static char *map_path(const struct prefix_map *pm, const char *path)
{
	for (size_t i = 0; pm && i < pm->n; i++) {
		size_t n = strlen(pm->from[i]);

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

static void add_rmeta(struct evidence *e, char *path)
{
	for (size_t i = 0; i < e->nrmeta; i++) {
		if (!strcmp(e->rmeta[i], path)) {
			free(path);
			return;
		}
	}
	e->rmeta = xrealloc(e->rmeta, (e->nrmeta + 1) * sizeof(*e->rmeta));
	e->rmeta[e->nrmeta++] = path;
}

/*
 * The .rmeta dependencies of object @obj (a path that exists), from its
 * .cmd file; @base is the directory make ran in, for relative paths.
 */
static int object_deps(struct evidence *e, const char *module, const char *base, const char *obj,
		       const struct prefix_map *pm)
{
	char *copy = xstrdup(obj), *dir = dirname(copy), *cmd, *text, *p, *tok, *save = NULL;
	const char *file = strrchr(obj, '/') ? strrchr(obj, '/') + 1 : obj;
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
	for (tok = strtok_r(p ? p : text, " \t\n\\", &save); tok;
	     tok = strtok_r(NULL, " \t\n\\", &save)) {
		size_t n = strlen(tok);
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
		add_rmeta(e, path);
	}
out:
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

int evidence_load(struct evidence *e, const char *module, const struct prefix_map *pm)
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
		if (object_deps(e, module, base, obj, pm))
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

bool evidence_has(const struct evidence *e, const char *rmeta)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (!rmeta || !realpath(rmeta, a))
		return false;
	for (size_t i = 0; i < e->nrmeta; i++)
		if (realpath(e->rmeta[i], b) && !strcmp(a, b))
			return true;
	return false;
}

void evidence_free(struct evidence *e)
{
	for (size_t i = 0; i < e->nrmeta; i++)
		free(e->rmeta[i]);
	free(e->rmeta);
	free(e->kdir);
	memset(e, 0, sizeof(*e));
}
