// SPDX-License-Identifier: GPL-2.0
/*
 * Pinning mechanisms (vmsplice, io_uring, gup_test), page selection, pin
 * sets, the releaser thread and the observation helpers. Each mechanism is
 * a short section below; see harness/pin.h for what each one holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>

#include "harness/clock.h"
#include "harness/pin.h"
#include "harness/table.h"

/* ---------------------------------------------------------------- selection */

static const char *const pattern_names[NR_PIN_PATTERNS] = {
	[PIN_PATTERN_FIRST] = "first",
	[PIN_PATTERN_SPREAD] = "spread",
	[PIN_PATTERN_RANDOM] = "random",
};

int pin_pattern_parse(const char *s, enum pin_pattern *p)
{
	int i;

	for (i = 0; i < NR_PIN_PATTERNS; i++)
		if (s && !strcmp(s, pattern_names[i])) {
			*p = (enum pin_pattern)i;
			return 0;
		}
	return -EINVAL;
}

const char *pin_pattern_name(enum pin_pattern p)
{
	return (unsigned int)p < NR_PIN_PATTERNS ? pattern_names[p] : "?";
}

uint64_t pin_count_for(uint64_t nr_pages, unsigned int fraction_pct)
{
	uint64_t n;

	if (!nr_pages || !fraction_pct)
		return 0;
	if (fraction_pct >= 100)
		return nr_pages;
	n = (uint64_t)((unsigned __int128)nr_pages * fraction_pct / 100);
	return n ? n : 1;
}

/* splitmix64: tiny, seedable, good enough to place pins */
static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int64_t pin_select_pages(uint64_t nr_pages, unsigned int fraction_pct,
			 enum pin_pattern pattern, uint64_t seed, uint64_t *idx,
			 uint64_t max)
{
	uint64_t n = pin_count_for(nr_pages, fraction_pct), i, t, need;
	uint64_t s = seed;

	if (fraction_pct > 100 || (unsigned int)pattern >= NR_PIN_PATTERNS)
		return -EINVAL;
	if (n > max || n > INT64_MAX)
		return -ENOSPC;
	switch (pattern) {
	case PIN_PATTERN_FIRST:
		for (i = 0; i < n; i++)
			idx[i] = i;
		break;
	case PIN_PATTERN_SPREAD:
		/* strictly increasing because nr_pages >= n */
		for (i = 0; i < n; i++)
			idx[i] = (uint64_t)((unsigned __int128)i * nr_pages / n);
		break;
	case PIN_PATTERN_RANDOM:
		/*
		 * Selection sampling (Knuth's algorithm S): exactly n pages, each
		 * subset equally likely, produced already sorted.
		 */
		for (t = 0, i = 0, need = n; t < nr_pages && need; t++)
			if (splitmix64(&s) % (nr_pages - t) < need) {
				idx[i++] = t;
				need--;
			}
		break;
	default:
		return -EINVAL;
	}
	return (int64_t)n;
}

uint64_t pin_nr_runs(const uint64_t *pages, uint64_t nr_pages)
{
	uint64_t i, runs = nr_pages ? 1 : 0;

	for (i = 1; i < nr_pages; i++)
		if (pages[i] != pages[i - 1] + 1)
			runs++;
	return runs;
}

/* ----------------------------------------------------------------- pin sets */

int pin_set_init(struct pin_set *ps, const struct pin_ops *ops, void *base,
		 const uint64_t *pages, uint64_t nr_pages)
{
	uint64_t i;

	memset(ps, 0, sizeof(*ps));
	if (!ops || !base || !nr_pages)
		return -EINVAL;
	for (i = 1; i < nr_pages; i++)
		if (pages[i] <= pages[i - 1])
			return -EINVAL;
	ps->pages = malloc(nr_pages * sizeof(*ps->pages));
	if (!ps->pages)
		return -ENOMEM;
	memcpy(ps->pages, pages, nr_pages * sizeof(*ps->pages));
	ps->ops = ops;
	ps->base = base;
	ps->nr_pages = nr_pages;
	pthread_mutex_init(&ps->lock, NULL);
	return 0;
}

