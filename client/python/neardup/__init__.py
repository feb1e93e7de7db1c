"""neardup: near-duplicate detection, from Python.

The functions are those of the C++ engine that neardupd and the `neardup`
CLI run (module ``neardup._neardup``, built with pybind11), so
fingerprints are byte for byte what the server stores and audits give the
same outputs as ``neardup audit``.

Ad hoc::

    import neardup
    fp = neardup.fingerprint("some text", num_perm=128)
    neardup.compare(text_a, text_b)["jaccard"]

The audit as tasks over a shared directory (what ``python3 -m
neardup.dask audit`` schedules; docs/SCALE.md)::

    plan = neardup.plan(["corpus.jsonl", "--out", "audit"])
    for s in range(plan["shards"]):
        neardup.sign_shard("audit", s)
    neardup.finish_sign("audit")
    ...

Every task writes its outputs, then a done marker; run again, it returns
its statistics with ``skipped=True`` and does nothing. Errors: ValueError
(bad input or options), FileNotFoundError, NotReady (a task run before the
tasks it needs), Error (anything else).
"""

from neardup._neardup import (  # noqa: F401  (re-exported)
    FINGERPRINT_VERSION,
    Error,
    NotReady,
    __version__,
    bucket_partition,
    bucket_partitions,
    cluster,
    cluster_group,
    cluster_partitions,
    compare,
    components_by_stars,
    finish_bucket,
    finish_cluster,
    finish_sign,
    finish_verify,
    fingerprint,
    plan,
    rank,
    report,
    shards,
    sign_shard,
    star_converged,
    star_input,
    star_labels,
    star_round,
    star_sources,
    union_find,
    verify_part,
    verify_parts,
)
