// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The swap directory's safety: the path checked from / down, component by
 * component without following a symbolic link, each directory root's and
 * not writable by others (the way systemd checks a path), and the last one
 * kept open as the O_PATH fd everything else works through; a managed
 * file's own checks (regular, root's, 0600, one link; no holes).
 *
 * Owns: nothing.  Calls: the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asd.h"

static int dir_verdict(const char *dir, const char *part, const struct stat *st,
		       bool leaf, char *err, size_t errlen)
{
	char where[PATH_MAX + 300];

	if (strcmp(dir, part))
		snprintf(where, sizeof(where), "%s: %s", dir, part);
	else
		snprintf(where, sizeof(where), "%s", dir);
	if (S_ISLNK(st->st_mode)) {
		asd_say(err, errlen, "%s: is a symbolic link, refusing it", where);
		return -ELOOP;
	}
	if (!S_ISDIR(st->st_mode)) {
		asd_say(err, errlen, "%s: not a directory", where);
		return -ENOTDIR;
	}
	if (st->st_uid != 0) {
		asd_say(err, errlen, "%s: owned by uid %u, not by root",
			where, (unsigned)st->st_uid);
		return -EPERM;
	}
	/*
	 * A parent may be world-writable with the sticky bit (/tmp): nobody
	 * but root can rename or remove a root-owned entry in it.
	 */
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && (leaf || !(st->st_mode & S_ISVTX))) {
		asd_say(err, errlen, "%s: mode %04o is writable by group or others",
			where, (unsigned)(st->st_mode & 07777));
		return -EACCES;
	}
	return 0;
}

/*
 * Open the next component of a path below dfd: a directory, never through
 * a symbolic link; created 0700 when missing and create is set.
 */
static int open_component(int dfd, const char *name, bool create)
{
	int fd = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(dfd, name, 0700) < 0 && errno != EEXIST)
			return -errno;
		fd = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	return fd < 0 ? -errno : fd;
}

int asd_dir_open(const char *dir, bool create, char *err, size_t errlen)
{
	char part[PATH_MAX];
	const char *p;
	struct stat st;
	int fd, r;

	if (!dir || !dir[0]) {
		asd_say(err, errlen, "empty directory name");
		return -EINVAL;
	}
	if (dir[0] != '/' || strlen(dir) >= sizeof(part)) {
		asd_say(err, errlen, "%s: not an absolute path", dir);
		return -EINVAL;
	}
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		asd_say(err, errlen, "/: %s", strerror(-r));
		goto fail;
	}
	strcpy(part, "/");
	r = dir_verdict(dir, part, &st, !strcmp(dir, "/"), err, errlen);
	if (r < 0)
		goto fail;
	for (p = dir; *p;) {
		char name[NAME_MAX + 1];
		size_t len;
		int nfd;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (!len)
			break;
		if (len > NAME_MAX || (len == 2 && !strncmp(p, "..", 2))) {
			asd_say(err, errlen, "%s: '..' or a name too long in the path", dir);
			r = -EINVAL;
			goto fail;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		snprintf(part, sizeof(part), "%.*s", (int)(p - dir), dir);
		if (!strcmp(name, "."))
			continue;
		nfd = open_component(fd, name, create && !p[strspn(p, "/")]);
		if (nfd < 0) {
			r = nfd;
			if ((r == -ENOTDIR || r == -ELOOP) &&
			    fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
				r = dir_verdict(dir, part, &st, false, err, errlen);
				r = r ? r : -ENOTDIR;
			} else if (!strcmp(part, dir) || r != -ENOENT) {
				asd_say(err, errlen, "%s: %s", part, strerror(-r));
			} else {
				asd_say(err, errlen, "%s: %s: %s", dir, part, strerror(-r));
			}
			goto fail;
		}
		close(fd);
		fd = nfd;
		if (fstat(fd, &st) < 0) {
			r = -errno;
			asd_say(err, errlen, "%s: %s", part, strerror(-r));
			goto fail;
		}
		r = dir_verdict(dir, part, &st, !p[strspn(p, "/")], err, errlen);
		if (r < 0)
			goto fail;
	}
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return r;
}

int asd_dir_check(const char *dir, char *err, size_t errlen)
{
	int fd = asd_dir_open(dir, true, err, errlen);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int asd_managed_ok(int fd, const char *name, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		asd_say(err, errlen, "%s: %s", name, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 07777) != 0600 ||
	    st.st_nlink != 1) {
		asd_say(err, errlen, "%s: not a regular file of root's with mode 0600 and "
			"one link (mode %04o, uid %u, %u links)", name,
			(unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
			(unsigned)st.st_nlink);
		return -EPERM;
	}
	return 0;
}

bool asd_swapfile_sparse(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (uint64_t)st.st_blocks * 512 < (uint64_t)st.st_size;
}
