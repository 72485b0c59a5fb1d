#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need, starts the moto
# server they talk to, then runs formatting, lints, every test and the template linter.
#
#   scripts/test.sh
#
# Needs: the Rust toolchain (rustup), Python 3 with pip, git. Installs: moto[server] and
# cfn-lint (pip), Chromium (apt, for the dashboard test) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
export PYTHON

step() { printf '\n== %s\n' "$*"; }

step "Python tools: moto server, cfn-lint"
"$PYTHON" -m pip install --quiet --disable-pip-version-check "moto[server]>=5.2.5" "cfn-lint>=1.20"

if ! command -v chromium >/dev/null 2>&1; then
    step "Chromium (headless dashboard test)"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if command -v rustup >/dev/null 2>&1; then
    step "Rust components"
    rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi

step "moto server"
MOTO_PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
MOTO_LOG=$(mktemp)
"$PYTHON" -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" >"$MOTO_LOG" 2>&1 &
MOTO_PID=$!
trap 'kill "$MOTO_PID" 2>/dev/null || true' EXIT
export MOTO_ENDPOINT="http://127.0.0.1:$MOTO_PORT"
for _ in $(seq 1 100); do
    if "$PYTHON" -c "import socket; socket.create_connection(('127.0.0.1', $MOTO_PORT), 1)" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$MOTO_PID" 2>/dev/null; then
        cat "$MOTO_LOG"; echo "moto server did not start" >&2; exit 1
    fi
    sleep 0.2
done
echo "moto listening at $MOTO_ENDPOINT"

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test"
cargo test --workspace

step "cfn-lint template.yaml"
cfn-lint template.yaml

step "all checks passed"