int pin_set_pin(struct pin_set *ps, char *why, size_t whylen)
{
	uint64_t t0;
	int r;

	pthread_mutex_lock(&ps->lock);
	if (ps->held) {
		pthread_mutex_unlock(&ps->lock);
		return -EBUSY;
	}
	t0 = now_ns();
	r = ps->ops->pin(ps, why, whylen);
	ps->pin_ns = now_ns() - t0;
	if (!r)
		ps->held = 1;
	pthread_mutex_unlock(&ps->lock);
	return r;
}

void pin_set_unpin(struct pin_set *ps)
{
	uint64_t t0;

	pthread_mutex_lock(&ps->lock);
	if (ps->held) {
		t0 = now_ns();
		ps->ops->unpin(ps);
		ps->released_at_ns = now_ns();
		ps->unpin_ns = ps->released_at_ns - t0;
		ps->held = 0;
	}
	pthread_mutex_unlock(&ps->lock);
}

bool pin_set_held(struct pin_set *ps)
{
	bool held;

	pthread_mutex_lock(&ps->lock);
	held = ps->held;
	pthread_mutex_unlock(&ps->lock);
	return held;
}

int pin_set_read_back(struct pin_set *ps, void *buf)
{
	int r = -ENOENT;

	pthread_mutex_lock(&ps->lock);
	if (ps->held)
		r = ps->ops->read_back(ps, buf);
	pthread_mutex_unlock(&ps->lock);
	return r;
}

void pin_set_destroy(struct pin_set *ps)
{
	if (!ps->pages)
		return;
	pin_set_unpin(ps);
	pthread_mutex_destroy(&ps->lock);
	free(ps->pages);
	ps->pages = NULL;
	ps->nr_pages = 0;
}

static char *page_addr(const struct pin_set *ps, uint64_t i)
{
	return ps->base + ps->pages[i] * PIN_PAGE_SIZE;
}

/* length in pages of the run starting at list position i */
static uint64_t run_len(const struct pin_set *ps, uint64_t i, uint64_t limit)
{
	uint64_t n = 1;

	while (n < limit && i + n < ps->nr_pages &&
	       ps->pages[i + n] == ps->pages[i + n - 1] + 1)
		n++;
	return n;
}

/* ----------------------------------------------------------------- vmsplice */

struct vms_priv {
	int *fds;		/* read ends; the write ends are closed once full */
	uint64_t *nr;		/* pages held by each pipe */
	unsigned int nr_pipes;
	int pipe_bytes;		/* F_GETPIPE_SZ of the pipes */
};

static long read_long_file(const char *path, long def)
{
	char buf[32] = "";
	FILE *f = fopen(path, "r");
	long v;

	if (!f)
		return def;
	if (!fgets(buf, sizeof(buf), f) || sscanf(buf, "%ld", &v) != 1)
		v = def;
	fclose(f);
	return v;
}

/*
 * A pipe as large as fs.pipe-max-size allows: the default 64 KiB holds 16
 * pages only. Without CAP_SYS_RESOURCE that sysctl is the ceiling.
 */
