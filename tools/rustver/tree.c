// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: the module files of a tree, found the way depmod finds them
 * (depmod_modules_search_dir): every entry but "build" and "source", with
 * symlinks followed, so a weak-updates/ or DKMS link into another kernel's
 * extra/ is checked like the module modprobe would load through it. A
 * dangling link or a directory loop is reported and counted, never fatal.
 *
 * Where depmod has indexed the tree, its modules.dep is the set modprobe
 * loads from, and the one checked: a module of an "external" directory
 * (depmod.d(5); listed by absolute path) is checked too, and a file depmod
 * left out is named and skipped: one its search order shadows ("search
 * updates built-in": updates/m.ko over kernel/.../m.ko), or one added since
 * depmod ran.
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rustver.h"

/* The directories from the top to the current one, to see loops. */
struct ancestor {
	dev_t dev;
	ino_t ino;
	const struct ancestor *up;
};

struct walk {
	struct tree_walk *w;
	char **paths;
	size_t n;
	int worst;
};

static bool is_ancestor(const struct ancestor *a, const struct stat *st)
{
	for (; a; a = a->up)
		if (a->dev == st->st_dev && a->ino == st->st_ino)
			return true;
	return false;
}

static void skipped_link(struct walk *wk, const char *path)
{
	char target[4096];
	ssize_t n = readlink(path, target, sizeof(target) - 1);

	target[n > 0 ? n : 0] = '\0';
	rv_warn("%s: dangling symlink to %s, skipped", path, n > 0 ? target : "(unreadable)");
	wk->w->dangling++;
}

static void walk_dir(struct walk *wk, const char *dir, const struct ancestor *up)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d) {
		rv_err("%s: cannot read directory: %s", dir, strerror(errno));
		wk->w->unreadable++;
		wk->worst = EXIT_TROUBLE;
		return;
	}
	while ((de = readdir(d))) {
		const char *name = de->d_name;
		struct ancestor here;
		struct stat st;
		char *path;

		if (!strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, "build") ||
		    !strcmp(name, "source"))
			continue;
		path = xasprintf("%s/%s", dir, name);
		if (stat(path, &st) < 0) {
			int e = errno;
			struct stat lst;

			if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) &&
			    (e == ENOENT || e == ENOTDIR)) {
				skipped_link(wk, path);
			} else if (e == ELOOP) {
				rv_warn("%s: symlink loop, skipped", path);
				wk->w->loops++;
			} else {
				rv_err("%s: cannot stat: %s", path, strerror(e));
				wk->w->unreadable++;
				wk->worst = EXIT_TROUBLE;
			}
			free(path);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (is_ancestor(up, &st)) {
				rv_warn("%s: symlink loop (a directory that contains it), skipped",
					path);
				wk->w->loops++;
			} else {
				here = (struct ancestor){ st.st_dev, st.st_ino, up };
				walk_dir(wk, path, &here);
			}
		} else if (S_ISREG(st.st_mode) && is_module_name(name)) {
			wk->paths = xrealloc(wk->paths, (wk->n + 1) * sizeof(char *));
			wk->paths[wk->n++] = path;
			continue;
		}
		free(path);
	}
	closedir(d);
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has(char *const *sorted, size_t n, const char *s)
{
	return n && bsearch(&s, sorted, n, sizeof(char *), cmp_path);
}

/* The module name of a file, as depmod takes it: the base name before ".ko", '-' as '_'. */
static char *module_name_of(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *name = xstrdup(base), *ko = strstr(name, ".ko");

	if (ko)
		*ko = '\0';
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	return name;
}

/* modules.dep's paths in order of path, for modules_dep_find(). */
struct dep_index {
	const char *path;
	size_t i;
};

static int cmp_index(const void *a, const void *b)
{
	return strcmp(((const struct dep_index *)a)->path, ((const struct dep_index *)b)->path);
}

/* The path of a modules.dep entry: relative to @dir, or absolute (external). */
static char *dep_path(const char *dir, const char *p)
{
	return p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", dir, p);
}

