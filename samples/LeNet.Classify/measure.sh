#!/usr/bin/env bash
# Measures the shipping figures in README.md ("Shipping"): publishes LeNet.Classify with Native AOT (from clean,
# so every trim/AOT warning would show), checks that the one native file classifies a test digit alone in an
# empty folder, and measures its size, process start to first prediction, peak RSS and batch-1 latency against
# the JIT build of the same program.
#
#   samples/LeNet.Classify/measure.sh            # RUNS=30 start-up runs, ROUNDS=5 latency rounds of CALLS=20000
#   AVX512=1 samples/LeNet.Classify/measure.sh   # also an x86-64-v4 (AVX-512) AOT binary, on CPUs that have it
#
# Needs bash 5 and /usr/bin/time (GNU); uses python3 and perf when installed. Close other work first: on a shared machine the
# start-up and latency medians move with the load, which the script prints.
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-30}
ROUNDS=${ROUNDS:-5}
CALLS=${CALLS:-20000}
project=samples/LeNet.Classify
digit=$PWD/$project/digits/seven.pgm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; load average $(load)"

# ---- Publish from clean: the managed compile and ILC both run, so any warning appears here.
rm -rf "$project/obj/Release/net10.0/linux-x64" "$project/bin/Release/net10.0/linux-x64"
dotnet publish "$project" -c Release -r linux-x64 -nologo >"$work/publish.log" 2>&1 || { cat "$work/publish.log"; exit 1; }
warnings=$(grep -ciE ': warning [A-Z]+[0-9]+' "$work/publish.log" || true)
publish_dir=$project/bin/Release/net10.0/linux-x64/publish
echo "publish: dotnet publish $project -c Release -r linux-x64: $warnings warnings; publish folder: $(ls "$publish_dir" | tr '\n' ' ')"
[ "$warnings" -eq 0 ] || { grep -iE ': warning ' "$work/publish.log" | sort -u; exit 1; }

# ---- The native file alone in an empty folder, run from there.
mkdir "$work/alone"
cp "$publish_dir/LeNet.Classify" "$work/alone/"
aot=$work/alone/LeNet.Classify
size=$(stat -c %s "$aot")
result=$(cd "$work/alone" && ./LeNet.Classify "$digit")
echo "size: $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1048576 }') MiB); alone in $(ls "$work/alone" | wc -l)-file folder: $result"
[[ "$result" == *": 7 (p="* ]] || { echo "expected class 7" >&2; exit 1; }
(cd "$work/alone" && ./LeNet.Classify --info | grep -E 'kernels|runtime')
"$aot" "$PWD/samples/data/mnist-10k/t10k-images-idx3-ubyte.gz" --labels "$PWD/samples/data/mnist-10k/t10k-labels-idx1-ubyte.gz" | tail -n 1 | sed 's/^/mnist-10k test set, AOT: /'

# ---- The JIT build of the same program (framework-dependent, its apphost).
dotnet build "$project" -c Release -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
jit=$PWD/$project/bin/Release/net10.0/LeNet.Classify

