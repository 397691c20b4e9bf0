// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Swap files: the version-1 swap header (the layout of util-linux mkswap and
 * the kernel's union swap_header), creation of a swap file ready for swapon(2), recognition of our files and
 * of an active area (/proc/swaps itself is parsed in swaps.c).
 *
 * The daemon calls this under memory pressure: no large allocations (one
 * page for the header), no fork, a static never-written zero buffer for
 * filesystems that need written data.
 *
 * Owns: nothing (the zero buffer is never written).  Calls: the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "asd.h"

/* Offsets inside the first page (union swap_header.info at 1024). */
#define HDR_VERSION	1024
#define HDR_LAST_PAGE	1028
#define HDR_NR_BAD	1032
#define HDR_UUID	1036
#define HDR_LABEL	1052
#define HDR_LABEL_LEN	16
#define HDR_END		1540	/* after padding[117] and badpages[1] */
#define SWAP_MAGIC	"SWAPSPACE2"
#define SWAP_MAGIC_LEN	10
#define SWAP_LABEL	"adaptswap"
#define MIN_PAGES	40

#define ZERO_CHUNK	(1u << 20)
#define FLUSH_EVERY	(16ull * ASD_MIB)

static void put_u32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));	/* the kernel reads native endianness */
}

static uint32_t get_u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static size_t page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (size_t)ps : 4096;
}

/* Random version-4 UUID (RFC 4122 variant). */
static int random_uuid(unsigned char uuid[16])
{
	size_t got = 0;

	while (got < 16) {
		ssize_t r = getrandom(uuid + got, 16 - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		got += (size_t)r;
	}
	uuid[6] = (unsigned char)((uuid[6] & 0x0f) | 0x40);
	uuid[8] = (unsigned char)((uuid[8] & 0x3f) | 0x80);
	return 0;
}

/* Whole pages of a size, or -EINVAL when out of the header's range. */
static long swap_pages(size_t ps, uint64_t size)
{
	uint64_t pages;

	if (ps < 4096 || (ps & (ps - 1)))
		return -EINVAL;
	pages = size / ps;
	if (pages < MIN_PAGES || pages - 1 > UINT32_MAX)
		return -EINVAL;
	return (long)pages;
}

long asd_swap_header(void *buf, size_t page_size_, uint64_t size,
		     const unsigned char uuid[16])
{
	unsigned char *p = buf;
	long pages = swap_pages(page_size_, size);

	if (pages < 0 || !buf)
		return -EINVAL;
	memset(p, 0, page_size_);
	put_u32(p + HDR_VERSION, 1);
	put_u32(p + HDR_LAST_PAGE, (uint32_t)(pages - 1));
	put_u32(p + HDR_NR_BAD, 0);
	if (uuid)
		memcpy(p + HDR_UUID, uuid, 16);
	else if (random_uuid(p + HDR_UUID) < 0)
		return -EIO;
	memcpy(p + HDR_LABEL, SWAP_LABEL, sizeof(SWAP_LABEL) - 1);
	memcpy(p + page_size_ - SWAP_MAGIC_LEN, SWAP_MAGIC, SWAP_MAGIC_LEN);
	/* page 0 holds the header: the kernel can use pages 1..last_page */
	return pages - 1;
}

/* ---- creation ----------------------------------------------------------- */

static bool plain_name(const char *name)
{
	return name && name[0] && !strchr(name, '/') && strcmp(name, ".") &&
	       strcmp(name, "..") && strlen(name) <= NAME_MAX;
}

/* btrfs: no copy-on-write (swapon refuses COW files), no compression. */
static int btrfs_prepare(int fd)
{
	int flags = 0;

	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
		return -errno;
	flags |= FS_NOCOW_FL;
	if (ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0)
		return -errno;
	flags &= ~FS_COMPR_FL;
	flags |= FS_NOCOMP_FL;
	(void)ioctl(fd, FS_IOC_SETFLAGS, &flags);	/* best effort */
	return 0;
}

static bool fs_no_swap(long type)
{
	return type == TMPFS_MAGIC || type == RAMFS_MAGIC ||
	       type == OVERLAYFS_SUPER_MAGIC;
}

static bool fs_fallocate_ok(long type)
{
	return type == EXT4_SUPER_MAGIC || type == XFS_SUPER_MAGIC;
}

/* Write an error message naming the path and return -e. */
static int fail(char *err, size_t errlen, const char *dir, const char *name,
		const char *what, int e)
{
	asd_say(err, errlen, "%s/%s: %s: %s", dir, name, what, strerror(e));
	return -e;
}

int asd_write_zeros(int fd, uint64_t off, uint64_t len)
{
	static unsigned char zeros[ZERO_CHUNK];	/* never written: stays in .bss */
	uint64_t done = 0, flushed = 0;

	while (done < len) {
		size_t n = len - done < ZERO_CHUNK ? (size_t)(len - done) : ZERO_CHUNK;
		ssize_t w = pwrite(fd, zeros, n, (off_t)(off + done));

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		done += (uint64_t)w;
		if (done - flushed >= FLUSH_EVERY) {
			/* keep dirty page cache small: we run under pressure */
			if (fdatasync(fd) < 0)
				return -errno;
			posix_fadvise(fd, (off_t)(off + flushed),
				      (off_t)(done - flushed), POSIX_FADV_DONTNEED);
			flushed = done;
		}
	}
	return 0;
}

static int check_room(int fd, uint64_t size)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) < 0)
		return -errno;
	if ((uint64_t)sf.f_bavail * (uint64_t)sf.f_bsize < size)
		return -ENOSPC;
	return 0;
}

