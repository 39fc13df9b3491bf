// SPDX-License-Identifier: GPL-2.0
/*
 * rustver check: the verdict the kernel would give when loading a module,
 * from the same engine kmod_rustver runs.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rustver.h"

static const char usage[] =
	"Usage: rustver check [--kdir DIR | --table FILE] [--json] MODULE...\n"
	"       rustver check [--kdir DIR | --table FILE] [--json] --all\n"
	"                     [--kernel RELEASE] [--basedir DIR] [--jobs N]\n"
	"\n"
	"Checks each MODULE (a .ko file, compressed or not, or a module name or alias\n"
	"that is resolved as modprobe does: an alias matching several modules checks\n"
	"each) against a kernel's crate table: every crate in its Rust imports must\n"
	"be known to the kernel and stamped with the same CRC. Prints one line per\n"
	"module file, then an explanation per failing crate.\n"
	"\n"
	"  --kdir DIR        table of the kernel build tree DIR\n"
	"  --table FILE      table file written by 'rustver table'\n"
	"                    (default: the running kernel's " RUSTVER_SYSFS_TABLE ")\n"
	"  --json            one JSON object per module\n"
	"  --all             every module of BASEDIR/lib/modules/RELEASE, symlinks\n"
	"                    followed as depmod does; prints the modules with Rust\n"
	"                    imports, then a summary with what was skipped and why\n"
	"  --jobs N          --all: N modules at a time (default: one per online CPU);\n"
	"                    the output is the same whatever N\n"
	"  --kernel RELEASE  kernel release for names and --all (default: uname -r)\n"
	"  --basedir DIR     root of the module tree (default: /)\n"
	"\n"
	"Exit status: 0 all pass, 1 some verdict failed, 2 usage, I/O or format error\n"
	"(including a malformed module or stamp).\n";

struct check {
	struct rv_table view;
	struct rv_verdict_scratch scr;
	struct rv_verdict v;
	FILE *out;	/* stdout, or a job's buffer */
	bool json, all;
	unsigned int n, pass, fail, trouble, not_rust;
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

static int check_file(struct check *c, struct modfile *m, const char *shown)
{
	int r;

	rv_verdict_check(m->data, m->elf_size, &c->view, &c->scr, &c->v);
	r = verdict_exit(&c->v);
	if (m->refusal && r < EXIT_TROUBLE) {
		/* rustver could read it; modprobe and the kernel could not */
		r = EXIT_TROUBLE;
		count(c, r);
		if (c->json) {
			fputs("{\"module\": ", c->out);
			print_json_string(c->out, shown);
			fputs(", \"result\": \"error\", \"error\": {\"where\": \"file\", "
			      "\"why\": ",
			      c->out);
			print_json_string(c->out, m->refusal);
			fputs("}}\n", c->out);
		} else {
			printf("%s: error: %s\n", shown, m->refusal);
		}
		return r;
	}
	count(c, r);
	if (c->all && c->v.result == RV_RESULT_NOT_RUST)
		return r;
	if (c->json)
		report_verdict_json(c->out, shown, &c->v);
	else
		report_verdict(c->out, shown, &c->v, &c->view, false);
	return r;
}

/* Checks the module file @path, named @shown in the output. */
static int check_one(struct check *c, const char *path, const char *shown)
{
	struct modfile m;
	int r;

	if (modfile_load(&m, path)) {
		c->n++;
		c->trouble++;
		modfile_close(&m);
		return EXIT_TROUBLE;
	}
	r = check_file(c, &m, shown);
	modfile_close(&m);
	return r;
}

/* --all: the module files are found first (paths only), then checked by
 * workers, one module each at a time; each module's output and messages are
 * kept until every module before it is printed, so the output is the same
 * whatever the number of workers. */
struct job {
	char *path;
	char *out, *err;	/* what the module printed, and its messages */
	size_t out_len, err_len;
	int result;
	bool done;
};

struct jobs {
	struct job *j;
	size_t n, cap, next;
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
	for (;;) {
		struct job *jb;
		FILE *out, *err;
		char *shown;
		size_t i;

		pthread_mutex_lock(&js->lock);
		i = js->next < js->n ? js->next++ : js->n;
		pthread_mutex_unlock(&js->lock);
		if (i == js->n)
			break;
		jb = &js->j[i];
		out = open_memstream(&jb->out, &jb->out_len);
		err = open_memstream(&jb->err, &jb->err_len);
		if (!out || !err) {
			fprintf(stderr, "%s: out of memory\n", progname);
			exit(EXIT_TROUBLE);
		}
		c->out = out;
		rv_msg_file = err;
		shown = shown_path(jb->path);
		jb->result = check_one(c, jb->path, shown);
		free(shown);
		rv_msg_file = NULL;
		fclose(out);
		fclose(err);
		pthread_mutex_lock(&js->lock);
		jb->done = true;
		pthread_cond_broadcast(&js->cond);
		pthread_mutex_unlock(&js->lock);
	}
	pthread_mutex_lock(&js->lock);
	js->total.n += c->n;
	js->total.pass += c->pass;
	js->total.fail += c->fail;
	js->total.trouble += c->trouble;
	js->total.not_rust += c->not_rust;
	pthread_mutex_unlock(&js->lock);
	free(c);
	return NULL;
}

