#!/usr/bin/env bash
# The main job with no AWS account: builds the pipeline-router CLI, makes a small monorepo
# history in out/demo-repo, and routes pushes on it with the example rules
# (routing-rules.yaml): validate, plan, and run the commit-filter Lambda handler on sample
# events, with the diff read from the local repository and starts recorded, not sent;
# the metrics functions on sample events (rows, the daily dashboard and digest in
# out/metrics); then the calendar of the sample schedules and freezes, and a push held
# by a freeze.
#
#   scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

cargo build --quiet -p pipeline-router-cli
PR="$ROOT/target/debug/pipeline-router"
RULES="$ROOT/routing-rules.yaml"
OUT="$ROOT/out"
REPO="$OUT/demo-repo/monorepo"

echo "== A demo monorepo in $REPO"
rm -rf "$OUT/demo-repo" && mkdir -p "$REPO"
git() { command git -C "$REPO" "$@"; }
git init -q -b main
git config user.email dev@example.com
git config user.name "Demo Dev"
mkdir -p "$REPO/services/api" "$REPO/services/web" "$REPO/libs/auth" "$REPO/docs"
echo 'package main' > "$REPO/services/api/main.go"
echo 'export {}' > "$REPO/services/web/index.js"
echo '# monorepo' > "$REPO/README.md"
git add -A && git commit -q -m "initial layout"
BEFORE=$(git rev-parse HEAD)
echo '// v2' >> "$REPO/services/api/main.go"
echo 'more docs' >> "$REPO/services/api/README.md"
git add -A && git commit -q -m "api change"
AFTER=$(git rev-parse HEAD)
git checkout -q -b feature/login
echo 'export const login = 1' > "$REPO/services/web/login.js"
git add -A && git commit -q -m "login page"
FEATURE=$(git rev-parse HEAD)
git checkout -q main

echo
echo "== pipeline-router check"
"$PR" check "$RULES"

echo
echo "== pipeline-router plan: a push to main"
"$PR" plan --rules "$RULES" --repo "$REPO" --from "$BEFORE" --to "$AFTER"

echo
echo "== pipeline-router plan: a new branch (compared with its merge base with main)"
"$PR" plan --rules "$RULES" --repo "$REPO" --branch feature/login --to "$FEATURE"

echo
echo "== pipeline-router invoke commit-filter on events/commit-filter/push-main.json"
echo "   (commit ids replaced by the demo repository's; starts are recorded, not sent)"
sed -e "s/9a4c7e2b1d0f3a6c8e5b2d9f7a1c4e0b3d6f8a25/$BEFORE/" \
    -e "s/e3b1f6a2c9d84e7f0a5b3c2d1e9f8a7b6c5d4e3f/$AFTER/" \
    events/commit-filter/push-main.json > "$OUT/demo-push.json"
"$PR" invoke commit-filter --event "$OUT/demo-push.json" --rules "$RULES" --repo "$REPO"

echo
echo "== pipeline-router invoke metrics-extractor: an SQS batch of pipeline events"
echo "   (objects written under out/metrics, the local stand-in for the metrics bucket)"
rm -rf "$OUT/metrics"
(cd "$ROOT" && "$PR" invoke metrics-extractor --event events/metrics-extractor/sqs-batch-with-bad-records.json) \
    2>"$OUT/metrics-extractor.log"
find "$OUT/metrics" -name '*.json.gz' | sed "s|$ROOT/||"

echo
echo "== pipeline-router metrics report: three weeks of sample history (events/metrics-extractor/history)"
(cd "$ROOT" && "$PR" metrics report --dir events/metrics-extractor/history \
    --production-pipeline deploy-prod --out out/report.html)
echo "   open out/report.html"

echo
echo "== pipeline-router invoke metrics-reporter on events/metrics-reporter/scheduled.json"
echo "   (the daily run for 2026-03-14, the sample batch's day: out/metrics stands in for the"
echo "   bucket, the pages go to out/metrics/reports/, the digest is printed, not sent)"
(cd "$ROOT" && "$PR" invoke metrics-reporter --event events/metrics-reporter/scheduled.json \
    --channel '#deploys' --production-pipeline web-app-prod 2>"$OUT/metrics-reporter.log")
grep -E '^(wrote|digest to)' "$OUT/metrics-reporter.log" | sed "s|$ROOT/||"

echo
echo "== pipeline-router metrics digest: that day's digest, as Slack shows it (text)"
(cd "$ROOT" && "$PR" metrics digest --dir out/metrics --day 2026-03-14 \
    --production-pipeline web-app-prod --holds "$OUT/no-holds.json")

echo
echo "== pipeline-router invoke approval-handler: a Slack click, signed with Slack's example secret"
echo "   (PutApprovalResult and the Slack calls are printed, not sent)"
SECRET=8f742231b10e8888abcd99yyyzzz85a5
"$PR" slack sign events/approval-handler/approve-click-payload.json --signing-secret "$SECRET" > "$OUT/signed-click.json"
"$PR" invoke approval-handler --event "$OUT/signed-click.json" \
    --config events/approval-handler/approvals.yaml --signing-secret "$SECRET" 2>&1 \
    | grep -E '^(PutApprovalResult|slack \(not sent\))' | cut -c1-160

echo
echo "== pipeline-router calendar: schedules and freezes (events/scheduler/rules.yaml), the"
echo "   weekend of the 2026 spring DST change in Berlin (02:30 does not exist: it runs at 03:00)"
(cd "$ROOT" && "$PR" calendar --rules events/scheduler/rules.yaml --days 3 \
    --from 2026-03-27T00:00:00Z --holds "$OUT/no-holds.json")

echo
echo "== a push during that weekend freeze (events/commit-filter/push-during-freeze.json,"
echo "   Saturday 2026-03-28): api-deploy is held in out/holds.json, not started; then released"
sed -e "s/9a4c7e2b1d0f3a6c8e5b2d9f7a1c4e0b3d6f8a25/$BEFORE/" \
    -e "s/e3b1f6a2c9d84e7f0a5b3c2d1e9f8a7b6c5d4e3f/$AFTER/" \
    events/commit-filter/push-during-freeze.json > "$OUT/demo-frozen-push.json"
rm -f "$OUT/holds.json"
(cd "$ROOT" && "$PR" invoke commit-filter --event "$OUT/demo-frozen-push.json" \
    --rules events/scheduler/rules.yaml --repo "$REPO" 2>/dev/null \
    | grep -E '"(pipeline|decision|reason|freeze|release_at)"')
(cd "$ROOT" && "$PR" holds list)
(cd "$ROOT" && "$PR" holds release api-deploy >/dev/null)