static int vms_new_pipe(int fds[2], uint64_t want_pages, char *why, size_t whylen)
{
	long max = read_long_file("/proc/sys/fs/pipe-max-size", 1 << 20);
	long want = (long)(want_pages * PIN_PAGE_SIZE);
	int sz;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		int e = errno;

		if (e == EMFILE) {
			struct rlimit rl = { 0, 0 };

			getrlimit(RLIMIT_NOFILE, &rl);
			snprintf(why, whylen, "vmsplice: pipe2: EMFILE (one open fd per %ld-page pipe; RLIMIT_NOFILE soft limit %llu)",
				 max / (long)PIN_PAGE_SIZE, (unsigned long long)rl.rlim_cur);
		} else {
			snprintf(why, whylen, "vmsplice: pipe2: %s", strerror(e));
		}
		return -e;
	}
	if (want > max)
		want = max;
	/* failure keeps the default size: the caller fills what it holds */
	(void)fcntl(fds[1], F_SETPIPE_SZ, want);
	sz = fcntl(fds[1], F_GETPIPE_SZ);
	if (sz < (int)PIN_PAGE_SIZE) {
		int e = sz < 0 ? errno : EIO;

		snprintf(why, whylen, "vmsplice: F_GETPIPE_SZ: %s", strerror(e));
		close(fds[0]);
		close(fds[1]);
		return -e;
	}
	return sz;
}

/* splice n list entries starting at i into fd (they fit: n <= capacity) */
static int vms_fill(struct pin_set *ps, int fd, uint64_t i, uint64_t n,
		    char *why, size_t whylen)
{
	struct iovec iov[256];
	uint64_t done = 0;

	while (done < n) {
		unsigned int nr_iov = 0;
		uint64_t k = i + done, left = n - done, pages = 0;
		struct iovec *v = iov;
		ssize_t got;

		while (pages < left && nr_iov < 256) {
			uint64_t len = run_len(ps, k + pages, left - pages);

			iov[nr_iov].iov_base = page_addr(ps, k + pages);
			iov[nr_iov].iov_len = len * PIN_PAGE_SIZE;
			nr_iov++;
			pages += len;
		}
		/* no SPLICE_F_GIFT: the pipe references the page, it is not moved */
		while (nr_iov) {
			got = vmsplice(fd, v, nr_iov, SPLICE_F_NONBLOCK);
			if (got <= 0) {
				int e = got < 0 ? errno : EIO;

				snprintf(why, whylen, "vmsplice of %llu pages into a pipe: %s",
					 (unsigned long long)pages, strerror(e));
				return -e;
			}
			while (got > 0 && nr_iov) {
				if ((size_t)got >= v->iov_len) {
					got -= (ssize_t)v->iov_len;
					v++;
					nr_iov--;
				} else {
					v->iov_base = (char *)v->iov_base + got;
					v->iov_len -= (size_t)got;
					got = 0;
				}
			}
		}
		done += pages;
	}
	return 0;
}

static void vms_unpin(struct pin_set *ps)
{
	struct vms_priv *p = ps->priv;
	unsigned int i;

	if (!p)
		return;
	/* closing the last end frees the pipe buffers and their page refs */
	for (i = 0; i < p->nr_pipes; i++)
		close(p->fds[i]);
	free(p->fds);
	free(p->nr);
	free(p);
	ps->priv = NULL;
}

static int vms_pin(struct pin_set *ps, char *why, size_t whylen)
{
	struct vms_priv *p = calloc(1, sizeof(*p));
	uint64_t i = 0;
	int r = 0;

	if (!p)
		return -ENOMEM;
	ps->priv = p;
	while (i < ps->nr_pages) {
		int fds[2], sz;
		uint64_t n;
		void *nf, *nn;

		sz = vms_new_pipe(fds, ps->nr_pages - i, why, whylen);
		if (sz < 0) {
			r = sz;
			break;
		}
		nf = realloc(p->fds, (p->nr_pipes + 1) * sizeof(*p->fds));
		if (nf)
			p->fds = nf;
		nn = realloc(p->nr, (p->nr_pipes + 1) * sizeof(*p->nr));
		if (nn)
			p->nr = nn;
		if (!nf || !nn) {
			close(fds[0]);
			close(fds[1]);
			r = -ENOMEM;
			break;
		}
		p->fds[p->nr_pipes] = fds[0];
		n = (uint64_t)sz / PIN_PAGE_SIZE;
		if (n > ps->nr_pages - i)
			n = ps->nr_pages - i;
		p->nr[p->nr_pipes++] = n;
		if ((uint64_t)sz > (uint64_t)p->pipe_bytes)
			p->pipe_bytes = sz;
		r = vms_fill(ps, fds[1], i, n, why, whylen);
		/* the read end alone keeps the buffers: half the fds */
		close(fds[1]);
		if (r)
			break;
		i += n;
	}
	if (r)
		vms_unpin(ps);
	return r;
}

