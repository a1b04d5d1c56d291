#!/usr/bin/env bash
# Fuzzes one of NetGen's file readers with afl-fuzz and SharpFuzz for a given time.
#
#   tests/NetGen.Fuzz/fuzz.sh idx|safetensors|parser SECONDS
#
# On a fresh Debian/Ubuntu machine it installs what it needs: afl++ (apt-get, when afl-fuzz is missing) and
# SharpFuzz.CommandLine 2.3.0 (a local dotnet tool under tests/NetGen.Fuzz/work/tools). It builds the harness
# into tests/NetGen.Fuzz/work/READER/bin, instruments the reader's assembly there (NetGen.dll, or
# NetGen.Generators.dll for the generator's parser), writes the starting corpus from the repository's real files,
# runs afl-fuzz for SECONDS on one core and prints executions, distinct paths and crashes from afl's
# fuzzer_stats. It exits 1 when afl saved a crash or a hang (replay one with the command it prints).
set -euo pipefail

usage() { echo "usage: $0 idx|safetensors|parser SECONDS" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
reader=$1
seconds=$2
case "$reader" in
  idx|safetensors) instrument=(NetGen.dll) ;;
  parser) instrument=(NetGen.Generators.dll) ;;
  *) usage ;;
esac
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || usage

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
work="$here/work"
run="$work/$reader"

# --- tools ---
if ! command -v afl-fuzz >/dev/null; then
  echo "fuzz.sh: installing afl++ (apt-get)"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q afl++
fi
tools="$work/tools"
if [[ ! -x "$tools/sharpfuzz" ]]; then
  echo "fuzz.sh: installing SharpFuzz.CommandLine 2.3.0 into $tools"
  dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version 2.3.0
fi

# --- build, instrument, seed ---
rm -rf "$run"
mkdir -p "$run"
dotnet publish "$here/NetGen.Fuzz.csproj" -c Release -o "$run/bin" -v q -nologo
# Seeds first: instrumented code only runs under Fuzzer.Run, which sets up afl's coverage map.
dotnet "$run/bin/NetGen.Fuzz.dll" seeds "$reader" "$run/corpus" "$repo"
for dll in "${instrument[@]}"; do
  echo "fuzz.sh: instrumenting $dll"
  "$tools/sharpfuzz" "$run/bin/$dll"
done

# --- fuzz ---
# dotnet itself is not instrumented (SharpFuzz instruments the assemblies), so afl's binary check is skipped;
# the other settings let afl run on a shared VM without changing the machine's CPU or core-dump settings.
# -G bounds the input (the harness bounds it too); -m none because the CLR reserves far more address space than
# it uses, and the harness fails an input whose allocations exceed a bound proportional to its size instead.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
export AFL_NO_AFFINITY=1 AFL_FORKSRV_INIT_TMOUT=60000 DOTNET_TieredPGO=0
echo "fuzz.sh: afl-fuzz on '$reader' for $seconds s (log: $run/afl.log)"
afl-fuzz -i "$run/corpus" -o "$run/findings" -V "$seconds" -G 65536 -t 5000 -m none \
  -- dotnet "$run/bin/NetGen.Fuzz.dll" "$reader" >"$run/afl.log" 2>&1 || {
  echo "fuzz.sh: afl-fuzz failed; the end of its log:" >&2
  tail -n 30 "$run/afl.log" >&2
  exit 2
}

# --- report ---
stats="$run/findings/default/fuzzer_stats"
stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
paths=$(stat corpus_count); [[ -n "$paths" ]] || paths=$(stat paths_total)
crashes=$(stat saved_crashes); [[ -n "$crashes" ]] || crashes=$(stat unique_crashes)
hangs=$(stat saved_hangs); [[ -n "$hangs" ]] || hangs=$(stat unique_hangs)
echo "reader:         $reader"
echo "run time:       $(stat run_time) s"
echo "executions:     $(stat execs_done) ($(stat execs_per_sec)/s)"
echo "distinct paths: $paths (corpus count; $(stat corpus_found) found beyond the $(ls "$run/corpus" | wc -l) seeds)"
echo "edges found:    $(stat edges_found) ($(stat bitmap_cvg) of the map)"
echo "crashes:        $crashes"
echo "hangs:          $hangs"
if [[ "$crashes" != 0 || "$hangs" != 0 ]]; then
  echo "fuzz.sh: findings in $run/findings/default/{crashes,hangs}; replay one (uninstrumented) with:" >&2
  echo "  dotnet tests/NetGen.Fuzz/bin/Release/net10.0/NetGen.Fuzz.dll $reader < FILE" >&2
  exit 1
fi
