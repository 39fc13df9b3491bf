// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: streaming decompression of module files (xz, zstd, gzip, or none)
 * with liblzma's, libzstd's and zlib's stream APIs. The input is read in
 * small chunks (from a file descriptor or from memory); the output goes
 * wherever the caller's sink says, chunk by chunk, so a caller can keep the
 * whole image, or only the byte ranges it needs, and stop as soon as it has
 * them. Decoders and buffers are kept from file to file (one unpacker per
 * worker).
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "rustver.h"

#define IN_SIZE (64 << 10)

struct unpacker {
	lzma_stream xz;
	bool xz_used;
	ZSTD_DStream *zs;
	z_stream gz;
	bool gz_used;
	uint8_t *in;
};

struct unpacker *unpacker_new(void)
{
	struct unpacker *u = xcalloc(1, sizeof(*u));

	u->xz = (lzma_stream)LZMA_STREAM_INIT;
	u->in = xmalloc(IN_SIZE);
	return u;
}

void unpacker_free(struct unpacker *u)
{
	if (!u)
		return;
	if (u->xz_used)
		lzma_end(&u->xz);
	if (u->zs)
		ZSTD_freeDStream(u->zs);
	if (u->gz_used)
		inflateEnd(&u->gz);
	free(u->in);
	free(u);
}

/* The input: the next chunk from @src into u->in (0 at its end, -1 on error). */
static ssize_t next_input(struct unpacker *u, struct unpack_src *src, const char *path)
{
	ssize_t n;

	if (!src->mem) {
		do
			n = read(src->fd, u->in, IN_SIZE);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			rv_err("%s: read error: %s", path, strerror(errno));
			src->io_error = true;
		}
		return n;
	}
	n = src->len - src->pos < IN_SIZE ? (ssize_t)(src->len - src->pos) : IN_SIZE;
	memcpy(u->in, src->mem + src->pos, (size_t)n);
	src->pos += (size_t)n;
	return n;
}

struct stream {
	struct unpacker *u;
	struct unpack_src *src;
	enum comp comp;
	const char *path;
	const uint8_t *in; /* unread input in u->in */
	size_t in_len;
	bool eof, end; /* input exhausted; stream ended */
	size_t zret;   /* zstd: what ZSTD_decompressStream last returned */
};

static int fill(struct stream *s)
{
	ssize_t n;

	if (s->in_len || s->eof)
		return 0;
	n = next_input(s->u, s->src, s->path);
	if (n < 0)
		return -1;
	s->in = s->u->in;
	s->in_len = (size_t)n;
	s->eof = n == 0;
	return 0;
}

static int start(struct stream *s)
{
	struct unpacker *u = s->u;

	switch (s->comp) {
	case COMP_XZ:
		/* as before: the first stream, CRC32 or any check liblzma knows */
		if (lzma_stream_decoder(&u->xz, UINT64_MAX, 0) != LZMA_OK) {
			rv_err("%s: cannot start the xz decoder", s->path);
			return -1;
		}
		u->xz_used = true;
		break;
	case COMP_ZSTD:
		if (!u->zs)
			u->zs = ZSTD_createDStream();
		if (!u->zs || ZSTD_isError(ZSTD_initDStream(u->zs))) {
			rv_err("%s: cannot start the zstd decoder", s->path);
			return -1;
		}
		s->zret = 1;
		break;
	case COMP_GZIP:
		if (u->gz_used ? inflateReset2(&u->gz, 15 + 16) != Z_OK
			       : inflateInit2(&u->gz, 15 + 16) != Z_OK) {
			rv_err("%s: cannot start the gzip decoder", s->path);
			return -1;
		}
		u->gz_used = true;
		break;
	case COMP_NONE: break;
	}
	return 0;
}

/*
 * An uncompressed file: read straight into the caller's window, without a
 * copy through u->in (a whole module image is otherwise copied once more).
 */
static int read_direct(struct stream *s, uint8_t *out, size_t len, size_t *n)
{
	ssize_t r;

	do
		r = read(s->src->fd, out, len);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		rv_err("%s: read error: %s", s->path, strerror(errno));
		s->src->io_error = true;
		return -1;
	}
	*n = (size_t)r;
	if (!r)
		s->eof = s->end = true;
	return 0;
}

/*
 * Decodes into @out (@len > 0 bytes): sets *@n to the bytes written (0 only
 * when the stream ended) and s->end at its end. -1: corrupt or truncated
 * data (the message printed).
 */
