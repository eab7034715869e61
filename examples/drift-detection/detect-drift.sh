#!/usr/bin/env bash
# Checks one Pulumi stack of Egret organizations for drift, for a scheduled CI job.
#
# Usage: detect-drift.sh <stack> [project-dir]
#
# Runs `pulumi preview --refresh --expect-no-changes`: the refresh reads every organization from
# the Egret API, and the preview compares the fields the program manages with what it read.
#
# Exit status:
#   0  no drift
#   2  drift: a managed field differs from the program, or a managed organization is gone
#   1  the check failed (credentials, network, an error in the program); drift is unknown
#
# When GITHUB_OUTPUT is set, writes `result=clean`, `result=drift` or `result=error` to it, and
# when GITHUB_STEP_SUMMARY is set, appends a short report to it.
set -uo pipefail

stack="${1:?usage: detect-drift.sh <stack> [project-dir]}"
project="${2:-.}"

# The Pulumi CLI exits with 7 when --expect-no-changes finds changes, and with other codes for
# other failures, since v3.226.1 (the "Pulumi CLI exit codes" page of the Pulumi docs). Older
# versions exit with one code (255) for both, so the script then runs a second preview.
readonly CHANGES_EXIT_CODE=7
readonly FIRST_VERSION_WITH_CHANGES_EXIT_CODE="3.226.1"

log="$(mktemp)"
json="$(mktemp)"
trap 'rm -f "$log" "$json"' EXIT

report() {
  local result="$1" detail="$2"
  echo "drift check of stack '$stack': $result${detail:+ ($detail)}"
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "result=$result" >>"$GITHUB_OUTPUT"
  fi
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    {
      echo "### Egret drift check: stack \`$stack\`: $result"
      [ -n "$detail" ] && echo "$detail"
      if [ "$result" != "clean" ]; then
        echo '```'
        tail -n 60 "$log"
        echo '```'
      fi
    } >>"$GITHUB_STEP_SUMMARY"
  fi
}

# Returns success when version $1 is at least version $2 (both x.y.z).
version_at_least() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}

# Prints the changes that a `pulumi preview --json` document counts, such as "1 update", or
# nothing when there are none. Reads, refreshes and unchanged resources are not changes.
count_changes() {
  node -e '
    const fs = require("node:fs");
    const summary = JSON.parse(fs.readFileSync(process.argv[1], "utf8")).changeSummary ?? {};
    const changes = Object.entries(summary).filter(([op, count]) => !["same", "read", "refresh"].includes(op) && count > 0);
    process.stdout.write(changes.map(([op, count]) => `${count} ${op}`).join(", "));
  ' "$1"
}

pulumi preview --stack "$stack" --cwd "$project" --refresh --expect-no-changes --diff --non-interactive --color never 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

if [ "$status" -eq 0 ]; then
  report clean ""
  exit 0
fi

version="$(pulumi version 2>/dev/null | sed 's/^v//')"
if [ -n "$version" ] && version_at_least "$version" "$FIRST_VERSION_WITH_CHANGES_EXIT_CODE"; then
  if [ "$status" -eq "$CHANGES_EXIT_CODE" ]; then
    report drift "pulumi preview exited with $status: changes found"
    exit 2
  fi
  report error "pulumi preview exited with $status"
  exit 1
fi

# An older CLI: a preview that succeeds and counts changes means the first run failed on them.
if ! pulumi preview --stack "$stack" --cwd "$project" --refresh --json --non-interactive >"$json" 2>>"$log"; then
  report error "pulumi preview exited with $status, and the JSON preview failed too (Pulumi CLI ${version:-of unknown version})"
  exit 1
fi
changes="$(count_changes "$json")" || {
  report error "could not read the JSON preview"
  exit 1
}
if [ -n "$changes" ]; then
  report drift "$changes"
  exit 2
fi
report error "pulumi preview exited with $status, but the JSON preview found no changes"
exit 1
