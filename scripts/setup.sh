#!/usr/bin/env bash
# Installs every build and test dependency, creates the test virtualenv (.venv-test, holding the
# ONNX Runtime oracle) and builds evalq into build/. Safe to run again: each step skips what is done.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config python3-venv
  libonnx-dev libprotobuf-dev protobuf-compiler
  libopenblas-pthread-dev libtbb-dev nlohmann-json3-dev libcli11-dev
  libpcre2-dev libicu-dev libgtest-dev libgmock-dev libbenchmark-dev
)
PY_PACKAGES=(onnxruntime onnx onnx-ir numpy tokenizers)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv-test/bin/python ]; then
  "$PYTHON" -m venv .venv-test
fi
if ! .venv-test/bin/python -c "import onnxruntime, onnx, onnx_ir, numpy, tokenizers" 2>/dev/null; then
  .venv-test/bin/pip install -q --disable-pip-version-check "${PY_PACKAGES[@]}"
fi

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" "$@"
cmake --build build -j "$(nproc)"
