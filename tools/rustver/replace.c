// SPDX-License-Identifier: GPL-2.0
/*
 * rustver: the one file writer. Every file a command writes (stamp's
 * modules, check --all's index, table -o and --c-header) is written here,
 * so that a rewrite loses nothing:
 *
 *   - PATH is resolved first: a symlink is followed to its final target
 *     (the link is kept, the target replaced, the temporary made in the
 *     target's directory, as rename(2) needs one filesystem);
 *   - a character device or a FIFO (/dev/null, a terminal, a pipe), or an
 *     open file named through /proc/PID/fd (/dev/stdout, /dev/fd/N), is
 *     written straight into, as fopen(PATH, "w") would: it is a stream, not
 *     a file to replace;
 *   - a directory, a block device, a socket (anything but a regular file or
 *     nothing) is refused, named;
 *   - a regular file is replaced atomically: the new contents go to an
 *     unnamed O_TMPFILE in the target's directory (open(2); nothing is left
 *     if the process is killed while writing), else to a named temporary
 *     file there (".NAME.rustver-NS-PID-" and mkstemp(3)'s six random
 *     characters); the temporary gets the old
 *     file's owner and group (fchown(2); a failure refuses the rewrite
 *     rather than give the file another owner), its permission bits and
 *     every extended attribute (listxattr(2): ACLs are the
 *     system.posix_acl_* attributes, acl(5); security.ima is kept but the
 *     contents changed, so its IMA hash or signature must be made again:
 *     warned), as coreutils' cp --preserve=all and install keep them; it is
 *     fsync'd, linked into the directory (linkat(2) of /proc/self/fd/N,
 *     AT_SYMLINK_FOLLOW) right before the rename, renamed over the target
 *     (rename(2): atomic for readers), and the directory fsync'd;
 *   - a target with several hard links is refused (replace_begin());
 *   - the caller passes the stat of the file as it read it: when the target
 *     is then another file, or was modified (dev, inode, size, mtime or
 *     ctime differ) at the last moment before the rename, the rewrite is
 *     refused and the temporary removed: the newer file is never
 *     overwritten with contents made from the older one. A caller that has
 *     the bytes it read (stamp, table --c-header) passes them too
 *     (replace_expect_bytes()): the file is read again at that moment and
 *     must hold them, for clocks too coarse to show a rewrite. (A
 *     replacement in the microseconds between that check and rename(2) is
 *     still possible: Linux has no compare-and-rename.)
 *   - the temporary is removed on every error, and a named one left by a
 *     killed run is removed by the next rewrite of the same target (see
 *     remove_stale()).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "rustver.h"

#define MAX_HOPS       40  /* symlinks followed, as the kernel's MAXSYMLINKS */
#define TMP_BASE_MAX   160 /* bytes of the target's name kept in a temporary's */
#define TMP_RAND       6   /* random characters at the end of a temporary's name */
#define STALE_AGE      600 /* seconds: see remove_stale() */
#define TEST_PAUSE_MAX 600 /* seconds, the most RUSTVER_TEST_PAUSE_BEFORE_RENAME may ask */
#define NEW_FILE_MODE  0644

