"""python3 -m neardup.dask audit INPUT... --out DIR [options]

`neardup audit` scheduled by Dask distributed: the audit's tasks
(neardup.tasks) run as futures on the workers of a scheduler (--scheduler
ADDR), or of a LocalCluster on this machine when no address is given.
Only paths travel between tasks: every worker must see the inputs and DIR
at the same paths (one machine, or a shared file system). The outputs are
those of `neardup audit` over the same inputs and options, byte for byte
(summary.json's "run" aside), whatever the number of workers, shards and
partitions.

A task whose worker dies runs again elsewhere (Dask's own rescheduling); a
task that raises is retried --retries times; a task that fails on its
input stops the run with its message. Started again after any failure, the
driver resumes: every finished task is found by its marker and skipped.

Progress goes to standard error (--progress text|json|none), the run's
statistics per stage to standard output as JSON and to DIR/dask-run.json.
"""

import argparse
import json
import logging
import os
import sys
import time

STAGES = ("plan", "sign", "bucket", "verify", "cluster", "report")

# `neardup audit` options passed through to neardup.plan: name -> takes a
# value.
AUDIT_OPTIONS = {
    "threshold": True,
    "keep": True,
    "containment": False,
    "exact": False,
    "components": False,
    "memory-limit": True,
    "skip-bad": False,
    "id-field": True,
    "text-field": True,
    "num-perm": True,
    "word-shingle": True,
    "char-shingle": True,
    "no-fold-traditional": False,
    "keep-repeats": False,
    "threads": True,
}


class AuditError(Exception):
    """A task failed on its input: running it again would not help."""