static int vms_read_back(struct pin_set *ps, void *buf)
{
	struct vms_priv *p = ps->priv;
	char *out = buf;
	unsigned int i;
	int sp[2], r = 0;

	if (pipe2(sp, O_CLOEXEC) < 0)
		return -errno;
	(void)fcntl(sp[1], F_SETPIPE_SZ, p->pipe_bytes);
	for (i = 0; i < p->nr_pipes && !r; i++) {
		size_t want = p->nr[i] * PIN_PAGE_SIZE, got = 0;
		ssize_t n;

		/* tee duplicates the buffers: the pinned pipe keeps its pages */
		n = tee(p->fds[i], sp[1], want, SPLICE_F_NONBLOCK);
		if (n < 0) {
			r = -errno;
			break;
		}
		if ((size_t)n != want) {
			r = -EIO;
			break;
		}
		while (got < want) {
			n = read(sp[0], out + got, want - got);
			if (n <= 0) {
				r = n < 0 ? -errno : -EIO;
				break;
			}
			got += (size_t)n;
		}
		out += want;
	}
	close(sp[0]);
	close(sp[1]);
	return r;
}

static int vms_probe(char *why, size_t whylen)
{
	long max = read_long_file("/proc/sys/fs/pipe-max-size", -1);
	int fds[2], sz;
	char page[PIN_PAGE_SIZE] __attribute__((aligned(4096)));
	struct iovec v = { page, sizeof(page) };
	ssize_t n;

	memset(page, 0x5a, sizeof(page));
	sz = vms_new_pipe(fds, 1 << 20, why, whylen);
	if (sz < 0)
		return sz;
	n = vmsplice(fds[1], &v, 1, SPLICE_F_NONBLOCK);
	close(fds[0]);
	close(fds[1]);
	if (n != (ssize_t)sizeof(page)) {
		int e = n < 0 ? errno : EIO;

		snprintf(why, whylen, "vmsplice of one page into a pipe: %s", strerror(e));
		return -e;
	}
	snprintf(why, whylen, "%d pages per pipe (F_GETPIPE_SZ %d, fs.pipe-max-size %ld); one pipe per %d pinned pages",
		 sz / (int)PIN_PAGE_SIZE, sz, max, sz / (int)PIN_PAGE_SIZE);
	return 0;
}

const struct pin_ops pin_vmsplice = {
	.name = "vmsplice",
	.summary = "vmsplice() into pipes that are never read; closing them drops the references",
	.probe = vms_probe,
	.pin = vms_pin,
	.read_back = vms_read_back,
	.unpin = vms_unpin,
};

/* ------------------------------------------------------------------ io_uring */

/* kernel limits: IORING_MAX_REG_BUFFERS and 1 GiB per registered buffer */
#define IOU_MAX_BUFS		16384U
#define IOU_MAX_BUF_BYTES	(1ULL << 30)

struct iou_priv {
	struct io_uring *rings;
	unsigned int nr_rings;
	struct iovec *iov;
	uint64_t nr_iov;
};

static void iou_unpin(struct pin_set *ps)
{
	struct iou_priv *p = ps->priv;
	unsigned int i;

	if (!p)
		return;
	for (i = 0; i < p->nr_rings; i++) {
		io_uring_unregister_buffers(&p->rings[i]);
		io_uring_queue_exit(&p->rings[i]);
	}
	free(p->rings);
	free(p->iov);
	free(p);
	ps->priv = NULL;
}

