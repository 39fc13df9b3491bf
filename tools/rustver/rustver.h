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
#include <sys/stat.h>

#include <rustver/table.h>
#include <rustver/verdict.h>

#include "exportidx.h"

#define RUSTVER_VERSION	    "0.2.0"
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
/*
 * Replaces @path with @hlen bytes at @head then @blen at @body (either may be
 * empty), atomically: a temporary file beside it, mode 0644, fsync'd, renamed
 * over it. Returns 0, or -1 with errno set and no temporary left; *@what names
 * the step that failed ("create", "write", "rename into place").
 */
int write_file_atomic(const char *path, const void *head, size_t hlen, const void *body,
		      size_t blen, const char **what);
/* Writes @size bytes to a temporary beside @path, then renames over it. */
uint32_t crc32_buf(const uint8_t *data, size_t size);
const char *rustc_from_comment(const uint8_t *elf, size_t size);
void print_json_string(FILE *f, const char *s);

/* decompress.c: streaming decompression */
enum comp { COMP_NONE, COMP_XZ, COMP_ZSTD, COMP_GZIP };
/* The input: a file descriptor read from where it is, or @len bytes at @mem. */
struct unpack_src {
	int fd;
	const uint8_t *mem;
	size_t len, pos;
	bool io_error; /* set when reading @fd failed */
};
/* Where the output goes: the caller's buffer for the bytes from @off on. */
struct unpack_sink {
	/* a buffer of *@len > 0 bytes for offset @off; NULL: stop (enough) */
	uint8_t *(*window)(struct unpack_sink *s, uint64_t off, size_t *len);
	/* @n bytes were written at @p for offset @off (optional); non-zero: fail */
	int (*wrote)(struct unpack_sink *s, uint64_t off, const uint8_t *p, size_t n);
	bool failed; /* window() returned NULL because of an error it printed */
};
struct unpacker; /* decoders and buffers, kept from file to file */
struct unpacker *unpacker_new(void);
void unpacker_free(struct unpacker *u);
enum comp comp_of(const uint8_t *p, size_t len);
/*
 * Decompresses @src as @comp into @sink until the stream ends (0, *@total
 * set to the decompressed size) or the sink stops it (1). -1: corrupt,
 * truncated, larger than modfile_max_size or unreadable (message printed).
 */
int unpack_run(struct unpacker *u, struct unpack_src *src, enum comp comp, const char *path,
	       struct unpack_sink *sink, uint64_t *total);

/* modfile.c: a module as the kernel would see it */
#define MODFILE_MAX_RANGES 16
struct modfile {
	char *path;	 /* resolved file name */
	uint8_t *data;	 /* decompressed bytes */
	size_t size;	 /* of data */
	size_t elf_size; /* without the signature trailer */
	bool is_signed;
	const char *compression; /* "xz", "zstd", "gzip" or NULL */
	/* why kmod or the kernel would refuse a file rustver could read, or NULL */
	const char *refusal;
	/*
	 * modfile_read(): data is borrowed from the reader (a whole image), or
	 * a sparse mapping of which only @loaded holds the file's bytes
	 */
	bool borrowed, sparse;
	bool io_error;	     /* failed to read, not on the data: not kept in an index */
	unsigned int passes; /* decompressions of the file */
	struct rv_elf_range ranges[MODFILE_MAX_RANGES];
	struct rv_elf_loaded loaded;
};
extern size_t modfile_max_size;
/*
 * A module reader for check: a whole-image buffer of at most @budget bytes
 * (pages touched only as used) and the decoders, kept from file to file.
 */
struct modreader;
struct modreader *modreader_new(size_t budget);
void modreader_free(struct modreader *r);
/*
 * Reads the module file @path (opened as @fd, whose fstat is @st) for the
 * verdict: whole when it decompresses to at most the reader's budget, else
 * streamed: decompressed again for the byte ranges the verdict reads only
 * (section headers, section names, symbol and string tables, .modinfo, the
 * stamp), into a sparse mapping; m->loaded says which, and the engine
 * refuses to read outside them. Messages as modfile_load()'s.
 */
