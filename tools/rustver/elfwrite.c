// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: writing the stamp section with libelf.
 *
 * The module is copied to a temporary file beside it, the stamp section is
 * replaced or added there, the result is read back and checked with the
 * engine, and only then renamed over the original: an interrupted or failed
 * stamp never leaves a broken .ko behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rustver.h"

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static Elf_Scn *find_scn(Elf *e, size_t shstrndx, const char *name)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, &sh))
			return NULL;
		n = elf_strptr(e, shstrndx, sh.sh_name);
		if (n && !strcmp(n, name))
			return scn;
	}
	return NULL;
}

/* Appends @name to the section name table; returns its offset or 0. */
static size_t add_name(Elf *e, size_t shstrndx, const char *name, void **keep)
{
	Elf_Scn *scn = elf_getscn(e, shstrndx);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	size_t len = strlen(name) + 1, off;
	uint8_t *buf;

	if (!d || elf_getdata(scn, d)) /* expect exactly one data block */
		return 0;
	off = d->d_size;
	buf = xmalloc(off + len);
	memcpy(buf, d->d_buf, off);
	memcpy(buf + off, name, len);
	d->d_buf = buf;
	d->d_size = off + len;
	elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY);
	*keep = buf;
	return off;
}

static int set_stamp(Elf *e, const uint8_t *stamp, size_t size, void **keep)
{
	size_t shstrndx, name;
	Elf_Scn *scn;
	Elf_Data *d;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(e, &shstrndx))
		return -1;
	scn = find_scn(e, shstrndx, RV_STAMP_SECTION);
	if (scn) {
		d = elf_getdata(scn, NULL);
		if (!d || elf_getdata(scn, d) || !gelf_getshdr(scn, &sh))
			return -1;
	} else {
		name = add_name(e, shstrndx, RV_STAMP_SECTION, keep);
		if (!name)
			return -1;
		scn = elf_newscn(e);
		d = scn ? elf_newdata(scn) : NULL;
		if (!d || !gelf_getshdr(scn, &sh))
			return -1;
		sh.sh_name = (GElf_Word)name;
		sh.sh_type = SHT_PROGBITS;
		sh.sh_flags = 0;
		sh.sh_addralign = 8;
	}
	d->d_buf = (void *)stamp;
	d->d_size = size;
	d->d_type = ELF_T_BYTE;
	d->d_align = 8;
	d->d_off = 0;
	sh.sh_size = size;
	if (!gelf_update_shdr(scn, &sh))
		return -1;
	elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY);
	elf_flagscn(scn, ELF_C_SET, ELF_F_DIRTY);
	return 0;
}

/* Rewrites the copy at @fd; returns 0 or -1 with a message printed. */
static int rewrite(int fd, const char *path, const uint8_t *stamp, size_t size)
{
	void *keep = NULL;
	off_t len;
	Elf *e;
	int err = -1;

	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_RDWR, NULL);
	if (!e) {
		rv_err("%s: libelf cannot read it: %s", path, elf_errmsg(-1));
		return -1;
	}
	if (set_stamp(e, stamp, size, &keep)) {
		rv_err("%s: cannot add the stamp section: %s", path, elf_errmsg(-1));
		goto out;
	}
	len = elf_update(e, ELF_C_WRITE);
	if (len < 0) {
		rv_err("%s: libelf cannot write it: %s", path, elf_errmsg(-1));
		goto out;
	}
	if (ftruncate(fd, len)) {
		rv_err("%s: cannot truncate: %s", path, strerror(errno));
		goto out;
	}
	err = 0;
out:
	elf_end(e);
	free(keep);
	return err;
}

/* Reads the rewritten copy back and checks the stamp with the engine. */
static int verify(const char *tmp, const char *path, const uint8_t *stamp, size_t size)
{
	struct rv_elf_shdr sh;
	struct rv_elf elf;
	struct rv_stamp st;
	uint8_t *data;
	size_t len;
	int err = -1;

	if (read_file(tmp, &data, &len))
		return -1;
	if (rv_elf_open(&elf, data, len))
		rv_err("%s: stamped copy is not a valid module: %s", path, elf.why);
	else if (rv_elf_find_section(&elf, RV_STAMP_SECTION, &sh) || sh.size != size ||
		 rv_stamp_parse(&st, rv_elf_section_data(&elf, &sh), sh.size) ||
		 memcmp(rv_elf_section_data(&elf, &sh), stamp, size))
		rv_err("%s: stamped copy does not read back the stamp", path);
	else
		err = 0;
	free(data);
	return err;
}

int stamp_write(const char *path, const uint8_t *orig, size_t orig_size, const uint8_t *stamp,
		size_t size)
{
	char *d = xstrdup(path), *b = xstrdup(path), *tmp;
	struct stat st;
	int fd, err = -1;

	tmp = xasprintf("%s/.%s.rustver-XXXXXX", dirname(d), basename(b));
	free(d);
	free(b);
	if (stat(path, &st)) {
		rv_err("%s: %s", path, strerror(errno));
		goto free_tmp;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		rv_err("%s: cannot create a temporary file beside it: %s", path, strerror(errno));
		goto free_tmp;
	}
	if (write_all(fd, orig, orig_size)) {
		rv_err("%s: cannot write %s: %s", path, tmp, strerror(errno));
		goto out;
	}
	if (rewrite(fd, path, stamp, size))
		goto out;
	if (fchmod(fd, st.st_mode & 07777) || fsync(fd)) {
		rv_err("%s: cannot finish %s: %s", path, tmp, strerror(errno));
		goto out;
	}
	if (verify(tmp, path, stamp, size))
		goto out;
	if (rename(tmp, path)) {
		rv_err("%s: cannot replace it: %s", path, strerror(errno));
		goto out;
	}
	err = 0;
out:
	close(fd);
	if (err)
		unlink(tmp);
free_tmp:
	free(tmp);
	return err;
}
