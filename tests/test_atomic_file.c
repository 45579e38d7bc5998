// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for bench/atomic_file.c: content is replaced whole, no temp file is
 * left behind, and every failure leaves the old file intact.
 *
 * We run as root, so permission bits do not make a directory read-only. The
 * read-only and disk-full cases therefore use a small tmpfs mounted in a
 * private mount namespace (unshare(CLONE_NEWNS)), which vanishes with the
 * process; they are skipped when the namespace or mount is not permitted.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "bench/atomic_file.h"
#include "tests/test_util.h"

struct fixture {
	char dir[64];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	if (tu_tmpdir(f->dir, sizeof(f->dir), "gmb_atomic")) {
		free(f);
		return -1;
	}
	umask(022);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char mnt[128];

	/* a failed assertion in the tmpfs test may leave it mounted */
	snprintf(mnt, sizeof(mnt), "%s/mnt", f->dir);
	umount2(mnt, MNT_DETACH);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

static void assert_content(const char *path, const void *data, size_t len)
{
	size_t got_len = 0;
	char *got = tu_slurp(path, &got_len);

	assert_non_null(got);
	assert_int_equal(got_len, len);
	assert_memory_equal(got, data, len);
	free(got);
}

/* Number of entries in dir other than . and .. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void write_plain(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
}

static void test_write_and_replace(void **state)
{
	struct fixture *f = *state;
	char path[128], err[512] = "";
	struct stat st1, st2;
	static const char big_text[] = "first version, longer than the second\n";
	char *big;
	size_t i;

	snprintf(path, sizeof(path), "%s/out.csv", f->dir);
	assert_int_equal(atomic_write_file(path, big_text, strlen(big_text),
					   err, sizeof(err)), 0);
	assert_content(path, big_text, strlen(big_text));
	assert_int_equal(count_entries(f->dir), 1);
	assert_int_equal(stat(path, &st1), 0);
	assert_int_equal(st1.st_mode & 07777, 0644);

	/* shorter replacement: no stale tail, and a new inode (renamed in) */
	assert_int_equal(atomic_write_file(path, "v2", 2, err, sizeof(err)), 0);
	assert_content(path, "v2", 2);
	assert_int_equal(stat(path, &st2), 0);
	assert_true(st1.st_ino != st2.st_ino);
	assert_int_equal(count_entries(f->dir), 1);

	/* empty content */
	assert_int_equal(atomic_write_file(path, "", 0, err, sizeof(err)), 0);
	assert_content(path, "", 0);

	/* 4 MiB with every byte value */
	big = malloc(4 << 20);
	assert_non_null(big);
	for (i = 0; i < (4 << 20); i++)
		big[i] = (char)(i * 2654435761u >> 13);
	assert_int_equal(atomic_write_file(path, big, 4 << 20, err,
					   sizeof(err)), 0);
	assert_content(path, big, 4 << 20);
	free(big);
	assert_int_equal(count_entries(f->dir), 1);
	assert_string_equal(err, "");
}

static void test_relative_and_stale_temp(void **state)
{
	struct fixture *f = *state;
	char cwd[4096], tmp[64], err[512] = "";

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	/* a leftover temp of a dead process that had our pid */
	snprintf(tmp, sizeof(tmp), "rel.txt.tmp.%ld", (long)getpid());
	write_plain(tmp, "stale junk that must not survive");
	assert_int_equal(atomic_write_file("rel.txt", "fresh", 5, err,
					   sizeof(err)), 0);
	assert_content("rel.txt", "fresh", 5);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(count_entries("."), 1);
	assert_int_equal(chdir(cwd), 0);
}

static void expect_write_fail(const char *path, int ret, const char *step,
			      int eno)
{
	char err[512], want[512];

	assert_int_equal(atomic_write_file(path, "new", 3, err, sizeof(err)),
			 ret);
	snprintf(want, sizeof(want), "cannot write '%s': %s '%s.tmp.%ld': %s",
		 path, step, path, (long)getpid(), strerror(eno));
	assert_string_equal(err, want);
}

