// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of rv_capture_check() (rustver_capture.h), the check kmod_rustver
 * runs at MODULE_STATE_COMING on the struct load_info it captured at
 * load_module() entry. A layout mismatch cannot be produced on a real
 * kernel, so it is made here: fake load_info structures and images, and a
 * reader that fails outside the memory the test owns, as
 * copy_from_kernel_nofault() does. Prints KTAP; exit 0 when every case
 * passes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ELFMAG	"\177ELF"
#define SELFMAG	4

#include "../../rustver_capture.h"

#define NAME_LEN	56
struct fake_module {
	unsigned long state;
	char pad[24];
	char name[NAME_LEN];
	char rest[200];
};

static unsigned char image[4096];
static struct rv_load_info_head info;
static const unsigned char *readable_lo, *readable_hi;	/* besides info */

static int fake_read(void *dst, const void *src, size_t size)
{
	const unsigned char *s = src;

	if (s >= (const unsigned char *)&info &&
	    s + size <= (const unsigned char *)&info + sizeof(info))
		goto ok;
	if (s >= readable_lo && s + size <= readable_hi && s + size >= s)
		goto ok;
	return -1;
ok:
	memcpy(dst, src, size);
	return 0;
}

static const struct rv_capture_layout layout = {
	.ehdr_size = 64,
	.mod_size = sizeof(struct fake_module),
	.mod_name_off = offsetof(struct fake_module, name),
	.name_len = NAME_LEN,
};

/* A well-formed capture: ELF image, module structure at 1024 named "good". */
static void reset(void)
{
	struct fake_module *m = (void *)(image + 1024);

	memset(image, 0, sizeof(image));
	memcpy(image, ELFMAG, SELFMAG);
	strcpy(m->name, "good");
	info.name = m->name;
	info.mod = m;
	info.hdr = image;
	info.len = sizeof(image);
	readable_lo = image;
	readable_hi = image + sizeof(image);
}

static int n, failed;

/* expect NULL (accept) or a substring of the reason. */
static void check(const char *what, const void *pinfo, int on_stack,
		  const char *name, const char *expect)
{
	const void *hdr = NULL;
	unsigned long len = 0;
	const char *why;
	int ok;

	why = rv_capture_check(pinfo, on_stack, name, &layout, fake_read, &hdr, &len);
	if (!expect)
		ok = !why && hdr == info.hdr && len == info.len;
	else
		ok = why && strstr(why, expect);
	n++;
	if (!ok) {
		failed++;
		printf("# %s: expected %s, got %s\n", what,
		       expect ? expect : "acceptance", why ? why : "acceptance");
	}
	printf("%s %d %s\n", ok ? "ok" : "not ok", n, what);
}

int main(void)
{
	struct fake_module *m;

	printf("TAP version 13\n1..13\n");
	reset();
	check("a well-formed capture is accepted, hdr and len read from it", &info, 1, "good", NULL);
	check("no record: refused", NULL, 1, "good", "no load_info");
	check("a record off the loading task's stack: refused", &info, 0, "good", "not on the loading task's stack");
	check("an unreadable load_info: refused", (void *)16, 1, "good", "cannot be read");
	reset();
	info.hdr = NULL;
	check("hdr NULL (fields reordered): refused", &info, 1, "good", "empty or shorter");
	reset();
	info.len = 10;
	check("len shorter than an ELF header: refused", &info, 1, "good", "empty or shorter");
	reset();
	info.hdr = (void *)(uintptr_t)8;
	check("hdr not readable: refused, no fault", &info, 1, "good", "ELF magic");
	reset();
	image[0] = 0;
	check("no ELF magic at hdr: refused", &info, 1, "good", "ELF magic");
	reset();
	info.mod = image + sizeof(image) - 16;
	check("module structure running past the image: refused", &info, 1, "good", "outside the image");
	reset();
	info.mod = (void *)((uintptr_t)image - 512);
	check("module structure before the image: refused", &info, 1, "good", "outside the image");
	reset();
	check("another module's image: refused", &info, 1, "other", "another module's");
	reset();
	m = (void *)(image + 1024);
	memset(m->name, 'x', NAME_LEN);
	check("unterminated name in the image: refused", &info, 1, "xxxx", "another module's");
	reset();
	/* The fields swapped as a future kernel might: len where hdr was. */
	info.hdr = (void *)(uintptr_t)sizeof(image);
	info.len = (unsigned long)(uintptr_t)image;
	check("hdr and len swapped: refused, no fault", &info, 1, "good", "ELF magic");
	printf("# %d passed, %d failed\n", n - failed, failed);
	return failed ? 1 : 0;
}
