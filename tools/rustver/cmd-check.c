// SPDX-License-Identifier: GPL-2.0
/*
 * rustver check: the verdict the kernel would give when loading a module,
 * from the same engine kmod_rustver runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rustver.h"

static const char usage[] =
	"Usage: rustver check [--kdir DIR | --table FILE] [-k RELEASE] [-b DIR] [--json]\n"
	"                     MODULE...\n"
	"       rustver check [--kdir DIR | --table FILE] [--json] --all\n"
	"                     [-k RELEASE] [-b DIR] [--jobs N]\n"
	"                     [--index FILE | --no-index] [--budget MIB] [--stats]\n"
	"\n"
	"Checks each MODULE (a .ko file, compressed or not, or a module name or alias\n"
	"that is resolved as modprobe does: an alias matching several modules checks\n"
	"each) as the kernel's loader would: its vermagic against the kernel's (from\n"
	"--kdir's vmlinux, the table file, or the in-tree modules of -k/-b's tree;\n"
	"not checked, and said, when none gives it), then the crate table: every\n"
	"crate in its Rust imports must be known to the kernel and stamped with the\n"
	"same CRC. Prints one line per module file, then an explanation per failing\n"
	"crate.\n"
	"\n"
	"  --kdir DIR        table of the kernel build tree DIR\n"
	"  --table FILE      table file written by 'rustver table'\n"
	"                    (default: the running kernel's " RUSTVER_SYSFS_TABLE ")\n"
	"  --json            one JSON object per module\n"
	"  --all             every module of BASEDIR/lib/modules/RELEASE, symlinks\n"
	"                    followed as depmod does; prints the modules with Rust\n"
	"                    imports and those the loader refuses, then a summary\n"
	"                    with what was skipped and why\n"
	"  --jobs N          --all: N modules at a time (default: one per online CPU);\n"
	"                    the output is the same whatever N\n"
	"  --index FILE      --all: the index of the tree's verdict inputs, so that\n"
	"                    unchanged modules are not decompressed again (default:\n"
	"                    $XDG_CACHE_HOME/rustver/index/, /var/cache/rustver/index/\n"
	"                    for root, else ~/.cache/rustver/index/; one file per tree)\n"
	"  --no-index        --all: read every module, keep no index\n"
	"  --budget MIB      memory for whole decompressed modules, shared by the\n"
	"                    workers (default 16; NK for KiB); a module that does not\n"
	"                    fit is decompressed again for what the verdict reads of\n"
	"                    it, and only that is kept\n"
	"  --stats           print how many modules came from the index, were\n"
	"                    decompressed whole or streamed (standard error)\n"
	"  -k, --kernel RELEASE\n"
	"                    kernel release for names and --all (default: uname -r)\n"
	"  -b, --basedir DIR root of the module tree (default: /)\n"
	"\n"
	"Exit status: 0 all pass, 1 some verdict failed, 2 usage, I/O or format error\n"
	"(including a malformed module or stamp).\n";

#define DEFAULT_BUDGET_MIB 16

struct check {
	struct rv_table view;
	struct rv_verdict_scratch scr;
	struct rv_verdict v;
	const struct load_target *lt; /* the target of the loader's checks */
	struct load_verdict lv;	      /* theirs on the module of @v */
	bool have_lv;		      /* @lv was made (the module's ELF could be read) */
	unsigned int not_checked;     /* modules on which a check could not be made */
	char *not_checked_why;	      /* the first one's check and reason */
	FILE *out;		      /* stdout, or a job's buffer */
	bool json, all;
	unsigned int n, pass, fail, trouble, not_rust;
	struct modreader *rd;	/* this worker's reader */
	size_t budget;		/* bytes of whole images, all workers together */
	const struct index *ix; /* --all: the index read, or NULL */
	const char *dir;	/* --all: the module directory */
	/* --stats */
	unsigned int from_index, whole, streamed, passes;
};

static void count(struct check *c, int r)
{
	c->n++;
	if (c->v.result == RV_RESULT_NOT_RUST && r == EXIT_PASS)
		c->not_rust++;
	else if (r == EXIT_PASS)
		c->pass++;
	else if (r == EXIT_VERDICT)
		c->fail++;
	else
		c->trouble++;
}

