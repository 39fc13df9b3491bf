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

struct load_facts; /* loader.c */
struct table;	   /* kdir.c */

/* The version, from debian/changelog: the Makefile passes -DRUSTVER_VERSION. */
#ifndef RUSTVER_VERSION
#error "RUSTVER_VERSION is not defined: build with make (it reads debian/changelog)"
#endif
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

/*
 * out.c: the one output layer; text or JSON from the same calls, every
 * string escaped as the top of out.c says. A field's @key names it in JSON
 * (ignored in a list), @fmt prints it in text (one conversion: %s for a
 * string, a boolean ("yes"/"no") or out_hex()'s digits, %llu for
 * out_uint(); NULL: not in the text).
 */
#define OUT_MAX_DEPTH 8
struct out {
	FILE *f;
	bool json;
	/* private to out.c */
	unsigned int depth;
	bool more[OUT_MAX_DEPTH], in_object[OUT_MAX_DEPTH];
};
void out_init(struct out *o, FILE *f, bool json);
void out_begin(struct out *o, const char *key); /* an object; at the top, one line */
void out_end(struct out *o);
void out_begin_list(struct out *o, const char *key);
void out_end_list(struct out *o);
/* @len bytes of @s; NULL is JSON's null and nothing in text */
void out_bytes(struct out *o, const char *key, const char *fmt, const char *s, size_t len);
void out_str(struct out *o, const char *key, const char *fmt, const char *s);
void out_uint(struct out *o, const char *key, const char *fmt, unsigned long long v);
void out_bool(struct out *o, const char *key, const char *fmt, bool v);
/* @v through @hexfmt ("0x%08llx"), a JSON string; !@has: null, nothing in text */
void out_hex(struct out *o, const char *key, const char *fmt, const char *hexfmt, bool has,
	     unsigned long long v);
/* Text mode only: labels, punctuation and explanations (no untrusted bytes). */
void out_text(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A crate: "name[dis]" through @fmt; "name", "disambiguator" in JSON. */
void out_crate(struct out *o, const char *fmt, const char *name, size_t len,
	       unsigned long long dis);
/* The escape of @len bytes at @s, written to @f (table files, messages). */
void out_escape(FILE *f, const char *s, size_t len);

/*
 * One command of rustver (as kmod's struct kmod_cmd): the top-level help lists
 * @summary; @usage is the whole of 'rustver NAME --help' and of 'rustver help
 * NAME', its first lines ("Usage: rustver NAME ...") the synopsis.
 */
struct rv_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage;
};
extern const struct rv_cmd cmd_table_def, cmd_stamp_def, cmd_check_def, cmd_show_def,
	cmd_symbols_def;
/* True when argv[i] is --help or -h; prints @cmd's usage to stdout. */
bool wants_help(const struct rv_cmd *cmd, int argc, char **argv);
/*
 * A usage error of @cmd: "rustver: NAME: MESSAGE" and "Try 'rustver NAME
 * --help'." on stderr. Return: EXIT_TROUBLE.
 */
