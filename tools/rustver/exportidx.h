/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rustver: the kernel's Rust exports of a crate table (exportidx.c), and
 * their lines in the table text format:
 *
 *	# export: NAME
 *
 * one per exported Rust symbol of the tree (Module.symvers), sorted. The
 * "#" keeps a table with them readable by an older rustver, which takes
 * them for comments and walks every import.
 */
#ifndef RUSTVER_EXPORTIDX_H
#define RUSTVER_EXPORTIDX_H

#include <stddef.h>
#include <stdint.h>

#include <rustver/verdict.h>

#define EXPORT_LINE_PREFIX "# export: "

/* The exports as struct rv_table carries them, and their memory. */
struct export_index {
	struct rv_exports view;
	struct rv_export *e;
	uint32_t *bucket;
	char *names;
	uint16_t *lists;
	uint32_t nlists;  /* u16 entries of lists */
	uint32_t skipped; /* names left out: no walk, or a crate not in the table */
};

/* 0 when @name (@len bytes) may be an export's: else -1 with *@why set. */
int export_name_check(const char *name, size_t len, const char **why);

/*
 * Parses "# export: NAME" (@len bytes, no newline): 0 with *@name and
 * *@name_len set to NAME inside @line, or -1 with *@why set.
 */
int export_parse_line(const char *line, size_t len, const char **name, size_t *name_len,
		      const char **why);

/*
 * Builds @ix from the @n NUL-terminated names (@lens bytes each) against the table's
 * @ncrates @crates: 0, or -1 with *@why set (a name export_name_check()
 * refuses, the same name twice, a bound, no memory). Names that do not walk
 * or name a crate not in the table are left out (ix->skipped).
 */
int export_index_build(struct export_index *ix, const struct rv_crate *crates, uint32_t ncrates,
		       char *const *names, const size_t *lens, size_t n, const char **why);
void export_index_free(struct export_index *ix);

#endif /* RUSTVER_EXPORTIDX_H */
