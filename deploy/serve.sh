#!/usr/bin/env bash
# Starts neardupd for local use: installs missing Debian packages, builds
# the Release binaries, and runs the server in the foreground on
# 127.0.0.1:50051 with its RocksDB under ./data (relative to the current
# directory). Extra arguments go to neardupd (e.g. --listen, --db, --sync).
# Stop it with Ctrl-C: it finishes in-flight calls and closes the database.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
"$repo/deploy/install-deps.sh"
(cd "$repo" && cmake --preset release >/dev/null && cmake --build --preset serve)
exec "$repo/build/release/service/server/neardupd" \
  --db ./data --listen 127.0.0.1:50051 "$@"