/* Prints the verdict in c->v on a module in which kmod would refuse @refusal. */
static int report_one(struct check *c, const char *refusal, const char *shown)
{
	const struct load_verdict *lv = c->have_lv ? &c->lv : NULL;
	int r = load_exit(lv, &c->v);
	struct out o;

	out_init(&o, c->out, c->json);
	if (refusal && r < EXIT_TROUBLE) {
		/* rustver could read it; modprobe and the kernel could not */
		r = EXIT_TROUBLE;
		count(c, r);
		report_error(&o, shown, "file", refusal);
		return r;
	}
	count(c, r);
	for (int i = 0; lv && i < LOAD_NCHECKS; i++) {
		if (lv->c[i].status != LOAD_NOT_CHECKED)
			continue;
		if (!c->not_checked++)
			c->not_checked_why = xasprintf("%s: %s", lv->c[i].name, lv->c[i].reason);
		break;
	}
	/* --all: a module without Rust imports only when the loader refuses it */
	if (c->all && c->v.result == RV_RESULT_NOT_RUST && r == EXIT_PASS)
		return r;
	report_verdict(&o, shown, lv, &c->v, &c->view, false);
	return r;
}

/* The loader's checks on the facts @f, or none when the ELF could not be read. */
static void load_judge(struct check *c, const struct load_facts *f)
{
	if (c->have_lv)
		load_verdict_free(&c->lv);
	c->have_lv = f != NULL;
	if (f)
		load_verdict(&c->lv, f, c->lt);
}

/* --json: the record of a module named that could not be read at all */
static void json_error(struct check *c, const char *shown, const char *why)
{
	struct out o;

	if (!c->json)
		return;
	out_init(&o, c->out, true);
	report_error(&o, shown, "file", why);
}

static int trouble(struct check *c)
{
	c->n++;
	c->trouble++;
	return EXIT_TROUBLE;
}

/*
 * Checks the module file @path, named @shown in the output. With an index
 * (--all), an unchanged module's verdict is computed from its record, and
 * *@rec gets what the index this run writes keeps of the module.
 */
static int check_one(struct check *c, const char *path, const char *shown, struct ix_new **rec,
		     const struct stat *known)
{
	size_t dl = c->dir ? strlen(c->dir) : 0;
	const char *rel = NULL;
	struct load_facts f;
	struct modfile m;
	struct ix_key k;
	struct stat st;
	int fd, r;

	if (rec && c->dir && !strncmp(path, c->dir, dl) && path[dl] == '/')
		rel = path + dl + 1;
	if (rel && c->ix && (known ? (st = *known, true) : stat(path, &st) == 0)) {
		const struct ix_rec *e;
		const char *refusal;

		ix_key_of(&k, &st);
		e = index_find(c->ix, rel, &k);
		if (e) {
			c->from_index++;
			*rec = index_record_copy(e);
			int facts = index_replay(e, &c->view, &c->scr, &c->v, &f, &refusal,
						 rv_msg_file ? rv_msg_file : stderr);

			if (facts < 0)
				return trouble(c);
			load_judge(c, facts ? &f : NULL);
			return report_one(c, refusal, shown);
		}
	}
	fd = open_regular(path, &st);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT)
			rv_err("%s: cannot open: %s", path, strerror(ENOENT));
		json_error(c, shown, e == EINVAL ? "not a regular file" : strerror(e));
		return trouble(c);
	}
	ix_key_of(&k, &st);
	if (modfile_read(&m, c->rd, path, fd, &st)) {
		if (rel && !m.io_error)
			*rec = index_record_loadfail(rel, &k);
		close(fd);
		modfile_close(&m);
		return trouble(c);
	}
	close(fd);
	if (m.sparse) {
		c->streamed++;
		c->passes += m.passes;
	} else {
		c->whole++;
	}
	rv_verdict_check_loaded(m.data, m.elf_size, modfile_loaded(&m), &c->view, &c->scr, &c->v);
	if (load_facts_read(&f, m.data, m.elf_size, modfile_loaded(&m)))
		load_judge(c, NULL);
	else
		load_judge(c, &f);
	r = report_one(c, m.refusal, shown);
	if (rel)
		*rec = index_record_verdict(rel, &k, &m, &c->v, c->have_lv ? &f : NULL, &c->view,
					    &c->scr);
	modfile_close(&m);
	return r;
}

