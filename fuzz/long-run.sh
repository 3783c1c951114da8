#!/usr/bin/env bash
# One long fuzzing run of one target, niced so other work keeps the CPU, that goes on past
# findings (libFuzzer's fork mode) and ends with the figures docs/dev/reliability.md records.
#
#   fuzz/long-run.sh TARGET SECONDS
#
# Corpus and artifacts go to fuzz/corpus/TARGET and fuzz/artifacts/TARGET (or under
# $LAYERWISE_FUZZ_DATA), the log to target/fuzz-logs/long-TARGET.log (or $LAYERWISE_FUZZ_LOGS).
# Seeds: fuzz/corpus/seeds if present (e.g. the corpus files of 4 KiB or less).
# Findings already reported can be tolerated so the run looks for new ones:
#   LAYERWISE_FUZZ_TOLERATE=format-idempotent,... (see tests/reliability/known-failures.txt)
# The last line of the log gives the peak RSS of any process of the run and its CPU time.
set -euo pipefail
T=${1:?target}; S=${2:?seconds}
FUZZ=$(cd "$(dirname "$0")" && pwd)
DATA=${LAYERWISE_FUZZ_DATA:-$FUZZ}
LOGS=${LAYERWISE_FUZZ_LOGS:-$FUZZ/../target/fuzz-logs}
mkdir -p "$DATA/artifacts/$T" "$DATA/corpus/$T" "$LOGS"
SEEDS=()
[ -d "$DATA/corpus/seeds" ] && SEEDS=("$DATA/corpus/seeds")
cd "$FUZZ"
export RUSTC_BOOTSTRAP=1
python3 - "$LOGS/long-$T.log" "$T" "$S" "$DATA" "${SEEDS[@]}" <<'PY'
import os, resource, subprocess, sys, time
log, t, s, data, *seeds = sys.argv[1:]
start = time.time()
with open(log, "w") as out:
    out.write(f"# target {t}, {s} s, tolerated: {os.environ.get('LAYERWISE_FUZZ_TOLERATE', '')}\n")
    out.flush()
    argv = ["nice", "-n", "19", "cargo", "fuzz", "run", t, f"{data}/corpus/{t}", *seeds, "--",
            "-fork=1", "-ignore_crashes=1", "-ignore_timeouts=1", "-ignore_ooms=1", "-timeout=30",
            f"-max_total_time={s}", f"-artifact_prefix={data}/artifacts/{t}/"]
    rc = subprocess.call(argv, stdout=out, stderr=subprocess.STDOUT)
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    out.write(f"\n# exit {rc}; wall {time.time() - start:.0f} s; peak RSS of any process "
              f"{ru.ru_maxrss // 1024} MB; CPU {ru.ru_utime + ru.ru_stime:.0f} s\n")
PY
