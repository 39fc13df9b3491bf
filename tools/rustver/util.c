// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: whole-file reading, CRC-32 and small ELF helpers (writing: replace.c).
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

int read_file_stat(const char *path, uint8_t **data, size_t *size, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0) {
		rv_err("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	err = read_fd(fd, path, data, size, st);
	close(fd);
	return err;
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