static void test_failures_keep_old(void **state)
{
	struct fixture *f = *state;
	char path[192], file[128], sub[128];

	/* missing directory */
	snprintf(path, sizeof(path), "%s/nodir/out.csv", f->dir);
	expect_write_fail(path, -ENOENT, "create temp file", ENOENT);

	/* parent is a regular file */
	snprintf(file, sizeof(file), "%s/plain", f->dir);
	write_plain(file, "old");
	snprintf(path, sizeof(path), "%s/out.csv", file);
	expect_write_fail(path, -ENOTDIR, "create temp file", ENOTDIR);
	assert_content(file, "old", 3);

	/*
	 * target is a non-empty directory: the temp file is written, then the
	 * rename fails; the temp must be gone and the directory untouched
	 */
	snprintf(sub, sizeof(sub), "%s/isdir", f->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(path, sizeof(path), "%s/keep", sub);
	write_plain(path, "kept");
	expect_write_fail(sub, -EISDIR, "rename temp file", EISDIR);
	assert_content(path, "kept", 4);
	assert_int_equal(count_entries(f->dir), 2);
	assert_int_equal(count_entries(sub), 1);
}

/*
 * Private mount namespace with a 64 KiB tmpfs at f->dir/mnt. Returns 0, or
 * a skip reason in why.
 */
static int mount_small_tmpfs(const char *mnt, char *why, size_t len)
{
	if (unshare(CLONE_NEWNS)) {
		snprintf(why, len, "unshare(CLONE_NEWNS): %s", strerror(errno));
		return -1;
	}
	/*
	 * keep our mounts out of the parent namespace; source and type are
	 * ignored here, "none" rather than NULL keeps valgrind quiet
	 */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL)) {
		snprintf(why, len, "make / private: %s", strerror(errno));
		return -1;
	}
	if (mkdir(mnt, 0755) ||
	    mount("gmbtest", mnt, "tmpfs", 0, "size=64k,mode=0755")) {
		snprintf(why, len, "mount tmpfs on %s: %s", mnt,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static void test_readonly_and_full(void **state)
{
	struct fixture *f = *state;
	char mnt[128], path[192], err[1024], want[1024], why[256];
	char *big;

	snprintf(mnt, sizeof(mnt), "%s/mnt", f->dir);
	if (mount_small_tmpfs(mnt, why, sizeof(why))) {
		print_message("SKIP: cannot make a read-only/full filesystem: %s\n",
			      why);
		skip();
	}
	snprintf(path, sizeof(path), "%s/out.csv", mnt);
	write_plain(path, "old");

	/* disk full: 1 MiB into 64 KiB */
	big = calloc(1, 1 << 20);
	assert_non_null(big);
	assert_int_equal(atomic_write_file(path, big, 1 << 20, err,
					   sizeof(err)), -ENOSPC);
	snprintf(want, sizeof(want),
		 "cannot write '%s': write temp file '%s.tmp.%ld': %s",
		 path, path, (long)getpid(), strerror(ENOSPC));
	assert_string_equal(err, want);
	free(big);
	assert_content(path, "old", 3);
	assert_int_equal(count_entries(mnt), 1);

	/* the space is back: a small write still works */
	assert_int_equal(atomic_write_file(path, "mid", 3, err, sizeof(err)), 0);
	assert_content(path, "mid", 3);

	assert_int_equal(mount("none", mnt, "none", MS_REMOUNT | MS_RDONLY, NULL), 0);
	expect_write_fail(path, -EROFS, "create temp file", EROFS);
	assert_content(path, "mid", 3);
	assert_int_equal(count_entries(mnt), 1);

	snprintf(path, sizeof(path), "%s/a/b", mnt);
	assert_int_equal(mkdir_p(path, 0755, err, sizeof(err)), -EROFS);
	snprintf(want, sizeof(want), "cannot create directory '%s': '%s/a': %s",
		 path, mnt, strerror(EROFS));
	assert_string_equal(err, want);
	/* an existing directory is fine even on a read-only filesystem */
	assert_int_equal(mkdir_p(mnt, 0755, err, sizeof(err)), 0);

	assert_int_equal(umount(mnt), 0);
}

static void assert_dir_mode(const char *path, mode_t mode)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, mode);
}