static void iou_why_init(int r, char *why, size_t whylen)
{
	long disabled = read_long_file("/proc/sys/kernel/io_uring_disabled", 0);

	if (r == -ENOSYS)
		snprintf(why, whylen, "io_uring_queue_init: ENOSYS (kernel built without CONFIG_IO_URING)");
	else if (disabled)
		snprintf(why, whylen, "io_uring_queue_init: %s (kernel.io_uring_disabled=%ld)",
			 strerror(-r), disabled);
	else
		snprintf(why, whylen, "io_uring_queue_init: %s", strerror(-r));
}

static int iou_pin(struct pin_set *ps, char *why, size_t whylen)
{
	struct iou_priv *p = calloc(1, sizeof(*p));
	uint64_t i, nr_runs = pin_nr_runs(ps->pages, ps->nr_pages), max_iov;
	unsigned int k;
	int r = 0;

	if (!p)
		return -ENOMEM;
	ps->priv = p;
	/* runs longer than 1 GiB are split: worst case one extra per GiB */
	max_iov = nr_runs + ps->nr_pages / (IOU_MAX_BUF_BYTES / PIN_PAGE_SIZE) + 1;
	p->iov = calloc(max_iov, sizeof(*p->iov));
	if (!p->iov) {
		r = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < ps->nr_pages;) {
		uint64_t n = run_len(ps, i, IOU_MAX_BUF_BYTES / PIN_PAGE_SIZE);

		p->iov[p->nr_iov].iov_base = page_addr(ps, i);
		p->iov[p->nr_iov].iov_len = n * PIN_PAGE_SIZE;
		p->nr_iov++;
		i += n;
	}
	k = (unsigned int)((p->nr_iov + IOU_MAX_BUFS - 1) / IOU_MAX_BUFS);
	p->rings = calloc(k, sizeof(*p->rings));
	if (!p->rings) {
		r = -ENOMEM;
		goto fail;
	}
	for (k = 0; (uint64_t)k * IOU_MAX_BUFS < p->nr_iov; k++) {
		uint64_t first = (uint64_t)k * IOU_MAX_BUFS;
		unsigned int n = (unsigned int)(p->nr_iov - first < IOU_MAX_BUFS ?
						p->nr_iov - first : IOU_MAX_BUFS);

		r = io_uring_queue_init(4, &p->rings[k], 0);
		if (r) {
			iou_why_init(r, why, whylen);
			goto fail;
		}
		p->nr_rings++;
		/* FOLL_LONGTERM pin of every page, held until unregister */
		r = io_uring_register_buffers(&p->rings[k], p->iov + first, n);
		if (r) {
			snprintf(why, whylen, "io_uring_register_buffers(%u buffers): %s%s", n,
				 strerror(-r), r == -ENOMEM ?
				 " (RLIMIT_MEMLOCK; CAP_IPC_LOCK lifts it)" : "");
			/* this ring holds nothing: do not unregister it */
			io_uring_queue_exit(&p->rings[k]);
			p->nr_rings--;
			goto fail;
		}
	}
	return 0;
fail:
	iou_unpin(ps);
	return r;
}

