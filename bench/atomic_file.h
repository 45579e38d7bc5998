/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Crash-safe file replacement: a reader (or a crash) sees either the old
 * contents of a results file or the complete new ones, never a torn file.
 */
#ifndef GMB_ATOMIC_FILE_H
#define GMB_ATOMIC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Write data to "<path>.tmp.<pid>" in the same directory, fsync it, rename
 * it over path and fsync the directory. On failure before the rename the
 * temp file is removed and path is untouched. Returns 0 or -errno with a
 * one-line message naming path and the error in err. If path is a symlink
 * the link itself is replaced. Mode is 0644 minus the umask.
 */
int atomic_write_file(const char *path, const void *data, size_t len,
		      char *err, size_t errlen);

/*
 * One directory: made here (*created true, when created is not NULL) or
 * already one. -ENOTDIR when path is something else, other -errno from
 * mkdir(2)/stat(2).
 */
int mkdir_one(const char *path, mode_t mode, bool *created);

/*
 * mkdir -p: create every missing component of path. 0 if path already is a
 * directory (or a symlink to one), -ENOTDIR if a component is not a
 * directory, other -errno from mkdir(2). Intermediate directories get mode
 * plus u+wx so the next component can be created in them.
 */
int mkdir_p(const char *path, mode_t mode, char *err, size_t errlen);

/*
 * Remove the temp file of a write in progress, if any. Async-signal-safe:
 * for a signal handler that exits the process.
 */
void atomic_file_abort(void);

#endif /* GMB_ATOMIC_FILE_H */
