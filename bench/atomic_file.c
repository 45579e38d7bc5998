// SPDX-License-Identifier: GPL-2.0
/*
 * Atomic file replacement and mkdir -p (see bench/atomic_file.h).
 *
 * The temp file lives next to its target because rename(2) is atomic only
 * within one filesystem; the data is fsync'ed before the rename so a crash
 * cannot leave the new name pointing at unwritten blocks, and the directory
 * is fsync'ed after it so the rename itself survives a crash.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/atomic_file.h"
#include "harness/errbuf.h"

static const char *af_strerror(int errnum, char *buf, size_t len)
{
	/* GNU strerror_r: thread-safe, returns the message pointer */
	return strerror_r(errnum, buf, len);
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* a zero-byte write of a non-empty buffer: treat as full disk */
		if (n == 0)
			return -ENOSPC;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsync the directory holding path, so the rename is durable. */
static int fsync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, ret = 0;

	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return -ENOMEM;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -errno;
	/* some filesystems cannot fsync a directory; nothing more to do */
	if (fsync(fd) && errno != EINVAL)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * The temp file being written, for atomic_file_abort(): a second SIGINT
 * exits from the signal handler and must not leave it behind.
 */
static char g_inflight[PATH_MAX];
static volatile sig_atomic_t g_inflight_set;

void atomic_file_abort(void)
{
	if (g_inflight_set)
		unlink(g_inflight);	/* async-signal-safe */
}

static void inflight_set(const char *tmp)
{
	g_inflight_set = 0;
	snprintf(g_inflight, sizeof(g_inflight), "%s", tmp);
	g_inflight_set = 1;
}

int atomic_write_file(const char *path, const void *data, size_t len,
		      char *err, size_t errlen)
{
	char *tmp = NULL, ebuf[128];
	const char *step;
	int fd = -1, ret, tries;

	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
		errbuf_set(err, errlen, "cannot write '%s': out of memory",
			   path);
		return -ENOMEM;
	}

	/*
	 * O_EXCL so a planted symlink at the temp name is never followed; an
	 * existing file with our pid can only be a leftover of a dead process
	 * that had the same pid, so it is safe to remove once.
	 */
	step = "create temp file";
	inflight_set(tmp);
	for (tries = 0; tries < 2; tries++) {
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST || unlink(tmp))
			break;
	}
	if (fd < 0) {
		ret = -errno;
		goto fail_nofile;
	}

	step = "write temp file";
	ret = write_all(fd, data, len);
	if (ret)
		goto fail;
	step = "fsync temp file";
	if (fsync(fd)) {
		ret = -errno;
		goto fail;
	}
	/* close reports delayed write errors on some filesystems (NFS) */
	step = "close temp file";
	ret = close(fd) ? -errno : 0;
	fd = -1;
	if (ret)
		goto fail;
	step = "rename temp file";
	if (rename(tmp, path)) {
		ret = -errno;
		goto fail;
	}
	g_inflight_set = 0;

	/* path is replaced now; a failure here only weakens durability */
	ret = fsync_parent(path);
	if (ret) {
		errbuf_set(err, errlen, "cannot write '%s': fsync directory: %s",
			   path, af_strerror(-ret, ebuf, sizeof(ebuf)));
	}
	free(tmp);
	return ret;

fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	g_inflight_set = 0;
fail_nofile:
	g_inflight_set = 0;
	errbuf_set(err, errlen, "cannot write '%s': %s '%s': %s", path, step,
		   tmp, af_strerror(-ret, ebuf, sizeof(ebuf)));
	free(tmp);
	return ret;
}

int mkdir_one(const char *path, mode_t mode, bool *created)
{
	struct stat st;

	if (created)
		*created = false;
	if (!mkdir(path, mode)) {
		if (created)
			*created = true;
		return 0;
	}
	if (errno != EEXIST)
		return -errno;
	if (stat(path, &st))
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int mkdir_p(const char *path, mode_t mode, char *err, size_t errlen)
{
	char *buf, *p, ebuf[128];
	int ret = 0;

	if (!path || !*path) {
		errbuf_set(err, errlen, "cannot create directory '': empty path");
		return -EINVAL;
	}
	buf = strdup(path);
	if (!buf) {
		errbuf_set(err, errlen, "cannot create directory '%s': out of memory",
			   path);
		return -ENOMEM;
	}
	/* each '/' that ends a component: create the prefix before it */
	for (p = buf + 1; *p; p++) {
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = '\0';
		ret = mkdir_one(buf, mode | S_IWUSR | S_IXUSR, NULL);
		*p = '/';
		if (ret)
			break;
	}
	if (!ret)
		ret = mkdir_one(buf, mode, NULL);
	if (ret) {
		/* buf holds the failing prefix: cut at the '/' restored above */
		if (*p)
			*p = '\0';
		if (!strcmp(buf, path))
			errbuf_set(err, errlen, "cannot create directory '%s': %s",
				   path, af_strerror(-ret, ebuf, sizeof(ebuf)));
		else
			errbuf_set(err, errlen, "cannot create directory '%s': '%s': %s",
				   path, buf, af_strerror(-ret, ebuf, sizeof(ebuf)));
	}
	free(buf);
	return ret;
}