static int iou_read_back(struct pin_set *ps, void *buf)
{
	struct iou_priv *p = ps->priv;
	uint64_t i, off = 0;
	int fd, r = 0;

	/*
	 * WRITE_FIXED reads the registered pages themselves (a bvec of the
	 * pinned pages, no page-table walk) into a scratch memfd.
	 */
	fd = memfd_create("gmb-pin-readback", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (i = 0; i < p->nr_iov && !r; i++) {
		struct io_uring *ring = &p->rings[i / IOU_MAX_BUFS];
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
		struct io_uring_cqe *cqe;

		if (!sqe) {
			r = -EBUSY;
			break;
		}
		io_uring_prep_write_fixed(sqe, fd, p->iov[i].iov_base,
					  (unsigned int)p->iov[i].iov_len, off,
					  (int)(i % IOU_MAX_BUFS));
		r = io_uring_submit_and_wait(ring, 1);
		if (r < 0)
			break;
		r = io_uring_wait_cqe(ring, &cqe);
		if (r < 0)
			break;
		if (cqe->res != (int)p->iov[i].iov_len)
			r = cqe->res < 0 ? cqe->res : -EIO;
		else
			r = 0;
		io_uring_cqe_seen(ring, cqe);
		off += p->iov[i].iov_len;
	}
	if (!r && pread(fd, buf, off, 0) != (ssize_t)off)
		r = -EIO;
	close(fd);
	return r;
}

static int iou_probe(char *why, size_t whylen)
{
	struct io_uring ring;
	void *page;
	struct iovec v;
	int r;

	r = io_uring_queue_init(4, &ring, 0);
	if (r) {
		iou_why_init(r, why, whylen);
		return r;
	}
	page = mmap(NULL, PIN_PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		r = -errno;
		snprintf(why, whylen, "mmap: %s", strerror(-r));
		io_uring_queue_exit(&ring);
		return r;
	}
	v.iov_base = page;
	v.iov_len = PIN_PAGE_SIZE;
	r = io_uring_register_buffers(&ring, &v, 1);
	if (r)
		snprintf(why, whylen, "io_uring_register_buffers(1 page): %s", strerror(-r));
	else
		snprintf(why, whylen, "one registered buffer per contiguous run, %u per ring (IORING_MAX_REG_BUFFERS)",
			 IOU_MAX_BUFS);
	if (!r)
		io_uring_unregister_buffers(&ring);
	io_uring_queue_exit(&ring);
	munmap(page, PIN_PAGE_SIZE);
	return r;
}

const struct pin_ops pin_iouring = {
	.name = "iouring",
	.summary = "io_uring registered buffers (FOLL_LONGTERM pins until unregister)",
	.probe = iou_probe,
	.pin = iou_pin,
	.read_back = iou_read_back,
	.unpin = iou_unpin,
};

/* ------------------------------------------------------------------ gup_test */

/*
 * mm/gup_test.h (not exported as uapi): the PIN_LONGTERM_TEST ioctls, as
 * used by the in-place conversion selftests from v8 on.
 */
struct gmb_pin_longterm_test {
	uint64_t addr;
	uint64_t size;
	uint32_t flags;
};
_Static_assert(sizeof(struct gmb_pin_longterm_test) == 24,
	       "struct pin_longterm_test is 24 bytes (u64, u64, u32 + padding)");
#define GMB_PIN_LONGTERM_TEST_START	_IOW('g', 7, struct gmb_pin_longterm_test)
#define GMB_PIN_LONGTERM_TEST_STOP	_IO('g', 8)
#define GMB_PIN_LONGTERM_TEST_READ	_IOW('g', 9, uint64_t)
#define GMB_PIN_LONGTERM_TEST_FLAG_USE_WRITE	1
#define GMB_GUP_TEST_PATH	"/sys/kernel/debug/gup_test"
#define GMB_DEBUGFS_DIR		"/sys/kernel/debug"
#define GMB_DEBUGFS_MAGIC	0x64626720

struct gup_priv {
	int fd;
};

static int gup_open(char *why, size_t whylen)
{
	struct statfs sfs;
	int fd;

	if (statfs(GMB_DEBUGFS_DIR, &sfs) < 0 || sfs.f_type != GMB_DEBUGFS_MAGIC) {
		snprintf(why, whylen,
			 "debugfs not mounted at %s, so %s cannot be checked (mount -t debugfs none %s; the kernel also needs CONFIG_GUP_TEST)",
			 GMB_DEBUGFS_DIR, GMB_GUP_TEST_PATH, GMB_DEBUGFS_DIR);
		return -ENODEV;
	}
	fd = open(GMB_GUP_TEST_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT)
			snprintf(why, whylen, "CONFIG_GUP_TEST not set: %s absent", GMB_GUP_TEST_PATH);
		else
			snprintf(why, whylen, "open %s: %s", GMB_GUP_TEST_PATH, strerror(e));
		return e == ENOENT ? -EOPNOTSUPP : -e;
	}
	return fd;
}

