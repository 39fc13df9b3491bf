// SPDX-License-Identifier: GPL-2.0
/*
 * loadtime: time load/unload cycles of one kernel module, for bench/load.sh
 * (run in the QEMU guest, built static on the host).
 *
 * Usage: loadtime [-k] [-v] -n N -l LABEL FILE NAME
 *
 *   -k   each cycle runs the real kmod commands, `/sbin/insmod FILE` then
 *        `/sbin/rmmod NAME` (fork, exec, wait: what a user runs); without it,
 *        finit_module(2) on FILE and delete_module(2) of NAME (the syscalls
 *        alone: no process start, no libkmod)
 *   -v   kmod_rustver is loaded: check that it verified every timed load
 *        (/sys/kernel/rustver/checked grew by exactly N) and, when they were
 *        Rust verdicts (passed grew by N; then N must be at most 16, what
 *        last_verdicts keeps), print the verifier's own time for each, the ns=
 *        of the last N lines of /sys/kernel/rustver/last_verdicts, which must
 *        all be passes of NAME. The counters and verdicts are read before the
 *        first and after the last timed cycle only: a sysfs read between two
 *        cycles slows the next load by milliseconds under TCG (deferred frees).
 *
 * Each run starts with one untimed cycle (the first load after a change, e.g.
 * kmod_rustver loaded or removed, is an outlier).
 * Prints one line per cycle (CLOCK_MONOTONIC, nanoseconds):
 *   cycle LABEL I LOAD_NS UNLOAD_NS
 * and with -v, for a Rust verdict:
 *   verdict LABEL I VERIFY_NS
 * Exit status: 0 when every cycle loaded and unloaded (and, with -v, was
 * verified), 1 at the first cycle that did not (the reason on stderr), 2 on
 * a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SYSFS "/sys/kernel/rustver/"

extern char **environ;

static const char *prog = "loadtime";

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Runs ARGV[0] with ARGV, waits; 0 when it exited 0. */
static int run(char *const argv[])
{
	pid_t pid;
	int rc, status;

	rc = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);
	if (rc) {
		fprintf(stderr, "%s: cannot run %s: %s\n", prog, argv[0], strerror(rc));
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "%s: waitpid %s: %s\n", prog, argv[0], strerror(errno));
			return -1;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "%s: %s %s: %s %d\n", prog, argv[0], argv[1],
			WIFEXITED(status) ? "exit status" : "killed by signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -1;
	}
	return 0;
}

static int load_sys(const char *file)
{
	int fd, rc;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, file, strerror(errno));
		return -1;
	}
	rc = (int)syscall(SYS_finit_module, fd, "", 0);
	if (rc)
		fprintf(stderr, "%s: finit_module(%s): %s\n", prog, file, strerror(errno));
	close(fd);
	return rc ? -1 : 0;
}

static int unload_sys(const char *name)
{
	if (syscall(SYS_delete_module, name, O_NONBLOCK)) {
		fprintf(stderr, "%s: delete_module(%s): %s\n", prog, name, strerror(errno));
		return -1;
	}
	return 0;
}