int usage_error(const struct rv_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * The usage error for what getopt_long() (opterr 0, optstring starting with
 * ':') or rv_getopt() returned as @opt ('?', ':' or '!') on @argv.
 * Return: EXIT_TROUBLE.
 */
int option_error(const struct rv_cmd *cmd, char **argv, int opt);
/*
 * getopt_long() for the commands (their @shortopts start with ':'), which
 * also refuses an empty option value (--kdir '', --kernel=): it returns
 * '!' for it, which option_error() explains.
 */
struct option;
int rv_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

/*
 * The options that name a kernel, shared by the commands that take them:
 * --kdir DIR, --table FILE (the crate table), -k/--kernel RELEASE and
 * -b/--basedir DIR (the module tree, as modinfo(8) and modprobe(8) take them).
 */
struct target {
	const char *kdir, *table, *release, *basedir;
};
#define TARGET_TABLE_OPTIONS                          \
	{ "kdir", required_argument, NULL, 'K' },     \
	{                                             \
		"table", required_argument, NULL, 't' \
	}
#define TARGET_TREE_OPTIONS                             \
	{ "kernel", required_argument, NULL, 'k' },     \
	{                                               \
		"basedir", required_argument, NULL, 'b' \
	}
#define TARGET_TREE_SHORT "k:b:"
/* Stores getopt_long()'s @opt and @arg in @t. Return: false when @opt is none of them. */
bool target_option(struct target *t, int opt, const char *arg);
/* A usage error (EXIT_TROUBLE) for @cmd when @t names the kernel twice (--kdir and --table), else 0. */
int target_usage(const struct rv_cmd *cmd, const struct target *t);

/* util.c: whole-file I/O and CRC */
/* Bounds of what the helper reads, in bytes. */
#define MAX_TEXT_SIZE  ((size_t)256 << 20) /* Module.symvers, modules.order, build records */
#define MAX_TABLE_SIZE ((size_t)1 << 20)   /* a table file: 256 crates and its comments */
#define MAX_LINE_SIZE  ((size_t)64 << 10)  /* kernel.release, a generated header's line */
/*
 * Opens @path for reading when it is a regular file (symlinks followed),
 * without blocking on a FIFO or a device on the way (O_NONBLOCK until
 * fstat() has said so); *@st, if not NULL, gets the fstat(2). Return: the
 * descriptor, or -1 with errno set: ENOENT (nothing printed), else with a
 * message "PATH: ..." printed (EINVAL: "not a regular file").
 */
int open_regular(const char *path, struct stat *st);
/*
 * A text file read whole, at most @max bytes, to its end whatever st_size
 * says (sysfs, procfs), then read line by line from memory through @f
 * (getline()): a read error is never taken for the end of the file.
 * text_open() returns 0, 1 when @path does not exist (nothing printed), -1
 * with a message printed; after the lines, text_end() is 0 at the end of
 * the file, -1 (printed) if getline() stopped for want of memory.
 */
struct text {
	char *data;
	size_t len;
	FILE *f;
};
int text_open(struct text *t, const char *path, size_t max);
int text_end(struct text *t, const char *path);
void text_close(struct text *t);
/*
 * Reads the regular file @path whole (at most 2 GiB) into *@data (malloc'ed,
 * NUL-terminated past *@size bytes). 0, or -1 with a message "PATH: ..."
 * printed and nothing allocated.
 */
int read_file(const char *path, uint8_t **data, size_t *size);
/*
 * The same, and in *@st the fstat(2) of the file it read (symlinks
 * followed): what replace_begin() compares the file with before replacing it.
 */
int read_file_stat(const char *path, uint8_t **data, size_t *size, struct stat *st);
/*
 * The same on the regular file open as @fd, read from offset 0 with pread(2)
 * (its offset is left alone); @path names it in messages. @st may be NULL.
 */
int read_fd(int fd, const char *path, uint8_t **data, size_t *size, struct stat *st);
uint32_t crc32_buf(const uint8_t *data, size_t size);
/* What kind of file the mode @m is, for messages: "a directory", "a FIFO", ... */
const char *file_type(mode_t m);
const char *rustc_from_comment(const uint8_t *elf, size_t size);

/*
 * replace.c: the one file writer; every file a command writes goes through
 * it. What it keeps, refuses and cleans up: the top of replace.c. Use:
 * replace_begin(), replace_write() (or write into @fd), replace_commit(),
 * then always replace_end(); on -1 from any of them print "%s: %s" of
 * @shown and @why.
 */
struct replace {
	char *shown;  /* "PATH", or "PATH -> TARGET" when PATH is a symlink */
	char *why;    /* after a call returned -1: what went wrong, for "SHOWN: WHY" */
	char *target; /* the file replaced: PATH with its symlinks followed, absolute */
	int fd;	      /* the new contents go here: O_RDWR for a new file (pread, libelf) */
	bool direct;  /* a character device, FIFO or open file: @fd writes into it */
	/* private to replace.c */
	bool exists, have_expect;
	struct stat old, expect;
	const uint8_t *was; /* replace_expect_bytes() */
	size_t was_len;
	int dirfd;
	char *dir, *base, *tmpname;
};
/*
 * Starts rewriting @path. @expect: the stat of the file as the caller read
 * it (read_file_stat()), which must still be the file there now and at the
 * commit, or NULL: whatever regular file is there (or none). Refused (-1,
 * @why set, nothing created): a directory, block device, socket or other
 * non-regular file; with @expect anything but that file; a file with
 * several hard links; a directory that cannot be opened or created in. A
 * character device or FIFO (or /dev/stdout) is opened for writing straight
 * into (@direct; a FIFO's open waits for a reader). 0: @fd is open, a new
 * file's offset 0. Also removes temporaries a killed earlier run left for
 * this target.
 */
int replace_begin(struct replace *r, const char *path, const struct stat *expect);
/*
 * With @expect given to replace_begin(): the @len bytes at @data are the
 * file's as the caller read them (kept until replace_commit()). The commit
 * then compares the file's bytes with them too, so that a rewrite of the same
 * size within one tick of a coarse clock (1-second times: ext2/3, ext4 with
 * 128-byte inodes, FAT), which leaves size and times as they were, is not
 * taken for the file that was read. Costs one read of the file.
 */
void replace_expect_bytes(struct replace *r, const void *data, size_t len);
/* Writes all @len bytes at @p to @fd (EINTR and short writes retried); 0 or -1. */
int replace_write(struct replace *r, const void *p, size_t len);
/*
 * Gives the new file the old one's owner, group, mode and extended
 * attributes (ACLs included; 0644 for a file that did not exist), fsyncs it
 * and renames it over the target, unless the target was replaced or
 * modified since it was read (@expect) or found (replace_begin()). 0, or -1
 * with @why set and the target untouched. A direct write is only closed.
 */
int replace_commit(struct replace *r);
/* Removes the temporary unless committed; frees @r. Call once after replace_begin(). */
void replace_end(struct replace *r);
/* replace_begin(), replace_write() of @head then @body (either may be empty), replace_commit(). */
int replace_file(struct replace *r, const char *path, const struct stat *expect, const void *head,
		 size_t hlen, const void *body, size_t blen);

/* decompress.c: the module file formats and streaming decompression */
struct stream;
/* One module file format: a row of codecs[] (decompress.c). */
struct codec {
	const char *name; /* "xz", "zstd", "gzip"; NULL: not compressed */
	const char *ext;  /* the suffix after ".ko" kmod takes for it ("" uncompressed) */
	const uint8_t *magic;
	size_t magic_len;
	/* also recognised by these first bytes (or NULL) */
	bool (*also)(const uint8_t *p, size_t len);
	int (*start)(struct stream *s);
	int (*step)(struct stream *s, uint8_t *out, size_t len, size_t *n);
	/* why kmod or the kernel would refuse a file rustver reads, from its first bytes */
	const char *(*refusal)(const uint8_t *p, size_t len);
};
/* Every format, the uncompressed module last. */
extern const struct codec codecs[];
extern const size_t ncodecs;
/* The format of a module file from its first @len bytes: never NULL. */
const struct codec *codec_of(const uint8_t *p, size_t len);
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
/*
 * Decompresses @src as @codec into @sink until the stream ends (0, *@total
 * set to the decompressed size) or the sink stops it (1). -1: corrupt,
 * truncated, larger than modfile_max_size or unreadable (message printed).
 */
int unpack_run(struct unpacker *u, struct unpack_src *src, const struct codec *codec,
	       const char *path, struct unpack_sink *sink, uint64_t *total);

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
#define INDEX_FORMAT_VERSION 3 /* the header's version (the fuzzer writes it too) */
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
/*
 * An existing file that is not a rustver index (no RVINDEX magic: modules.dep
 * given as --index) is warned about and never overwritten: index_write() of
 * it returns -1. A character device or FIFO is not read (--index /dev/null).
 */
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
/* ... with the load facts @f of the module (NULL: its ELF could not be read) */
struct ix_new *index_record_verdict(const char *rel, const struct ix_key *k,
				    const struct modfile *m, const struct rv_verdict *v,
				    const struct load_facts *f, const struct rv_table *t,
				    struct rv_verdict_scratch *scr);
/* A record of a file that could not be decompressed. */
struct ix_new *index_record_loadfail(const char *rel, const struct ix_key *k);
/* Completes a record with the messages the module's reading printed. */
void index_record_done(struct ix_new *n, const char *msgs, size_t len);
void index_record_free(struct ix_new *n);
/* A copy of a record read, for the index this run writes. */
struct ix_new *index_record_copy(const struct ix_rec *rec);
/*
 * The verdict of a record against @t and its load facts in *@f (1; 0: the
 * record has no facts), or -1 for a file that could not be decompressed;
 * its messages are written to @msgs and *@refusal set. *@f points into the
 * index.
 */
int index_replay(const struct ix_rec *rec, const struct rv_table *t, struct rv_verdict_scratch *scr,
		 struct rv_verdict *v, struct load_facts *f, const char **refusal, FILE *msgs);
/* The load facts of a record only: 1, 0 none kept (index_replay()'s). */
int index_facts(const struct ix_rec *rec, struct load_facts *f);
/*
 * Writes the records (NULL ones skipped) to @file through replace.c, unless
 * @ix (the index_open() of @file) found a file that is not an index there,
 * or the file changed since it was read; warns on failure (0 or -1).
 */
int index_write(const struct index *ix, const char *file, const char *dir,
		struct ix_new *const *recs, size_t n);

/* The module files an argument stands for. */
struct moddeps {
	char **paths, **names; /* modules.dep's dependencies of a module */
	size_t n;
};
/* Appends @path and @name (malloc'ed, taken over) to @d; frees what @d holds. */
void moddeps_add(struct moddeps *d, char *path, char *name);
void moddeps_free(struct moddeps *d);
struct modlist {
	char **paths;
	struct moddeps *deps; /* per path; none for a file given by path */
	size_t n;
	bool by_name; /* a module name or alias, resolved through libkmod */
	bool builtin; /* ... to modules built into the kernel only: @n is 0 */
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

/*
 * loader.c: the loader's checks before kmod_rustver's, against a target
 * kernel (see the top of loader.c). What they read of a module: its facts,
 * pointers into the bytes read (or an index record), valid while those are.
 */
struct load_facts {
	const char *vermagic; /* .modinfo's first vermagic= value, or NULL: none */
	size_t vermagic_len;  /* bytes, up to its NUL or the section's end */
	bool has_modinfo;
	bool versions; /* an allocated __versions section: info->index.vers */
};
/* 0, or -1 when @data is not an ELF image the engine reads (the verdict says why). */
int load_facts_read(struct load_facts *f, const uint8_t *data, size_t size,
		    const struct rv_elf_loaded *loaded);
/* What the checks compare with: the target kernel's side. */
struct load_target {
	char *vermagic;	 /* the kernel's VERMAGIC_STRING, or NULL: not known */
	char *from;	 /* where it was read, for messages */
	char *why_not;	 /* no vermagic: why */
	char force_load; /* CONFIG_MODULE_FORCE_LOAD: 'y', 'n', 0 unknown */
};
/*
 * The target's side from the options @tg and the crate table @t: the
 * vermagic of --kdir's vmlinux or --table's file (@t->vermagic), else,
 * without --kdir or a bare --table, that of the in-tree modules of
 * BASEDIR/lib/modules/RELEASE (their facts from @ix, check --all's index,
 * where it has them); CONFIG_MODULE_FORCE_LOAD from --kdir's .config or
 * BASEDIR/boot/config-RELEASE (or lib/modules/RELEASE/config, build/.config).
 */
void load_target_init(struct load_target *lt, const struct target *tg, const struct table *t,
		      const struct index *ix);
void load_target_free(struct load_target *lt);
enum load_status { LOAD_OK, LOAD_REFUSED, LOAD_NOT_CHECKED };
struct load_check {
	const char *name; /* "vermagic" */
	enum load_status status;
	char *reason;	 /* malloc'ed or NULL: a note, or why not checked */
	const char *fix; /* LOAD_REFUSED: what to do */
	/* vermagic: the two strings compared (module's not NUL-terminated) */
	const char *module_value, *kernel_value;
	size_t module_len;
};
#define LOAD_NCHECKS 1
struct load_verdict {
	struct load_check c[LOAD_NCHECKS]; /* load_module()'s order */
	int first_refusal;		   /* index in @c, or -1: the loader takes it */
};
void load_verdict(struct load_verdict *v, const struct load_facts *f, const struct load_target *t);
void load_verdict_free(struct load_verdict *v);
const char *load_status_name(enum load_status s);

/* tree.c: the module files of a tree, found as depmod finds them */
/*
 * @dir/modules.dep, "FILE: DEPENDENCY..." per line (kmod's depmod writes
 * it; each path relative to @dir, or absolute for an external directory):
 * its modules and, for each, its dependencies (the whole closure, modprobe
 * loads the last first). Return: 1 read, 0 absent, -1 unreadable or
 * malformed (printed); free it with modules_dep_free() whatever it said.
 */
struct dep_index;
struct modules_dep {
	char **paths;	      /* absolute, in modules.dep's order */
	struct moddeps *deps; /* per path */
	size_t n;
	/* private to tree.c */
	struct dep_index *index;
	char **names;
};
int modules_dep_read(struct modules_dep *d, const char *dir);
/* The index in @d of the module file @path (as the walk names it), or -1. */
long modules_dep_find(const struct modules_dep *d, const char *path);
void modules_dep_free(struct modules_dep *d);
struct tree_walk {
	unsigned int dangling, loops, unreadable; /* skipped, and why */
	unsigned int shadowed, unindexed;	  /* skipped: not what modprobe loads */
	unsigned int external;			  /* checked: modules.dep's, outside @dir */
	unsigned int beyond;			  /* ... in @dir, where the walk does not go */
	struct modules_dep dep; /* @dir/modules.dep as read (none: empty); caller frees */
};
/*
 * Calls @fn for every module file under @dir, following symlinks as depmod
 * does (a dangling link or a loop is reported and counted in @w, not fatal),
 * then for those of @dir/modules.dep outside it; where modules.dep exists,
 * a file it does not list is reported, counted and skipped; @w->dep keeps
 * what it read. Returns the worst result.
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
	char *vermagic; /* the kernel's VERMAGIC_STRING (vmlinux), or NULL */
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
	char **rmeta;		 /* the .rmeta files rustc read, as paths here */
	uint32_t *crc;		 /* per .rmeta: the CRC of the bytes shown to be rustc's */
	bool *by_content;	 /* per .rmeta: shown by rustc's SHA-256 (else by times) */
	uint64_t *dev, *ino;	 /* per .rmeta: the file, whatever path names it */
	uint8_t (*sum)[32];	 /* per .rmeta shown by content: rustc's SHA-256 */
	unsigned long long *len; /* ... and length */
	size_t nrmeta;
	char *kdir;	       /* the kernel tree they belong to */
	bool none;	       /* no build records at all */
	unsigned int nmissing; /* recorded .rmeta files that are not here */
	unsigned int by_times; /* objects whose evidence is file times only */
};
struct evidence_rmeta {
	const char *path;
	bool by_content;
	uint32_t crc; /* when by_content */
};
/*
 * Reads the build records beside @module (evidence.c: by content where
 * scripts/rustver-rustc kept rustc's checksums; by file times only when
 * @by_times); 0, or -1 with the problem printed.
 */
int evidence_load(struct evidence *e, const char *module, const struct prefix_map *pm,
		  bool by_times);
/* @found filled when @rmeta is one of the files rustc read (same file), else NULL. */
const struct evidence_rmeta *evidence_find(const struct evidence *e, const char *rmeta,
					   struct evidence_rmeta *found);
void evidence_free(struct evidence *e);

/* tablefile.c: table files and /sys/kernel/rustver/crates */
int table_from_file(struct table *t, const char *path);
/* --kdir, --table or the running kernel's sysfs table */
int table_load(struct table *t, const char *kdir, const char *file);
void table_write_text(const struct table *t, FILE *f);
void table_write_json(const struct table *t, struct out *o);
int table_write_c_header(const struct table *t, const char *path);

/*
 * report.c: printing verdicts, through out.c. A verdict is one object in
 * JSON (report_verdict_fields(): its fields, in an object the caller
 * opened); in text its line, then the failing crates (every crate with
 * @detail), then what to do.
 */
void report_verdict(struct out *o, const char *module, const struct load_verdict *lv,
		    const struct rv_verdict *v, const struct rv_table *t, bool detail);
void report_verdict_fields(struct out *o, const char *module, const struct rv_verdict *v,
			   const struct rv_table *t, bool detail);
/*
 * The same with the loader's checks @lv (NULL: none made): a refusal of
 * theirs is the line, the crates' verdict after it; JSON: "loads", "checks".
 */
void report_load_fields(struct out *o, const char *module, const struct load_verdict *lv,
			const struct rv_verdict *v, const struct rv_table *t, bool detail);
/* An error that is not the engine's (kmod would refuse the file): @where, @why */
void report_error(struct out *o, const char *module, const char *where, const char *why);
int verdict_exit(const struct rv_verdict *v);
/* The exit of a module's whole verdict: a loader's refusal is EXIT_VERDICT. */
int load_exit(const struct load_verdict *lv, const struct rv_verdict *v);

/*
 * elfwrite.c: writing the stamp with libelf. Replaces @path (whose @orig_size
 * bytes at @orig were read under the stat @st) with a copy holding the
 * @size-byte @stamp, through replace.c; 0, or -1 with a message printed.
 */
int stamp_write(const char *path, const struct stat *st, const uint8_t *orig, size_t orig_size,
		const uint8_t *stamp, size_t size);

/* commands, cmd-*.c: each is its cmd_*_def (struct rv_cmd, above) */
/* cmd-show.c: everything show prints about one module (also the fuzzer's) */
int show_module(struct out *o, const char *shown, const struct modfile *m, const struct table *t,
		struct rv_verdict_scratch *scr, struct rv_verdict *v);

#endif /* RUSTVER_TOOL_H */
