/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference lives here.  The rest of the module is
 * written against the newest API.  This header is force-included (-include)
 * into every object by Kbuild, which also sets the ADAPTSWAP_HAVE_* flags by
 * grepping the target kernel's headers (no LINUX_VERSION_CODE checks: Debian
 * backports API changes inside a stable series).
 *
 *   ADAPTSWAP_HAVE_SHRINKER_ALLOC	shrinker_alloc/register/free (6.7+)
 *   ADAPTSWAP_HAVE_SHRINKER_NAME	register_shrinker(s, fmt, ...) (6.0+)
 *   ADAPTSWAP_HAVE_GENL_RESV_START_OP	genl_family.resv_start_op (6.1+)
 *   ADAPTSWAP_HAVE_CONST_RANGE_PTR	nla_policy.range is a const pointer
 *   ADAPTSWAP_HAVE_WQ_PERCPU		WQ_PERCPU exists (7.2 WARNs on a
 *					workqueue with neither it nor WQ_UNBOUND)
 *   ADAPTSWAP_HAVE_HRTIMER_SETUP	hrtimer_setup() (6.13+; hrtimer_init()
 *					is gone in 7.x)
 *   ADAPTSWAP_HAVE_DIRECT_RECLAIM_MEMCG	mm_vmscan_direct_reclaim_begin is
 *					(gfp_flags, order, memcg) (7.2)
 *   ADAPTSWAP_HAVE_MARK_VICTIM_TASK	oom:mark_victim passes the task (6.8+
 *					and stable updates such as 6.1.130),
 *					not only its pid
 */
#ifndef ADAPTSWAP_COMPAT_H
#define ADAPTSWAP_COMPAT_H

/* linux/shrinker.h is not self-contained before 6.7: take it via mm.h */
#include <linux/mm.h>
#include <linux/slab.h>

/* --- shrinker ---------------------------------------------------------- */

#ifdef ADAPTSWAP_HAVE_SHRINKER_ALLOC

static inline struct shrinker *
compat_shrinker_create(const char *name,
		       unsigned long (*count)(struct shrinker *,
					      struct shrink_control *),
		       unsigned long (*scan)(struct shrinker *,
					     struct shrink_control *))
{
	struct shrinker *s = shrinker_alloc(0, "%s", name);

	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = DEFAULT_SEEKS;
	shrinker_register(s);
	return s;
}

static inline void compat_shrinker_destroy(struct shrinker *s)
{
	shrinker_free(s);
}

#else /* !ADAPTSWAP_HAVE_SHRINKER_ALLOC */

static inline struct shrinker *
compat_shrinker_create(const char *name,
		       unsigned long (*count)(struct shrinker *,
					      struct shrink_control *),
		       unsigned long (*scan)(struct shrinker *,
					     struct shrink_control *))
{
	struct shrinker *s = kzalloc(sizeof(*s), GFP_KERNEL);
	int ret;

	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = DEFAULT_SEEKS;
#ifdef ADAPTSWAP_HAVE_SHRINKER_NAME
	ret = register_shrinker(s, "%s", name);
#else
	ret = register_shrinker(s);
#endif
	if (ret) {
		kfree(s);
		return NULL;
	}
	return s;
}

static inline void compat_shrinker_destroy(struct shrinker *s)
{
	unregister_shrinker(s);
	kfree(s);
}

#endif /* ADAPTSWAP_HAVE_SHRINKER_ALLOC */

/* --- generic netlink --------------------------------------------------- */

/*
 * Where the field exists, every command at or above resv_start_op gets its
 * reserved header field checked and strict attribute validation.
 */
#ifdef ADAPTSWAP_HAVE_GENL_RESV_START_OP
#define COMPAT_GENL_RESV_START_OP(op)	.resv_start_op = (op),
#else
#define COMPAT_GENL_RESV_START_OP(op)
#endif

/* nla_policy.range became a pointer to const. */
#ifdef ADAPTSWAP_HAVE_CONST_RANGE_PTR
#define COMPAT_RANGE_CONST const
#else
#define COMPAT_RANGE_CONST
#endif

/* --- workqueues ------------------------------------------------------- */

/*
 * Per-CPU was the default of alloc_workqueue() without WQ_UNBOUND before
 * the flag existed; 7.2 warns (a WARN, so a panic with panic_on_warn) about
 * a workqueue that names neither.
 */
#ifndef ADAPTSWAP_HAVE_WQ_PERCPU
#define WQ_PERCPU 0
#endif

/* --- hrtimers --------------------------------------------------------- */

#include <linux/hrtimer.h>

/* hrtimer_setup() sets the callback; before 6.13 it was assigned. */
static inline void
compat_hrtimer_setup(struct hrtimer *timer,
		     enum hrtimer_restart (*fn)(struct hrtimer *),
		     clockid_t clock, enum hrtimer_mode mode)
{
#ifdef ADAPTSWAP_HAVE_HRTIMER_SETUP
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

/* --- tracepoints ------------------------------------------------------ */

/*
 * The parameters of mm_vmscan_direct_reclaim_begin, after the probe's data
 * pointer: (int order, gfp_t gfp_flags) from 5.10 to 6.12 at least; 7.2
 * has gfp_flags first and the memcg last.  signals.c static_asserts that
 * the probe matches.
 */
#ifdef ADAPTSWAP_HAVE_DIRECT_RECLAIM_MEMCG
#define COMPAT_DIRECT_RECLAIM_BEGIN_ARGS \
	gfp_t gfp_flags, int order, struct mem_cgroup *memcg
#else
#define COMPAT_DIRECT_RECLAIM_BEGIN_ARGS int order, gfp_t gfp_flags
#endif

/* --- tracepoint oom:mark_victim ---------------------------------------- */

/*
 * COMPAT_MARK_VICTIM_PROBE(probe, record) defines the tracepoint probe
 * @probe with this kernel's prototype; it calls
 * record(struct task_struct *task, pid_t pid).  Before the task was passed,
 * the probe finds it by its pid (global pid namespace) under RCU; @task is
 * NULL if it is already gone.  Both run where the tracepoint fires, under
 * task_lock() of the victim: no sleeping, no task_lock().
 */
#ifdef ADAPTSWAP_HAVE_MARK_VICTIM_TASK
#define COMPAT_MARK_VICTIM_PROBE(probe, record)				\
static void probe(void *data, struct task_struct *task, uid_t uid)	\
{									\
	record(task, task->pid);					\
}
#else
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#define COMPAT_MARK_VICTIM_PROBE(probe, record)				\
static void probe(void *data, int pid)					\
{									\
	rcu_read_lock();						\
	record(pid_task(find_pid_ns(pid, &init_pid_ns), PIDTYPE_PID), pid); \
	rcu_read_unlock();						\
}
#endif

#endif /* ADAPTSWAP_COMPAT_H */
