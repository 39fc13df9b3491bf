/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rustver: the userspace helper. One header, sectioned per file.
 */
#ifndef RUSTVER_TOOL_H
#define RUSTVER_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rustver/table.h>
#include <rustver/verdict.h>

#define RUSTVER_VERSION	    "0.1.0"
#define RUSTVER_SYSFS_TABLE "/sys/kernel/rustver/crates"

/* Exit codes of every command. */
enum {
	EXIT_PASS = 0,	  /* everything checked passed */
	EXIT_VERDICT = 1, /* a verdict failed */
	EXIT_TROUBLE = 2, /* usage, I/O or format error */
};

/* main.c */
extern const char *progname;
extern bool rv_quiet; /* no messages on stderr (the fuzzer) */
/* where this thread's messages go instead of stderr, or NULL (check --all) */
extern _Thread_local FILE *rv_msg_file;
void rv_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rv_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* True when argv[i] is --help or -h; prints @usage to stdout. */
bool wants_help(int argc, char **argv, const char *usage);

/* util.c: whole-file I/O and CRC */
int read_file(const char *path, uint8_t **data, size_t *size);
/* Writes @size bytes to a temporary beside @path, then renames over it. */
uint32_t crc32_buf(const uint8_t *data, size_t size);
const char *rustc_from_comment(const uint8_t *elf, size_t size);
void print_json_string(FILE *f, const char *s);

/* modfile.c: a module as the kernel would see it */
struct modfile {
	char *path;	 /* resolved file name */
	uint8_t *data;	 /* decompressed bytes */
	size_t size;	 /* of data */
	size_t elf_size; /* without the signature trailer */
	bool is_signed;
	const char *compression; /* "xz", "zstd", "gzip" or NULL */
	/* why kmod or the kernel would refuse a file rustver could read, or NULL */
	const char *refusal;
};
extern size_t modfile_max_size;
/* Reads (decompresses, cuts the signature of) the module file @path. */
int modfile_load(struct modfile *m, const char *path);
/* The same on @len bytes at @raw (malloc'ed: @m owns them from then on). */
int modfile_from_bytes(struct modfile *m, const char *path, uint8_t *raw, size_t len);
void modfile_close(struct modfile *m);

/* The module files an argument stands for. */
struct modlist {
	char **paths;
	size_t n;
	bool by_name; /* a module name or alias, resolved through libkmod */
};
/*
 * Resolves a command-line MODULE by kmod's rule: a file, or a name or alias
 * that libkmod resolves as modprobe does in @basedir/lib/modules/@release
 * (NULL: / and uname -r); every module an alias matches.
 */
int module_resolve(struct modlist *l, const char *arg, const char *basedir, const char *release);
void modlist_free(struct modlist *l);
bool is_module_name(const char *path);
/* "PATH", or "PATH -> TARGET" when PATH is a symlink; caller frees. */
char *shown_path(const char *path);
const char *default_release(void);
/* BASEDIR/lib/modules/RELEASE (defaults: "" and uname -r); caller frees. */
char *module_dir(const char *basedir, const char *release);

/* modinfo.c: .modinfo through the engine's ELF reader */
const char *modinfo_get(const uint8_t *data, size_t size, const char *key, size_t *len);
void print_untrusted(FILE *f, const char *s, size_t len);

/* tree.c: the module files of a tree, found as depmod finds them */
struct tree_walk {
	unsigned int dangling, loops, unreadable; /* skipped, and why */
};
/*
 * Calls @fn for every module file under @dir, following symlinks as depmod
 * does (a dangling link or a loop is reported and counted in @w, not fatal);
 * returns the worst result.
 */
int for_each_module_file(const char *dir, struct tree_walk *w,
			 int (*fn)(const char *path, void *arg), void *arg);

/* kdir.c: the crate table of a kernel build tree */
struct table {
	struct rv_crate *crates;
	uint32_t count;
	char *rustc;  /* rustc banner, or NULL */
	char *source; /* where it came from, for messages */
	char *release, *uts_version, *build_id, *kdir;
	char **missing; /* crates without a known disambiguator */
	uint32_t nmissing;
	char **rmeta; /* .rmeta path per crate, or NULL */
};
int table_from_kdir(struct table *t, const char *kdir, bool no_rust);
void table_free(struct table *t);
struct rv_table table_view(const struct table *t);

/* evidence.c: what a module was built against, from Kbuild's records */
struct prefix_map {
	char **from, **to; /* RECORDED and HERE of each --prefix-map */
	size_t n;
};
int prefix_map_add(struct prefix_map *pm, const char *arg);
void prefix_map_free(struct prefix_map *pm);
struct evidence {
	char **rmeta; /* the .rmeta files rustc read, as paths here */
	size_t nrmeta;
	char *kdir; /* the kernel tree they belong to */
	bool none;  /* no build records at all */
	unsigned int nmissing; /* recorded .rmeta files that are not here */
};
/* Reads the build records beside @module; messages name the problem. */
int evidence_load(struct evidence *e, const char *module, const struct prefix_map *pm);
/* True when @rmeta is one of the files rustc read (same file). */
bool evidence_has(const struct evidence *e, const char *rmeta);
void evidence_free(struct evidence *e);

/* tablefile.c: table files and /sys/kernel/rustver/crates */
int table_from_file(struct table *t, const char *path);
/* --kdir, --table or the running kernel's sysfs table */
int table_load(struct table *t, const char *kdir, const char *file);
void table_write_text(const struct table *t, FILE *f);
void table_write_json(const struct table *t, FILE *f);
int table_write_c_header(const struct table *t, const char *path);

/* report.c: printing verdicts */
void crate_name(char *buf, size_t size, const char *name, size_t len, uint64_t dis);
void report_verdict(FILE *f, const char *module, const struct rv_verdict *v,
		    const struct rv_table *t, bool detail);
void report_verdict_json(FILE *f, const char *module, const struct rv_verdict *v);
int verdict_exit(const struct rv_verdict *v);

/* elfwrite.c: writing the stamp with libelf */
int stamp_write(const char *path, const uint8_t *orig, size_t orig_size, const uint8_t *stamp,
		size_t size);

/* commands, cmd-*.c */
int cmd_table(int argc, char **argv);
int cmd_stamp(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_show(int argc, char **argv);
/* cmd-show.c: everything show prints about one module (also the fuzzer's) */
int show_module(FILE *f, const char *shown, const struct modfile *m, const struct table *t,
		struct rv_verdict_scratch *scr, struct rv_verdict *v);
int cmd_symbols(int argc, char **argv);

#endif /* RUSTVER_TOOL_H */
