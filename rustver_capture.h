/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The check of a captured struct load_info, shared by kmod_rustver and its
 * unit test (selftests/tools/capture_test.c, which builds it in user space
 * with a fake reader). Nothing here dereferences a captured pointer: every
 * read goes through the caller's reader, which fails instead of faulting
 * (copy_from_kernel_nofault() in the kernel).
 *
 * The includer provides size_t and the Elf magic (ELFMAG, SELFMAG), and
 * memcmp() and strnlen().
 */
#ifndef RUSTVER_CAPTURE_H
#define RUSTVER_CAPTURE_H

/* The leading fields of struct load_info (kernel/module/internal.h, 5.10 to 7.x). */
struct rv_load_info_head {
	const char *name;
	void *mod;		/* struct module, inside the image */
	const void *hdr;
	unsigned long len;
};

/* Copies @size bytes at @src to @dst; nonzero when @src cannot be read. */
typedef int (*rv_capture_read_fn)(void *dst, const void *src, size_t size);

struct rv_capture_layout {
	size_t ehdr_size;	/* sizeof(Elf_Ehdr) */
	size_t mod_size;	/* sizeof(struct module) */
	size_t mod_name_off;	/* offsetof(struct module, name) */
	size_t name_len;	/* MODULE_NAME_LEN, at most 64 */
};

/**
 * rv_capture_check() - check a load_info captured at load_module() entry
 * @info: the captured pointer, as read from the first argument register
 * @on_stack: whether @info lies on the loading task's stack
 * @name: the name of the module at MODULE_STATE_COMING (NUL-terminated)
 * @lay: sizes and offsets of the running kernel's structures
 * @read: reads memory without faulting
 * @hdr: set to the image on success
 * @len: set to the image size on success (the signature already cut off)
 *
 * The image is taken when the module's own struct module, inside the image,
 * carries @name, and the image starts with the ELF magic: a load_info whose
 * layout differs from struct rv_load_info_head fails here, not in an oops.
 *
 * Return: NULL on success, else why the capture cannot be used.
 */
static inline const char *rv_capture_check(const void *info, int on_stack,
					   const char *name,
					   const struct rv_capture_layout *lay,
					   rv_capture_read_fn read,
					   const void **hdr, unsigned long *len)
{
	struct rv_load_info_head head;
	char magic[SELFMAG];
	char in_image[64];
	unsigned long off;

	if (!info)
		return "no load_info was recorded";
	if (!on_stack)
		return "the recorded load_info is not on the loading task's stack";
	if (read(&head, info, sizeof(head)))
		return "the recorded load_info cannot be read";
	if (!head.hdr || head.len < lay->ehdr_size)
		return "the recorded image is empty or shorter than an ELF header";
	if ((unsigned long)head.hdr + head.len < (unsigned long)head.hdr)
		return "the recorded image wraps around the address space";
	if (read(magic, head.hdr, SELFMAG) || memcmp(magic, ELFMAG, SELFMAG))
		return "the recorded image does not start with the ELF magic";
	if ((unsigned long)head.mod < (unsigned long)head.hdr)
		return "the recorded module structure lies outside the image";
	off = (unsigned long)head.mod - (unsigned long)head.hdr;
	if (off > head.len || head.len - off < lay->mod_size)
		return "the recorded module structure lies outside the image";
	if (lay->name_len > sizeof(in_image) ||
	    read(in_image, (const char *)head.mod + lay->mod_name_off,
		 lay->name_len))
		return "the recorded module name cannot be read";
	if (strnlen(in_image, lay->name_len) == lay->name_len ||
	    strnlen(name, lay->name_len) == lay->name_len ||
	    memcmp(in_image, name, strnlen(name, lay->name_len) + 1))
		return "the recorded image is another module's";
	*hdr = head.hdr;
	*len = head.len;
	return NULL;
}

#endif /* RUSTVER_CAPTURE_H */
