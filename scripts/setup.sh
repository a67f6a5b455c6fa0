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
  chromium
)
PY_PACKAGES=(onnxruntime onnx onnx-ir numpy tokenizers)
# ONNX Runtime's HQQ quantizer (a test oracle) needs torch, which PyPI only has with CUDA: Debian's
# CPU build, used from a second virtualenv on Debian's python3 that sees it. Debian's torch 1.13 needs
# numpy 1.x; onnx needs numpy >= 1.26 there.
TORCH_APT_PACKAGES=(python3-torch)
HQQ_PY_PACKAGES=("numpy>=1.26,<2" "ml-dtypes<0.6" onnxruntime onnx onnx-ir)

missing_packages() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
mapfile -t missing < <(missing_packages "${APT_PACKAGES[@]}")
mapfile -t missing_torch < <(missing_packages "${TORCH_APT_PACKAGES[@]}")
if [ ${#missing[@]} -gt 0 ] || [ ${#missing_torch[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
# Without recommends: python3-torch recommends half a desktop (Qt, OpenCV, GDAL).
if [ ${#missing_torch[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing_torch[@]}"
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv-test/bin/python ]; then
  "$PYTHON" -m venv .venv-test
fi
if ! .venv-test/bin/python -c "import onnxruntime, onnx, onnx_ir, numpy, tokenizers" 2>/dev/null; then
  .venv-test/bin/pip install -q --disable-pip-version-check "${PY_PACKAGES[@]}"
fi

if [ ! -x .venv-hqq/bin/python ]; then
  /usr/bin/python3 -m venv --system-site-packages .venv-hqq
fi
if ! .venv-hqq/bin/python -c "import onnxruntime, onnx, onnx_ir, torch; torch.from_numpy(__import__('numpy').zeros(1))" 2>/dev/null; then
  .venv-hqq/bin/pip install -q --disable-pip-version-check "${HQQ_PY_PACKAGES[@]}"
fi

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" "$@"
cmake --build build -j "$(nproc)"