def parse_size(text):
    """'64M' -> 67108864 (K, M, G, T: powers of 1024)."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    t = text.strip().upper()
    scale = 1
    if t and t[-1] in units:
        scale = units[t[-1]]
        t = t[:-1]
    try:
        value = float(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"not a positive size: {text}")
    return int(value * scale)


class Progress:
    """Stage progress on standard error: text, JSON lines, or nothing."""

    def __init__(self, mode, stream=sys.stderr):
        self.mode = mode
        self.stream = stream

    def __call__(self, stage, done, total, ran, skipped, seconds, finished):
        if self.mode == "none":
            return
        if self.mode == "json":
            line = json.dumps({"stage": stage, "done": done, "tasks": total,
                               "ran": ran, "skipped": skipped,
                               "seconds": round(seconds, 3),
                               "finished": finished})
        else:
            state = "done" if finished else "..."
            line = (f"{stage:8} {done}/{total} tasks ({ran} run, {skipped} "
                    f"already done) {seconds:.1f}s {state}")
        print(line, file=self.stream, flush=True)


class Driver:
    """Runs the stages of one audit on a Dask client."""

    def __init__(self, client, out, retries=2, progress=None):
        self.client = client
        self.out = out
        self.retries = retries
        self.progress = progress or Progress("none")
        self.stages = {}

    def _check(self, result):
        if isinstance(result, dict) and "error" in result:
            raise AuditError(result["error"])
        return result

    def _stage(self, name):
        return self.stages.setdefault(
            name, {"tasks": 0, "ran": 0, "skipped": 0, "wall_seconds": 0.0,
                   "task_seconds": 0.0})

    def _count(self, name, result):
        s = self._stage(name)
        s["tasks"] += 1
        if result.get("skipped"):
            s["skipped"] += 1
        else:
            s["ran"] += 1
            s["task_seconds"] += float(result.get("seconds", 0.0))

    def one(self, stage, fn, *args, count=True):
        """Runs one task on a worker; returns its result."""
        start = time.monotonic()
        future = self.client.submit(fn, *args, retries=self.retries,
                                    pure=False)
        result = self._check(future.result())
        if count:
            self._count(stage, result)
        self._stage(stage)["wall_seconds"] += time.monotonic() - start
        return result

    def many(self, stage, fn, args_list):
        """Runs tasks fn(*args) for every args of args_list, in parallel."""
        from distributed import as_completed

        start = time.monotonic()
        s = self._stage(stage)
        futures = [self.client.submit(fn, *args, retries=self.retries,
                                      pure=False) for args in args_list]
        done = 0
        try:
            for _, result in as_completed(futures, with_results=True):
                self._count(stage, self._check(result))
                done += 1
                self.progress(stage, done, len(futures), s["ran"],
                              s["skipped"], time.monotonic() - start, False)
        except BaseException:
            self.client.cancel(futures)
            raise
        s["wall_seconds"] += time.monotonic() - start

    def count(self, fn, *args):
        """A count the stage's tasks need (shards, partitions, parts), or a
        yes or no."""
        return int(self._check(self.client.submit(
            fn, self.out, *args, retries=self.retries, pure=False).result()))

    def _finished(self, stage, start):
        s = self._stage(stage)
        self.progress(stage, s["tasks"], s["tasks"], s["ran"], s["skipped"],
                      time.monotonic() - start, True)

    def cluster(self):
        """The cluster step: component labels (one union-find task, or
        rounds of star tasks), then the groups of components clustered in
        parallel, then merged. Returns (groups, star rounds)."""
        from neardup import tasks

        groups = self.count(tasks.cluster_partitions)
        rounds = 0
        if not self.count(tasks.components_by_stars):
            self.one("cluster", tasks.union_find, self.out)
        else:
            sources = self.count(tasks.star_sources)
            self.many("cluster", tasks.star_input,
                      [(self.out, s) for s in range(sources)])
            while True:
                self.many("cluster", tasks.star_round,
                          [(self.out, rounds, t) for t in range(groups)])
                if self.count(tasks.star_converged, rounds):
                    break
                rounds += 1
                if rounds > 1000:
                    raise AuditError("the component rounds do not converge")
            self.one("cluster", tasks.star_labels, self.out, rounds)
        self.many("cluster", tasks.cluster_group,
                  [(self.out, g) for g in range(groups)])
        self.one("cluster", tasks.finish_cluster, self.out)
        return groups, rounds

    def run(self, audit_args, shard_bytes, partitions, cluster_partitions=0,
            components="auto"):
        from neardup import tasks

        start = time.monotonic()
        plan = self.one("plan", tasks.plan, audit_args, shard_bytes,
                        partitions, cluster_partitions, components)
        self._finished("plan", start)

        stage_start = time.monotonic()
        shards = self.count(tasks.shards)
        self.many("sign", tasks.sign_shard,
                  [(self.out, i) for i in range(shards)])
        self.one("sign", tasks.finish_sign, self.out)
        self._finished("sign", stage_start)

        stage_start = time.monotonic()
        self.one("bucket", tasks.rank, self.out)
        partitions = self.count(tasks.bucket_partitions)
        self.many("bucket", tasks.bucket_partition,
                  [(self.out, p) for p in range(partitions)])
        self.one("bucket", tasks.finish_bucket, self.out)
        self._finished("bucket", stage_start)

        stage_start = time.monotonic()
        parts = self.count(tasks.verify_parts)
        self.many("verify", tasks.verify_part,
                  [(self.out, p) for p in range(parts)])
        self.one("verify", tasks.finish_verify, self.out)
        self._finished("verify", stage_start)

        stage_start = time.monotonic()
        groups, rounds = self.cluster()
        self._finished("cluster", stage_start)
        stage_start = time.monotonic()
        summary = self.one("report", tasks.report, self.out)
        self._finished("report", stage_start)

        run = {
            "out": self.out,
            "shards": shards,
            "bucket_partitions": partitions,
            "verify_parts": parts,
            "cluster_groups": groups,
            "component_rounds": rounds,
            "bytes": plan.get("bytes", 0),
            "seconds": round(time.monotonic() - start, 3),
            "workers": len(self.client.scheduler_info().get("workers", {})),
            "stages": self.stages,
            "summary": {k: v for k, v in summary.items()
                        if k not in ("skipped", "seconds")},
        }
        if os.path.isdir(self.out):
            path = os.path.join(self.out, "dask-run.json")
            with open(path + ".tmp", "w", encoding="utf-8") as f:
                json.dump(run, f, indent=2, sort_keys=True)
                f.write("\n")
            os.replace(path + ".tmp", path)
        return run


def build_parser():
    p = argparse.ArgumentParser(
        prog="python3 -m neardup.dask",
        description="neardup audit, scheduled by Dask distributed")
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("audit", help="near-duplicate clusters of a corpus")
    a.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="files, directories, .jsonl(.gz|.zst), .warc(.gz)")
    a.add_argument("--out", required=True, metavar="DIR",
                   help="the audit directory, shared by every worker")
    a.add_argument("--scheduler", metavar="ADDR",
                   help="a Dask scheduler (tcp://host:8786); default: a "
                        "LocalCluster on this machine")
    a.add_argument("--workers", type=int, default=0,
                   help="LocalCluster worker processes (default: one per "
                        "core)")
    a.add_argument("--threads-per-worker", type=int, default=1,
                   help="LocalCluster threads per worker (default 1)")
    a.add_argument("--shard-size", type=parse_size, default=64 << 20,
                   metavar="SIZE",
                   help="input bytes per sign task (default 64M)")
    a.add_argument("--partitions", type=int, default=0,
                   help="bucket partitions per LSH band (default: one per "
                        "16M documents)")
    a.add_argument("--cluster-partitions", type=int, default=0,
                   help="groups of components clustered in parallel, and "
                        "partitions of the component rounds (default: one "
                        "per 8M edges, at least 2)")
    a.add_argument("--find-components",
                   choices=("auto", "union-find", "stars"), default="auto",
                   help="union-find in one task (4 bytes per document), "
                        "or large-star/small-star rounds of tasks; auto: "
                        "union-find up to 2^28 documents")
    a.add_argument("--retries", type=int, default=2,
                   help="times a failed task is run again (default 2)")
    a.add_argument("--progress", choices=("text", "json", "none"),
                   default="text")
    for name, has_value in AUDIT_OPTIONS.items():
        if has_value:
            a.add_argument("--" + name, dest="opt_" + name.replace("-", "_"))
        else:
            a.add_argument("--" + name, dest="opt_" + name.replace("-", "_"),
                           action="store_true")
    return p


def audit_args(ns, threads):
    """The `neardup audit` arguments of the parsed command line."""
    args = list(ns.inputs) + ["--out", ns.out]
    for name, has_value in AUDIT_OPTIONS.items():
        value = getattr(ns, "opt_" + name.replace("-", "_"))
        if name == "threads" and value is None:
            value = str(threads)
        if has_value and value is not None:
            args += ["--" + name, str(value)]
        elif not has_value and value:
            args.append("--" + name)
    return args


def main(argv=None):
    ns = build_parser().parse_args(argv)
    logging.getLogger("distributed").setLevel(logging.ERROR)
    from distributed import Client, LocalCluster

    cluster = None
    if ns.scheduler:
        client = Client(ns.scheduler)
        threads = ns.threads_per_worker
    else:
        workers = ns.workers or os.cpu_count() or 1
        cluster = LocalCluster(n_workers=workers,
                               threads_per_worker=ns.threads_per_worker,
                               processes=True, host="127.0.0.1",
                               dashboard_address=None,
                               silence_logs=logging.ERROR)
        client = Client(cluster)
        threads = ns.threads_per_worker
    try:
        driver = Driver(client, ns.out, ns.retries, Progress(ns.progress))
        run = driver.run(audit_args(ns, threads), ns.shard_size,
                         ns.partitions, ns.cluster_partitions,
                         ns.find_components)
    except AuditError as e:
        print(f"neardup.dask: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # retries spent, a worker killed too often, ...
        print(f"neardup.dask: {type(e).__name__}: {e} (started again, the "
              f"run resumes after its finished tasks)", file=sys.stderr)
        return 1
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    json.dump(run, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
