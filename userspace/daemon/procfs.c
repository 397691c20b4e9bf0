// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /proc and /sys: whole-file reads and writes, meminfo and vmstat fields,
 * and the sample every decision starts from.
 *
 * Owns: nothing.  Calls: inventory.c (swap use of our files).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/statvfs.h>

#include "daemon.h"

int proc_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = asd_read_whole(fd, buf, len);
	close(fd);
	return r;
}

int proc_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -errno : 0;
}

uint64_t proc_meminfo_kb(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

uint64_t proc_vmstat(const char *text, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\n%s ", key);
	p = strstr(text, k);
	return p ? strtoull(p + strlen(k), NULL, 10) : 0;
}

void proc_sample(struct daemon *d, struct asd_sample *s)
{
	char text[8192];
	struct statvfs fs;
	struct mfile *sb;
	unsigned low_pct;
	int areas;

	memset(s, 0, sizeof(*s));
	s->now_ms = now_ms();
	s->level = d->src.level;
	s->last_pressure_ms = d->src.last_pressure_ms;
	if (proc_read("/proc/meminfo", text, sizeof(text)) > 0) {
		s->mem_total = proc_meminfo_kb(text, "MemTotal:") * 1024;
		s->mem_avail = proc_meminfo_kb(text, "MemAvailable:") * 1024;
	}
	areas = inv_refresh(d, &s->swap_total, &s->swap_free);
	for (int i = 0; i < d->inv.n; i++) {
		if (d->inv.files[i].active) {
			s->managed_total += d->inv.files[i].size;
			s->managed_used += d->inv.files[i].used;
			s->nr_managed++;
		}
	}
	/* unknown: as many as ours */
	s->nr_areas = areas >= 0 ? (unsigned)areas : s->nr_managed;
	if (statvfs(d->cfg.dir, &fs) == 0) {
		s->fs_size = (uint64_t)fs.f_blocks * fs.f_frsize;
		s->fs_free = (uint64_t)fs.f_bavail * fs.f_frsize;
	}
	sb = inv_standby(d);
	if (sb)
		s->standby_bytes = sb->size;
	s->swapin_rate = d->src.swapin_rate;
	s->swapout_rate = d->src.swapout_rate;
	s->refault_rate = d->src.refault_rate;
	s->held = d->act.held;
	/* memory is short below 150% of the source's low threshold */
	low_pct = d->src.module_mode ? d->src.low_pct : d->cfg.psi_low_pct;
	s->avail_short = s->mem_total / 100 * low_pct / 100 * ASD_SHORT_PCT;
	s->swap_use_rate = d->act.rate.rate;
	s->lead_ms = asd_lead_ms(d->act.refill_ms,
				 d->act.refill_start_ms && s->now_ms > d->act.refill_start_ms ?
				 s->now_ms - d->act.refill_start_ms : 0, d->act.swapon_ms);
}