static int check_all(struct check *c, const char *dir, struct tree_walk *w, long jobs)
{
	struct jobs js = { .proto = c };
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
	tid = xcalloc((size_t)jobs, sizeof(*tid));
	for (long i = 0; i < jobs; i++)
		if (!pthread_create(&tid[nt], NULL, worker, &js))
			nt++;
	if (!nt && js.n) {
		rv_err("check --all: cannot start a worker thread");
		ret = EXIT_TROUBLE;
	}
	for (size_t i = 0; nt && i < js.n; i++) {
		struct job *jb = &js.j[i];

		pthread_mutex_lock(&js.lock);
		while (!jb->done)
			pthread_cond_wait(&js.cond, &js.lock);
		pthread_mutex_unlock(&js.lock);
		fwrite(jb->err, 1, jb->err_len, stderr);
		fwrite(jb->out, 1, jb->out_len, stdout);
		if (jb->result > ret)
			ret = jb->result;
		free(jb->out);
		free(jb->err);
	}
	for (long i = 0; i < nt; i++)
		pthread_join(tid[i], NULL);
	for (size_t i = 0; i < js.n; i++)
		free(js.j[i].path);
	free(js.j);
	free(tid);
	pthread_mutex_destroy(&js.lock);
	pthread_cond_destroy(&js.cond);
	c->n += js.total.n;
	c->pass += js.total.pass;
	c->fail += js.total.fail;
	c->trouble += js.total.trouble;
	c->not_rust += js.total.not_rust;
	return ret;
}

/* A file, or each module a name or alias stands for, each line naming its file. */
static int check_arg(struct check *c, const char *arg, const char *basedir, const char *release)
{
	struct modlist l;
	int ret = EXIT_PASS;

	if (module_resolve(&l, arg, basedir, release)) {
		c->n++;
		c->trouble++;
		modlist_free(&l);
		return EXIT_TROUBLE;
	}
	for (size_t i = 0; i < l.n; i++) {
		char *file = shown_path(l.paths[i]);
		char *shown = l.by_name ? xasprintf("%s (%s)", arg, file) : shown_path(arg);
		int r = check_one(c, l.paths[i], shown);

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
	unsigned int skipped = w->dangling + w->loops + w->unreadable;
	const char *sep = "";

	printf("%s: %u modules: %u pass, %u fail, %u errors, %u without Rust imports; "
	       "%u skipped",
	       dir, c->n, c->pass, c->fail, c->trouble, c->not_rust, skipped);
	if (skipped) {
		fputs(" (", stdout);
		if (w->dangling) {
			printf("%u dangling symlink%s", w->dangling, w->dangling == 1 ? "" : "s");
			sep = ", ";
		}
		if (w->loops) {
			printf("%s%u symlink loop%s", sep, w->loops, w->loops == 1 ? "" : "s");
			sep = ", ";
		}
		if (w->unreadable)
			printf("%s%u unreadable", sep, w->unreadable);
		fputs(")", stdout);
	}
	putchar('\n');
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kdir", required_argument, NULL, 'k' },
		{ "table", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "kernel", required_argument, NULL, 'r' },
		{ "basedir", required_argument, NULL, 'b' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kdir = NULL, *file = NULL, *release = NULL, *basedir = NULL;
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	struct check *c;
	char *end;
	struct table t;
	int opt, ret = EXIT_PASS;

	if (wants_help(argc, argv, usage))
		return EXIT_PASS;
	c = xcalloc(1, sizeof(*c));
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'k': kdir = optarg; break;
		case 't': file = optarg; break;
		case 'j': c->json = true; break;
		case 'a': c->all = true; break;
		case 'r': release = optarg; break;
		case 'b': basedir = optarg; break;
		case 'J':
			jobs = strtol(optarg, &end, 10);
			if (*end || jobs < 1 || jobs > 256) {
				rv_err("check: --jobs %s: expected a number from 1 to 256", optarg);
				free(c);
				return EXIT_TROUBLE;
			}
			break;
		default:
			fputs(usage, stderr);
			free(c);
			return EXIT_TROUBLE;
		}
	}
	if (c->all == (optind < argc)) {
		rv_err("check: give MODULE... or --all");
		fputs(usage, stderr);
		free(c);
		return EXIT_TROUBLE;
	}
	if (table_load(&t, kdir, file)) {
		free(c);
		return EXIT_TROUBLE;
	}
	c->view = table_view(&t);
	c->out = stdout;

	if (c->all) {
		char *dir = module_dir(basedir, release);
		struct tree_walk w;

		ret = check_all(c, dir, &w, jobs);
		if (!c->json && c->n)
			summary(dir, c, &w);
		free(dir);
	} else {
		for (int i = optind; i < argc; i++) {
			int r = check_arg(c, argv[i], basedir, release);

			if (r > ret)
				ret = r;
		}
	}
	table_free(&t);
	free(c);
	if (fflush(stdout)) {
		rv_err("write error on standard output");
		return EXIT_TROUBLE;
	}
	return ret;
}
