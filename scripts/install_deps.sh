#!/usr/bin/env bash
# Installs exactly the Debian packages namix needs to build, test and demo.
# Idempotent: asks apt only for what is missing, so a second run is instant.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ make pkg-config clang-format
  # the fuzz build (make fuzz): clang with libFuzzer and the sanitizer runtimes
  clang libclang-rt-14-dev
  # libraries (see cmake/namix_deps.cmake)
  libmpg123-dev libmp3lame-dev libebur128-dev libsoxr-dev libsndfile1-dev libtag1-dev
  libcurl4-openssl-dev libssl-dev libcpp-httplib-dev nlohmann-json3-dev libspdlog-dev
  libcli11-dev libtomlplusplus-dev libfftw3-dev libexpat1-dev libstemmer-dev libgtest-dev libgmock-dev libbenchmark-dev
  # demo episode and audio checks in the tests
  espeak-ng sox ffmpeg mpg123 lame python3 python3-numpy
  # real S3 server for the storage tests (Ceph RADOS Gateway, memstore)
  radosgw ceph-mon ceph-osd
  # rgw.sh's readiness probe and the presigned-link checks in tests/s3
  curl
  # browser tests and load tests
  chromium wrk
  # checks on deploy/ (shell scripts, YAML)
  shellcheck python3-yaml
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done
# Node.js and npm come with the machine; install Debian's only when absent.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "error: installing packages needs root (run as root, or: sudo make deps)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
