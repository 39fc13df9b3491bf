// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: the loader's own checks, those load_module() makes before the
 * COMING notifier where kmod_rustver judges the Rust crates
 * (kernel/module/main.c), against a target kernel, in the loader's order
 * and words. One row of load_checks[] per check; each is made only where
 * the target says what the kernel compares, and says so when it cannot.
 *
 * vermagic: check_modinfo() takes the first "vermagic=" of the module's
 * .modinfo (get_modinfo()); none: try_to_force_load(), which refuses it
 * ("bad vermagic", -ENOEXEC) unless the kernel has CONFIG_MODULE_FORCE_LOAD.
 * Else same_magic() compares it with the kernel's VERMAGIC_STRING
 * (include/linux/vermagic.h: release, then "SMP ", "preempt ",
 * "mod_unload ", "modversions ", the architecture's and RANDSTRUCT's
 * parts), whole, or from the first space on when the kernel has
 * CONFIG_MODVERSIONS (kernel/module/version.c) and the module an allocated
 * __versions section (find_sec(): info->index.vers). The kernel's
 * VERMAGIC_STRING says itself whether it has CONFIG_MODVERSIONS: its
 * "modversions " part.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rustver/elf.h>

#include "rustver.h"

int load_facts_read(struct load_facts *f, const uint8_t *data, size_t size,
		    const struct rv_elf_loaded *loaded)
{
	static const char key[] = "vermagic=";
	struct rv_elf_shdr sh;
	struct rv_elf elf;
	int r;

	memset(f, 0, sizeof(*f));
	if (rv_elf_open_loaded(&elf, data, size, loaded))
		return -1;
	for (uint32_t i = 1; i < elf.shnum; i++) {
		if (rv_elf_shdr(&elf, i, &sh))
			return -1;
		if ((sh.flags & RV_SHF_ALLOC) &&
		    !strcmp(rv_elf_section_name(&elf, &sh), "__versions")) {
			f->versions = true;
			break;
		}
	}
	/* the loader takes the one .modinfo, allocated or not (find_any_unique_sec()) */
	r = rv_elf_find_section(&elf, ".modinfo", &sh);
	if (r == -RV_ENOENT || (!r && sh.type == RV_SHT_NOBITS))
		return 0;
	if (r)
		return -1;
	f->has_modinfo = true;
	{
		const char *p = (const char *)rv_elf_section_data(&elf, &sh);

		for (uint64_t i = 0; i < sh.size;) {
			size_t n = rv_strnlen(p + i, sh.size - i);

			if (n >= sizeof(key) - 1 && !memcmp(p + i, key, sizeof(key) - 1)) {
				f->vermagic = p + i + sizeof(key) - 1;
				f->vermagic_len = n - (sizeof(key) - 1);
				break;
			}
			i += n + 1;
		}
	}
	return 0;
}

/* ---- the target */

/* The value of CONFIG_@name in the .config file @path: 'y', 'm', 'n' (not set), 0 unknown. */
static char config_value(const char *path, const char *name)
{
	size_t n = strlen(name);
	struct text t;
	char *line = NULL, v = 0;
	size_t cap = 0;
	bool found = false;

	if (text_open(&t, path, MAX_TEXT_SIZE))
		return 0;
	while (getline(&line, &cap, t.f) >= 0) {
		if (!strncmp(line, "CONFIG_", 7) && !strncmp(line + 7, name, n) &&
		    line[7 + n] == '=') {
			v = line[8 + n] == 'y' || line[8 + n] == 'm' ? line[8 + n] : 'n';
			found = true;
			break;
		}
		if (!strncmp(line, "# CONFIG_", 9) && !strncmp(line + 9, name, n) &&
		    !strcmp(line + 9 + n, " is not set\n")) {
			v = 'n';
			found = true;
			break;
		}
	}
	if (!found && text_end(&t, path) == 0)
		v = 'n'; /* a whole .config without it: not set */
	free(line);
	text_close(&t);
	return v;
}

/* tree_vermagic()'s walk: the first in-tree module with a vermagic. */
struct tree_vm {
	const char *dir, *kernel; /* DIR, DIR/kernel/ */
	const struct index *ix;	  /* check --all's, or NULL */
	char *vermagic, *from;
	unsigned int tried;
};