/* --all: the module files are found first (paths only), then checked by
 * workers, one module each at a time; each module's output and messages are
 * kept until every module before it is printed, so the output is the same
 * whatever the number of workers. */
struct job {
	char *path;
	char *out, *err; /* what the module printed, and its messages */
	size_t out_len, err_len;
	int result;
	bool done;
	struct ix_new *rec; /* what the index keeps of it */
};

struct jobs {
	struct job *j;
	size_t n, cap, next;
	size_t share; /* each worker's whole-image budget */
	size_t chunk; /* modules a worker takes at a time */
	bool keep;    /* make records for an index */
	const struct check *proto;
	struct check total;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static int collect_path(const char *path, void *arg)
{
	struct jobs *js = arg;

	if (js->n == js->cap) {
		js->cap = js->cap ? 2 * js->cap : 256;
		js->j = xrealloc(js->j, js->cap * sizeof(*js->j));
	}
	js->j[js->n++] = (struct job){ .path = xstrdup(path) };
	return EXIT_PASS;
}

static void *worker(void *arg)
{
	struct jobs *js = arg;
	struct check *c = xmalloc(sizeof(*c));

	*c = *js->proto;
	c->rd = modreader_new(js->share);
	for (;;) {
		size_t first, end;

		/* a few modules at a time: one lock and one wake-up for them all */
		pthread_mutex_lock(&js->lock);
		first = js->next;
		end = js->n - first < js->chunk ? js->n : first + js->chunk;
		js->next = end;
		pthread_mutex_unlock(&js->lock);
		if (first == end)
			break;
		for (size_t i = first; i < end; i++) {
			struct job *jb = &js->j[i];
			FILE *out, *err;
			struct stat st;
			char *shown;
			bool have;

			out = open_memstream(&jb->out, &jb->out_len);
			err = open_memstream(&jb->err, &jb->err_len);
			if (!out || !err) {
				fprintf(stderr, "%s: out of memory\n", progname);
				exit(EXIT_TROUBLE);
			}
			c->out = out;
			rv_msg_file = err;
			shown = shown_path_stat(jb->path, &st, &have);
			jb->result = check_one(c, jb->path, shown, js->keep ? &jb->rec : NULL,
					       have ? &st : NULL);
			free(shown);
			rv_msg_file = NULL;
			fclose(out);
			fclose(err);
			if (jb->rec)
				index_record_done(jb->rec, jb->err, jb->err_len);
			/*
			 * Kept until every verdict is in (dependencies()); most
			 * modules print nothing, and an empty stream's buffer
			 * (BUFSIZ in glibc) is freed now: held for every module,
			 * they doubled the run's peak RSS.
			 */
			if (!jb->out_len) {
				free(jb->out);
				jb->out = NULL;
			}
			if (!jb->err_len) {
				free(jb->err);
				jb->err = NULL;
			}
		}
		pthread_mutex_lock(&js->lock);
		for (size_t i = first; i < end; i++)
			js->j[i].done = true;
		pthread_cond_broadcast(&js->cond);
		pthread_mutex_unlock(&js->lock);
	}
	pthread_mutex_lock(&js->lock);
	js->total.n += c->n;
	js->total.pass += c->pass;
	js->total.fail += c->fail;
	js->total.trouble += c->trouble;
	js->total.not_rust += c->not_rust;
	js->total.from_index += c->from_index;
	js->total.whole += c->whole;
	js->total.streamed += c->streamed;
	js->total.passes += c->passes;
	js->total.not_checked += c->not_checked;
	if (!js->total.not_checked_why)
		js->total.not_checked_why = c->not_checked_why;
	else
		free(c->not_checked_why);
	pthread_mutex_unlock(&js->lock);
	if (c->have_lv)
		load_verdict_free(&c->lv);
	modreader_free(c->rd);
	free(c);
	return NULL;
}

static int report_dep(struct check *c, const char *shown, const char *name, const char *path,
		      const char *line, const char *result);

static int cmp_job(const void *a, const void *b)
{
	return strcmp((*(struct job *const *)a)->path, (*(struct job *const *)b)->path);
}

/* The first line of what a job printed, or of its messages. */
static char *first_line(const struct job *jb)
{
	const char *s = jb->out_len ? jb->out : jb->err_len ? jb->err : "error";
	size_t n = strcspn(s, "\n");

	return xasprintf("%.*s", (int)n, s);
}

/*
 * modprobe loads a module's modules.dep closure first and stops at the
 * first refusal: a module that would load alone fails when one of its
 * dependencies would be refused, and is reported so (its output
 * replaced, the counts moved from pass or "without Rust imports" to fail).
 */
static void dependencies(struct jobs *js, const struct modules_dep *dep)
{
	struct job **byjob;

	if (!dep->n || !js->n)
		return;
	byjob = xcalloc(js->n, sizeof(*byjob));
	for (size_t i = 0; i < js->n; i++)
		byjob[i] = &js->j[i];
	qsort(byjob, js->n, sizeof(*byjob), cmp_job);
	for (size_t i = 0; i < js->n; i++) {
		struct job *jb = &js->j[i];
		long e = jb->result == EXIT_PASS ? modules_dep_find(dep, jb->path) : -1;
		const struct moddeps *d = e >= 0 ? &dep->deps[e] : NULL;

		for (size_t k = d ? d->n : 0; k-- > 0;) {
			struct job key = { .path = d->paths[k] }, *kp = &key, **found;
			const struct job *dj;
			struct check c = *js->proto;
			char *out = NULL, *line, *shown;
			size_t len = 0;

			found = bsearch(&kp, byjob, js->n, sizeof(*byjob), cmp_job);
			dj = found ? *found : NULL;
			if (!dj || dj->result == EXIT_PASS)
				continue;
			c.out = open_memstream(&out, &len);
			if (!c.out) {
				fprintf(stderr, "%s: out of memory\n", progname);
				exit(EXIT_TROUBLE);
			}
			line = first_line(dj);
			shown = shown_path(jb->path);
			c.n = c.fail = 0;
			report_dep(&c, shown, d->names[k], d->paths[k], line,
				   dj->result == EXIT_VERDICT ? "fail" : "error");
			fclose(c.out);
			if (jb->out_len)
				js->total.pass--;
			else
				js->total.not_rust--;
			js->total.fail++;
			free(jb->out);
			jb->out = out;
			jb->out_len = len;
			jb->result = EXIT_VERDICT;
			free(line);
			free(shown);
			break;
		}
	}
	free(byjob);
}

/* What --stats prints about the index. */
static const char *index_said = "none";

/* @ix: the index_open() of @ixfile (NULL: none), freed here */
static int check_all(struct check *c, const char *dir, struct tree_walk *w, long jobs,
		     const char *ixfile, struct index *ix)
{
	struct jobs js = { .proto = c, .keep = ixfile != NULL };
	struct ix_new **recs;
	bool changed;
	pthread_t *tid;
	long nt = 0;
	int ret;

	ret = for_each_module_file(dir, w, collect_path, &js);
	pthread_mutex_init(&js.lock, NULL);
	pthread_cond_init(&js.cond, NULL);
	if (jobs < 1)
		jobs = 1;
	if ((size_t)jobs > js.n)
		jobs = js.n ? (long)js.n : 1;
	js.share = c->budget / (size_t)jobs;
	if (ixfile) {
		c->ix = ix;
		c->dir = dir;
	}
	changed = index_entries(ix) != js.n;
	/* from an index, modules take microseconds: taken 32 at a time */
	js.chunk = index_entries(ix) ? 32 : 1;
	tid = xcalloc((size_t)jobs, sizeof(*tid));
	for (long i = 0; i < jobs; i++)
		if (!pthread_create(&tid[nt], NULL, worker, &js))
			nt++;
	if (!nt && js.n) {
		rv_err("check --all: cannot start a worker thread");
		ret = EXIT_TROUBLE;
	}
	for (size_t i = 0; nt && i < js.n; i++) {
		pthread_mutex_lock(&js.lock);
		while (!js.j[i].done)
			pthread_cond_wait(&js.cond, &js.lock);
		pthread_mutex_unlock(&js.lock);
	}
	for (long i = 0; i < nt; i++)
		pthread_join(tid[i], NULL);
	if (nt)
		dependencies(&js, &w->dep);
	for (size_t i = 0; nt && i < js.n; i++) {
		struct job *jb = &js.j[i];

		if (jb->err_len)
			fwrite(jb->err, 1, jb->err_len, stderr);
		if (jb->out_len)
			fwrite(jb->out, 1, jb->out_len, stdout);
		if (jb->result > ret)
			ret = jb->result;
		free(jb->out);
		free(jb->err);
	}
	recs = xcalloc(js.n ? js.n : 1, sizeof(*recs));
	for (size_t i = 0; i < js.n; i++) {
		recs[i] = js.j[i].rec;
		free(js.j[i].path);
	}
	if (ixfile) {
		changed = changed || js.total.from_index != js.n;
		if (!changed)
			index_said = "unchanged";
		else if (!nt)
			index_said = "not written";
		else
			index_said = index_write(ix, ixfile, dir, recs, js.n) ? "not written"
									      : "written";
	}
	for (size_t i = 0; i < js.n; i++)
		index_record_free(recs[i]);
	free(recs);
	index_free(ix);
	c->ix = NULL;
	free(js.j);
	free(tid);
	pthread_mutex_destroy(&js.lock);
	pthread_cond_destroy(&js.cond);
	c->n += js.total.n;
	c->pass += js.total.pass;
	c->fail += js.total.fail;
	c->trouble += js.total.trouble;
	c->not_rust += js.total.not_rust;
	c->from_index += js.total.from_index;
	c->whole += js.total.whole;
	c->streamed += js.total.streamed;
	c->passes += js.total.passes;
	c->not_checked += js.total.not_checked;
	if (!c->not_checked_why)
		c->not_checked_why = js.total.not_checked_why;
	else
		free(js.total.not_checked_why);
	return ret;
}

/*
 * The first of @d's modules that the kernel would refuse, in modprobe's
 * load order (modules.dep's last first), or -1; its verdict's first line in
 * *@line (malloc'ed) and its result's name in *@result. Judged as any
 * module, nothing printed or counted.
 */
static long failing_dep(struct check *c, const struct moddeps *d, char **line, const char **result)
{
	const unsigned int n = c->n, pass = c->pass, fail = c->fail, trouble = c->trouble,
			   not_rust = c->not_rust;
	FILE *out = c->out, *msg = rv_msg_file;
	const bool json = c->json;
	long found = -1;

	for (size_t k = d->n; found < 0 && k-- > 0;) {
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		int r;

		if (!m) {
			fprintf(stderr, "%s: out of memory\n", progname);
			exit(EXIT_TROUBLE);
		}
		c->out = m;
		c->json = false;
		rv_msg_file = m;
		r = check_one(c, d->paths[k], d->paths[k], NULL, NULL);
		fclose(m);
		if (r != EXIT_PASS) {
			buf[strcspn(buf, "\n")] = '\0';
			*line = buf;
			*result = r == EXIT_VERDICT ? "fail" : "error";
			found = (long)k;
		} else {
			free(buf);
		}
	}
	c->out = out;
	c->json = json;
	rv_msg_file = msg;
	c->n = n, c->pass = pass, c->fail = fail, c->trouble = trouble, c->not_rust = not_rust;
	return found;
}

/*
 * @shown would be refused because modprobe loads its dependency @name
 * (@path) first, which the kernel would refuse: its verdict @line (text
 * already escaped) and @result.
 */
static int report_dep(struct check *c, const char *shown, const char *name, const char *path,
		      const char *line, const char *result)
{
	struct out o;

	out_init(&o, c->out, c->json);
	out_begin(&o, NULL);
	out_str(&o, "module", "%s: ", shown);
	out_str(&o, "result", NULL, "fail");
	out_str(&o, NULL, "FAIL (modprobe loads its dependency %s first, ", name);
	out_text(&o, "and the kernel would refuse it)\n");
	out_begin(&o, "dependency");
	out_str(&o, "module", NULL, name);
	out_str(&o, "file", NULL, path);
	out_str(&o, "result", NULL, result);
	out_text(&o, "    dependency %s\n", line);
	out_end(&o);
	out_str(&o, NULL, "    fix: make %s load first: rustver check ", name);
	out_str(&o, NULL, "%s\n", name);
	out_end(&o);
	c->n++;
	c->fail++;
	return EXIT_VERDICT;
}

/*
 * A file, or each module a name or alias stands for, each line naming its
 * file; a module named is refused when a dependency modprobe loads first
 * would be (the loader never sees it then).
 */
static int check_arg(struct check *c, const char *arg, const char *basedir, const char *release)
{
	struct modlist l;
	int ret = EXIT_PASS;

	if (module_resolve(&l, arg, basedir, release)) {
		json_error(c, arg, "no module file found for it (standard error says why)");
		c->n++;
		c->trouble++;
		modlist_free(&l);
		return EXIT_TROUBLE;
	}
	if (l.builtin) {
		struct out o;

		/* modprobe loads nothing and returns 0: nothing to judge */
		out_init(&o, c->out, c->json);
		out_begin(&o, NULL);
		out_str(&o, "module", "%s: ", arg);
		out_str(&o, "result", NULL, "builtin");
		out_text(&o, "built into the kernel: no module file to load or check\n");
		out_end(&o);
		c->n++;
		c->pass++;
	}
	for (size_t i = 0; i < l.n; i++) {
		char *file = shown_path(l.paths[i]);
		char *shown = l.by_name ? xasprintf("%s (%s)", arg, file) : shown_path(arg);
		const char *result = NULL;
		char *line = NULL;
		long k = failing_dep(c, &l.deps[i], &line, &result);
		int r;

		if (k >= 0)
			r = report_dep(c, shown, l.deps[i].names[k], l.deps[i].paths[k], line,
				       result);
		else
			r = check_one(c, l.paths[i], shown, NULL, NULL);
		free(line);

		free(shown);
		free(file);
		if (r > ret)
			ret = r;
	}
	modlist_free(&l);
	return ret;
}

static void summary(const char *dir, const struct check *c, const struct tree_walk *w)
{
	const struct {
		unsigned int n;
		const char *one, *many;
	} skips[] = {
		{ w->dangling, "dangling symlink", "dangling symlinks" },
		{ w->loops, "symlink loop", "symlink loops" },
		{ w->unreadable, "unreadable", "unreadable" },
		{ w->shadowed, "shadowed by depmod's search order",
		  "shadowed by depmod's search order" },
		{ w->unindexed, "not in modules.dep", "not in modules.dep" },
	};
	unsigned int skipped = 0;
	const char *sep = " (";
	struct out o;

	for (size_t i = 0; i < sizeof(skips) / sizeof(skips[0]); i++)
		skipped += skips[i].n;
	out_init(&o, stdout, false);
	out_str(&o, NULL, "%s: ", dir);
	printf("%u modules: %u pass, %u fail, %u errors, %u without Rust imports; %u skipped", c->n,
	       c->pass, c->fail, c->trouble, c->not_rust, skipped);
	for (size_t i = 0; i < sizeof(skips) / sizeof(skips[0]); i++) {
		if (!skips[i].n)
			continue;
		printf("%s%u %s", sep, skips[i].n, skips[i].n == 1 ? skips[i].one : skips[i].many);
		sep = ", ";
	}
	if (skipped)
		putchar(')');
	if (w->external)
		printf("; %u from depmod's external directories", w->external);
	if (w->beyond)
		printf("; %u only modules.dep reaches", w->beyond);
	putchar('\n');
}

static int cmd_check(int argc, char **argv);

const struct rv_cmd cmd_check_def = {
	.name = "check",
	.fn = cmd_check,
	.summary = "give the verdict the kernel would give on loading",
	.usage = usage,
};

static int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		TARGET_TABLE_OPTIONS,
		TARGET_TREE_OPTIONS,
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "index", required_argument, NULL, 'I' },
		{ "no-index", no_argument, NULL, 'N' },
		{ "budget", required_argument, NULL, 'B' },
		{ "stats", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct target tg = { 0 };
	const char *ixopt = NULL;
	bool no_index = false, stats = false, json = false, all = false;
	long budget = (long)DEFAULT_BUDGET_MIB << 20;
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	struct check *c;
	char *end;
	struct load_target lt;
	struct table t;
	int opt, ret = EXIT_PASS;

	if (wants_help(&cmd_check_def, argc, argv))
		return EXIT_PASS;
	while ((opt = rv_getopt(argc, argv, ":" TARGET_TREE_SHORT, opts)) != -1) {
		if (target_option(&tg, opt, optarg))
			continue;
		switch (opt) {
		case 'j': json = true; break;
		case 'a': all = true; break;
		case 'J':
			jobs = strtol(optarg, &end, 10);
			if (*end || jobs < 1 || jobs > 256)
				return usage_error(&cmd_check_def,
						   "--jobs %s: expected a number from 1 to 256",
						   optarg);
			break;
		case 'I': ixopt = optarg; break;
		case 'N': no_index = true; break;
		case 'S': stats = true; break;
		case 'B':
			budget = strtol(optarg, &end, 10);
			if (budget >= 1 && budget <= 65536 && (!*end || !strcmp(end, "M")))
				budget <<= 20;
			else if (budget >= 4 && budget <= 65536 && !strcmp(end, "K"))
				budget <<= 10;
			else
				return usage_error(
					&cmd_check_def,
					"--budget %s: expected MiB from 1 to 65536 (or KiB "
					"from 4 to 65536 with K)",
					optarg);
			break;
		default: return option_error(&cmd_check_def, argv, opt);
		}
	}
	if (ixopt && no_index)
		return usage_error(&cmd_check_def, "give --index FILE or --no-index, not both");
	if (target_usage(&cmd_check_def, &tg))
		return EXIT_TROUBLE;
	if (all == (optind < argc))
		return usage_error(&cmd_check_def, "give MODULE... or --all");
	if (table_load(&t, tg.kdir, tg.table))
		return EXIT_TROUBLE;
	c = xcalloc(1, sizeof(*c));
	c->json = json;
	c->all = all;
	c->budget = (size_t)budget;
	c->view = table_view(&t);
	c->out = stdout;
	c->lt = &lt;

	if (c->all) {
		char *dir = module_dir(tg.basedir, tg.release);
		char *ixfile = no_index ? NULL : ixopt ? xstrdup(ixopt) : index_default_path(dir);
		struct index *ix = ixfile ? index_open(ixfile, dir) : NULL;
		struct tree_walk w;

		/* the in-tree modules' vermagic from the index too: nothing read again */
		load_target_init(&lt, &tg, &t, ix);
		ret = check_all(c, dir, &w, jobs, ixfile, ix);
		modules_dep_free(&w.dep);
		if (!c->json && c->n)
			summary(dir, c, &w);
		if (stats)
			fprintf(stderr,
				"%s: check --all: %u modules: %u from the index, %u decompressed "
				"whole, %u streamed (%u decompressions); index %s: %s\n",
				progname, c->n, c->from_index, c->whole, c->streamed, c->passes,
				ixfile ? ixfile : "(none)", ixfile ? index_said : "disabled");
		free(ixfile);
		free(dir);
	} else {
		load_target_init(&lt, &tg, &t, NULL);
		c->rd = modreader_new(c->budget);
		for (int i = optind; i < argc; i++) {
			int r = check_arg(c, argv[i], tg.basedir, tg.release);

			if (r > ret)
				ret = r;
		}
		modreader_free(c->rd);
		if (stats)
			fprintf(stderr,
				"%s: check: %u modules: %u decompressed whole, %u streamed "
				"(%u decompressions)\n",
				progname, c->n, c->whole, c->streamed, c->passes);
	}
	/* never a silent pass: after the verdicts, what was not checked and why */
	fflush(stdout);
	if (c->not_checked && !c->json) /* JSON: in each record's "checks" */
		rv_warn("%u module%s not fully checked: %s", c->not_checked,
			c->not_checked == 1 ? "" : "s", c->not_checked_why);
	free(c->not_checked_why);
	if (c->have_lv)
		load_verdict_free(&c->lv);
	load_target_free(&lt);
	table_free(&t);
	free(c);
	return ret;
}
