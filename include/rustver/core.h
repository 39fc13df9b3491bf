/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rustver_core: the running kernel's crate table, for kmod_rustver.
 */
#ifndef RUSTVER_CORE_H
#define RUSTVER_CORE_H

#include <rustver/table.h>

struct kobject;

/* The table rustver_core was built with; valid while it is loaded. */
const struct rv_table *rustver_core_table(void);

/* /sys/kernel/rustver, where kmod_rustver adds its files. */
struct kobject *rustver_core_kobj(void);

#endif /* RUSTVER_CORE_H */