/* Keeps @f's vermagic, if it has one, as the tree's, read from @path. */
static void tree_vm_take(struct tree_vm *tv, const struct load_facts *f, const char *path)
{
	if (!f->vermagic)
		return;
	tv->vermagic = xasprintf("%.*s", (int)f->vermagic_len, f->vermagic);
	tv->from = xasprintf("the in-tree module %s", path);
}

static int tree_vm_one(const char *path, void *arg)
{
	struct tree_vm *tv = arg;
	struct load_facts f;
	struct modfile m;

	/* a few tries: every in-tree module has it, a broken one is not the tree */
	if (tv->vermagic || tv->tried >= 8 || strncmp(path, tv->kernel, strlen(tv->kernel)))
		return 0;
	tv->tried++;
	if (tv->ix) {
		const struct ix_rec *e;
		struct ix_key k;
		struct stat st;

		if (!stat(path, &st)) {
			ix_key_of(&k, &st);
			e = index_find(tv->ix, path + strlen(tv->dir) + 1, &k);
			/* kept: its facts, or none (a file that could not be read) */
			if (e) {
				if (index_facts(e, &f) > 0)
					tree_vm_take(tv, &f, path);
				return 0;
			}
		}
	}
	if (!modfile_load(&m, path) && !load_facts_read(&f, m.data, m.elf_size, NULL))
		tree_vm_take(tv, &f, path);
	modfile_close(&m);
	return 0;
}

/*
 * The vermagic of the in-tree modules of @dir (its kernel/ directory, in
 * modules.dep's order, or the walk's without it): every module Kbuild built
 * with the kernel carries its VERMAGIC_STRING. NULL when there is none.
 */
static char *tree_vermagic(const char *dir, const struct index *ix, char **from)
{
	struct tree_vm tv = { .dir = dir, .ix = ix };
	struct tree_walk w;
	bool saved = rv_quiet;
	char *kernel = xasprintf("%s/kernel/", dir);

	tv.kernel = kernel;
	rv_quiet = true; /* the walk's notes are check --all's to print */
	for_each_module_file(dir, &w, tree_vm_one, &tv);
	rv_quiet = saved;
	modules_dep_free(&w.dep);
	free(kernel);
	*from = tv.from;
	return tv.vermagic;
}

void load_target_init(struct load_target *lt, const struct target *tg, const struct table *t,
		      const struct index *ix)
{
	char *dir, *config;

	memset(lt, 0, sizeof(*lt));
	if (t->vermagic) {
		lt->vermagic = xstrdup(t->vermagic);
		lt->from = xasprintf(tg->kdir ? "%s/vmlinux" : "the table %s", t->source);
	} else if (tg->kdir) {
		lt->why_not = xasprintf("%s has no vmlinux to read it from (installed headers?)",
					tg->kdir);
	} else if (tg->table && !tg->release && !tg->basedir) {
		lt->why_not = xasprintf("the table %s names none (made by 'rustver table --kdir' "
					"from a tree with its vmlinux, it does)",
					tg->table);
	} else {
		dir = module_dir(tg->basedir, tg->release);
		lt->vermagic = tree_vermagic(dir, ix, &lt->from);
		if (!lt->vermagic)
			lt->why_not = xasprintf("%s has no in-tree module to read it from", dir);
		free(dir);
	}
	if (tg->kdir) {
		config = xasprintf("%s/.config", tg->kdir);
		lt->force_load = config_value(config, "MODULE_FORCE_LOAD");
		free(config);
	} else if (!tg->table || tg->release || tg->basedir) {
		/* /boot/config-RELEASE, or where Debian's packages put it */
		const char *rel = tg->release ? tg->release : default_release();
		const char *base = tg->basedir ? tg->basedir : "";
		static const char *const where[] = { "%s/boot/config-%s",
						     "%s/lib/modules/%s/config",
						     "%s/lib/modules/%s/build/.config" };

		for (size_t i = 0; !lt->force_load && i < sizeof(where) / sizeof(where[0]); i++) {
			config = xasprintf(where[i], base, rel);
			lt->force_load = config_value(config, "MODULE_FORCE_LOAD");
			free(config);
		}
	}
}

