#!/usr/bin/env bash
# Writes e2e/REPORT.md from the last run: the commit, the date, the versions, how long each step of
# run.sh took, and the figures table the scenarios wrote (e2e/target/e2e-report.md).
source "$(dirname "$0")/cluster/lib.sh"
timings=${1:-$E2E_STATE.timings}
table=$E2E_ROOT/target/e2e-report.md
[ -f "$table" ] || { echo "no $table: did the scenarios run?" >&2; exit 1; }
if [ -e "$E2E_STATE.scenarios-started" ] && [ ! "$table" -nt "$E2E_STATE.scenarios-started" ]; then
  echo "$table is older than this run's scenarios (they did not finish): REPORT.md left as it was" >&2
  exit 1
fi
commit=$(git -C "$REPO_ROOT" rev-parse --short HEAD)
dirty=$(git -C "$REPO_ROOT" status --porcelain -- . ':!e2e/REPORT.md' | grep -q . && echo " (with uncommitted changes)" || true)
{
  echo "# e2e: figures of the last full run"
  echo
  echo "Written by \`e2e/run.sh\` (then \`e2e/report.sh\`) on $(date -u +%Y-%m-%dT%H:%MZ), commit \`$commit\`$dirty."
  echo "What each scenario checks and how to read the figures: [README.md](README.md)."
  echo
  echo "Steps of this run (seconds): $(awk '{printf "%s%s %s", (NR>1?", ":""), $1, $2}' "$timings")."
  [ -f "$E2E_STATE/up-seconds" ] && echo "Cluster up (network to metrics API) in $(cat "$E2E_STATE/up-seconds") s."
  echo
  sed '1d' "$table"
} > "$E2E_ROOT/REPORT.md"
echo "wrote $E2E_ROOT/REPORT.md"
