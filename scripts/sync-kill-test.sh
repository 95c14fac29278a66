#!/bin/sh
# Kill the nightly sync with SIGKILL at random moments, 100 cycles (the
# normal test run does 20): upstream must hold every approved application
# exactly once, the station must mark each exactly once, and the template
# cache must never be a mix of two versions.
#
#   scripts/sync-kill-test.sh [cycles]
set -eu
cd "$(dirname "$0")/.."
SYNC_KILL_CYCLES="${1:-100}" exec go test -count=1 -run '^TestKillMidSync$' -v -timeout 30m ./sync/job