static void test_mkdir_p(void **state)
{
	/* mkdir_p(make, mode) when make is set, then check has mode want */
	static const struct {
		const char *make;
		mode_t mode;
		const char *check;
		mode_t want;
	} steps[] = {
		{ "a/b/c", 0755, "a/b/c", 0755 },
		{ NULL, 0, "a/b", 0755 },
		/* again: already exists */
		{ "a/b/c", 0755, NULL, 0 },
		/* repeated and trailing slashes */
		{ "/x///y//", 0755, "x/y", 0755 },
		/* restrictive mode: intermediates stay usable (u+wx), leaf exact */
		{ "r/s", 0500, "r/s", 0500 },
		{ NULL, 0, "r", 0700 },
		/* umask applies as for mkdir(2) */
		{ "m", 0777, "m", 0755 },
	};
	struct fixture *f = *state;
	char path[128], file[128], err[1024] = "", want[1024], cwd[4096];
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i].make) {
			snprintf(path, sizeof(path), "%s/%s", f->dir,
				 steps[i].make);
			assert_int_equal(mkdir_p(path, steps[i].mode, err,
						 sizeof(err)), 0);
		}
		if (steps[i].check) {
			snprintf(path, sizeof(path), "%s/%s", f->dir,
				 steps[i].check);
			assert_dir_mode(path, steps[i].want);
		}
	}
	assert_int_equal(mkdir_p("/", 0755, err, sizeof(err)), 0);
	assert_int_equal(mkdir_p("/tmp", 0755, err, sizeof(err)), 0);
	assert_string_equal(err, "");

	/* relative path */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(mkdir_p("rel/one", 0755, err, sizeof(err)), 0);
	assert_dir_mode("rel/one", 0755);
	assert_int_equal(chdir(cwd), 0);

	/* a component is a regular file */
	snprintf(file, sizeof(file), "%s/a/file", f->dir);
	write_plain(file, "x");
	snprintf(path, sizeof(path), "%s/a/file/d/e", f->dir);
	assert_int_equal(mkdir_p(path, 0755, err, sizeof(err)), -ENOTDIR);
	snprintf(want, sizeof(want), "cannot create directory '%s': '%s': %s",
		 path, file, strerror(ENOTDIR));
	assert_string_equal(err, want);
	/* the path itself is a regular file: named once */
	assert_int_equal(mkdir_p(file, 0755, err, sizeof(err)), -ENOTDIR);
	snprintf(want, sizeof(want), "cannot create directory '%s': %s",
		 file, strerror(ENOTDIR));
	assert_string_equal(err, want);
	assert_content(file, "x", 1);

	assert_int_equal(mkdir_p("", 0755, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "cannot create directory '': empty path");
}

/* one directory: created says whether this call made it */
static void test_mkdir_one(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX], file[PATH_MAX];
	bool created = true;

	snprintf(path, sizeof(path), "%s/one", f->dir);
	assert_int_equal(mkdir_one(path, 0755, &created), 0);
	assert_true(created);
	assert_int_equal(mkdir_one(path, 0755, &created), 0);
	assert_false(created);
	assert_int_equal(mkdir_one(path, 0755, NULL), 0);
	snprintf(file, sizeof(file), "%s/plain", f->dir);
	write_plain(file, "x");
	assert_int_equal(mkdir_one(file, 0755, &created), -ENOTDIR);
	assert_false(created);
	snprintf(path, sizeof(path), "%s/missing/two", f->dir);
	assert_int_equal(mkdir_one(path, 0755, &created), -ENOENT);
	assert_false(created);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_and_replace, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_relative_and_stale_temp,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_failures_keep_old, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_p, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_one, setup, teardown),
		/* last: it moves the process into its own mount namespace */
		cmocka_unit_test_setup_teardown(test_readonly_and_full, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("atomic_file", tests, NULL, NULL);
}