static int gup_probe(char *why, size_t whylen)
{
	int fd = gup_open(why, whylen);

	if (fd < 0)
		return fd;
	close(fd);
	snprintf(why, whylen, "%s: one contiguous run, one pin set system-wide", GMB_GUP_TEST_PATH);
	return 0;
}

static void gup_unpin(struct pin_set *ps)
{
	struct gup_priv *p = ps->priv;

	if (!p)
		return;
	/* STOP unpins; closing the file would too (gup_test_release) */
	ioctl(p->fd, GMB_PIN_LONGTERM_TEST_STOP);
	close(p->fd);
	free(p);
	ps->priv = NULL;
}

static int gup_pin(struct pin_set *ps, char *why, size_t whylen)
{
	struct gmb_pin_longterm_test args = {
		.addr = (uint64_t)(uintptr_t)page_addr(ps, 0),
		.size = ps->nr_pages * PIN_PAGE_SIZE,
		.flags = GMB_PIN_LONGTERM_TEST_FLAG_USE_WRITE,
	};
	uint64_t runs = pin_nr_runs(ps->pages, ps->nr_pages);
	struct gup_priv *p;
	int fd;

	/* mm/gup_test.c keeps a single static pin set for the whole system */
	if (runs != 1) {
		snprintf(why, whylen,
			 "gup_test pins one contiguous range system-wide; %llu runs requested (use pattern=first)",
			 (unsigned long long)runs);
		return -EOPNOTSUPP;
	}
	fd = gup_open(why, whylen);
	if (fd < 0)
		return fd;
	if (ioctl(fd, GMB_PIN_LONGTERM_TEST_START, &args) < 0) {
		int e = errno;

		snprintf(why, whylen, "PIN_LONGTERM_TEST_START(%llu pages): %s%s",
			 (unsigned long long)ps->nr_pages, strerror(e),
			 e == EINVAL ? " (another user may hold the system-wide gup_test pin set)" : "");
		close(fd);
		return -e;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		ioctl(fd, GMB_PIN_LONGTERM_TEST_STOP);
		close(fd);
		return -ENOMEM;
	}
	p->fd = fd;
	ps->priv = p;
	return 0;
}

static int gup_read_back(struct pin_set *ps, void *buf)
{
	struct gup_priv *p = ps->priv;
	uint64_t addr = (uint64_t)(uintptr_t)buf;

	/* copies every pinned page, in pin order, to addr */
	return ioctl(p->fd, GMB_PIN_LONGTERM_TEST_READ, &addr) < 0 ? -errno : 0;
}

const struct pin_ops pin_gup_test = {
	.name = "gup_test",
	.summary = "CONFIG_GUP_TEST PIN_LONGTERM_TEST_START/STOP (the series' selftest pin)",
	.probe = gup_probe,
	.pin = gup_pin,
	.read_back = gup_read_back,
	.unpin = gup_unpin,
};

const struct pin_ops *const pin_mechanisms[] = {
	&pin_vmsplice,
	&pin_iouring,
	&pin_gup_test,
	NULL,
};

const struct pin_ops *pin_ops_find(const char *name)
{
	return name ? table_find(pin_mechanisms, name) : NULL;
}

