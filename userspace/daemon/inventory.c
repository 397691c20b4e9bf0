// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The managed-file inventory: the table of our swap files in cfg.dir,
 * their state from /proc/swaps, the scan of the directory and the crash
 * recovery that adopts what a previous run left; files whose delete failed,
 * deleted again.
 *
 * Owns: d->inv (and the directory fd in it).  Calls: procfs.c, log.c,
 * swapfile.c (is it ours?), safedir.c (is it a managed file?).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/swap.h>

#include "daemon.h"

void inv_path(const struct daemon *d, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", d->cfg.dir, name);
}

struct mfile *inv_find(struct daemon *d, const char *name)
{
	for (int i = 0; i < d->inv.n; i++)
		if (!strcmp(d->inv.files[i].name, name))
			return &d->inv.files[i];
	return NULL;
}

struct mfile *inv_add(struct daemon *d, const char *name, uint64_t size)
{
	struct mfile *f;

	if (d->inv.n >= MAX_FILES)
		return NULL;
	f = &d->inv.files[d->inv.n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->size = size;
	return f;
}

void inv_drop(struct daemon *d, struct mfile *f)
{
	int i = (int)(f - d->inv.files);

	memmove(&d->inv.files[i], &d->inv.files[i + 1],
		(size_t)(d->inv.n - i - 1) * sizeof(*f));
	d->inv.n--;
}

struct mfile *inv_standby(struct daemon *d)
{
	for (int i = 0; i < d->inv.n; i++)
		if (!d->inv.files[i].active && !d->inv.files[i].busy)
			return &d->inv.files[i];
	return NULL;
}

bool inv_other_standby(const struct daemon *d, const struct mfile *not)
{
	for (int i = 0; i < d->inv.n; i++)
		if (&d->inv.files[i] != not && !d->inv.files[i].active && !d->inv.files[i].busy)
			return true;
	return false;
}

uint64_t inv_on_disk(const struct daemon *d)
{
	uint64_t b = 0;

	for (int i = 0; i < d->inv.n; i++)
		b += d->inv.files[i].size;
	return b;
}

/* Is there anything by this name in the directory (or can we not tell)? */
static bool name_taken(struct daemon *d, const char *name)
{
	struct stat st;

	return fstatat(d->inv.dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT;
}

void inv_new_name(struct daemon *d, char *buf, size_t len)
{
	char tmp[80];

	for (;;) {
		snprintf(buf, len, ASD_FILE_PREFIX "%u" ASD_FILE_SUFFIX, d->inv.next_id++);
		snprintf(tmp, sizeof(tmp), "%s.new", buf);
		if (inv_find(d, buf) || name_taken(d, buf) || name_taken(d, tmp)) {
			logmsg(d, LOG_DEBUG_, "%s is taken, trying the next name", buf);
			continue;
		}
		return;
	}
}

int inv_open(struct daemon *d, const char *name, char *err, size_t len)
{
	int fd = openat(d->inv.dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK |
			O_NOCTTY);
	int r;

	if (fd < 0) {
		r = -errno;
		asd_say(err, len, "%s: %s", name, strerror(-r));
		return r;
	}
	r = asd_managed_ok(fd, name, err, len);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int inv_swapoff(struct daemon *d, const char *name)
{
	char fdpath[64];
	int fd = openat(d->inv.dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK), r;

	if (fd < 0)
		return -1;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	r = swapoff(fdpath);
	if (r) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

int inv_unlink(struct daemon *d, const char *name)
{
	if (unlinkat(d->inv.dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	logmsg(d, LOG_ERR_, "cannot delete %s/%s: %s", d->cfg.dir, name, strerror(errno));
	return -errno;
}

int inv_areas_in_use(void)
{
	char text[65536];
	int n = 0;

	if (proc_read("/proc/swaps", text, sizeof(text)) < 0)
		return -1;
	for (const char *p = strchr(text, '\n'); p && p[1]; p = strchr(p + 1, '\n'))
		n++;
	return n;
}

/* Is /proc/swaps' area a the file m?  Remembers the name it goes by. */
static bool is_area_of(struct daemon *d, struct mfile *m, const struct asd_swap_area *a)
{
	char p[512];
	int match;

	inv_path(d, m->name, p, sizeof(p));
	match = asd_swaps_path_match(p, a->path);
	/*
	 * Only a tail of the path: the area was activated through a mount
	 * that is gone (a stopped service's namespace).  The kernel tells
	 * whether the file is the active area; remember the name it goes by.
	 */
	if (match == 1 && strcmp(m->alias, a->path)) {
		if (asd_swapfile_active_at(d->inv.dirfd, m->name) != 1)
			return false;
		_Static_assert(sizeof(m->alias) == sizeof(a->path), "alias size");
		memcpy(m->alias, a->path, sizeof(m->alias));
		logmsg(d, LOG_INFO_, "%s is active swap, listed in /proc/swaps as %s",
		       m->name, a->path);
	}
	return match != 0;
}

int inv_refresh(struct daemon *d, uint64_t *swap_total, uint64_t *swap_free)
{
	char text[65536];	/* one page per read(2): read whole, many areas fit */
	struct asd_swap_area a[128];
	int n;

	*swap_total = *swap_free = 0;
	if (proc_read("/proc/swaps", text, sizeof(text)) < 0)
		return -1;
	n = asd_parse_proc_swaps(text, a, 128);
	for (int i = 0; i < d->inv.n; i++)
		d->inv.files[i].active = false;
	for (int i = 0; i < n; i++) {
		*swap_total += a[i].size;
		*swap_free += a[i].size - a[i].used;
		for (int j = 0; j < d->inv.n; j++) {
			struct mfile *m = &d->inv.files[j];

			if (m->active || !is_area_of(d, m, &a[i]))
				continue;
			m->active = true;
			m->used = a[i].used;
			m->size = a[i].size + ASD_PAGE;	/* the header page */
			break;
		}
	}
	return n;
}

/*
 * Collect the files of ours in dir: our name and our label.  Half-made
 * files (*.new) are deleted when delete_new, else only counted in *nnew.
 */
int inv_scan(struct daemon *d, bool delete_new, int *nnew)
{
	/* no directory fd: --release found no directory */
	int dfd = d->inv.dirfd < 0 ? (errno = ENOENT, -1) :
		  openat(d->inv.dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t pl = strlen(ASD_FILE_PREFIX), sl = strlen(ASD_FILE_SUFFIX);
	DIR *dir = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *e;

	if (!dir) {
		int e2 = errno;

		if (dfd >= 0)
			close(dfd);
		return -e2;
	}
	while ((e = readdir(dir))) {
		size_t len = strlen(e->d_name);
		struct stat st;
		unsigned id;

		if (strncmp(e->d_name, ASD_FILE_PREFIX, pl))
			continue;
		if (fstatat(d->inv.dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode))
			continue;
		if (sscanf(e->d_name + pl, "%u", &id) == 1 && id >= d->inv.next_id)
			d->inv.next_id = id + 1;	/* no new name is one of these */
		if (len > 4 && !strcmp(e->d_name + len - 4, ".new")) {
			/* ours only when named, labelled and owned as ours */
			if (st.st_uid != 0 || st.st_nlink != 1 || (st.st_mode & 07777) != 0600)
				continue;
			if (nnew)
				(*nnew)++;
			if (delete_new) {
				logmsg(d, LOG_INFO_, "recovery: deleting half-made %s", e->d_name);
				inv_unlink(d, e->d_name);
			}
			continue;
		}
		if (len <= sl || strcmp(e->d_name + len - sl, ASD_FILE_SUFFIX) ||
		    d->inv.n >= MAX_FILES || len >= sizeof(d->inv.files[0].name))
			continue;
		if (!asd_swapfile_is_ours_at(d->inv.dirfd, e->d_name) || st.st_uid != 0 ||
		    st.st_nlink != 1 || (st.st_mode & 07777) != 0600) {
			/* our name, not our label or owner: not ours to touch */
			logmsg(d, LOG_WARN_, "recovery: leaving %s alone: not a swap area of ours",
			       e->d_name);
			continue;
		}
		inv_add(d, e->d_name, (uint64_t)st.st_size);
	}
	closedir(dir);
	return 0;
}

/*
 * Adopt what a previous run left: active files (in /proc/swaps) are ours
 * again; one inactive, complete file of ours becomes the standby; half-made
 * files (*.new) and surplus inactive ones are deleted.  Anything not named
 * and labelled by us is left alone.
 */
int inv_recover(struct daemon *d)
{
	uint64_t t, f;
	bool have_standby = false;
	int r = inv_scan(d, true, NULL);

	if (r < 0)
		return r;
	inv_refresh(d, &t, &f);
	for (int i = 0; i < d->inv.n; i++) {
		struct mfile *m = &d->inv.files[i];
		bool sparse = false;
		int fd;

		if (m->active) {
			logmsg(d, LOG_INFO_, "recovery: adopted active %s (%" PRIu64 " MiB)",
			       m->name, m->size / ASD_MIB);
			/* when pressure was last is not known: as of now, so
			 * a restart gives nothing back before shrink_quiet_s */
			d->src.last_pressure_ms = now_ms();
			continue;
		}
		/* a standby must be one swapon(2) can take: no holes */
		fd = openat(d->inv.dirfd, m->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (fd >= 0) {
			sparse = asd_swapfile_sparse(fd);
			close(fd);
		}
		/* a chunk of ours: chunk_mb's size, or with auto steps any step */
		if (!sparse && !have_standby && d->cfg.standby &&
		    (d->lim.grow_steps ? m->size >= d->lim.chunk : m->size == d->lim.chunk)) {
			have_standby = true;
			logmsg(d, LOG_INFO_, "recovery: reusing %s as the standby chunk", m->name);
			continue;
		}
		logmsg(d, LOG_INFO_, "recovery: deleting inactive %s%s", m->name,
		       sparse ? ": it has holes, swapon would refuse it" : "");
		inv_unlink(d, m->name);
		inv_drop(d, m);
		i--;
	}
	return 0;
}

/*
 * Inactive files beyond the one standby: a delete that failed (a read-only
 * or failing filesystem) after a shrink or a release.  How many there are.
 */
int inv_surplus(const struct daemon *d)
{
	int inactive = 0;

	for (int i = 0; i < d->inv.n; i++)
		if (!d->inv.files[i].active && !d->inv.files[i].busy)
			inactive++;
	if (d->cfg.standby && !d->act.held && inactive)
		inactive--;	/* one of them is the standby */
	return inactive;
}

/* Delete the surplus again; a failure is said once per file. */
void inv_tidy(struct daemon *d)
{
	bool keep = d->cfg.standby && !d->act.held;

	for (int i = d->inv.n - 1; i >= 0 && inv_surplus(d); i--) {
		struct mfile *f = &d->inv.files[i];

		if (f->active || f->busy)
			continue;
		if (keep) {
			keep = false;	/* the standby */
			continue;
		}
		if (unlinkat(d->inv.dirfd, f->name, 0) == 0 || errno == ENOENT) {
			decide(d, "tidy: %s deleted (an earlier delete had failed)", f->name);
			inv_drop(d, f);
		} else if (!f->undeletable) {
			f->undeletable = true;
			logmsg(d, LOG_WARN_, "tidy: %s is off and cannot be deleted yet: %s; "
			       "trying again every %d s", f->name, strerror(errno),
			       ASD_TIDY_RETRY_MS / 1000);
		}
	}
}