/* Reserve the blocks of the file: fallocate or written zeros. */
static int allocate(int fd, long fstype, uint64_t size, const char **what)
{
	int r;

	*what = "not enough free space";
	r = check_room(fd, size);
	if (r < 0)
		return r;
	if (fs_fallocate_ok(fstype)) {
		*what = "fallocate";
		if (fallocate(fd, 0, 0, (off_t)size) == 0)
			return 0;
		if (errno != EOPNOTSUPP)
			return -errno;
		/* e.g. ext4 without extents: fall back to writing zeros */
	}
	*what = "writing zeros";
	return asd_write_zeros(fd, 0, size);
}

static int write_header(int fd, size_t ps, uint64_t size)
{
	unsigned char *page = malloc(ps);
	ssize_t w;
	int e = 0;

	if (!page)
		return -ENOMEM;
	if (asd_swap_header(page, ps, size, NULL) < 0) {
		free(page);
		return -EIO;
	}
	do
		w = pwrite(fd, page, ps, 0);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		e = -errno;
	else if ((size_t)w != ps)
		e = -EIO;
	free(page);
	return e;
}

/* Everything after the open: the file is ours to remove on failure. */
static int fill_file(int fd, const char *dir, const char *name, uint64_t size,
		     size_t ps, char *err, size_t errlen)
{
	struct statfs sf;
	const char *what;
	int r;

	if (fchmod(fd, 0600) < 0)
		return fail(err, errlen, dir, name, "fchmod", errno);
	if (fstatfs(fd, &sf) < 0)
		return fail(err, errlen, dir, name, "statfs", errno);
	if (fs_no_swap((long)sf.f_type))
		return fail(err, errlen, dir, name,
			    "filesystem cannot hold swap files", EOPNOTSUPP);
	if ((long)sf.f_type == (long)BTRFS_SUPER_MAGIC) {
		r = btrfs_prepare(fd);
		if (r < 0)
			return fail(err, errlen, dir, name,
				    "cannot disable copy-on-write", -r);
	}
	r = allocate(fd, (long)sf.f_type, size, &what);
	if (r < 0)
		return fail(err, errlen, dir, name, what, -r);
	r = write_header(fd, ps, size);
	if (r < 0)
		return fail(err, errlen, dir, name, "writing the swap header", -r);
	if (fsync(fd) < 0)
		return fail(err, errlen, dir, name, "fsync", errno);
	return 0;
}

int asd_swapfile_create_at(int dfd, const char *dir, const char *name, uint64_t size,
			   char *err, size_t errlen)
{
	size_t ps = page_size();
	int fd, r;

	if (!dir || !dir[0] || !plain_name(name)) {
		asd_say(err, errlen, "%s/%s: not a plain file name",
			dir ? dir : "", name ? name : "");
		return -EINVAL;
	}
	if (swap_pages(ps, size) < 0) {
		asd_say(err, errlen, "%s/%s: size %llu is out of range (at least %d pages)",
			dir, name, (unsigned long long)size, MIN_PAGES);
		return -EINVAL;
	}
	size -= size % ps;
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return fail(err, errlen, dir, name, "cannot create", errno);
	r = fill_file(fd, dir, name, size, ps, err, errlen);
	if (close(fd) < 0 && r == 0)
		r = fail(err, errlen, dir, name, "close", errno);
	if (r < 0)
		unlinkat(dfd, name, 0);	/* made by us just now; the error is r's */
	return r;
}

int asd_swapfile_create(const char *dir, const char *name, uint64_t size,
			char *err, size_t errlen)
{
	int dfd, r;

	if (!dir || !dir[0] || !plain_name(name))
		return asd_swapfile_create_at(-1, dir, name, size, err, errlen);
	dfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		r = -errno;
		asd_say(err, errlen, "%s: %s", dir, strerror(-r));
		return r;
	}
	r = asd_swapfile_create_at(dfd, dir, name, size, err, errlen);
	close(dfd);
	return r;
}

/* ---- recognition -------------------------------------------------------- */

static bool read_page(int fd, unsigned char *page, size_t ps)
{
	size_t got = 0;

	while (got < ps) {
		ssize_t r = pread(fd, page + got, ps - got, (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

static bool header_is_ours(const unsigned char *page, size_t ps)
{
	static const char label[HDR_LABEL_LEN] = SWAP_LABEL;

	return !memcmp(page + ps - SWAP_MAGIC_LEN, SWAP_MAGIC, SWAP_MAGIC_LEN) &&
	       get_u32(page + HDR_VERSION) == 1 &&
	       !memcmp(page + HDR_LABEL, label, HDR_LABEL_LEN);
}

bool asd_swapfile_is_ours(const char *path)
{
	return asd_swapfile_is_ours_at(AT_FDCWD, path);
}

bool asd_swapfile_is_ours_at(int dfd, const char *path)
{
	size_t ps = page_size();
	unsigned char *page;
	struct stat st;
	bool ours = false;
	int fd;

	if (!path)
		return false;
	/* O_NONBLOCK: a FIFO planted here must not block the daemon */
	fd = openat(dfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size >= (uint64_t)ps * MIN_PAGES) {
		page = malloc(ps);
		if (page) {
			ours = read_page(fd, page, ps) && header_is_ours(page, ps);
			free(page);
		}
	}
	close(fd);
	return ours;
}

int asd_swapfile_active(const char *path)
{
	return asd_swapfile_active_at(AT_FDCWD, path);
}

int asd_swapfile_active_at(int dfd, const char *path)
{
	int fd = openat(dfd, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	int r;

	if (fd < 0)
		return -errno;
	r = fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 1) ? -errno : 0;
	close(fd);
	if (r == -ETXTBSY)
		return 1;
	return r;
}