/* Reads SYSFS FILE into BUF (NUL-terminated); its length, or -1. */
static ssize_t read_sysfs(const char *file, char *buf, size_t size)
{
	char path[128];
	ssize_t n, len = 0;
	int fd;

	snprintf(path, sizeof(path), SYSFS "%s", file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s (is kmod_rustver loaded?)\n", prog, path,
			strerror(errno));
		return -1;
	}
	while ((size_t)len < size - 1 && (n = read(fd, buf + len, size - 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	if (n < 0) {
		fprintf(stderr, "%s: reading %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	buf[len] = '\0';
	return len;
}

static int read_counter(const char *file, unsigned long long *v)
{
	char buf[64], *end;

	if (read_sysfs(file, buf, sizeof(buf)) < 0)
		return -1;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	if (errno || end == buf || (*end != '\n' && *end)) {
		fprintf(stderr, "%s: %s%s: not a number: '%s'\n", prog, SYSFS, file, buf);
		return -1;
	}
	return 0;
}

/* The ns= of the last N lines of last_verdicts, which must be passes of NAME. */
static int last_verdicts_ns(const char *name, long n, unsigned long long *ns)
{
	static char buf[16 * 256];
	char *lines[16], *p, *end;
	long count = 0, i;
	size_t nl;
	ssize_t len;

	len = read_sysfs("last_verdicts", buf, sizeof(buf));
	if (len < 0)
		return -1;
	for (p = strtok(buf, "\n"); p; p = strtok(NULL, "\n")) {
		if (count == 16)
			memmove(lines, lines + 1, 15 * sizeof(*lines));
		lines[count < 16 ? count++ : 15] = p;
	}
	if (count < n) {
		fprintf(stderr, "%s: %slast_verdicts has %ld lines, not the %ld of this run\n",
			prog, SYSFS, count, n);
		return -1;
	}
	nl = strlen(name);
	for (i = 0; i < n; i++) {
		char *line = lines[count - n + i];

		/* the big module's stamp is --unverified: kmod_rustver says so in its word */
		if (strncmp(line, name, nl) ||
		    (strncmp(line + nl, " pass ", 6) &&
		     strncmp(line + nl, " pass-unverified-stamp ", 23))) {
			fprintf(stderr, "%s: verdict '%s' is not a pass of %s\n", prog, line, name);
			return -1;
		}
		p = strstr(line, " ns=");
		if (!p) {
			fprintf(stderr, "%s: no ns= in verdict '%s'\n", prog, line);
			return -1;
		}
		errno = 0;
		ns[i] = strtoull(p + 4, &end, 10);
		if (errno || end == p + 4 || *end) {
			fprintf(stderr, "%s: bad ns= in verdict '%s'\n", prog, line);
			return -1;
		}
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: %s [-k] [-v] -n N -l LABEL FILE NAME\n", prog);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long long c0 = 0, c1 = 0, p0 = 0, p1 = 0;
	const char *label = NULL, *file, *name;
	int opt, kmod = 0, verified = 0;
	uint64_t t0, t1, t2;
	long i, n = 0;
	char *end;

	while ((opt = getopt(argc, argv, "kvn:l:")) != -1) {
		switch (opt) {
		case 'k': kmod = 1; break;
		case 'v': verified = 1; break;
		case 'n':
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (errno || *end || n <= 0)
				usage();
			break;
		case 'l': label = optarg; break;
		default: usage();
		}
	}
	if (argc - optind != 2 || !n || !label)
		usage();
	if (verified && n > 16) {
		fprintf(stderr, "%s: -v with more than 16 cycles: last_verdicts keeps 16\n", prog);
		return 2;
	}
	file = argv[optind];
	name = argv[optind + 1];
	{
		char *insmod[] = { "/sbin/insmod", (char *)file, NULL };
		char *rmmod[] = { "/sbin/rmmod", (char *)name, NULL };
		unsigned long long vns[16];

		for (i = -1; i < n; i++) {
			if (i == 0 && verified &&
			    (read_counter("checked", &c0) || read_counter("passed", &p0)))
				return 1;
			t0 = now_ns();
			if (kmod ? run(insmod) : load_sys(file))
				return 1;
			t1 = now_ns();
			if (kmod ? run(rmmod) : unload_sys(name))
				return 1;
			t2 = now_ns();
			if (i >= 0)
				printf("cycle %s %ld %" PRIu64 " %" PRIu64 "\n", label, i, t1 - t0,
				       t2 - t1);
		}
		if (!verified)
			return fflush(stdout) ? 1 : 0;
		if (read_counter("checked", &c1) || read_counter("passed", &p1))
			return 1;
		if (c1 != c0 + (unsigned long long)n) {
			fprintf(stderr,
				"%s: %s: kmod_rustver's checked counter went from %llu to %llu over "
				"%ld loads: not every load was verified once\n",
				prog, name, c0, c1, n);
			return 1;
		}
		if (p1 == p0)
			return fflush(stdout) ? 1 : 0; /* not a Rust module: no verdict time */
		if (p1 != p0 + (unsigned long long)n) {
			fprintf(stderr, "%s: %s: %llu passes over %ld loads\n", prog, name, p1 - p0,
				n);
			return 1;
		}
		if (last_verdicts_ns(name, n, vns))
			return 1;
		for (i = 0; i < n; i++)
			printf("verdict %s %ld %llu\n", label, i, vns[i]);
	}
	return fflush(stdout) ? 1 : 0;
}