void load_target_free(struct load_target *lt)
{
	free(lt->vermagic);
	free(lt->from);
	free(lt->why_not);
	memset(lt, 0, sizeof(*lt));
}

/* ---- the checks */

/* The part same_magic() compares: from the first space on when @crcs. */
static const char *magic_part(const char *s, size_t len, bool crcs, size_t *n)
{
	const char *space = crcs ? memchr(s, ' ', len) : s;
	size_t sp = space ? (size_t)(space - s) : len;

	/* bounded by @len: the module's value may end at its section's end, unterminated */
	*n = len - sp;
	return s + sp;
}

/* Whether VERMAGIC_STRING @vm has "modversions " after the release. */
static bool target_modversions(const char *vm)
{
	const char *p = vm + strcspn(vm, " ");

	for (; *p; p += strcspn(p, " ")) {
		p += strspn(p, " ");
		if (!strncmp(p, "modversions", 11) && (p[11] == ' ' || !p[11]))
			return true;
	}
	return false;
}

static void check_vermagic(struct load_check *c, const struct load_facts *f,
			   const struct load_target *t)
{
	const char *a, *b;
	size_t an, bn;
	bool crcs;

	if (!f->vermagic) {
		if (t->force_load == 'y') {
			c->status = LOAD_OK;
			c->reason = xstrdup("no vermagic: loaded forced, tainting the kernel "
					    "(CONFIG_MODULE_FORCE_LOAD)");
			return;
		}
		if (!t->force_load) {
			c->status = LOAD_NOT_CHECKED;
			c->reason = xstrdup("the module has no vermagic, which the kernel refuses "
					    "unless built with CONFIG_MODULE_FORCE_LOAD, and the "
					    "kernel's configuration is not known");
			return;
		}
		c->status = LOAD_REFUSED;
		c->reason = xstrdup("no vermagic: the kernel refuses it (bad vermagic; no "
				    "CONFIG_MODULE_FORCE_LOAD)");
		c->fix = "build it with Kbuild (its modpost writes the vermagic) against the "
			 "kernel's build tree";
		return;
	}
	if (!t->vermagic) {
		c->status = LOAD_NOT_CHECKED;
		c->reason = xasprintf("the kernel's is not known: %s", t->why_not);
		return;
	}
	crcs = f->versions && target_modversions(t->vermagic);
	a = magic_part(f->vermagic, f->vermagic_len, crcs, &an);
	b = magic_part(t->vermagic, strlen(t->vermagic), crcs, &bn);
	c->module_value = f->vermagic;
	c->module_len = f->vermagic_len;
	c->kernel_value = t->vermagic;
	/* strcmp(): up to the module's NUL, which rv_strnlen() found */
	if (an == bn && !memcmp(a, b, an)) {
		c->status = LOAD_OK;
		return;
	}
	c->status = LOAD_REFUSED;
	c->fix = "rebuild the module against the kernel's build tree (the vermagic is its "
		 "release and configuration)";
}

/* load_module()'s order */
static const struct {
	const char *name;
	void (*fn)(struct load_check *c, const struct load_facts *f, const struct load_target *t);
} load_checks[LOAD_NCHECKS] = {
	{ "vermagic", check_vermagic },
};

void load_verdict(struct load_verdict *v, const struct load_facts *f, const struct load_target *t)
{
	memset(v, 0, sizeof(*v));
	v->first_refusal = -1;
	for (int i = 0; i < LOAD_NCHECKS; i++) {
		v->c[i].name = load_checks[i].name;
		load_checks[i].fn(&v->c[i], f, t);
		if (v->c[i].status == LOAD_REFUSED && v->first_refusal < 0)
			v->first_refusal = i;
	}
}

void load_verdict_free(struct load_verdict *v)
{
	for (int i = 0; i < LOAD_NCHECKS; i++)
		free(v->c[i].reason);
	memset(v, 0, sizeof(*v));
}

const char *load_status_name(enum load_status s)
{
	switch (s) {
	case LOAD_OK: return "ok";
	case LOAD_REFUSED: return "refused";
	case LOAD_NOT_CHECKED: break;
	}
	return "not checked";
}
