// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: a module's .modinfo, read by the engine's ELF reader from the
 * bytes rustver decompressed itself. libkmod's own ELF code is never given
 * a module: it asserts on some malformed files (e_shstrndx out of range,
 * extended section numbering) instead of refusing them, and it cannot read
 * a compression its build lacks (Debian 12's libkmod has no zlib).
 */
#include <string.h>

#include <rustver/elf.h>

#include "rustver.h"

/*
 * The value of the first "KEY=value" entry, as the kernel's get_modinfo()
 * finds it. Returns a pointer into @data and sets *@len, or NULL when the
 * image is not a valid ELF, has no .modinfo, or lacks the key.
 */
const char *modinfo_get(const uint8_t *data, size_t size, const char *key, size_t *len)
{
	size_t klen = strlen(key);
	struct rv_elf_shdr sh;
	struct rv_elf elf;
	const char *p;

	if (rv_elf_open(&elf, data, size) || rv_elf_find_section(&elf, ".modinfo", &sh) ||
	    sh.type == RV_SHT_NOBITS)
		return NULL;
	p = (const char *)rv_elf_section_data(&elf, &sh);
	for (uint64_t i = 0; i < sh.size;) {
		size_t n = rv_strnlen(p + i, sh.size - i);

		if (n > klen && p[i + klen] == '=' && !memcmp(p + i, key, klen)) {
			*len = n - klen - 1;
			return p + i + klen + 1;
		}
		i += n + 1;
	}
	return NULL;
}
