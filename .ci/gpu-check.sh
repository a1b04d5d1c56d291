#!/usr/bin/env bash
# Device check of NetGen's GPU path (not part of CI, which has no GPU):
#   1. build the GPU tests and the LeNet.Gpu sample,
#   2. run the GPU tests on CUDA (NETGEN_GPU_TESTS_DEVICE=cuda), and the sample's --check (a few LeNet-5 steps on
#      CUDA against the CPU's scalar path, simple and tiled kernels),
#   3. train LeNet-5 on Fashion-MNIST for $EPOCHS epochs on the GPU and on the CPU, and print images/s and test
#      accuracy side by side.
#
# Usage, on a machine with the .NET 10 SDK and a CUDA GPU:     .ci/gpu-check.sh
# A GPU machine without the SDK (such as this workplace's lent H200, where nothing can be fetched) runs a
# self-contained build prepared on a machine with the SDK:
#   here:   .ci/gpu-check.sh --prepare      # writes .gpu-check/ (git-ignored): the sample, published for
#                                           # linux-x64 with its runtime (xz, ~29 MB), and Fashion-MNIST (~31 MB)
#   there:  .ci/gpu-check.sh                # carry .gpu-check; without the SDK the xunit tests cannot run, the
#                                           # sample's --check stands in for them
# Environment: EPOCHS (default 3), DATA (an IDX folder; default /usr/share/datasets/fashion-mnist, else the
# prepared copy, else samples/data/mnist-10k), BATCH (default 64).
set -uo pipefail
cd "$(dirname "$0")/.."

EPOCHS="${EPOCHS:-3}"
BATCH="${BATCH:-64}"
PREPARED=.gpu-check

if [ "${1:-}" = "--prepare" ]; then
    set -e
    rm -rf "$PREPARED"
    mkdir -p "$PREPARED"
    dotnet publish samples/LeNet.Gpu/LeNet.Gpu.csproj -c Release -r linux-x64 --self-contained -o "$PREPARED/LeNet.Gpu"
    tar -cJf "$PREPARED/LeNet.Gpu.tar.xz" -C "$PREPARED" LeNet.Gpu
    rm -rf "$PREPARED/LeNet.Gpu"
    if [ -d /usr/share/datasets/fashion-mnist ]; then
        cp -r /usr/share/datasets/fashion-mnist "$PREPARED/fashion-mnist"
    else
        echo "gpu-check: Fashion-MNIST is not installed here (apt-get install dataset-fashion-mnist); the check will train on mnist-10k" >&2
    fi
    du -sh "$PREPARED"/*
    exit 0
fi

if [ -z "${DATA:-}" ]; then
    for candidate in /usr/share/datasets/fashion-mnist "$PREPARED/fashion-mnist" samples/data/mnist-10k; do
        if [ -d "$candidate" ]; then
            DATA="$candidate"
            break
        fi
    done
fi

status=0
if command -v dotnet >/dev/null 2>&1 && dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
    echo "== build"
    dotnet build tests/NetGen.Gpu.Tests/NetGen.Gpu.Tests.csproj -c Release || exit 1
    dotnet build samples/LeNet.Gpu/LeNet.Gpu.csproj -c Release || exit 1
    echo "== GPU tests on CUDA"
    NETGEN_GPU_TESTS_DEVICE=cuda dotnet test tests/NetGen.Gpu.Tests/NetGen.Gpu.Tests.csproj -c Release --no-build || status=1
    run() { dotnet samples/LeNet.Gpu/bin/Release/net10.0/LeNet.Gpu.dll "$@"; }
elif [ -f "$PREPARED/LeNet.Gpu.tar.xz" ]; then
    echo "== no .NET 10 SDK here: running the build prepared by --prepare (the xunit tests need the SDK; --check stands in for them)"
    tar -xJf "$PREPARED/LeNet.Gpu.tar.xz" -C /tmp
    run() { /tmp/LeNet.Gpu/LeNet.Gpu "$@"; }
else
    echo "gpu-check: needs the .NET 10 SDK, or a build prepared with '.ci/gpu-check.sh --prepare' in $PREPARED" >&2
    exit 1
fi

command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

echo "== LeNet-5 steps on CUDA against the CPU's scalar path"
run --check --accelerator cuda || status=1

echo "== LeNet-5 on $DATA, $EPOCHS epochs, batch $BATCH"
gpu_log=$(mktemp)
cpu_log=$(mktemp)
trap 'rm -f "$gpu_log" "$cpu_log"' EXIT
run --device gpu --accelerator cuda --epochs "$EPOCHS" --batch "$BATCH" --data "$DATA" | tee "$gpu_log" || status=1
run --device cpu --epochs "$EPOCHS" --batch "$BATCH" --data "$DATA" | tee "$cpu_log" || status=1

figure() { sed -n "s/^$1: //p" "$2" | tail -n 1; }
echo
echo "GPU run's device: $(figure device "$gpu_log")"
echo "CPU run's device: $(figure device "$cpu_log")"
printf '%-34s %16s %16s\n' "LeNet-5, $EPOCHS epochs" "--device gpu" "--device cpu"
printf '%-34s %16s %16s\n' "train images/s" "$(figure 'train images\/s' "$gpu_log")" "$(figure 'train images\/s' "$cpu_log")"
printf '%-34s %16s %16s\n' "test accuracy" "$(figure 'test accuracy' "$gpu_log")" "$(figure 'test accuracy' "$cpu_log")"
printf '%-34s %16s %16s\n' "wall seconds (loading, evaluation)" "$(figure 'wall seconds (with kernel loading and evaluation)' "$gpu_log")" "$(figure 'wall seconds (with kernel loading and evaluation)' "$cpu_log")"
exit "$status"
