// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of adaptswapd's swapfile.c: the swap header, the directory
 * check, swap file creation (in a temporary directory on a disk
 * filesystem, never swapon'ed) and /proc/swaps parsing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "asd.h"
#include "tap.h"

/* is_int() evaluates its arguments twice: call functions once */
#define IS(expr, want, name) do { long long got_ = (long long)(expr); \
				  is_int(got_, want, name); } while (0)

#define SKIP(...) do { printf("ok %d - # SKIP ", ++tap_n); printf(__VA_ARGS__); \
		       printf("\n"); } while (0)

static const unsigned char test_uuid[16] = {
	0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0x4d, 0xef,
	0x81, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
};

static char tmpdir[256];

static uint32_t u32_at(const unsigned char *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static bool all_zero(const unsigned char *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (p[i])
			return false;
	return true;
}

static void test_header_size(size_t ps, uint64_t size)
{
	unsigned char *buf = malloc(ps);
	uint64_t pages = size / ps;
	long r;

	memset(buf, 0xaa, ps);
	r = asd_swap_header(buf, ps, size, test_uuid);
	ok(r == (long)(pages - 1), "ps %zu size %llu: %ld usable pages",
	   ps, (unsigned long long)size, r);
	ok(all_zero(buf, 0, 1024), "ps %zu: boot area is zero", ps);
	is_int(u32_at(buf, 1024), 1, "version 1");
	is_int(u32_at(buf, 1028), pages - 1, "last_page");
	is_int(u32_at(buf, 1032), 0, "nr_badpages");
	ok(!memcmp(buf + 1036, test_uuid, 16), "uuid copied at 1036");
	ok(!memcmp(buf + 1052, "adaptswap\0\0\0\0\0\0\0", 16), "label at 1052");
	ok(all_zero(buf, 1068, ps - 10), "padding, badpages and the rest are zero");
	ok(!memcmp(buf + ps - 10, "SWAPSPACE2", 10), "magic in the last 10 bytes");
	free(buf);
}

static void test_header(void)
{
	unsigned char buf[4096], buf2[4096];

	test_header_size(4096, 40 * 4096);
	test_header_size(4096, 41 * 4096 + 100);	/* rounded down */
	test_header_size(4096, 1024 * ASD_MIB);
	test_header_size(65536, 64 * ASD_MIB + 4095);
	test_header_size(16384, 40 * 16384);

	IS(asd_swap_header(buf, 4096, 40 * 4096 - 1, test_uuid), -EINVAL,
	       "39 pages and a bit refused");
	IS(asd_swap_header(buf, 4096, 0, test_uuid), -EINVAL, "size 0 refused");
	IS(asd_swap_header(buf, 65536, 39 * 65536, test_uuid), -EINVAL,
	       "39 large pages refused");
	IS(asd_swap_header(buf, 4096, (1ull << 32) * 4096 + 4096, test_uuid), -EINVAL,
	       "last_page beyond 32 bits refused");
	ok(asd_swap_header(buf, 4096, (1ull << 32) * 4096, test_uuid) == 0xffffffffl,
	   "last_page 0xffffffff accepted");
	IS(asd_swap_header(buf, 1000, 400000, test_uuid), -EINVAL, "bad page size refused");

	/* no uuid given: a random version-4 one */
	ok(asd_swap_header(buf, 4096, ASD_MIB, NULL) > 0 &&
	   asd_swap_header(buf2, 4096, ASD_MIB, NULL) > 0, "random uuid headers");
	ok((buf[1036 + 6] & 0xf0) == 0x40 && (buf[1036 + 8] & 0xc0) == 0x80,
	   "random uuid is version 4, RFC 4122 variant");
	ok(memcmp(buf + 1036, buf2 + 1036, 16) != 0, "two random uuids differ");
}

/* The first page util-linux mkswap writes equals ours for the same uuid. */
static void test_header_vs_mkswap(void)
{
	static const char *mkswap[] = { "/sbin/mkswap", "/usr/sbin/mkswap" };
	const char *prog = NULL;
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *ours = malloc(ps), *theirs = malloc(ps);
	char path[512], cmd[1024];
	int fd;

	for (size_t i = 0; i < 2 && !prog; i++)
		if (access(mkswap[i], X_OK) == 0)
			prog = mkswap[i];
	if (!prog) {
		SKIP("no mkswap to compare the header with");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/mkswap.img", tmpdir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	ok(fd >= 0 && ftruncate(fd, 1024 * 1024) == 0, "mkswap image");
	snprintf(cmd, sizeof(cmd), "%s -U 12345678-9abc-4def-8123-456789abcdef "
		 "-L adaptswap %s >/dev/null 2>&1", prog, path);
	ok(system(cmd) == 0, "mkswap ran");
	ok(pread(fd, theirs, ps, 0) == (ssize_t)ps, "read mkswap's header");
	asd_swap_header(ours, ps, 1024 * 1024, test_uuid);
	ok(!memcmp(ours, theirs, ps), "header identical to util-linux mkswap's");
	close(fd);
	unlink(path);
out:
	free(ours);
	free(theirs);
}

static void test_dir_check(void)
{
	char d[512], link[512], file[512], err[512];
	struct stat st;
	int fd;

	snprintf(d, sizeof(d), "%s/dir", tmpdir);
	err[0] = 0;
	IS(asd_dir_check(d, err, sizeof(err)), 0, "missing dir created");
	memset(&st, 0, sizeof(st));
	lstat(d, &st);
	ok(S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700,
	   "created with mode 0700 (%o)", (unsigned)(st.st_mode & 07777));
	IS(asd_dir_check(d, err, sizeof(err)), 0, "existing 0700 root dir ok");
	chmod(d, 0755);
	IS(asd_dir_check(d, err, sizeof(err)), 0, "0755 dir ok");

	chmod(d, 0777);
	err[0] = 0;
	IS(asd_dir_check(d, err, sizeof(err)), -EACCES, "0777 dir refused");
	ok(strstr(err, d) && strstr(err, "writable"), "message: %s", err);
	chmod(d, 0720);
	IS(asd_dir_check(d, err, sizeof(err)), -EACCES, "group-writable dir refused");
	chmod(d, 0702);
	IS(asd_dir_check(d, err, sizeof(err)), -EACCES, "other-writable dir refused");
	chmod(d, 0700);

	ok(chown(d, 1000, 0) == 0, "chown dir to uid 1000");
	err[0] = 0;
	IS(asd_dir_check(d, err, sizeof(err)), -EPERM, "dir owned by uid 1000 refused");
	ok(strstr(err, d) && strstr(err, "1000"), "message: %s", err);
	ok(chown(d, 0, 0) == 0, "chown back");

	snprintf(link, sizeof(link), "%s/link", tmpdir);
	ok(symlink(d, link) == 0, "symlink to dir");
	err[0] = 0;
	IS(asd_dir_check(link, err, sizeof(err)), -ELOOP, "symlink to dir refused");
	ok(strstr(err, link) && strstr(err, "symbolic link"), "message: %s", err);
	unlink(link);

	snprintf(file, sizeof(file), "%s/plainfile", tmpdir);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0600);
	close(fd);
	err[0] = 0;
	IS(asd_dir_check(file, err, sizeof(err)), -ENOTDIR, "regular file refused");
	ok(strstr(err, file) && strstr(err, "not a directory"), "message: %s", err);
	unlink(file);

	snprintf(link, sizeof(link), "%s/nope/sub", tmpdir);
	err[0] = 0;
	IS(asd_dir_check(link, err, sizeof(err)), -ENOENT, "missing parent refused");
	ok(strstr(err, link) != NULL, "message: %s", err);
	IS(asd_dir_check("", err, sizeof(err)), -EINVAL, "empty name refused");
	rmdir(d);
}

/* Every parent is checked too, not only the directory itself. */
static void test_dir_parents(void)
{
	char p[400], d[512], link[400], err[512];

	snprintf(p, sizeof(p), "%s/parent", tmpdir);
	snprintf(d, sizeof(d), "%s/sub", p);
	ok(mkdir(p, 0755) == 0 && mkdir(d, 0700) == 0, "parent and dir made");
	IS(asd_dir_check(d, err, sizeof(err)), 0, "0755 parent ok");
	chmod(p, 0775);
	err[0] = 0;
	IS(asd_dir_check(d, err, sizeof(err)), -EACCES, "group-writable parent refused");
	ok(strstr(err, p) && strstr(err, "writable"), "message names the parent: %s", err);
	chmod(p, 0757);
	IS(asd_dir_check(d, err, sizeof(err)), -EACCES, "world-writable parent refused");
	chmod(p, 01777);
	IS(asd_dir_check(d, err, sizeof(err)), 0, "sticky world-writable parent (like /tmp) ok");
	chmod(p, 0755);
	ok(chown(p, 1000, 0) == 0, "chown parent to uid 1000");
	IS(asd_dir_check(d, err, sizeof(err)), -EPERM, "parent owned by uid 1000 refused");
	ok(chown(p, 0, 0) == 0, "chown back");

	snprintf(link, sizeof(link), "%s/plink", tmpdir);
	ok(symlink(p, link) == 0, "symlink to the parent");
	snprintf(d, sizeof(d), "%s/sub", link);
	err[0] = 0;
	IS(asd_dir_check(d, err, sizeof(err)), -ELOOP, "a symlink on the way refused");
	ok(strstr(err, link) && strstr(err, "symbolic link"), "message: %s", err);
	IS(asd_dir_check("relative/dir", err, sizeof(err)), -EINVAL, "relative path refused");
	unlink(link);
	snprintf(d, sizeof(d), "%s/sub", p);
	rmdir(d);
	rmdir(p);
}

/* A managed file: regular, root's, 0600, one link; and holes are seen. */
static void test_managed_ok(void)
{
	char path[512], lnk[512], err[512];
	int fd;

	snprintf(path, sizeof(path), "%s/managed", tmpdir);
	snprintf(lnk, sizeof(lnk), "%s/managed.link", tmpdir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	ok(fd >= 0, "file made");
	fchmod(fd, 0600);
	IS(asd_managed_ok(fd, "managed", err, sizeof(err)), 0, "0600 root file ok");
	fchmod(fd, 0644);
	IS(asd_managed_ok(fd, "managed", err, sizeof(err)), -EPERM, "0644 refused");
	fchmod(fd, 0600);
	ok(link(path, lnk) == 0, "second link");
	IS(asd_managed_ok(fd, "managed", err, sizeof(err)), -EPERM, "two links refused");
	ok(strstr(err, "2 links") != NULL, "message: %s", err);
	unlink(lnk);
	ok(fchown(fd, 1000, 0) == 0, "chown 1000");
	IS(asd_managed_ok(fd, "managed", err, sizeof(err)), -EPERM, "not root's refused");
	ok(ftruncate(fd, 1 << 20) == 0 && asd_swapfile_sparse(fd), "1 MiB of holes is sparse");
	ok(fallocate(fd, 0, 0, 1 << 20) == 0 && !asd_swapfile_sparse(fd),
	   "allocated is not sparse");
	close(fd);
	unlink(path);
}

/* A /proc file may need many read(2)s: read to the end, or say it is too big. */
static void test_read_whole(void)
{
	char buf[64], big[8];
	int p[2];

	ok(pipe(p) == 0, "pipe");
	for (int i = 0; i < 5; i++)
		if (write(p[1], "abcd", 4) != 4)
			break;
	close(p[1]);
	IS(asd_read_whole(p[0], buf, sizeof(buf)), 20, "five writes read whole");
	ok(!strcmp(buf, "abcdabcdabcdabcdabcd"), "text: %s", buf);
	close(p[0]);
	ok(pipe(p) == 0, "pipe");
	if (write(p[1], "0123456789", 10) != 10)
		return;
	close(p[1]);
	IS(asd_read_whole(p[0], big, sizeof(big)), -EFBIG, "too big for the buffer: -EFBIG");
	close(p[0]);
	ok(pipe(p) == 0, "pipe");
	if (write(p[1], "0123456", 7) != 7)
		return;
	close(p[1]);
	IS(asd_read_whole(p[0], big, sizeof(big)), 7, "exactly fits");
	close(p[0]);
}

/* Run `blkid -p -o value -s TAG path` and return its first line in out. */
static bool blkid_value(const char *prog, const char *tag, const char *path,
			char *out, size_t len)
{
	char cmd[1024];
	FILE *f;
	bool got;

	snprintf(cmd, sizeof(cmd), "%s -p -o value -s %s '%s' 2>/dev/null", prog, tag, path);
	f = popen(cmd, "r");
	if (!f)
		return false;
	got = fgets(out, (int)len, f) != NULL;
	pclose(f);
	if (got)
		out[strcspn(out, "\n")] = 0;
	return got;
}

static void test_blkid(const char *path)
{
	static const char *blkid[] = { "/sbin/blkid", "/usr/sbin/blkid" };
	const char *prog = NULL;
	unsigned char page[1052];
	char val[128], want[40];
	const unsigned char *u = page + 1036;
	int fd;

	for (size_t i = 0; i < 2 && !prog; i++)
		if (access(blkid[i], X_OK) == 0)
			prog = blkid[i];
	if (!prog) {
		SKIP("no blkid");
		SKIP("no blkid");
		SKIP("no blkid");
		return;
	}
	if (!blkid_value(prog, "TYPE", path, val, sizeof(val)))
		val[0] = 0;
	ok(!strcmp(val, "swap"), "blkid TYPE is swap (%s)", val);
	if (!blkid_value(prog, "LABEL", path, val, sizeof(val)))
		val[0] = 0;
	ok(!strcmp(val, "adaptswap"), "blkid LABEL is adaptswap (%s)", val);
	fd = open(path, O_RDONLY);
	if (fd < 0 || pread(fd, page, sizeof(page), 0) != (ssize_t)sizeof(page))
		memset(page, 0, sizeof(page));
	if (fd >= 0)
		close(fd);
	snprintf(want, sizeof(want),
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
	if (!blkid_value(prog, "UUID", path, val, sizeof(val)))
		val[0] = 0;
	ok(!strcmp(val, want) && want[14] == '4', "blkid UUID %s is the v4 one in the header", val);
}

static bool same_bytes(const char *path, const unsigned char *ref, size_t len)
{
	unsigned char buf[4096];
	int fd = open(path, O_RDONLY);
	bool same;

	if (fd < 0)
		return false;
	same = len <= sizeof(buf) && pread(fd, buf, len, 0) == (ssize_t)len &&
	       !memcmp(buf, ref, len);
	close(fd);
	return same;
}

static void test_create(void)
{
	char d[512], path[600], link[600], target[600], err[512];
	const uint64_t size = 16 * ASD_MIB + 1000;	/* rounded down to pages */
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char first[4096];
	struct statfs sf;
	struct stat st;
	int fd;

	snprintf(d, sizeof(d), "%s/swap", tmpdir);
	ok(asd_dir_check(d, err, sizeof(err)) == 0, "swap dir");
	memset(&sf, 0, sizeof(sf));
	statfs(d, &sf);
	printf("# filesystem type 0x%lx%s\n", (unsigned long)sf.f_type,
	       sf.f_type == 0xEF53 ? " (ext4)" : "");
	snprintf(path, sizeof(path), "%s/adaptswap-1.swap", d);
	err[0] = 0;
	IS(asd_swapfile_create(d, "adaptswap-1.swap", size, err, sizeof(err)), 0,
	       "create a swap file");
	if (err[0])
		printf("# %s\n", err);
	ok(lstat(path, &st) == 0 && S_ISREG(st.st_mode), "it is a regular file");
	is_int(st.st_mode & 07777, 0600, "mode 0600");
	is_int(st.st_size, size - size % ps, "size rounded down to pages");
	ok((uint64_t)st.st_blocks * 512 >= (uint64_t)st.st_size,
	   "no holes (%lld blocks)", (long long)st.st_blocks);
	ok(asd_swapfile_is_ours(path), "is ours");
	test_blkid(path);
	fd = open(path, O_RDONLY);
	ok(fd >= 0 && pread(fd, first, sizeof(first), 0) == (ssize_t)sizeof(first),
	   "read the first 4 KiB");
	if (fd >= 0)
		close(fd);
	is_int(u32_at(first, 1028), st.st_size / (off_t)ps - 1, "last_page on disk");

	err[0] = 0;
	IS(asd_swapfile_create(d, "adaptswap-1.swap", size, err, sizeof(err)), -EEXIST,
	       "creating it again fails with EEXIST");
	ok(strstr(err, path) != NULL, "message: %s", err);
	ok(lstat(path, &st) == 0 && (uint64_t)st.st_size == size - size % ps &&
	   same_bytes(path, first, sizeof(first)) && asd_swapfile_is_ours(path),
	   "the first file is intact");

	err[0] = 0;
	IS(asd_swapfile_create(d, "sub/x.swap", size, err, sizeof(err)), -EINVAL,
	       "a name with '/' refused");
	ok(strstr(err, "plain file name") != NULL, "message: %s", err);
	IS(asd_swapfile_create(d, "..", size, err, sizeof(err)), -EINVAL, "'..' refused");
	IS(asd_swapfile_create(d, ".", size, err, sizeof(err)), -EINVAL, "'.' refused");
	IS(asd_swapfile_create(d, "", size, err, sizeof(err)), -EINVAL, "'' refused");
	IS(asd_swapfile_create(d, NULL, size, err, sizeof(err)), -EINVAL, "NULL refused");

	/* a symlink planted in place of the file */
	snprintf(target, sizeof(target), "%s/target", tmpdir);
	snprintf(link, sizeof(link), "%s/adaptswap-2.swap", d);
	fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0644);
	ok(fd >= 0 && write(fd, "keep", 4) == 4, "symlink target");
	close(fd);
	ok(symlink(target, link) == 0, "planted symlink");
	IS(asd_swapfile_create(d, "adaptswap-2.swap", size, err, sizeof(err)), -EEXIST,
	       "symlink in place refused");
	ok(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "the symlink is left alone");
	ok(stat(target, &st) == 0 && st.st_size == 4, "its target is untouched");
	ok(!asd_swapfile_is_ours(link), "is_ours does not follow a symlink");
	unlink(link);
	ok(symlink(path, link) == 0 && !asd_swapfile_is_ours(link),
	   "not even a symlink to our swap file");
	unlink(link);
	unlink(target);

	/* sizes */
	IS(asd_swapfile_create(d, "small.swap", 39 * ps, err, sizeof(err)), -EINVAL,
	       "39 pages refused");
	snprintf(link, sizeof(link), "%s/small.swap", d);
	ok(access(link, F_OK) < 0, "nothing left behind");
	ok(statfs(d, &sf) == 0, "statfs");
	err[0] = 0;
	IS(asd_swapfile_create(d, "huge.swap",
				   (uint64_t)sf.f_bavail * sf.f_bsize + 1024 * ASD_MIB,
				   err, sizeof(err)), -ENOSPC, "larger than free space: ENOSPC");
	ok(strstr(err, "huge.swap") && strstr(err, "space"), "message: %s", err);
	snprintf(link, sizeof(link), "%s/huge.swap", d);
	ok(access(link, F_OK) < 0 && errno == ENOENT, "failed file removed");
	IS(asd_swapfile_create("/nonexistent-adaptswap", "a.swap", size, err,
				   sizeof(err)), -ENOENT, "missing dir");
	ok(strstr(err, "/nonexistent-adaptswap") != NULL, "message: %s", err);

	/* 0600 even under a restrictive umask */
	mode_t old = umask(0277);
	IS(asd_swapfile_create(d, "adaptswap-3.swap", 40 * ps, err, sizeof(err)), 0,
	       "create under umask 0277");
	umask(old);
	snprintf(link, sizeof(link), "%s/adaptswap-3.swap", d);
	ok(stat(link, &st) == 0 && (st.st_mode & 07777) == 0600, "still mode 0600");
	ok(asd_swapfile_is_ours(link), "minimal file is ours");
	unlink(link);
	unlink(path);
	rmdir(d);
}

/* tmpfs cannot host swap files: refused before any allocation */
static void test_tmpfs(void)
{
	char d[64] = "/dev/shm/swapfile_test.XXXXXX", path[128], err[256];
	struct statfs sf;

	if (statfs("/dev/shm", &sf) < 0 || sf.f_type != 0x01021994 || !mkdtemp(d)) {
		SKIP("no tmpfs at /dev/shm");
		SKIP("no tmpfs at /dev/shm");
		return;
	}
	err[0] = 0;
	IS(asd_swapfile_create(d, "t.swap", ASD_MIB, err, sizeof(err)), -EOPNOTSUPP,
	   "tmpfs refused with EOPNOTSUPP");
	snprintf(path, sizeof(path), "%s/t.swap", d);
	ok(access(path, F_OK) < 0 && strstr(err, path), "file removed; message: %s", err);
	unlink(path);
	rmdir(d);
}

static void test_is_ours(void)
{
	char path[512];
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *page = calloc(1, ps);
	int fd;

	snprintf(path, sizeof(path), "%s/other.swap", tmpdir);
	ok(!asd_swapfile_is_ours(path), "missing file is not ours");
	ok(!asd_swapfile_is_ours(NULL), "NULL is not ours");
	ok(!asd_swapfile_is_ours(tmpdir), "a directory is not ours");

	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	ok(fd >= 0 && ftruncate(fd, (off_t)(64 * ps)) == 0, "zero file");
	ok(!asd_swapfile_is_ours(path), "zeros are not ours");

	asd_swap_header(page, ps, 64 * ps, test_uuid);
	memcpy(page + 1052, "other\0\0\0\0\0\0\0\0\0\0\0", 16);
	ok(pwrite(fd, page, ps, 0) == (ssize_t)ps, "swap header with another label");
	ok(!asd_swapfile_is_ours(path), "another label is not ours");

	memcpy(page + 1052, "adaptswap2\0\0\0\0\0\0", 16);
	ok(pwrite(fd, page, ps, 0) == (ssize_t)ps && !asd_swapfile_is_ours(path),
	   "label 'adaptswap2' is not ours");

	asd_swap_header(page, ps, 64 * ps, test_uuid);
	memcpy(page + ps - 10, "SWAP-SPACE", 10);
	ok(pwrite(fd, page, ps, 0) == (ssize_t)ps && !asd_swapfile_is_ours(path),
	   "old magic is not ours");

	asd_swap_header(page, ps, 64 * ps, test_uuid);
	ok(pwrite(fd, page, ps, 0) == (ssize_t)ps && asd_swapfile_is_ours(path),
	   "our header is ours");
	ok(ftruncate(fd, (off_t)(ps / 2)) == 0 && !asd_swapfile_is_ours(path),
	   "truncated file is not ours");
	close(fd);
	unlink(path);

	ok(mkfifo(path, 0600) == 0 && !asd_swapfile_is_ours(path), "a FIFO is not ours (no block)");
	unlink(path);
	free(page);
}

static void test_write_zeros(void)
{
	char path[512];
	unsigned char buf[4096];
	const uint64_t len = 3 * ASD_MIB + 12345;
	struct stat st;
	bool zero = true;
	int fd;

	snprintf(path, sizeof(path), "%s/zeros", tmpdir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	ok(fd >= 0 && pwrite(fd, "xxxx", 4, 100) == 4, "dirty file");
	IS(asd_write_zeros(fd, 0, len), 0, "write zeros");
	memset(&st, 0, sizeof(st));
	fstat(fd, &st);
	is_int(st.st_size, len, "size");
	ok((uint64_t)st.st_blocks * 512 >= len, "allocated, no holes");
	for (uint64_t off = 0; off < len && zero; off += sizeof(buf)) {
		ssize_t n = pread(fd, buf, sizeof(buf), (off_t)off);

		zero = n > 0 && all_zero(buf, 0, (size_t)n);
	}
	ok(zero, "all bytes zero");
	IS(asd_write_zeros(-1, 0, 10), -EBADF, "bad fd");
	close(fd);
	unlink(path);
}

static void test_proc_swaps(void)
{
	struct asd_swap_area a[4];

	static const char header[] = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
	IS(asd_parse_proc_swaps(header, a, 4), 0, "header only");
	IS(asd_parse_proc_swaps("", a, 4), 0, "empty text");
	IS(asd_parse_proc_swaps(NULL, a, 4), 0, "NULL text");

	static const char one[] =
		"Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
		"/var/lib/adaptswap/adaptswap-1.swap      file\t\t1048572\t\t2048\t\t-2\n";
	IS(asd_parse_proc_swaps(one, a, 4), 1, "one file");
	ok(!strcmp(a[0].path, "/var/lib/adaptswap/adaptswap-1.swap"), "path %s", a[0].path);
	ok(a[0].is_file, "type file");
	is_int(a[0].size, 1048572ull * 1024, "size in bytes");
	is_int(a[0].used, 2048ull * 1024, "used in bytes");
	is_int(a[0].prio, -2, "priority");

	static const char two[] =
		"Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
		"/dev/sda2                               partition\t8388604\t\t0\t\t-2\n"
		"/swapfile                               file\t\t2097148\t\t1024\t\t10\n";
	IS(asd_parse_proc_swaps(two, a, 4), 2, "a partition and a file");
	ok(!strcmp(a[0].path, "/dev/sda2") && !a[0].is_file &&
	   a[0].size == 8388604ull * 1024 && a[0].used == 0 && a[0].prio == -2,
	   "partition fields");
	ok(!strcmp(a[1].path, "/swapfile") && a[1].is_file &&
	   a[1].size == 2097148ull * 1024 && a[1].used == 1024ull * 1024 && a[1].prio == 10,
	   "file fields");
	IS(asd_parse_proc_swaps(two, a, 1), 1, "at most max");
	ok(!strcmp(a[0].path, "/dev/sda2"), "the first one");
	IS(asd_parse_proc_swaps(two, a, 0), 0, "max 0");

	static const char esc[] =
		"Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
		"/mnt/my\\040swap\\011dir/a\\134b.swap file\t\t40956\t\t0\t\t-3\n"
		"/var/lib/adaptswap/gone.swap\\040(deleted) file 1000 0 -4\n";
	IS(asd_parse_proc_swaps(esc, a, 4), 2, "escaped paths");
	ok(!strcmp(a[0].path, "/mnt/my swap\tdir/a\\b.swap"), "\\040 \\011 \\134 unescaped: '%s'",
	   a[0].path);
	ok(!strcmp(a[1].path, "/var/lib/adaptswap/gone.swap (deleted)"), "deleted: '%s'",
	   a[1].path);

	static const char bad[] =
		"Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
		"\n"
		"/only/path\n"
		"/a file 100 0\n"
		"/b file 100 0 -2 extra\n"
		"/c disk 100 0 -2\n"
		"/d file 1x0 0 -2\n"
		"/e file 100 -1 -2\n"
		"/f file 100 0 high\n"
		"/g file 99999999999999999999999 0 -2\n"
		"/h\\000x file 100 0 -2\n"
		"   \t  \n"
		"/ok file 100 50 -5\n"
		"/i file 100 0 -"
		"\n/last file 8 4 0";
	IS(asd_parse_proc_swaps(bad, a, 4), 2, "malformed lines ignored");
	ok(!strcmp(a[0].path, "/ok") && a[0].size == 102400 && a[0].used == 51200 &&
	   a[0].prio == -5, "the good line");
	ok(!strcmp(a[1].path, "/last") && a[1].size == 8192, "last line without newline");

	char longtext[600];
	memset(longtext, 'x', sizeof(longtext));
	longtext[0] = '/';
	snprintf(longtext + 300, sizeof(longtext) - 300, " file 100 0 -2\n/y file 1 1 1\n");
	IS(asd_parse_proc_swaps(longtext, a, 4), 1, "a path too long is skipped");
	ok(!strcmp(a[0].path, "/y"), "the next line still parsed");
}

static void test_path_match(void)
{
	const char *f = "/var/lib/adaptswap/adaptswap-0.swap";
	char path[600];
	int fd;

	IS(asd_swaps_path_match(f, f), 2, "the same path");
	IS(asd_swaps_path_match(f, "/adaptswap-0.swap"), 1, "a tail below a mount");
	IS(asd_swaps_path_match(f, "/adaptswap/adaptswap-0.swap"), 1, "a longer tail");
	IS(asd_swaps_path_match(f, "/lib/adaptswap/adaptswap-0.swap"), 1, "a tail of three");
	IS(asd_swaps_path_match(f, "/daptswap-0.swap"), 0, "a tail inside a name is not one");
	IS(asd_swaps_path_match(f, "adaptswap-0.swap"), 0, "a tail without '/'");
	IS(asd_swaps_path_match(f, "/adaptswap-1.swap"), 0, "another name");
	IS(asd_swaps_path_match(f, "/x/var/lib/adaptswap/adaptswap-0.swap"), 0, "longer than the path");
	IS(asd_swaps_path_match(f, "/"), 0, "the root alone");
	IS(asd_swaps_path_match(f, ""), 0, "empty");
	IS(asd_swaps_path_match(NULL, f), 0, "no path");
	IS(asd_swaps_path_match("/a.swap", "/a.swap (deleted)"), 0, "a deleted file");

	/* Not a swap area (this host cannot swapon in a unit test): 0. */
	snprintf(path, sizeof(path), "%s/probe.swap", tmpdir);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	ok(fd >= 0 && !ftruncate(fd, 65536), "probe file");
	close(fd);
	IS(asd_swapfile_active(path), 0, "an inactive file is not active swap");
	IS(asd_swapfile_active("/nonexistent/x.swap"), -ENOENT, "a missing file: -ENOENT");
	unlink(path);
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	struct statfs sf;

	/* a real disk filesystem: /var/tmp unless TMPDIR is on one */
	if (!base || statfs(base, &sf) < 0 || sf.f_type == 0x01021994)
		base = "/var/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/swapfile_test.XXXXXX", base);
	if (!mkdtemp(tmpdir)) {
		perror(tmpdir);
		return 1;
	}
	printf("# temporary directory %s\n", tmpdir);

	test_header();
	test_header_vs_mkswap();
	test_dir_check();
	test_dir_parents();
	test_managed_ok();
	test_read_whole();
	test_create();
	test_tmpfs();
	test_is_ours();
	test_write_zeros();
	test_path_match();
	test_proc_swaps();

	ok(rmdir(tmpdir) == 0, "temporary directory empty and removed");
	return tap_done();
}