static int fail(struct replace *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sets r->why (replacing an earlier one); returns -1 with errno kept. */
static int fail(struct replace *r, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	free(r->why);
	r->why = s ? s : xstrdup("out of memory");
	errno = saved;
	return -1;
}

/* Same file, same contents as far as stat says: dev, inode, size, mtime and ctime (ns). */
static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* /proc/PID/fd or /proc/PID/task/TID/fd: its links name open files, not paths. */
static bool is_proc_fd_dir(const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(dir, "/proc/", 6) && n > 9 && !strcmp(dir + n - 3, "/fd");
}

/*
 * Follows the symlinks of @path (at most MAX_HOPS) to the file it names:
 * *@dir its directory, absolute (realpath(3)), *@base its name there, which
 * may not exist yet (a new file, a dangling link's target). *@magic is set,
 * and nothing else, when a link is one of /proc/PID/fd/: the caller writes
 * through @path. 0, or -1 with r->why set.
 */
static int resolve(struct replace *r, const char *path, char **dir, char **base, bool *magic)
{
	char *cur = xstrdup(path), *real = NULL, *full = NULL, link[PATH_MAX];
	int err = -1;

	*magic = false;
	for (int hops = 0;; hops++) {
		char *slash = strrchr(cur, '/'), *d;
		const char *b = slash ? slash + 1 : cur;
		struct stat st;
		ssize_t n;

		if (!*b || !strcmp(b, ".") || !strcmp(b, "..")) {
			fail(r, "is a directory: not replaced");
			break;
		}
		d = !slash	   ? xstrdup(".")
		    : slash == cur ? xstrdup("/")
				   : xasprintf("%.*s", (int)(slash - cur), cur);
		real = realpath(d, NULL);
		if (!real)
			fail(r, "its directory %s: %s", d, strerror(errno));
		free(d);
		if (!real)
			break;
		full = xasprintf("%s%s%s", real, strcmp(real, "/") ? "/" : "", b);
		if (lstat(full, &st) || !S_ISLNK(st.st_mode)) {
			*dir = real;
			real = NULL;
			*base = xstrdup(b);
			err = 0;
			break;
		}
		if (is_proc_fd_dir(real)) {
			*magic = true;
			err = 0;
			break;
		}
		if (hops == MAX_HOPS) {
			errno = ELOOP;
			fail(r, "%s", strerror(errno));
			break;
		}
		n = readlink(full, link, sizeof(link) - 1);
		if (n < 0) {
			fail(r, "cannot read the link %s: %s", full, strerror(errno));
			break;
		}
		link[n] = '\0';
		free(cur);
		cur = link[0] == '/' ? xstrdup(link) : xasprintf("%s/%s", real, link);
		free(real);
		free(full);
		real = full = NULL;
	}
	free(real);
	free(full);
	free(cur);
	return err;
}

/* The inode of this process's PID namespace (/proc/self/ns/pid), or 0. */
static unsigned long long pid_ns(void)
{
	struct stat st;

	return stat("/proc/self/ns/pid", &st) ? 0 : (unsigned long long)st.st_ino;
}

/* ".NAME.rustver-": the start of every temporary of target NAME (NAME cut to TMP_BASE_MAX). */
static char *tmp_prefix(const char *base)
{
	size_t n = strlen(base);

	return xasprintf(".%.*s.rustver-", (int)(n > TMP_BASE_MAX ? TMP_BASE_MAX : n), base);
}

/* TMP_RAND characters of [A-Za-z0-9] from getrandom(2), else the clock. */
static void random_suffix(char *s)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char b[TMP_RAND];
	struct timespec ts;

	if (getrandom(b, sizeof(b), GRND_NONBLOCK) != (ssize_t)sizeof(b)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		for (int i = 0; i < TMP_RAND; i++)
			b[i] = (unsigned char)((unsigned long)ts.tv_nsec >> (5 * i));
	}
	for (int i = 0; i < TMP_RAND; i++)
		s[i] = set[b[i] % (sizeof(set) - 1)];
	s[TMP_RAND] = '\0';
}

/* @s is TMP_RAND characters of [A-Za-z0-9] and nothing after. */
static bool is_suffix(const char *s)
{
	for (int i = 0; i < TMP_RAND; i++)
		if (!isalnum((unsigned char)s[i]))
			return false;
	return !s[TMP_RAND];
}

/*
 * Parses the rest of a temporary's name after ".NAME.rustver-": "NS-PID-" and
 * mkstemp(3)'s six random characters (this writer's) sets *@ns and *@pid; the
 * six random characters alone (the mkstemp(3) name of rustver 0.2.0's stamp)
 * set both to 0. False for anything else.
 */
static bool parse_tmp_name(const char *s, unsigned long long *ns, long *pid)
{
	char *end;

	*ns = 0;
	*pid = 0;
	if (is_suffix(s))
		return true;
	if (!isdigit((unsigned char)*s))
		return false;
	*ns = strtoull(s, &end, 10);
	if (*end != '-' || !isdigit((unsigned char)end[1]))
		return false;
	*pid = strtol(end + 1, &end, 10);
	return *pid > 0 && *pid < INT_MAX && *end == '-' && is_suffix(end + 1);
}

