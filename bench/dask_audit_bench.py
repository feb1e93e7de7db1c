"""The Dask audit against `neardup audit` on generated corpora.

For each size: the local audit (2 threads) and the Dask driver on a
LocalCluster of 2 single-threaded workers, `--runs` times each,
alternating; the outputs compared byte for byte; medians of wall time,
the ratio, the scheduler's cost per task, bytes each stage leaves in the
audit directory per document, and each stage's largest task memory.

    /usr/bin/python3 bench/dask_audit_bench.py --build build/release \\
        --sizes 250000,500000,1000000 --runs 3 --tmp /tmp/dask-bench

Prints a Markdown table (docs/BENCHMARKS.md, "Audits on Dask") and the
raw figures as JSON lines on standard error.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

STAGE_DIRS = {
    "sign": ["sign-shards"],  # sign/ holds links to the shards' files
    "bucket": ["bucket", "bucket-parts"],
    "verify": ["verify"],
    "cluster": ["cluster-parts", "cluster"],
}


def du(path):
    """Bytes of the files under `path`, each inode once."""
    seen, total = set(), 0
    for root, _, files in os.walk(path):
        for f in files:
            st = os.lstat(os.path.join(root, f))
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return total


def marker(path):
    out = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition(" ")
            out.setdefault(k, v)
    return out


def same_outputs(a, b):
    for name in ("clusters.jsonl", "duplicates.tsv", "report.html"):
        with open(os.path.join(a, name), "rb") as x, \
                open(os.path.join(b, name), "rb") as y:
            if x.read() != y.read():
                return False
    return True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build/release")
    p.add_argument("--sizes", default="250000,500000,1000000")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--tmp", default="/tmp/dask-bench")
    a = p.parse_args()
    build = os.path.abspath(a.build)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(build, "client/python")
    env["PYTHONWARNINGS"] = "ignore"
    os.makedirs(a.tmp, exist_ok=True)
    rows = []
    for n in [int(s) for s in a.sizes.split(",")]:
        corpus = os.path.join(a.tmp, f"c{n}.jsonl")
        if not os.path.exists(corpus):
            subprocess.run([os.path.join(build, "bench/audit_corpus"),
                            "--docs", str(n), "--out", corpus], check=True,
                           stdout=subprocess.DEVNULL)
        local_times, dask_times, driver_times, runs = [], [], [], []
        for r in range(a.runs):
            local = os.path.join(a.tmp, f"local{n}")
            dask = os.path.join(a.tmp, f"dask{n}")
            for d in (local, dask):
                shutil.rmtree(d, ignore_errors=True)
            t = time.monotonic()
            subprocess.run([os.path.join(build, "client/neardup"), "audit",
                            corpus, "--out", local, "--quiet"], check=True)
            local_times.append(time.monotonic() - t)
            t = time.monotonic()
            got = subprocess.run(
                [sys.executable, "-m", "neardup.dask", "audit", corpus,
                 "--out", dask, "--workers", str(a.workers),
                 "--progress", "none"],
                check=True, env=env, capture_output=True)
            dask_times.append(time.monotonic() - t)
            run = json.loads(got.stdout)
            driver_times.append(run["seconds"])
            if not same_outputs(local, dask):
                sys.exit(f"outputs differ at {n} documents, run {r}")
            runs.append(run)
            print(json.dumps({"docs": n, "run": r,
                              "local_s": local_times[-1],
                              "dask_s": dask_times[-1],
                              "driver_s": driver_times[-1],
                              "stages": run["stages"]}), file=sys.stderr)
        last = runs[-1]
        tasks = sum(s["tasks"] for s in last["stages"].values())
        busy = sum(s["task_seconds"] for s in last["stages"].values())
        wall = sum(s["wall_seconds"] for s in last["stages"].values())
        overhead_ms = 1000 * (wall * a.workers - busy) / tasks
        per_doc = {stage: sum(du(os.path.join(dask, d)) for d in dirs) / n
                   for stage, dirs in STAGE_DIRS.items()}
        peaks = {}
        for stage in ("sign", "bucket", "verify", "cluster"):
            m = marker(os.path.join(dask, stage + ".done"))
            peaks[stage] = int(m.get("peak_memory", 0)) / (1 << 20)
        local_m = statistics.median(local_times)
        dask_m = statistics.median(dask_times)
        rows.append((n, local_m, dask_m, statistics.median(driver_times),
                     dask_m / local_m, tasks, overhead_ms, per_doc, peaks,
                     last["shards"]))
    print("| documents | neardup audit | Dask, 2 workers (driver) | ratio | "
          "tasks (shards) | scheduler cost per task | B/doc sign, bucket, "
          "verify, cluster | largest task RSS sign, bucket, verify, "
          "cluster |")
    print("|---|---|---|---|---|---|---|---|")
    for (n, lm, dm, drm, ratio, tasks, ovh, per_doc, peaks, shards) in rows:
        print(f"| {n:,} | {lm:.1f} s | {dm:.1f} s ({drm:.1f} s) | "
              f"{ratio:.2f}x | {tasks} ({shards}) | {ovh:.0f} ms | "
              f"{per_doc['sign']:.0f}, {per_doc['bucket']:.1f}, "
              f"{per_doc['verify']:.1f}, {per_doc['cluster']:.1f} | "
              f"{peaks['sign']:.0f}, {peaks['bucket']:.0f}, "
              f"{peaks['verify']:.0f}, {peaks['cluster']:.0f} MB |")


if __name__ == "__main__":
    main()
