// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: the module files of a tree, found the way depmod finds them
 * (depmod_modules_search_dir): every entry but "build" and "source", with
 * symlinks followed, so a weak-updates/ or DKMS link into another kernel's
 * extra/ is checked like the module modprobe would load through it. A
 * dangling link or a directory loop is reported and counted, never fatal.
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

int for_each_module_file(const char *dir, struct tree_walk *w,
			 int (*fn)(const char *path, void *arg), void *arg)
{
	struct walk wk = { .w = w };
	struct ancestor top;
	struct stat st;

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
	for (size_t i = 0; i < wk.n; i++) {
		int r = fn(wk.paths[i], arg);

		if (r > wk.worst)
			wk.worst = r;
		free(wk.paths[i]);
	}
	free(wk.paths);
	if (!wk.n) {
		rv_err("%s: no modules found", dir);
		return EXIT_TROUBLE;
	}
	return wk.worst;
}