static int step(struct stream *s, uint8_t *out, size_t len, size_t *n)
{
	*n = 0;
	if (s->comp == COMP_NONE && !s->src->mem && !s->in_len && !s->eof)
		return read_direct(s, out, len, n);
	while (!*n && !s->end) {
		if (fill(s))
			return -1;
		switch (s->comp) {
		case COMP_NONE:
			if (s->eof) {
				s->end = true;
				break;
			}
			*n = s->in_len < len ? s->in_len : len;
			memcpy(out, s->in, *n);
			s->in += *n;
			s->in_len -= *n;
			break;
		case COMP_XZ: {
			lzma_stream *x = &s->u->xz;
			lzma_ret r;

			x->next_in = s->in;
			x->avail_in = s->in_len;
			x->next_out = out;
			x->avail_out = len;
			r = lzma_code(x, s->eof ? LZMA_FINISH : LZMA_RUN);
			*n = len - x->avail_out;
			s->in = x->next_in;
			s->in_len = x->avail_in;
			if (r == LZMA_STREAM_END) {
				s->end = true;
			} else if (r != LZMA_OK) {
				rv_err("%s: corrupt xz data (liblzma error %d)", s->path, (int)r);
				return -1;
			}
			break;
		}
		case COMP_ZSTD: {
			ZSTD_inBuffer ib = { s->in, s->in_len, 0 };
			ZSTD_outBuffer ob = { out, len, 0 };

			if (s->eof && s->zret == 0) {
				s->end = true; /* every frame of the input decoded */
				break;
			}
			s->zret = ZSTD_decompressStream(s->u->zs, &ob, &ib);
			*n = ob.pos;
			s->in += ib.pos;
			s->in_len -= ib.pos;
			if (ZSTD_isError(s->zret)) {
				rv_err("%s: corrupt zstd data: %s", s->path,
				       ZSTD_getErrorName(s->zret));
				return -1;
			}
			if (s->zret != 0 && s->eof && !s->in_len && ob.pos < ob.size) {
				rv_err("%s: truncated zstd data", s->path);
				return -1;
			}
			break;
		}
		case COMP_GZIP: {
			z_stream *z = &s->u->gz;
			int r;

			z->next_in = (Bytef *)s->in;
			z->avail_in = (uInt)s->in_len;
			z->next_out = out;
			z->avail_out = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
			r = inflate(z, Z_NO_FLUSH);
			*n = (size_t)(z->next_out - out);
			s->in = z->next_in;
			s->in_len = z->avail_in;
			/* the first member, as before; an empty input is an error */
			if (r == Z_STREAM_END)
				s->end = true;
			else if ((r != Z_OK && r != Z_BUF_ERROR) ||
				 (r == Z_BUF_ERROR && s->eof && !s->in_len)) {
				rv_err("%s: corrupt or truncated gzip data", s->path);
				return -1;
			}
			break;
		}
		}
	}
	return 0;
}

int unpack_run(struct unpacker *u, struct unpack_src *src, enum comp comp, const char *path,
	       struct unpack_sink *sink, uint64_t *total)
{
	struct stream s = { .u = u, .src = src, .comp = comp, .path = path };
	uint64_t off = 0;

	*total = 0;
	if (start(&s))
		return -1;
	while (!s.end) {
		uint8_t probe;
		uint8_t *w;
		size_t len = 0, n;

		if (off >= modfile_max_size) {
			/* one more byte is one too many; the end of the stream is not */
			if (step(&s, &probe, 1, &n))
				return -1;
			if (n) {
				rv_err("%s: decompresses to more than %zu bytes", path,
				       modfile_max_size);
				return -1;
			}
			break;
		}
		w = sink->window(sink, off, &len);
		if (!w)
			return sink->failed ? -1 : 1; /* the sink has what it wanted */
		if (len > modfile_max_size - off)
			len = modfile_max_size - off;
		if (step(&s, w, len, &n))
			return -1;
		if (n && sink->wrote && sink->wrote(sink, off, w, n))
			return -1;
		off += n;
	}
	*total = off;
	return 0;
}

/*
 * The compression of a module file, from its first bytes (the magics kmod's
 * libkmod-file.c and the kernel's decompress.c know).
 */
enum comp comp_of(const uint8_t *p, size_t len)
{
	static const uint8_t xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	static const uint8_t zst[] = { 0x28, 0xb5, 0x2f, 0xfd };
	static const uint8_t gz[] = { 0x1f, 0x8b };

	if (len >= sizeof(xz) && !memcmp(p, xz, sizeof(xz)))
		return COMP_XZ;
	if (len >= sizeof(zst) && !memcmp(p, zst, sizeof(zst)))
		return COMP_ZSTD;
	/* a zstd skippable frame (0x184D2A50 to 0x184D2A5F), as pzstd writes */
	if (len >= 4 && (p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d && p[3] == 0x18)
		return COMP_ZSTD;
	if (len >= sizeof(gz) && !memcmp(p, gz, sizeof(gz)))
		return COMP_GZIP;
	return COMP_NONE;
}
