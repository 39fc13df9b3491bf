// SPDX-License-Identifier: GPL-2.0
/*
 * finit: load a module with finit_module(2), asking the kernel to decompress it
 * (MODULE_INIT_COMPRESSED_FILE, CONFIG_MODULE_DECOMPRESS), the path kmod takes when
 * /sys/module/compression matches the file. No retry with init_module(2): the
 * kernel sees the compressed file and nothing else.
 *
 * Usage: finit MODULE.ko.xz [PARAMS]
 * Exit status: 0 loaded, 1 refused (the error on stderr), 2 usage or open error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

int main(int argc, char **argv)
{
	const char *params = argc > 2 ? argv[2] : "";
	int fd;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: finit MODULE.ko.xz [PARAMS]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "finit: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (syscall(SYS_finit_module, fd, params, MODULE_INIT_COMPRESSED_FILE)) {
		fprintf(stderr, "finit: finit_module(%s, MODULE_INIT_COMPRESSED_FILE): %s\n",
			argv[1], strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}