/*
 * Removes the temporaries of target @base in r->dirfd that a killed earlier
 * run left behind. Every rustver holds an exclusive flock(2) on its
 * temporary from the moment it exists (an O_TMPFILE is locked before it is
 * linked; a named one right after its creation) until it is renamed or
 * removed, and the kernel drops the lock when the process dies however it
 * dies. A temporary is removed only when it is a regular file of ours (our
 * effective uid), we can take its lock (so no live process holds it, on
 * this machine), and either
 *   - its name says it was made in our PID namespace by a PID that no longer
 *     exists (kill(pid, 0): ESRCH), or
 *   - it was last modified more than STALE_AGE seconds ago.
 * The second condition of each covers the only moment a live writer holds
 * no lock: between creating a named temporary and locking it (microseconds;
 * its PID is alive, or, in another PID namespace, its file is new). A PID
 * reused since, or a temporary of another namespace, only delays removal to
 * STALE_AGE. A lock we take here is held for microseconds; the writer's own
 * flock() waits for it.
 */
static void remove_stale(struct replace *r, const char *base)
{
	char *prefix = tmp_prefix(base);
	size_t plen = strlen(prefix);
	unsigned long long ns_self = pid_ns();
	int dfd = openat(r->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;

	d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		free(prefix);
		return; /* a directory we may create in but not list: nothing found */
	}
	while ((de = readdir(d))) {
		unsigned long long ns;
		struct stat st, fst;
		bool dead, old;
		long pid;
		int fd;

		if (strncmp(de->d_name, prefix, plen) ||
		    !parse_tmp_name(de->d_name + plen, &ns, &pid))
			continue;
		if (fstatat(r->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		fd = openat(r->dirfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &fst) || fst.st_ino != st.st_ino || fst.st_dev != st.st_dev ||
		    flock(fd, LOCK_EX | LOCK_NB)) {
			close(fd); /* held by a live rustver, or cannot be locked here: kept */
			continue;
		}
		dead = pid && ns && ns == ns_self && pid != getpid() && kill((pid_t)pid, 0) &&
		       errno == ESRCH;
		old = time(NULL) - fst.st_mtim.tv_sec > STALE_AGE;
		if ((dead || old) && !unlinkat(r->dirfd, de->d_name, 0))
			rv_warn("%s: removed %s/%s, the temporary file of a rustver that was "
				"killed (%s)",
				r->shown, r->dir, de->d_name,
				dead ? "its process is gone" : "unchanged for over 10 minutes");
		close(fd);
	}
	closedir(d);
	free(prefix);
}

/* Creates the named temporary: r->tmpname, opened O_RDWR as r->fd, mode 0600. */
static int create_named(struct replace *r, const char *base)
{
	char *prefix = tmp_prefix(base), rnd[TMP_RAND + 1];
	unsigned long long ns = pid_ns();

	for (int tries = 0; tries < 100; tries++) {
		random_suffix(rnd);
		free(r->tmpname);
		r->tmpname = xasprintf("%s%llu-%ld-%s", prefix, ns, (long)getpid(), rnd);
		r->fd = openat(r->dirfd, r->tmpname,
			       O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (r->fd >= 0 || errno != EEXIST)
			break;
	}
	free(prefix);
	if (r->fd < 0) {
		fail(r, "cannot create a temporary file in %s: %s", r->dir, strerror(errno));
		free(r->tmpname);
		r->tmpname = NULL;
		return -1;
	}
	return 0;
}

/*
 * The new file: an unnamed O_TMPFILE in the target's directory when the
 * filesystem has them and /proc/self/fd can link it later, else a named
 * one. RUSTVER_TEST_NO_O_TMPFILE (a test hook, tests/cli/writer.sh) makes
 * it a named one always.
 */
static int create_tmp(struct replace *r, const char *base)
{
	bool tmpfile = !getenv("RUSTVER_TEST_NO_O_TMPFILE") && !access("/proc/self/fd", X_OK);

	if (tmpfile) {
		r->fd = openat(r->dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		/* EISDIR: a kernel before 3.11; EOPNOTSUPP, EINVAL: this filesystem */
		if (r->fd < 0 && errno != EISDIR && errno != EOPNOTSUPP && errno != EINVAL)
			return fail(r, "cannot create a temporary file in %s: %s", r->dir,
				    strerror(errno));
	}
	if (r->fd < 0 && create_named(r, base))
		return -1;
	/* held until renamed or removed: remove_stale() keeps what is locked */
	while (flock(r->fd, LOCK_EX) && errno == EINTR)
		;
	return 0;
}

int replace_begin(struct replace *r, const char *path, const struct stat *expect)
{
	struct stat st;
	bool magic;
	char *base;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->dirfd = -1;
	r->shown = xstrdup(path);
	if (expect) {
		r->expect = *expect;
		r->have_expect = true;
	}
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		if (expect)
			return fail(r, "is now %s, not the file that was read: not replaced",
				    file_type(st.st_mode));
		if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode))
			return fail(r, "is %s: not replaced", file_type(st.st_mode));
		/* a stream: written into (a FIFO's open waits for its reader) */
		r->direct = true;
		r->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (r->fd < 0)
			return fail(r, "cannot open it for writing: %s", strerror(errno));
		return 0;
	}
	if (resolve(r, path, &r->dir, &base, &magic))
		return -1;
	if (magic) {
		/* an open file (/dev/stdout): written as the shell's > would */
		if (expect)
			return fail(r, "names an open file (/proc/PID/fd), not the file that "
				       "was read: not replaced");
		r->direct = true;
		r->fd = open(path, O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC);
		if (r->fd < 0)
			return fail(r, "cannot open it for writing: %s", strerror(errno));
		return 0;
	}
	r->base = base;
	r->target = xasprintf("%s%s%s", r->dir, strcmp(r->dir, "/") ? "/" : "", base);
	if (strcmp(r->target, path)) {
		free(r->shown);
		r->shown = xasprintf("%s -> %s", path, r->target);
	}
	r->dirfd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->dirfd < 0) /* a directory we may write but not read: no fsync, no listing */
		r->dirfd = open(r->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->dirfd < 0)
		return fail(r, "cannot open its directory %s: %s", r->dir, strerror(errno));
	if (fstatat(r->dirfd, base, &r->old, AT_SYMLINK_NOFOLLOW)) {
		if (errno != ENOENT)
			return fail(r, "%s", strerror(errno));
		if (expect)
			return fail(r, "was removed since it was read: not written");
	} else if (!S_ISREG(r->old.st_mode)) {
		/* a link or a device that appeared while it was being resolved */
		return fail(r, "is %s: not replaced", file_type(r->old.st_mode));
	} else {
		r->exists = true;
		if (expect && !same_file(&r->old, expect))
			return fail(r, "was replaced or modified since it was read: not replaced");
		/*
		 * Refused: a rename replaces this name only, so the file's other
		 * names would keep the old contents (a module stamped under one
		 * name and not under the others, without a word), and writing in
		 * place instead would change every name, some perhaps in trees
		 * or package stores the user did not name, and lose the atomic
		 * replacement. Breaking the link is the user's decision.
		 */
		if (r->old.st_nlink > 1)
			return fail(r,
				    "has %ju hard links: replacing it would leave the other "
				    "names with the old contents; not replaced (give it a file "
				    "of its own first: cp -p FILE FILE.new && mv FILE.new FILE)",
				    (uintmax_t)r->old.st_nlink);
	}
	remove_stale(r, base);
	return create_tmp(r, base);
}

