#!/usr/bin/env bash
# Run a measurement script of bench/ with the set-up scripts/nox.sh does
# (interpreters on PATH, .venv-nox with nox, uv and this working tree).
#
#   scripts/bench.sh benchmark_compare [--reps 10]   benchmark-compare's hit rates
#   scripts/bench.sh pipeline [--runs 3]             pipeline wall time against the alternatives
#   scripts/bench.sh benchmark_rounds collect|replay walltime rounds recorded, the decision replayed
#   scripts/bench.sh fixed_cost [--runs 7]           a tests session's fixed cost
#   scripts/bench.sh phases [--runs 5]               where a warm tests session's time goes
#   scripts/bench.sh affected [--max-changes 17]     affected-test selection on real releases
#   scripts/bench.sh affected --history CLONE[,...]  ... on a clone's consecutive commits
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
script="${1:?usage: scripts/bench.sh <benchmark_compare|pipeline|fixed_cost|affected|...> [options]}"
shift
CI_SESSIONS_SETUP_ONLY=1
# shellcheck source=scripts/nox.sh
source "$root/scripts/nox.sh"
exec "$root/.venv-nox/bin/python" "$root/bench/$script.py" "$@"
