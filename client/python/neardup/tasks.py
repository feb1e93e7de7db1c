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


def shards(out):
    return _guard(neardup.shards, out)


def sign_shard(out, shard):
    return _guard(neardup.sign_shard, out, shard)


def finish_sign(out):
    return _guard(neardup.finish_sign, out)


def rank(out):
    return _guard(neardup.rank, out)


def bucket_partitions(out):
    return _guard(neardup.bucket_partitions, out)


def bucket_partition(out, partition):
    return _guard(neardup.bucket_partition, out, partition)


def finish_bucket(out):
    return _guard(neardup.finish_bucket, out)


def verify_parts(out):
    return _guard(neardup.verify_parts, out)


def verify_part(out, part):
    return _guard(neardup.verify_part, out, part)


def finish_verify(out):
    return _guard(neardup.finish_verify, out)


def cluster(out):
    return _guard(neardup.cluster, out)


def components_by_stars(out):
    return _guard(neardup.components_by_stars, out)


def cluster_partitions(out):
    return _guard(neardup.cluster_partitions, out)


def union_find(out):
    return _guard(neardup.union_find, out)


def star_sources(out):
    return _guard(neardup.star_sources, out)


def star_input(out, source):
    return _guard(neardup.star_input, out, source)


def star_round(out, round_, partition):
    return _guard(neardup.star_round, out, round_, partition)


def star_converged(out, round_):
    return _guard(neardup.star_converged, out, round_)


def star_labels(out, round_):
    return _guard(neardup.star_labels, out, round_)


def cluster_group(out, group):
    return _guard(neardup.cluster_group, out, group)


def finish_cluster(out):
    return _guard(neardup.finish_cluster, out)


def report(out):
    return _guard(neardup.report, out)
