#!/usr/bin/env bash
# Run every benchmark and write its section of BENCHMARKS.md.
#   bash bench/run.sh                  full run (about 15 min on 2 cores)
#   bash bench/run.sh --quick          smoke run: small sizes, prints the figures, writes nothing
#   bash bench/run.sh --setup-fundus   first put fundus in its own virtualenv (it needs lxml<6; we run lxml 6)
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
FUNDUS_VENV=${NEWSCRAWL_BENCH_FUNDUS_VENV:-/tmp/fundus-venv}
quick=0
setup_fundus=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --setup-fundus) setup_fundus=1 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $arg (try --help)" >&2; exit 2 ;;
  esac
done

if [ "$setup_fundus" = 1 ]; then
  # curl_cffi 0.14+ dropped a name fundus 0.5.7 imports.
  "$PY" -m venv "$FUNDUS_VENV" && "$FUNDUS_VENV/bin/pip" install -q "fundus==0.5.7" "curl_cffi==0.13.0" \
    || { echo "fundus setup failed" >&2; exit 1; }
fi
export NEWSCRAWL_BENCH_FUNDUS_PYTHON="$FUNDUS_VENV/bin/python"

failed=()
run() {  # run NAME COMMAND...
  echo "=== $1" >&2
  if ! "${@:2}"; then failed+=("$1"); fi
}

if [ "$quick" = 1 ]; then
  run extraction "$PY" bench/bench_extraction.py --seconds 2 --profile-passes 2 --no-write
  run crawl "$PY" bench/bench_crawl.py --pages 300 --bench-seconds 5 --profile-pages 200 --no-write
  run memory "$PY" bench/bench_memory.py --discovered 20000 --pages 2000 --no-write
else
  run extraction "$PY" bench/bench_extraction.py
  run crawl "$PY" bench/bench_crawl.py
  run memory "$PY" bench/bench_memory.py
fi
run workers "$PY" bench/bench_workers.py $([ "$quick" = 1 ] && echo --quick)

# Benchmarks other parts of the project add beside these.
for extra in bench/bench_storage.py bench/bench_rendering.py bench/bench_reextract.py; do
  [ -f "$extra" ] || continue
  if [ "$quick" = 0 ]; then
    run "$(basename "$extra" .py)" "$PY" "$extra"
  elif "$PY" "$extra" --help 2>/dev/null | grep -q -- "--quick"; then
    run "$(basename "$extra" .py)" "$PY" "$extra" --quick
  else
    echo "=== $(basename "$extra" .py): skipped in --quick (it has no --quick option)" >&2
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
[ "$quick" = 1 ] || echo "BENCHMARKS.md updated" >&2
