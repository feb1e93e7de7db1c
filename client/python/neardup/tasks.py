"""The audit's tasks as plain Python functions, for schedulers.

Dask (and most schedulers) send a task to a worker by pickling the
function, which for a Python function of an importable module means its
name; the C++ functions of neardup._neardup are wrapped here for that.

A task that fails on its input (ValueError: a bad document or option;
for the plan, FileNotFoundError: a missing input) fails the same way every
time, so it returns {"error": message, "kind": ...} rather than raising:
the driver reports it and stops instead of retrying it. Anything else
raises, and the scheduler runs the task again (on another worker if its
worker died): a file of the audit directory missing for a moment (another
copy of a task replacing it, a shared file system slow to show a rename)
is not the input's fault.
"""

import neardup


def _guard(fn, *args, permanent=(ValueError,)):
    try:
        return fn(*args)
    except permanent as e:
        return {"error": str(e), "kind": type(e).__name__}


def plan(args, shard_bytes, partitions, cluster_partitions=0,
         components="auto"):
    return _guard(neardup.plan, args, shard_bytes, partitions,
                  cluster_partitions, components,
                  permanent=(ValueError, FileNotFoundError))


def _define(name):
    """Defines the task `name` of this module: neardup.`name` guarded.
    Defined at import under its own name, so that pickle (and Dask) send
    it as a reference, neardup.tasks.`name`."""
    fn = getattr(neardup, name)

    def task(*args):
        return _guard(fn, *args)

    task.__name__ = task.__qualname__ = name
    task.__doc__ = fn.__doc__
    globals()[name] = task


for _name in ("shards", "sign_shard", "finish_sign", "rank",
              "bucket_partitions", "bucket_partition", "finish_bucket",
              "verify_parts", "verify_part", "finish_verify", "cluster",
              "components_by_stars", "cluster_partitions", "union_find",
              "star_sources", "star_input", "star_round", "star_converged",
              "star_labels", "cluster_group", "finish_cluster", "report"):
    _define(_name)
