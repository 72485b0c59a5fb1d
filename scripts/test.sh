#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need, starts the moto
# server they talk to, then runs formatting, lints, every test and the template checks.
#
#   scripts/test.sh
#
# Needs: the Rust toolchain (rustup), Python 3 (3.11 or newer) with pip and venv, git.
# Installs, at the versions pinned in scripts/constraints.txt, into virtualenvs under
# .venv/: moto[server], cfn-lint, aws-sam-cli, duckdb and sqlglot (.venv/tools), checkov (.venv/checkov:
# it pins another boto3). With apt when missing: python3-venv, Chromium (for the
# dashboard test). Template checks: cfn-lint, sam validate --lint, checkov on the raw and
# on the SAM-translated template (scripts/sam-translate.py), all offline; then the latest
# cfn-lint from PyPI, whose new findings are a warning only.
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_PYTHON=${BASE_PYTHON:-python3}
CONSTRAINTS=scripts/constraints.txt
VENV_DIR=.venv
TOOLS="$PWD/$VENV_DIR/tools"
CHECKOV="$PWD/$VENV_DIR/checkov"
CHECKS_OUT=out/checks
WARNINGS=()

step() { printf '\n== %s\n' "$*"; }
warn() { WARNINGS+=("$*"); printf 'WARNING: %s\n' "$*" >&2; }

apt_install() {
    local sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    if [ -z "${APT_UPDATED:-}" ]; then
        $sudo apt-get update -qq
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# A virtualenv at $1 (made once, kept in .venv/), with pip.
make_venv() {
    if [ -x "$1/bin/python" ]; then return; fi
    if ! "$BASE_PYTHON" -m venv "$1" 2>/dev/null; then
        # Debian's python3 has no ensurepip without python3-venv.
        rm -rf "$1"
        apt_install python3-venv
        "$BASE_PYTHON" -m venv "$1"
    fi
}

pip_install() {
    local venv=$1
    shift
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -c "$CONSTRAINTS" "$@"
}

step "Python tools (pinned: $CONSTRAINTS)"
make_venv "$TOOLS"
pip_install "$TOOLS" "moto[server]" cfn-lint aws-sam-cli aws-sam-translator duckdb sqlglot
make_venv "$CHECKOV"
pip_install "$CHECKOV" checkov
# The tests run tests/support/*.py with $PYTHON (boto3 comes with moto).
PYTHON="$TOOLS/bin/python"
export PYTHON
export PATH="$TOOLS/bin:$PATH"
# Nothing here talks to AWS: no SAM CLI telemetry, no checkov downloads or update check.
export SAM_CLI_TELEMETRY=0 CKV_SKIP_PACKAGE_UPDATE_CHECK=true
echo "$(cfn-lint --version), $(sam --version), moto $("$PYTHON" -c 'import moto; print(moto.__version__)'), duckdb $("$PYTHON" -c 'import duckdb; print(duckdb.__version__)'), sqlglot $("$PYTHON" -c 'import sqlglot; print(sqlglot.__version__)'), checkov $("$CHECKOV/bin/checkov" --version)"

if ! command -v chromium >/dev/null 2>&1; then
    step "Chromium (headless dashboard test)"
    apt_install chromium
fi

if command -v rustup >/dev/null 2>&1; then
    step "Rust components"
    rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi

step "moto server"
MOTO_PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
MOTO_LOG=$(mktemp)
# moto with DynamoDB requests in order, as DynamoDB orders the writes to an item (the
# launcher says why: moto alone lets two conditional writes both pass).
"$PYTHON" tests/support/moto_server.py -H 127.0.0.1 -p "$MOTO_PORT" >"$MOTO_LOG" 2>&1 &
MOTO_PID=$!
LATEST_LINT_VENV=""
cleanup() {
    kill "$MOTO_PID" 2>/dev/null || true
    if [ -n "$LATEST_LINT_VENV" ]; then rm -rf "$LATEST_LINT_VENV"; fi
}
trap cleanup EXIT
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

step "sam validate --lint"
sam validate --lint

step "checkov (template.yaml, and as SAM translates it)"
"$PYTHON" scripts/sam-translate.py template.yaml "$CHECKS_OUT/template.cfn.json"
"$CHECKOV/bin/checkov" --quiet --skip-download --framework cloudformation \
    -f template.yaml -f "$CHECKS_OUT/template.cfn.json"

step "cfn-lint, latest release (advisory)"
PINNED_LINT=$(cfn-lint --version)
LATEST_LINT_VENV=$(mktemp -d)
if "$BASE_PYTHON" -m venv "$LATEST_LINT_VENV" 2>/dev/null &&
    "$LATEST_LINT_VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade cfn-lint; then
    LATEST_LINT=$("$LATEST_LINT_VENV/bin/cfn-lint" --version)
    if LATEST_FINDINGS=$("$LATEST_LINT_VENV/bin/cfn-lint" template.yaml 2>&1); then
        echo "$LATEST_LINT (pinned: $PINNED_LINT): no findings"
    else
        printf '%s\n' "$LATEST_FINDINGS"
        warn "$LATEST_LINT, the latest release, reports the findings above that the pinned $PINNED_LINT does not: fix the template, then bump $CONSTRAINTS"
    fi
else
    warn "could not install the latest cfn-lint from PyPI; its advisory check did not run"
fi

if [ "${#WARNINGS[@]}" -gt 0 ]; then
    step "all checks passed, with ${#WARNINGS[@]} warning(s):"
    printf '  WARNING: %s\n' "${WARNINGS[@]}"
else
    step "all checks passed"
fi
