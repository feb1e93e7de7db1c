"""The Dask driver (python3 -m neardup.dask audit) against `neardup
audit`: the same outputs byte for byte on LocalClusters of 1, 2 and 3
worker processes, for JSON Lines, a directory of files and gzipped WARC,
with any partition count; a worker killed during the sign and the bucket
steps; the driver killed and started again, which redoes no finished task.
Skips with a message where Dask (python3-distributed) is absent."""

import glob
import json
import logging
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import corpus

try:
    import neardup
    from neardup import dask as neardup_dask
    MISSING = None
except ImportError as e:
    neardup = None
    MISSING = f"the neardup module is not built: {e}"
if MISSING is None:
    try:
        from distributed import Client, LocalCluster
    except ImportError as e:
        MISSING = (f"Dask is not installed ({e}): apt-get install "
                   f"python3-distributed (deploy/install-deps.sh does)")

SHARD_BYTES = 8 << 10  # many shards from a small corpus


def results(out):
    """What must not depend on the run: the outputs, summary.json up to
    its "run" object."""
    got = {}
    for name in ("clusters.jsonl", "duplicates.tsv", "report.html"):
        with open(os.path.join(out, name), "rb") as f:
            got[name] = f.read()
    with open(os.path.join(out, "summary.json"), "rb") as f:
        summary = f.read()
    got["summary.json"] = summary[:summary.find(b'"run"')]
    return got


def clean_env():
    env = dict(os.environ)
    env.pop("NEARDUP_AUDIT_CRASH_AT", None)
    env.pop("NEARDUP_CRASH_ONCE", None)
    return env


def local_cluster(workers):
    return LocalCluster(n_workers=workers, threads_per_worker=1,
                        processes=True, host="127.0.0.1",
                        dashboard_address=None, silence_logs=logging.ERROR)


@unittest.skipIf(MISSING is not None, str(MISSING))
@unittest.skipUnless(os.environ.get("NEARDUP_CLI"),
                     "NEARDUP_CLI names the neardup program (ctest sets it)")
class DaskAuditTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="neardup-dask-")
        docs = corpus.make_corpus(seed=3, families=6, unrelated=30)
        cls.inputs = {
            "jsonl": corpus.write_jsonl(docs,
                                        os.path.join(cls.tmp, "in.jsonl")),
            "files": corpus.write_files(docs, os.path.join(cls.tmp, "files")),
            "warc": corpus.write_warc_gz(docs,
                                         os.path.join(cls.tmp, "in.warc.gz")),
        }
        cls.reference = {}
        for name, path in cls.inputs.items():
            out = os.path.join(cls.tmp, "local-" + name)
            subprocess.run([os.environ["NEARDUP_CLI"], "audit", path,
                            "--out", out, "--components", "--quiet"],
                           check=True, env=clean_env(), timeout=300)
            cls.reference[name] = results(out)
            with open(os.path.join(out, "summary.json")) as f:
                summary = json.load(f)
            assert summary["clusters"] >= 6, summary

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def audit(self, client, name, out, partitions=0, components="auto"):
        args = [self.inputs[name], "--out", out, "--components",
                "--threads", "1"]
        driver = neardup_dask.Driver(client, out, retries=1)
        return driver.run(args, SHARD_BYTES, partitions, partitions,
                          components)

    def test_same_outputs_as_neardup_audit_on_1_2_3_workers(self):
        for workers in (1, 2, 3):
            with local_cluster(workers) as cluster, Client(cluster) as client:
                for name in self.inputs:
                    out = os.path.join(self.tmp, f"dask{workers}-{name}")
                    # Components by union-find on one worker, and by
                    # star rounds over 2 and 3 partitions.
                    by = "union-find" if workers == 1 else "stars"
                    run = self.audit(client, name, out, partitions=workers,
                                     components=by)
                    self.assertEqual(run["workers"], workers)
                    self.assertEqual(run["cluster_groups"], workers)
                    if by == "stars":
                        self.assertGreaterEqual(run["component_rounds"], 1)
                    self.assertEqual(results(out), self.reference[name],
                                     f"{workers} workers, {name}")
                    if name != "warc":  # one .gz file is one shard
                        self.assertGreater(run["shards"], 3)

    def test_a_worker_killed_during_sign_or_bucket(self):
        for point in ("sign:1", "bucket:1"):
            once = os.path.join(self.tmp, "crashed-" + point.split(":")[0])
            os.environ["NEARDUP_AUDIT_CRASH_AT"] = point
            os.environ["NEARDUP_CRASH_ONCE"] = once
            try:
                # Workers started now inherit the hook.
                with local_cluster(2) as cluster, Client(cluster) as client:
                    out = os.path.join(self.tmp, "killed-" + point[:4])
                    self.audit(client, "jsonl", out, partitions=2)
            finally:
                del os.environ["NEARDUP_AUDIT_CRASH_AT"]
                del os.environ["NEARDUP_CRASH_ONCE"]
            self.assertTrue(os.path.exists(once),
                            f"no worker died at {point}")
            self.assertEqual(results(out), self.reference["jsonl"], point)

    def test_bad_input_stops_the_run_with_its_message(self):
        bad = os.path.join(self.tmp, "bad.jsonl")
        with open(bad, "w") as f:
            f.write('{"id": "a", "text": "fine text here"}\n{"id": 3\n')
        with local_cluster(1) as cluster, Client(cluster) as client:
            driver = neardup_dask.Driver(client, os.path.join(self.tmp, "bad"))
            with self.assertRaisesRegex(neardup_dask.AuditError,
                                        "bad.jsonl:2"):
                driver.run([bad, "--out", os.path.join(self.tmp, "bad")],
                           SHARD_BYTES, 0)
            driver = neardup_dask.Driver(client, os.path.join(self.tmp, "x"))
            with self.assertRaisesRegex(neardup_dask.AuditError, "threshold"):
                driver.run([bad, "--out", os.path.join(self.tmp, "x"),
                            "--threshold", "7"], SHARD_BYTES, 0)

    def test_the_driver_killed_and_started_again_resumes(self):
        out = os.path.join(self.tmp, "resumed")
        cmd = [sys.executable, "-m", "neardup.dask", "audit",
               self.inputs["jsonl"], "--out", out, "--components",
               "--workers", "2", "--shard-size", "4K", "--progress", "json"]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, env=clean_env(),
                                start_new_session=True)
        sel = selectors.DefaultSelector()
        sel.register(proc.stderr, selectors.EVENT_READ)
        deadline = time.monotonic() + 240
        killed = False
        lines = []
        while time.monotonic() < deadline and not killed:
            if not sel.select(timeout=deadline - time.monotonic()):
                break
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
            try:
                p = json.loads(line)
            except ValueError:
                continue
            if p["stage"] == "sign" and not p["finished"] and p["done"] >= 2 \
                    and p["done"] + 2 <= p["tasks"]:
                os.killpg(proc.pid, signal.SIGKILL)
                killed = True
        proc.wait(timeout=60)
        self.assertTrue(killed, b"".join(lines).decode())
        # Every process of the run (driver, nannies, workers) is gone
        # before the markers are counted.
        for _ in range(600):
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)  # waiting for the kernel to reap, bounded
        done_before = len(glob.glob(os.path.join(out, "sign-shards",
                                                 "*.done")))
        shards = neardup.shards(out)
        self.assertGreaterEqual(done_before, 2)
        self.assertLess(done_before, shards)

        again = subprocess.run(cmd[:-2] + ["--progress", "none"],
                               capture_output=True, env=clean_env(),
                               timeout=600)
        self.assertEqual(again.returncode, 0, again.stderr.decode())
        run = json.loads(again.stdout)
        sign = run["stages"]["sign"]
        self.assertEqual(run["stages"]["plan"]["skipped"], 1)
        self.assertEqual(sign["skipped"], done_before)
        self.assertEqual(sign["ran"], shards - done_before + 1)  # + the join
        self.assertEqual(results(out), self.reference["jsonl"])


if __name__ == "__main__":
    unittest.main()
