#!/usr/bin/env bash
# Builds two corpora of real text from Debian's man pages (Chinese from
# manpages-zh, English from the installed man1 pages; troff markup
# stripped; nothing is committed) and runs shingle_k_eval on each.
# Usage: bench/k_eval.sh [build dir]   (default build/release)
set -euo pipefail
build=${1:-build/release}
command -v zcat >/dev/null
if [ ! -d /usr/share/man/zh_CN/man1 ]; then
  echo "installing manpages-zh (Chinese man pages) for the corpus"
  apt-get install -y -q manpages-zh >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/zh" "$work/en"
strip_troff() {
  # Drop requests and comments, font escapes and other backslash escapes.
  sed -e '/^[.'"'"']/d' -e 's/\\f[BIRP]//g' -e 's/\\[(*][a-zA-Z0-9]*//g' \
      -e 's/\\-/-/g' -e 's/\\[a-zA-Z&|^~ ]//g'
}
for f in /usr/share/man/zh_CN/man1/*.gz; do
  zcat "$f" | strip_troff > "$work/zh/$(basename "$f" .gz)" || true
done
n=0
for f in /usr/share/man/man1/*.gz; do
  [ $n -ge 400 ] && break
  zcat "$f" 2>/dev/null | strip_troff > "$work/en/$(basename "$f" .gz)" || true
  n=$((n + 1))
done
echo "## Chinese (character tokens), manpages-zh"
"$build/bench/shingle_k_eval" "$work/zh" char
echo
echo "## English (word tokens), Debian man1 pages"
"$build/bench/shingle_k_eval" "$work/en" word