# Median and minimum wall time (ms) of RUNS runs, from spawn to exit: an upper bound on start to first prediction.
# Spawned from python (posix_spawn) when it is there: a fork of bash itself costs milliseconds on some VMs.
startup() {
    if command -v python3 >/dev/null; then
        python3 - "$RUNS" "$@" <<'PY'
import os, statistics, sys, time
runs, command = int(sys.argv[1]), sys.argv[2:]
devnull = os.open(os.devnull, os.O_WRONLY)
times = []
for _ in range(runs):
    start = time.perf_counter_ns()
    pid = os.posix_spawnp(command[0], command, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    _, status = os.waitpid(pid, 0)
    times.append((time.perf_counter_ns() - start) / 1e6)
    if status != 0:
        sys.exit(f"{command} failed")
print(f"median {statistics.median(times):.1f} ms, min {min(times):.1f} ms", end="")
PY
        return
    fi
    local times=() t0 t1
    for _ in $(seq "$RUNS"); do
        t0=${EPOCHREALTIME//[.,]/}
        "$@" >/dev/null
        t1=${EPOCHREALTIME//[.,]/}
        times+=($((t1 - t0)))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "median %.1f ms, min %.1f ms (bash loop)", a[int((NR + 1) / 2)] / 1000, a[1] / 1000 }'
}

# Mean CPU time (user + sys, ms) of RUNS runs, with perf when it is installed: less sensitive to a busy machine.
cpu_time() {
    command -v perf >/dev/null || { echo "n/a (no perf)"; return; }
    perf stat -r "$RUNS" -x, -e task-clock "$@" 2>&1 >/dev/null | awk -F, '/task-clock/ { printf "CPU %.1f ms", $1 }'
}
peak_rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1 | awk '{ printf "%.1f MiB", $1 / 1024 }'; }

# For scale, under the same load: the cost of any process here, and of an empty AOT console (one WriteLine).
mkdir "$work/hello"
printf '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><PublishAot>true</PublishAot><InvariantGlobalization>true</InvariantGlobalization><IlcInstructionSet>x86-64-v3</IlcInstructionSet></PropertyGroup></Project>\n' >"$work/hello/hello.csproj"
echo 'System.Console.WriteLine("hello");' >"$work/hello/Program.cs"
echo '<Project />' >"$work/hello/Directory.Build.props"
echo '<Project />' >"$work/hello/Directory.Build.targets"
dotnet publish "$work/hello" -c Release -r linux-x64 -o "$work/hello/out" -nologo >"$work/hello.log" 2>&1 || { cat "$work/hello.log"; exit 1; }

echo "start to first prediction (process start to exit after printing it; wall time of $RUNS runs, mean CPU time):"
echo "  AOT: $(startup "$aot" "$digit"); $(cpu_time "$aot" "$digit")"
echo "  JIT: $(startup "$jit" "$digit"); $(cpu_time "$jit" "$digit")"
echo "  for scale, an empty AOT console: $(startup "$work/hello/out/hello"); $(cpu_time "$work/hello/out/hello"); /bin/true: $(startup /bin/true)"
echo "peak RSS classifying one digit: AOT $(peak_rss "$aot" "$digit"), JIT $(peak_rss "$jit" "$digit")"

# ---- Batch-1 latency: alternate the binaries, ROUNDS rounds, median of the per-round medians.
latency() { "$@" --benchmark "$CALLS" "$digit" | sed -E 's/.*median ([0-9.]+) us.*/\1/'; }
median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] }'; }
declare -A runs=()
names=(aot jit jit-v256)
[ "${AVX512:-0}" = 1 ] && grep -qw avx512f /proc/cpuinfo && {
    dotnet publish "$project" -c Release -r linux-x64 -nologo -p:IlcInstructionSet=x86-64-v4 \
        -p:NativeIntermediateOutputPath=obj/v4/native/ -p:NativeOutputPath=obj/v4/out/ -o "$work/v4" >"$work/v4.log" 2>&1 || { cat "$work/v4.log"; exit 1; }
    echo "x86-64-v4 AOT: $(stat -c %s "$work/v4/LeNet.Classify") bytes, $(grep -ciE ': warning [A-Z]+[0-9]+' "$work/v4.log" || true) warnings; start $(startup "$work/v4/LeNet.Classify" "$digit")"
    names+=(aot-v4)
}
for _ in $(seq "$ROUNDS"); do
    runs[aot]+="$(latency "$aot") "
    runs[jit]+="$(latency "$jit") "
    runs[jit-v256]+="$(latency "$jit" --path vector256) "
    [ -x "$work/v4/LeNet.Classify" ] && runs[aot-v4]+="$(latency "$work/v4/LeNet.Classify") "
done
echo "batch-1 latency, median us of $ROUNDS rounds x $CALLS calls:"
for name in "${names[@]}"; do
    echo "  $name: $(tr ' ' '\n' <<<"${runs[$name]}" | grep . | median) (rounds: ${runs[$name]% })"
done
echo "  (aot: x86-64-v3 binary, Vector256 kernels; jit: the JIT's default path on this CPU; jit-v256: the JIT on the AOT binary's kernels)"
echo "load average at the end: $(load)"