/* ----------------------------------------------------------------- releaser */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void *releaser_main(void *arg)
{
	struct pin_releaser *rl = arg;

	pthread_mutex_lock(&rl->lock);
	for (;;) {
		struct pin_set *ps = rl->armed;

		if (ps && !rl->quit && mono_ns() < rl->deadline_ns) {
			struct timespec ts = {
				.tv_sec = (time_t)(rl->deadline_ns / 1000000000ULL),
				.tv_nsec = (long)(rl->deadline_ns % 1000000000ULL),
			};

			pthread_cond_timedwait(&rl->cond, &rl->lock, &ts);
			continue;
		}
		if (ps) {
			/* unpin outside the lock: the owner may be waiting on it */
			pthread_mutex_unlock(&rl->lock);
			pin_set_unpin(ps);
			pthread_mutex_lock(&rl->lock);
			rl->armed = NULL;
			pthread_cond_broadcast(&rl->cond);
			continue;
		}
		if (rl->quit)
			break;
		pthread_cond_wait(&rl->cond, &rl->lock);
	}
	pthread_mutex_unlock(&rl->lock);
	return NULL;
}

int pin_releaser_start(struct pin_releaser *rl)
{
	pthread_condattr_t ca;
	int r;

	memset(rl, 0, sizeof(*rl));
	pthread_mutex_init(&rl->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&rl->cond, &ca);
	pthread_condattr_destroy(&ca);
	r = pthread_create(&rl->thread, NULL, releaser_main, rl);
	if (r) {
		pthread_cond_destroy(&rl->cond);
		pthread_mutex_destroy(&rl->lock);
		return -r;
	}
	rl->running = true;
	return 0;
}

int pin_releaser_arm(struct pin_releaser *rl, struct pin_set *ps, uint64_t delay_us)
{
	int r = 0;

	pthread_mutex_lock(&rl->lock);
	if (!rl->running || rl->quit)
		r = -EINVAL;
	else if (rl->armed)
		r = -EBUSY;
	else {
		rl->armed = ps;
		rl->deadline_ns = mono_ns() + delay_us * 1000ULL;
		pthread_cond_broadcast(&rl->cond);
	}
	pthread_mutex_unlock(&rl->lock);
	return r;
}

void pin_releaser_wait(struct pin_releaser *rl)
{
	if (!rl->running)
		return;
	pthread_mutex_lock(&rl->lock);
	while (rl->armed)
		pthread_cond_wait(&rl->cond, &rl->lock);
	pthread_mutex_unlock(&rl->lock);
}

void pin_releaser_stop(struct pin_releaser *rl)
{
	if (!rl->running)
		return;
	pthread_mutex_lock(&rl->lock);
	rl->quit = true;
	pthread_cond_broadcast(&rl->cond);
	pthread_mutex_unlock(&rl->lock);
	pthread_join(rl->thread, NULL);
	pthread_cond_destroy(&rl->cond);
	pthread_mutex_destroy(&rl->lock);
	rl->running = false;
}

/* -------------------------------------------------------------- observation */

int pin_pagemap_pfn(const void *addr, uint64_t *pfn)
{
	uint64_t e = 0;
	off_t off = (off_t)((uintptr_t)addr / PIN_PAGE_SIZE * sizeof(e));
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, &e, sizeof(e), off);
	close(fd);
	if (n != (ssize_t)sizeof(e))
		return n < 0 ? -errno : -EIO;
	/* bit 63 present, bits 0-54 PFN (zero without CAP_SYS_ADMIN) */
	*pfn = (e >> 63) ? (e & ((1ULL << 55) - 1)) : 0;
	return 0;
}

int pin_resident_pages(const void *addr, uint64_t bytes, uint64_t *pages)
{
	uint64_t n = (bytes + PIN_PAGE_SIZE - 1) / PIN_PAGE_SIZE, i, c = 0;
	unsigned char *vec;

	vec = malloc(n ? n : 1);
	if (!vec)
		return -ENOMEM;
	if (mincore((void *)addr, bytes, vec) < 0) {
		int e = errno;

		free(vec);
		return -e;
	}
	for (i = 0; i < n; i++)
		c += vec[i] & 1;
	free(vec);
	*pages = c;
	return 0;
}
