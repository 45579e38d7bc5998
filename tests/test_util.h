/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers the cmocka tests share: a scratch directory per test and
 * whole-file reads. Include after <cmocka.h> (and its setjmp/stdarg/stddef
 * prerequisites). Static inline: every tests/test_*.c is its own program.
 */
#ifndef GMB_TEST_UTIL_H
#define GMB_TEST_UTIL_H

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Make dir (len bytes) a new empty directory named after name, on tmpfs
 * when there is one: the sinks fsync every rewrite. 0 or -1.
 */
static inline int tu_tmpdir(char *dir, size_t len, const char *name)
{
	snprintf(dir, len, "%s/%s.XXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm", name);
	return mkdtemp(dir) ? 0 : -1;
}

static inline int tu_rm_one(const char *path, const struct stat *st,
			    int type, struct FTW *ftw)
{
	return remove(path);
}

/* remove dir and all below it, never crossing into a mount left there */
static inline void tu_rmtree(const char *dir)
{
	nftw(dir, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/*
 * The whole file in a malloc'ed, NUL-terminated buffer, its size in *len
 * (len may be NULL). NULL when it cannot be opened.
 */
static inline char *tu_slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);

	if (len)
		*len = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st)) {
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	buf[st.st_size] = '\0';
	close(fd);
	if (len)
		*len = (size_t)st.st_size;
	return buf;
}

/* tu_slurp of a file the test itself wrote: failing to read it fails the test */
static inline char *tu_slurp_must(const char *path, size_t *len)
{
	char *buf = tu_slurp(path, len);

	if (!buf)
		fail_msg("cannot read %s", path);
	return buf;
}

/* the number a sysfs/tracefs file holds, or -1 when it holds none */
static inline long tu_read_long(const char *path)
{
	long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

#endif /* GMB_TEST_UTIL_H */
