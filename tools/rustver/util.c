// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: reading files (regular files only, bounded), CRC-32 and small ELF
 * helpers (writing: replace.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "rustver.h"

#define MAX_FILE_SIZE (1ULL << 31)

int read_fd(int fd, const char *path, uint8_t **data, size_t *size, struct stat *st)
{
	struct stat sb, *s = st ? st : &sb;
	size_t done = 0;
	uint8_t *buf;

	if (fstat(fd, s) < 0 || !S_ISREG(s->st_mode)) {
		rv_err("%s: not a regular file", path);
		return -1;
	}
	if ((unsigned long long)s->st_size > MAX_FILE_SIZE) {
		rv_err("%s: file too large (%lld bytes)", path, (long long)s->st_size);
		return -1;
	}
	buf = xmalloc((size_t)s->st_size + 1);
	while (done < (size_t)s->st_size) {
		ssize_t n = pread(fd, buf + done, (size_t)s->st_size - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rv_err("%s: read error: %s", path,
			       n < 0 ? strerror(errno) : "file shrank while reading");
			free(buf);
			return -1;
		}
		done += (size_t)n;
	}
	buf[done] = '\0';
	*data = buf;
	*size = done;
	return 0;
}

int open_regular(const char *path, struct stat *st)
{
	struct stat sb, *s = st ? st : &sb;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), flags;

	if (fd < 0) {
		int e = errno;

		if (e != ENOENT)
			rv_err("%s: cannot open: %s", path, strerror(e));
		errno = e; /* the caller tells ENOENT from the rest */
		return -1;
	}
	if (fstat(fd, s) < 0 || !S_ISREG(s->st_mode)) {
		rv_err("%s: not a regular file", path);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		int e = errno;

		rv_err("%s: cannot open: %s", path, strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int read_file_stat(const char *path, uint8_t **data, size_t *size, struct stat *st)
{
	int fd = open_regular(path, st), err;

	if (fd < 0) {
		if (errno == ENOENT)
			rv_err("%s: cannot open: %s", path, strerror(ENOENT));
		return -1;
	}
	err = read_fd(fd, path, data, size, st);
	close(fd);
	return err;
}

int text_open(struct text *t, const char *path, size_t max)
{
	size_t cap = 4096;
	struct stat st;
	int fd = open_regular(path, &st);

	memset(t, 0, sizeof(*t));
	if (fd < 0)
		return errno == ENOENT ? 1 : -1;
	/* by its size first (a sparse 8 GiB file is not read up to the limit) */
	if ((unsigned long long)st.st_size > max) {
		rv_err("%s: larger than %zu bytes: not what it should be", path, max);
		close(fd);
		return -1;
	}
	t->data = xmalloc(cap);
	for (;;) {
		ssize_t n;

		if (t->len == cap - 1) {
			if (cap > max) {
				rv_err("%s: larger than %zu bytes: not what it should be", path,
				       max);
				goto fail;
			}
			cap *= 2;
			t->data = xrealloc(t->data, cap);
		}
		n = read(fd, t->data + t->len, cap - 1 - t->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rv_err("%s: read error: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		t->len += (size_t)n;
	}
	close(fd);
	if (t->len > max) {
		rv_err("%s: larger than %zu bytes: not what it should be", path, max);
		text_close(t);
		return -1;
	}
	t->data[t->len] = '\0';
	t->f = fmemopen(t->data, t->len ? t->len : 1, "r");
	if (!t->f) {
		rv_err("%s: out of memory", path);
		text_close(t);
		return -1;
	}
	if (!t->len)
		fgetc(t->f); /* fmemopen needs a size of 1 at least: at its end now */
	return 0;
fail:
	close(fd);
	text_close(t);
	return -1;
}

int text_end(struct text *t, const char *path)
{
	if (feof(t->f))
		return 0;
	rv_err("%s: out of memory reading it", path);
	return -1;
}

void text_close(struct text *t)
{
	if (t->f)
		fclose(t->f);
	free(t->data);
	memset(t, 0, sizeof(*t));
}

int read_file(const char *path, uint8_t **data, size_t *size)
{
	return read_file_stat(path, data, size, NULL);
}

uint32_t crc32_buf(const uint8_t *data, size_t size)
{
	uLong crc = crc32(0L, Z_NULL, 0);

	while (size) {
		uInt n = size > (1u << 30) ? (1u << 30) : (uInt)size;

		crc = crc32(crc, data, n);
		data += n;
		size -= n;
	}
	return (uint32_t)crc;
}

/* The "rustc version ..." string in .comment, or NULL. */
const char *rustc_from_comment(const uint8_t *data, size_t size)
{
	struct rv_elf_shdr sh;
	struct rv_elf elf;
	const char *p;

	if (rv_elf_open(&elf, data, size) || rv_elf_find_section(&elf, ".comment", &sh) ||
	    sh.type == RV_SHT_NOBITS)
		return NULL;
	p = (const char *)rv_elf_section_data(&elf, &sh);
	for (uint64_t i = 0; i < sh.size;) {
		size_t n = rv_strnlen(p + i, sh.size - i);

		if (i + n < sh.size && n > 6 && !strncmp(p + i, "rustc ", 6))
			return p + i;
		i += n + 1;
	}
	return NULL;
}

const char *file_type(mode_t m)
{
	return S_ISDIR(m)    ? "a directory"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISSOCK(m) ? "a socket"
	       : S_ISLNK(m)  ? "a symlink"
	       : S_ISCHR(m)  ? "a character device"
	       : S_ISFIFO(m) ? "a FIFO"
			     : "not a regular file";
}
