// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The running configuration: the budget resolved against this machine,
 * and reload (SIGHUP, or 'reload' on the control socket), all or nothing.
 *
 * Owns: d->cfg, d->lim (after start-up).  Calls: config.c, conffile.c,
 * procfs.c, log.c, textfile.c (the textfile's directory).
 */
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include "daemon.h"

int settings_resolve(struct daemon *d)
{
	char text[4096];
	struct statvfs fs;
	uint64_t ram;

	if (proc_read("/proc/meminfo", text, sizeof(text)) < 0)
		return -1;
	ram = proc_meminfo_kb(text, "MemTotal:") * 1024;
	if (statvfs(d->cfg.dir, &fs))
		return -1;
	asd_config_resolve(&d->cfg, ram, (uint64_t)fs.f_blocks * fs.f_frsize, &d->lim);
	return 0;
}

/*
 * Re-read the configuration file and its drop-ins.  A file that does not
 * load, that changes 'dir', or a textfile_dir that cannot be written leaves the running configuration as it was.  On failure
 * the reason is in msg as well as in the log; returns 0 or -1.
 */
int settings_reload(struct daemon *d, char *msg, size_t msglen)
{
	struct asd_config_origin org[ASD_CONFIG_NKEYS];
	struct asd_config c;
	char err[1024];
	int tfd = -1;

	asd_config_defaults(&c);
	if (asd_config_load_all(d->config_path, !strcmp(d->config_path, DEFAULT_CONFIG), &c,
				org, err, sizeof(err)) < 0) {
		snprintf(msg, msglen, "%s", err);
		logmsg(d, LOG_ERR_, "reload refused, keeping the running configuration: %s", err);
		return -1;
	}
	if (strcmp(c.dir, d->cfg.dir)) {
		snprintf(msg, msglen, "'dir' cannot change while running (%s -> %s)",
			 d->cfg.dir, c.dir);
		logmsg(d, LOG_ERR_, "reload refused, keeping the running configuration: %s", msg);
		return -1;
	}
	if (c.textfile_dir[0] && (tfd = textfile_open_dir(c.textfile_dir, err, sizeof(err))) < 0) {
		const struct asd_config_origin *o = &org[asd_config_key("textfile_dir")];

		snprintf(msg, msglen, "%s:%u: %s", o->file, o->line, err);
		logmsg(d, LOG_ERR_, "reload refused, keeping the running configuration: %s", msg);
		return -1;
	}
	textfile_use(d, tfd);
	d->cfg = c;
	memcpy(d->origin, org, sizeof(org));
	d->log.level = c.log_level;
	settings_resolve(d);
	swappiness_reloaded(d);
	decide(d, "reload: configuration from %s applied", d->config_path);
	snprintf(msg, msglen, "configuration from %s applied", d->config_path);
	return 0;
}
