// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: whole-file reading and atomic writing, CRC-32 and small ELF helpers.
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

int read_file(const char *path, uint8_t **data, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	size_t done = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rv_err("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rv_err("%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if ((unsigned long long)st.st_size > MAX_FILE_SIZE) {
		rv_err("%s: file too large (%lld bytes)", path, (long long)st.st_size);
		close(fd);
		return -1;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rv_err("%s: read error: %s", path,
			       n < 0 ? strerror(errno) : "file shrank while reading");
			free(buf);
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	close(fd);
	buf[done] = '\0';
	*data = buf;
	*size = done;
	return 0;
}

/* Writes all @len bytes at @p to @fd; -1 with errno set on failure. */
static int write_all(int fd, const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len) {
		ssize_t n = write(fd, b, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = ENOSPC;
			return -1;
		}
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file_atomic(const char *path, const void *head, size_t hlen, const void *body,
		      size_t blen, const char **what)
{
	/* mkstemp(3)'s template: @path, a dot, six X's it replaces */
	size_t n = strlen(path);
	char *tmp = xmalloc(n + 8);
	int fd, saved;

	memcpy(tmp, path, n);
	tmp[n] = '.';
	memset(tmp + n + 1, 'X', 6);
	tmp[n + 7] = '\0';
	*what = "create";
	fd = mkstemp(tmp);
	if (fd < 0)
		goto fail;
	*what = "write";
	if (fchmod(fd, 0644) || write_all(fd, head, hlen) || write_all(fd, body, blen) ||
	    fsync(fd)) {
		saved = errno;
		close(fd);
		errno = saved;
		goto unlink_tmp;
	}
	if (close(fd))
		goto unlink_tmp;
	*what = "rename into place";
	if (rename(tmp, path))
		goto unlink_tmp;
	free(tmp);
	return 0;
unlink_tmp:
	saved = errno;
	unlink(tmp);
	errno = saved;
fail:
	free(tmp);
	return -1;
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

void print_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}
