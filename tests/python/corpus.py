"""Generated test corpora for the Python tests: families of near copies
(a few words replaced, the end dropped, rewrapped, as an HTML page), a
chain, and unrelated texts, written as JSON Lines, a directory of files, or
gzipped WARC. Seeded: the same seed gives the same bytes."""

import gzip
import json
import os
import random

# Syllables for made-up words: text no real corpus holds, in Latin
# letters and in CJK characters.
_SYLLABLES = ("ka lo mi ne ru ta ve si po da fu ge ho ji ku le ma no pe "
              "ri so tu wa ye zo").split()
_HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"


def words(rng, n):
    out = []
    for _ in range(n):
        out.append("".join(rng.choice(_SYLLABLES)
                           for _ in range(rng.randint(1, 3))))
    return out


def text(seed, n):
    rng = random.Random(seed)
    w = words(rng, n)
    sentences = [" ".join(w[i:i + 12]).capitalize() + "."
                 for i in range(0, len(w), 12)]
    return " ".join(sentences)


def han_text(seed, n):
    rng = random.Random(seed)
    chars = [rng.choice(_HAN) for _ in range(n)]
    return "".join(c + ("。" if i % 17 == 16 else "")
                   for i, c in enumerate(chars))


def replace_words(t, k, seed):
    rng = random.Random(seed)
    w = t.split(" ")
    for _ in range(k):
        w[rng.randrange(len(w))] = "zzq" + str(rng.randrange(1000))
    return " ".join(w)


def html(title, body):
    paragraphs = "".join(f"<p>{p}.</p>\n" for p in body.split(". ") if p)
    return ("<!DOCTYPE html><html><head><title>" + title +
            "</title></head><body>\n<nav><a href=\"/\">Home</a></nav>\n"
            "<article>\n" + paragraphs +
            "</article>\n<footer>Copyright</footer></body></html>\n")


def make_corpus(seed=1, families=6, unrelated=20):
    """[(name, content, is_html)]: near-copy families and unrelated texts,
    shuffled by the seed."""
    docs = []
    for f in range(families):
        base = text(seed * 1000 + f, 300)
        docs.append((f"family{f}-base", base, False))
        docs.append((f"family{f}-edit1", replace_words(base, 2, seed + f),
                     False))
        docs.append((f"family{f}-edit2",
                     " ".join(replace_words(base, 3, seed * 7 + f)
                              .split(" ")[:-5]), False))
        docs.append((f"family{f}-copy", base, False))  # an exact copy
        docs.append((f"family{f}-html", html(f"family {f}", base), True))
    zh = han_text(seed * 31, 600)
    docs.append(("zh-base", zh, False))
    docs.append(("zh-edit", zh[:-20] + han_text(seed * 37, 10), False))
    for u in range(unrelated):
        docs.append((f"unrelated{u}", text(seed * 5000 + u, 200), False))
    random.Random(seed).shuffle(docs)
    return docs


def write_jsonl(docs, path):
    with open(path, "w", encoding="utf-8") as f:
        for name, content, _ in docs:
            f.write(json.dumps({"id": name, "text": content},
                               ensure_ascii=False) + "\n")
    return path


def write_files(docs, directory):
    os.makedirs(directory, exist_ok=True)
    for name, content, is_html in docs:
        suffix = ".html" if is_html else ".txt"
        with open(os.path.join(directory, name + suffix), "w",
                  encoding="utf-8") as f:
            f.write(content)
    return directory


def write_warc_gz(docs, path):
    with open(path, "wb") as f:
        for name, content, is_html in docs:
            kind = "text/html" if is_html else "text/plain"
            body = content.encode("utf-8")
            http = (f"HTTP/1.1 200 OK\r\nContent-Type: {kind}; "
                    f"charset=utf-8\r\n\r\n").encode() + body
            record = (b"WARC/1.1\r\nWARC-Type: response\r\n"
                      b"WARC-Target-URI: http://example.test/" +
                      name.encode() +
                      b"\r\nContent-Type: application/http; "
                      b"msgtype=response\r\nContent-Length: " +
                      str(len(http)).encode() + b"\r\n\r\n" + http +
                      b"\r\n\r\n")
            f.write(gzip.compress(record, mtime=0))
    return path