int modules_dep_read(struct modules_dep *d, const char *dir)
{
	char *path = xasprintf("%s/modules.dep", dir), *line = NULL;
	size_t cap = 0, lineno = 0;
	struct text tx;
	ssize_t len;
	int err;

	memset(d, 0, sizeof(*d));
	err = text_open(&tx, path, MAX_TEXT_SIZE);
	if (err) {
		free(path);
		return err > 0 ? 0 : -1;
	}
	err = 1;
	while ((len = getline(&line, &cap, tx.f)) > 0) {
		char *colon = strchr(line, ':'), *tok, *save = NULL;
		struct moddeps *m;

		lineno++;
		if (!colon || colon == line || strlen(line) != (size_t)len) {
			rv_err("%s:%zu: not a modules.dep line (FILE: DEPENDENCY...)", path,
			       lineno);
			err = -1;
			break;
		}
		*colon = '\0';
		d->paths = xrealloc(d->paths, (d->n + 1) * sizeof(char *));
		d->deps = xrealloc(d->deps, (d->n + 1) * sizeof(*d->deps));
		m = &d->deps[d->n];
		*m = (struct moddeps){ 0 };
		d->paths[d->n++] = dep_path(dir, line);
		for (tok = strtok_r(colon + 1, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save))
			moddeps_add(m, dep_path(dir, tok), module_name_of(tok));
	}
	free(line);
	if (err > 0 && text_end(&tx, path))
		err = -1;
	text_close(&tx);
	free(path);
	d->index = xcalloc(d->n ? d->n : 1, sizeof(*d->index));
	d->names = xcalloc(d->n ? d->n : 1, sizeof(char *));
	for (size_t i = 0; i < d->n; i++) {
		d->index[i] = (struct dep_index){ d->paths[i], i };
		d->names[i] = module_name_of(d->paths[i]);
	}
	qsort(d->index, d->n, sizeof(*d->index), cmp_index);
	qsort(d->names, d->n, sizeof(char *), cmp_path);
	return err;
}

long modules_dep_find(const struct modules_dep *d, const char *path)
{
	struct dep_index key = { path, 0 }, *e;

	if (!d->n)
		return -1;
	e = bsearch(&key, d->index, d->n, sizeof(*d->index), cmp_index);
	return e ? (long)e->i : -1;
}

void modules_dep_free(struct modules_dep *d)
{
	for (size_t i = 0; i < d->n; i++) {
		moddeps_free(&d->deps[i]);
		free(d->paths[i]);
		free(d->names[i]);
	}
	free(d->paths);
	free(d->deps);
	free(d->index);
	free(d->names);
	memset(d, 0, sizeof(*d));
}

/* A file of the walk that modules.dep leaves out: named, counted, skipped. */
static void left_out(struct tree_walk *w, const struct modules_dep *d, const char *path)
{
	char *name = module_name_of(path);

	if (has(d->names, d->n, name)) {
		rv_warn("%s: skipped: depmod indexes another %s (its search order), which "
			"modprobe loads instead",
			path, name);
		w->shadowed++;
	} else {
		rv_warn("%s: skipped: not in modules.dep, so modprobe does not load it "
			"(run depmod)",
			path);
		w->unindexed++;
	}
	free(name);
}

int for_each_module_file(const char *dir, struct tree_walk *w,
			 int (*fn)(const char *path, void *arg), void *arg)
{
	struct walk wk = { .w = w };
	struct modules_dep *dep = &w->dep;
	struct ancestor top;
	struct stat st;
	size_t checked = 0;
	int have_dep;

	memset(w, 0, sizeof(*w));
	if (stat(dir, &st) < 0) {
		rv_err("%s: cannot walk: %s", dir, strerror(errno));
		return EXIT_TROUBLE;
	}
	if (!S_ISDIR(st.st_mode)) {
		rv_err("%s: cannot walk: not a directory", dir);
		return EXIT_TROUBLE;
	}
	top = (struct ancestor){ st.st_dev, st.st_ino, NULL };
	walk_dir(&wk, dir, &top);
	if (wk.n)
		qsort(wk.paths, wk.n, sizeof(char *), cmp_path);
	have_dep = modules_dep_read(dep, dir);
	if (have_dep < 0) {
		modules_dep_free(dep); /* used by none */
		wk.worst = EXIT_TROUBLE;
	}
	for (size_t i = 0; i < wk.n; i++) {
		int r = EXIT_PASS;

		if (have_dep > 0 && modules_dep_find(dep, wk.paths[i]) < 0) {
			left_out(w, dep, wk.paths[i]);
		} else {
			r = fn(wk.paths[i], arg);
			checked++;
		}
		if (r > wk.worst)
			wk.worst = r;
	}
	/*
	 * what depmod indexes outside the walk: its external directories,
	 * and paths the walk does not take (depmod 34 descends into a
	 * symlink to a directory that contains it, as far as PATH_MAX)
	 */
	for (size_t i = 0; have_dep > 0 && i < dep->n; i++) {
		size_t dl = strlen(dir);
		int r;

		if (has(wk.paths, wk.n, dep->paths[i]))
			continue;
		r = fn(dep->paths[i], arg);
		checked++;
		if (!strncmp(dep->paths[i], dir, dl) && dep->paths[i][dl] == '/')
			w->beyond++;
		else
			w->external++;
		if (r > wk.worst)
			wk.worst = r;
	}
	for (size_t i = 0; i < wk.n; i++)
		free(wk.paths[i]);
	free(wk.paths);
	if (!checked && wk.worst < EXIT_TROUBLE) {
		rv_err("%s: no modules found", dir);
		return EXIT_TROUBLE;
	}
	return wk.worst;
}
