#!/usr/bin/env bash
# Installs every Debian 12 package that neardup needs to build, test and run.
#
# Idempotent: packages already present are left alone, and apt is not touched
# at all when nothing is missing. Runs as root, or through sudo otherwise.
#
#   deploy/install-deps.sh          # build + test + run
#   NEARDUP_DEPS_QUIET=1 deploy/install-deps.sh   # less apt output
set -euo pipefail

packages=(
  # toolchain
  cmake g++ ninja-build pkg-config git
  # fuzzing: clang with libFuzzer and the sanitizer runtimes
  clang libclang-rt-14-dev
  # fixed by the product card
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libabsl-dev libxxhash-dev
  # allocator of neardupd and the load generator
  libjemalloc-dev
  # neardupd's metrics endpoint (HTTP); certificates for the TLS tests;
  # a real Prometheus server that scrapes it in the tests
  libcpp-httplib-dev openssl prometheus
  # neardupd's configuration file (TOML)
  libtomlplusplus-dev
  # text pipeline: Unicode (ICU), charset detection, HTML, Chinese folding
  libicu-dev libuchardet-dev libgumbo-dev libopencc-dev opencc
  # corpus readers (neardup audit): JSON Lines, gzip, zstd
  libsimdjson-dev zlib1g-dev libzstd-dev
  # the Python module (pybind11, for Debian's /usr/bin/python3) and the
  # audit's Dask driver (client/python)
  pybind11-dev python3-dev python3-distributed
  # node groups (docs/SCALE.md): etcd for membership and failover, and
  # in the tests a three-member etcd, network namespaces (iproute2) and
  # nginx in front of the nodes
  etcd-server etcd-client iproute2 nginx-light
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # `--html` pages are checked in headless Chromium
  chromium
  # passage evaluation corpus (bench/passages_eval); real Traditional and
  # Simplified text for the Chinese folding tests (zh_TW manual pages, the
  # zh-cn and zh-tw editions of debian-reference) and HTML for the HTML
  # reader's differential test
  manpages-zh groff-base debian-reference-zh-cn debian-reference-zh-tw
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "install-deps: not root and no sudo; install as root: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Debian starts a packaged daemon at install; the tests run their own
# Prometheus on 127.0.0.1, and one listening on every interface at :9090
# is not ours to start. policy-rc.d (101: action forbidden) holds it back
# during this install only, and the unit is left disabled.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod 755 "$policy"
  own_policy=1
fi
cleanup() { if [ "$own_policy" = 1 ]; then "${sudo_cmd[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
if [[ " ${missing[*]} " == *" prometheus "* ]] &&
   command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  "${sudo_cmd[@]}" systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
