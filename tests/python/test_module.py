"""The Python module over the engine: fingerprints byte for byte those
neardupd stores (a real neardupd on 127.0.0.1, driven by the real CLI),
comparison, errors as Python exceptions, the GIL released."""

import json
import os
import selectors
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

try:
    import neardup
    MISSING = None
except ImportError as e:  # the module is built with pybind11-dev
    neardup = None
    MISSING = str(e)

ARTICLE = ("The river rose through the night and by morning the lower "
           "streets of the town were under water. Volunteers carried sandbags "
           "to the bakery on the corner while the mayor spoke from the steps "
           "of the town hall about the new flood wall, which had been "
           "promised for years and never built. ") * 4


def start_neardupd(db):
    """neardupd on 127.0.0.1 with a free port: (process, port)."""
    proc = subprocess.Popen(
        [os.environ["NEARDUPD"], "--db", db, "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + 60
    seen = b""
    while time.monotonic() < deadline:
        if not sel.select(timeout=deadline - time.monotonic()):
            break
        line = proc.stdout.readline()
        if not line:
            break
        seen += line
        if b"listening on 127.0.0.1:" in line:
            rest = line.split(b"127.0.0.1:", 1)[1]
            return proc, int(rest.split()[0].rstrip(b",;)"))
    proc.kill()
    proc.wait()
    raise AssertionError("neardupd did not start: " + seen.decode())


@unittest.skipIf(neardup is None, f"the neardup module is not built: "
                 f"{MISSING} (deploy/install-deps.sh installs pybind11-dev)")
class ModuleTest(unittest.TestCase):
    def test_fingerprint_has_the_collection_layout(self):
        fp = neardup.fingerprint(ARTICLE)
        self.assertEqual(fp["fingerprint_version"],
                         neardup.FINGERPRINT_VERSION)
        self.assertEqual(len(fp["minhash"]), 4 * 128)
        self.assertEqual(fp, neardup.fingerprint(ARTICLE.encode("utf-8")))
        small = neardup.fingerprint(ARTICLE, num_perm=64)
        self.assertEqual(len(small["minhash"]), 4 * 64)
        self.assertNotEqual(fp["minhash"][:256], small["minhash"][:256])
        # The same text in a legacy charset: the same signatures.
        zh = "新华社北京电 今年以来，各地持续推进城市更新行动。" * 6
        a = neardup.fingerprint(zh)
        b = neardup.fingerprint(zh.encode("gb18030"), charset="gb18030")
        self.assertEqual(a["minhash"], b["minhash"])
        self.assertEqual(a["simhash"], b["simhash"])
        self.assertNotEqual(a["content_bytes"], b["content_bytes"])

    def test_bad_input_and_options_raise(self):
        with self.assertRaisesRegex(ValueError, "binary"):
            neardup.fingerprint(b"\x00\x01\x02junk" * 200)
        with self.assertRaisesRegex(ValueError, "num_perm"):
            neardup.fingerprint(ARTICLE, num_perm=3)
        with self.assertRaisesRegex(ValueError, "content_type"):
            neardup.fingerprint(ARTICLE, content_type="pdf")
        with self.assertRaises(TypeError):
            neardup.fingerprint(42)
        with self.assertRaisesRegex(ValueError, "no text|empty"):
            neardup.fingerprint("")
        with self.assertRaises(neardup.NotReady):
            neardup.finish_sign(tempfile.gettempdir() + "/no-such-audit")

    def test_compare_scores_and_passages(self):
        copy = "A new first line. " + ARTICLE
        c = neardup.compare(ARTICLE, copy)
        self.assertGreater(c["jaccard"], 0.8)
        self.assertAlmostEqual(c["containment_a"], 1.0)
        self.assertTrue(c["passages"])
        b = c["passages"][0]["b"]
        self.assertGreaterEqual(b["byte_start"], len("A new first line. "))
        self.assertLess(neardup.compare(ARTICLE, "Nothing alike at all, "
                                        "not one shared phrase here "
                                        "anywhere.")["jaccard"], 0.1)

    def test_the_gil_is_released(self):
        # While one thread is inside fingerprint(), this one keeps running
        # Python: with the GIL held for the call it could not take a single
        # sample inside the call's span.
        text = ARTICLE * 6000  # about 7 MB: a call of a few hundred ms
        span = []
        samples = []

        def work():
            start = time.monotonic()
            neardup.fingerprint(text)
            span.extend([start, time.monotonic()])

        worker = threading.Thread(target=work)
        worker.start()
        while worker.is_alive():
            samples.append(time.monotonic())
        worker.join()
        start, end = span
        self.assertGreater(end - start, 0.1)
        inside = [t for t in samples if start + 0.02 < t < end - 0.02]
        self.assertGreater(len(inside), 100)

    @unittest.skipUnless(os.environ.get("NEARDUPD") and
                         os.environ.get("NEARDUP_CLI"),
                         "NEARDUPD and NEARDUP_CLI name the programs "
                         "(ctest sets them)")
    def test_fingerprint_equals_the_servers(self):
        tmp = tempfile.mkdtemp(prefix="neardup-py-")
        proc = None
        try:
            proc, port = start_neardupd(os.path.join(tmp, "db"))
            cli = [os.environ["NEARDUP_CLI"], "--server", f"127.0.0.1:{port}"]
            docs = {"plain.txt": ARTICLE.encode(),
                    "page.html": ("<html><body><article><p>" + ARTICLE +
                                  "</p></article></body></html>").encode(),
                    "zh.txt": ("新华社北京电 今年以来，各地持续推进城市更新行动。"
                               * 8).encode("gb18030")}
            subprocess.run(cli + ["collections", "create", "c"], check=True,
                           capture_output=True, timeout=60)
            for name, content in docs.items():
                path = os.path.join(tmp, name)
                with open(path, "wb") as f:
                    f.write(content)
                subprocess.run(cli + ["add", "-c", "c", "--id", name, path],
                               check=True, capture_output=True, timeout=60)
                got = subprocess.run(
                    cli + ["get", "-c", "c", name, "--fingerprint"],
                    check=True, capture_output=True, timeout=60)
                stored = json.loads(got.stdout)
                mine = neardup.fingerprint(content)
                server = stored["fingerprint"]
                minhash = b"".join(int(v).to_bytes(4, "little")
                                   for v in server["minhash"])
                bottom_k = b"".join(int(v).to_bytes(4, "little")
                                    for v in server["bottom_k"])
                self.assertEqual(mine["minhash"], minhash, name)
                self.assertEqual(mine["bottom_k"], bottom_k, name)
                self.assertEqual(mine["simhash"], int(server["simhash"]), name)
                self.assertEqual(mine["digest_low"],
                                 int(server["digest_low"]), name)
                self.assertEqual(mine["digest_high"],
                                 int(server["digest_high"]), name)
                self.assertEqual(mine["shingle_count"],
                                 int(server["shingle_count"]), name)
                self.assertEqual(stored["fingerprint_version"],
                                 mine["fingerprint_version"], name)
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=60)
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