void replace_expect_bytes(struct replace *r, const void *data, size_t len)
{
	r->was = data;
	r->was_len = len;
}

/*
 * Whether the target (r->base in r->dirfd, the file @now) still holds the
 * r->was_len bytes at r->was: read again in CMP_CHUNK pieces. 1 yes, 0 no,
 * -1 with r->why set when it cannot be read.
 */
#define CMP_CHUNK ((size_t)64 << 10)
static int holds_what_was_read(struct replace *r, const struct stat *now)
{
	uint8_t *buf;
	struct stat st;
	size_t off = 0;
	int fd, ret = 1;

	if ((uint64_t)now->st_size != r->was_len)
		return 0;
	fd = openat(r->dirfd, r->base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return fail(r, "cannot read it again to compare: %s", strerror(errno));
	if (fstat(fd, &st) || !same_file(&st, now)) {
		close(fd);
		return 0;
	}
	buf = xmalloc(CMP_CHUNK);
	while (ret == 1 && off <= r->was_len) {
		size_t want = r->was_len - off < CMP_CHUNK ? r->was_len - off : CMP_CHUNK;
		/* one byte more at the end: the file must end where the bytes do */
		ssize_t n = pread(fd, buf, want ? want : 1, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = fail(r, "cannot read it again to compare: %s", strerror(errno));
		} else if (!want) {
			ret = n == 0;
			break;
		} else if (n == 0 || memcmp(buf, r->was + off, (size_t)n)) {
			ret = 0;
		}
		if (n > 0)
			off += (size_t)n;
	}
	free(buf);
	close(fd);
	return ret;
}

int replace_write(struct replace *r, const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len) {
		ssize_t n = write(r->fd, b, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = ENOSPC;
			return fail(r, "cannot write the new contents: %s", strerror(errno));
		}
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The names of @path's extended attributes (NUL-separated, *@len bytes), or -1. */
static ssize_t list_xattrs(const char *path, int fd, char **names)
{
	for (int tries = 0; tries < 8; tries++) {
		ssize_t n = path ? llistxattr(path, NULL, 0) : flistxattr(fd, NULL, 0);

		if (n < 0 && (errno == ENOTSUP || errno == ENOSYS))
			n = 0; /* no extended attributes on this filesystem */
		if (n <= 0) {
			*names = NULL;
			return n;
		}
		*names = xmalloc((size_t)n);
		n = path ? llistxattr(path, *names, (size_t)n) : flistxattr(fd, *names, (size_t)n);
		if (n >= 0)
			return n;
		free(*names);
		if (errno != ERANGE) /* grew meanwhile: again */
			return -1;
	}
	errno = ERANGE;
	return -1;
}

/* The value of attribute @name (*@len bytes, malloc'ed), or NULL with errno set. */
static void *get_xattr(const char *path, int fd, const char *name, size_t *len)
{
	for (int tries = 0; tries < 8; tries++) {
		ssize_t n = path ? lgetxattr(path, name, NULL, 0) : fgetxattr(fd, name, NULL, 0);
		void *v;

		if (n < 0)
			return NULL;
		v = xmalloc(n ? (size_t)n : 1);
		n = path ? lgetxattr(path, name, v, (size_t)n) : fgetxattr(fd, name, v, (size_t)n);
		if (n >= 0) {
			*len = (size_t)n;
			return v;
		}
		free(v);
		if (errno != ERANGE)
			return NULL;
	}
	errno = ERANGE;
	return NULL;
}

static bool in_list(const char *names, ssize_t len, const char *name)
{
	for (ssize_t i = 0; i < len; i += (ssize_t)strlen(names + i) + 1)
		if (!strcmp(names + i, name))
			return true;
	return false;
}

/*
 * Gives the temporary the old file's owner, group, permission bits and
 * extended attributes, in the order cp -a uses: owner first (chown(2)
 * clears the set-user-ID bits and file capabilities), then the mode, then
 * the attributes (an ACL sets the group bits from its mask, consistently).
 */
static int copy_metadata(struct replace *r, const struct stat *old, bool *ima)
{
	char *names = NULL, *mine = NULL;
	ssize_t n, nmine;
	struct stat st;
	int err = -1;

	if (fstat(r->fd, &st))
		return fail(r, "cannot stat the new file: %s", strerror(errno));
	if ((st.st_uid != old->st_uid || st.st_gid != old->st_gid) &&
	    fchown(r->fd, old->st_uid, old->st_gid))
		return fail(r,
			    "cannot give the new file its owner and group %ju:%ju (%s): not "
			    "replaced",
			    (uintmax_t)old->st_uid, (uintmax_t)old->st_gid, strerror(errno));
	n = list_xattrs(r->target, -1, &names);
	if (n < 0)
		return fail(r, "cannot list its extended attributes: %s", strerror(errno));
	/* what the new file got and the old lacks: a directory's default ACL */
	nmine = list_xattrs(NULL, r->fd, &mine);
	for (ssize_t i = 0; i < nmine; i += (ssize_t)strlen(mine + i) + 1)
		if (!in_list(names, n, mine + i) && fremovexattr(r->fd, mine + i) &&
		    errno != ENODATA && strncmp(mine + i, "security.", 9)) {
			fail(r, "cannot remove the extended attribute %s the new file got: %s",
			     mine + i, strerror(errno));
			goto out;
		}
	if (fchmod(r->fd, old->st_mode & 07777)) {
		fail(r, "cannot give the new file mode %04o: %s", (unsigned)(old->st_mode & 07777),
		     strerror(errno));
		goto out;
	}
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(names + i) + 1) {
		const char *name = names + i;
		size_t len, have_len;
		void *v = get_xattr(r->target, -1, name, &len), *have;
		int bad;

		if (!v) {
			if (errno == ENODATA) /* removed meanwhile */
				continue;
			fail(r, "cannot read its extended attribute %s: %s", name, strerror(errno));
			goto out;
		}
		/* equal already (an LSM label of the directory): not set again */
		have = get_xattr(NULL, r->fd, name, &have_len);
		bad = (!have || have_len != len || memcmp(have, v, len)) &&
		      fsetxattr(r->fd, name, v, len, 0);
		free(have);
		free(v);
		if (bad) {
			fail(r, "cannot keep its extended attribute %s (%s): not replaced", name,
			     strerror(errno));
			goto out;
		}
		if (!strcmp(name, "security.ima"))
			*ima = true;
	}
	err = 0;
out:
	free(names);
	free(mine);
	return err;
}

/*
 * The inode flags of chattr(1) that say how a file is to be kept, not what
 * it may be (immutable and append-only files refuse the rename anyway).
 */
#define KEPT_FLAGS (FS_NODUMP_FL | FS_NOATIME_FL | FS_SYNC_FL | FS_COMPR_FL | FS_NOCOMP_FL)

/*
 * Gives the new file the old one's KEPT_FLAGS (FS_IOC_GETFLAGS, ioctl_iflags(2)).
 * A filesystem without inode flags has none to keep. 0, or -1 with r->why set.
 */
static int copy_flags(struct replace *r)
{
	int fd, old = 0, now = 0, keep;

	fd = openat(r->dirfd, r->base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* a file we may replace but not read (mode 0200): its flags unseen */
	if (ioctl(fd, FS_IOC_GETFLAGS, &old))
		old = 0; /* ENOTTY, EOPNOTSUPP: no flags here */
	close(fd);
	keep = old & KEPT_FLAGS;
	if (!keep)
		return 0;
	if (!ioctl(r->fd, FS_IOC_GETFLAGS, &now)) {
		now |= keep;
		if (!ioctl(r->fd, FS_IOC_SETFLAGS, &now))
			return 0;
	}
	/* the new file's filesystem has no such flag (an overlay's tmpfs upper layer) */
	if (errno == EOPNOTSUPP || errno == ENOTTY || errno == EINVAL) {
		rv_warn("%s: its inode flags (chattr(1) flags 0x%x) cannot be kept here: %s",
			r->shown, (unsigned)keep, strerror(errno));
		return 0;
	}
	return fail(r, "cannot keep its inode flags (chattr(1) flags 0x%x: %s): not replaced",
		    (unsigned)keep, strerror(errno));
}

/* Links an O_TMPFILE into the directory under a temporary's name. */
static int link_tmpfile(struct replace *r)
{
	char *prefix = tmp_prefix(r->base), proc[64], rnd[TMP_RAND + 1];
	unsigned long long ns = pid_ns();
	int rc = -1;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", r->fd);
	for (int tries = 0; tries < 100; tries++) {
		random_suffix(rnd);
		free(r->tmpname);
		r->tmpname = xasprintf("%s%llu-%ld-%s", prefix, ns, (long)getpid(), rnd);
		rc = linkat(AT_FDCWD, proc, r->dirfd, r->tmpname, AT_SYMLINK_FOLLOW);
		if (!rc || errno != EEXIST)
			break;
	}
	free(prefix);
	if (rc) {
		fail(r, "cannot link the new file into %s: %s", r->dir, strerror(errno));
		free(r->tmpname);
		r->tmpname = NULL;
	}
	return rc;
}

/*
 * Test hook (tests/cli/writer.sh): RUSTVER_TEST_PAUSE_BEFORE_RENAME=SECONDS
 * (at most TEST_PAUSE_MAX) sleeps with the temporary linked, before the last
 * check of the target, so that a test can replace the target or kill the
 * process there. Says so on stderr first.
 */
static void test_pause(struct replace *r)
{
	const char *s = getenv("RUSTVER_TEST_PAUSE_BEFORE_RENAME");
	unsigned long secs = s ? strtoul(s, NULL, 10) : 0;

	if (!secs)
		return;
	if (secs > TEST_PAUSE_MAX)
		secs = TEST_PAUSE_MAX;
	fprintf(stderr, "%s: test hook: %s: %s/%s written, pausing %lu s before the rename\n",
		progname, r->shown, r->dir, r->tmpname, secs);
	fflush(stderr);
	sleep((unsigned int)secs);
}

int replace_commit(struct replace *r)
{
	const struct stat *ref = r->have_expect ? &r->expect : r->exists ? &r->old : NULL;
	struct stat now;
	bool ima = false;
	int fd = r->fd;

	if (r->direct) {
		r->fd = -1;
		if (close(fd))
			return fail(r, "write error: %s", strerror(errno));
		return 0;
	}
	if (r->exists && (copy_metadata(r, &r->old, &ima) || copy_flags(r)))
		return -1;
	if (!r->exists && fchmod(fd, NEW_FILE_MODE))
		return fail(r, "cannot give the new file mode %04o: %s", NEW_FILE_MODE,
			    strerror(errno));
	if (fsync(fd))
		return fail(r, "cannot write the new contents to disk: %s", strerror(errno));
	if (!r->tmpname && link_tmpfile(r))
		return -1;
	test_pause(r);
	/* the last look before the rename: the file read, or the one found at the start */
	if (fstatat(r->dirfd, r->base, &now, AT_SYMLINK_NOFOLLOW)) {
		if (errno != ENOENT)
			return fail(r, "%s", strerror(errno));
		if (ref)
			return fail(r, "was removed since it was read: not written");
	} else if (!ref) {
		return fail(r, "was created by someone else meanwhile: not replaced");
	} else if (!same_file(&now, ref)) {
		return fail(r, "was replaced or modified since it was read: not replaced");
	} else if (now.st_nlink > 1) {
		return fail(r, "has %ju hard links now: not replaced", (uintmax_t)now.st_nlink);
	} else if (r->have_expect && r->was) {
		int same = holds_what_was_read(r, &now);

		if (same < 0)
			return -1;
		if (!same)
			return fail(r, "was modified since it was read (its bytes differ; its size "
				       "and times do not show it): not replaced");
	}
	if (renameat(r->dirfd, r->tmpname, r->dirfd, r->base))
		return fail(r, "cannot rename %s over it: %s", r->tmpname, strerror(errno));
	free(r->tmpname);
	r->tmpname = NULL;
	/* the rename itself on disk; EINVAL/EBADF: a filesystem or a directory fd without it */
	if (fsync(r->dirfd) && errno != EINVAL && errno != EBADF)
		rv_warn("%s: replaced, but cannot sync its directory %s: %s", r->shown, r->dir,
			strerror(errno));
	if (ima)
		rv_warn("%s: kept its security.ima, but its contents changed: make its IMA hash "
			"or signature again (evmctl ima_hash or ima_sign)",
			r->shown);
	r->fd = -1;
	if (close(fd))
		return fail(r, "write error: %s", strerror(errno));
	return 0;
}

void replace_end(struct replace *r)
{
	if (r->tmpname && r->dirfd >= 0)
		unlinkat(r->dirfd, r->tmpname, 0);
	if (r->fd >= 0)
		close(r->fd); /* an unlinked O_TMPFILE goes with it */
	if (r->dirfd >= 0)
		close(r->dirfd);
	free(r->tmpname);
	free(r->target);
	free(r->dir);
	free(r->base);
	free(r->shown);
	free(r->why);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->dirfd = -1;
}

int replace_file(struct replace *r, const char *path, const struct stat *expect, const void *head,
		 size_t hlen, const void *body, size_t blen)
{
	if (replace_begin(r, path, expect) || replace_write(r, head, hlen) ||
	    replace_write(r, body, blen) || replace_commit(r))
		return -1;
	return 0;
}