int modfile_read(struct modfile *m, struct modreader *r, const char *path, int fd,
		 const struct stat *st);
/* The loaded ranges of @m for rv_verdict_check_loaded(), NULL when whole. */
static inline const struct rv_elf_loaded *modfile_loaded(const struct modfile *m)
{
	return m->sparse ? &m->loaded : NULL;
}
/* Reads (decompresses, cuts the signature of) the module file @path. */
int modfile_load(struct modfile *m, const char *path);
/* The same on @len bytes at @raw (malloc'ed: @m owns them from then on). */
int modfile_from_bytes(struct modfile *m, const char *path, uint8_t *raw, size_t len);
void modfile_close(struct modfile *m);

/*
 * index.c: check --all's index of the verdict inputs of a tree's modules,
 * keyed by each file's identity and times; see the top of index.c.
 */
struct ix_key {
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
};
struct index;
struct ix_rec; /* a module's record in an index read */
struct ix_new; /* a record made by this run */
void ix_key_of(struct ix_key *k, const struct stat *st);
/* The index file of the module directory @dir by default, or NULL. */
char *index_default_path(const char *dir);
/* The index @file made for @dir; an empty one when missing, stale or bad (warned). */
struct index *index_open(const char *file, const char *dir);
void index_free(struct index *ix);
/* The index in @buf (@size bytes, owned by the index when one is returned; the fuzzer). */
struct index *index_from_bytes(uint8_t *buf, size_t size, const char *dir, const char **why);
/* Record @i of an index read, or NULL. */
const struct ix_rec *index_entry(const struct index *ix, size_t i);
/* The identity an index records of the rustver that wrote it. */
const char *index_writer_id(void);
size_t index_entries(const struct index *ix);
/* The record of @rel (path under the directory) when its key is still @k. */
const struct ix_rec *index_find(const struct index *ix, const char *rel, const struct ix_key *k);
/* A record of the verdict @v on @m, or NULL when it cannot be kept. */
struct ix_new *index_record_verdict(const char *rel, const struct ix_key *k,
				    const struct modfile *m, const struct rv_verdict *v,
				    const struct rv_table *t, struct rv_verdict_scratch *scr);
/* A record of a file that could not be decompressed. */
struct ix_new *index_record_loadfail(const char *rel, const struct ix_key *k);
/* Completes a record with the messages the module's reading printed. */
void index_record_done(struct ix_new *n, const char *msgs, size_t len);
void index_record_free(struct ix_new *n);
/* A copy of a record read, for the index this run writes. */
struct ix_new *index_record_copy(const struct ix_rec *rec);
/*
 * The verdict of a record against @t (0), or -1 for a file that could not be
 * decompressed; its messages are written to @msgs and *@refusal set.
 */
int index_replay(const struct ix_rec *rec, const struct rv_table *t, struct rv_verdict_scratch *scr,
		 struct rv_verdict *v, const char **refusal, FILE *msgs);
/* Writes the records (NULL ones skipped) to @file atomically; warns on failure. */
int index_write(const char *file, const char *dir, struct ix_new *const *recs, size_t n);

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
/* The same, and the file's stat in *@st when *@have (symlinks followed). */
char *shown_path_stat(const char *path, struct stat *st, bool *have);
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
	char **rmeta;	/* .rmeta path per crate, or NULL */
	char **exports; /* the tree's exported Rust symbols, sorted */
	size_t *export_lens;
	uint32_t nexports;
	struct export_index ix; /* of the exports, for struct rv_table */
};
int table_from_kdir(struct table *t, const char *kdir, bool no_rust);
void table_free(struct table *t);
/* Adds the export @name (@len bytes, not terminated) to @t. */
void table_add_export(struct table *t, const char *name, size_t len);
/* Builds t->ix from t->exports and t->crates; -1 with a message naming @where. */
int table_index_exports(struct table *t, const char *where);
/* Leaves @t without exports (rustver table --no-exports). */
void table_drop_exports(struct table *t);
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
	char *kdir;	       /* the kernel tree they belong to */
	bool none;	       /* no build records at all */
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
