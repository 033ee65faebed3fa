#!/usr/bin/env bash
# The GPU checks of issue 17 in one device call (prepared on the CPU, never run by CI).
#
# Here, once:   ../shared/tools/device/pack.sh mitdb
# Then one call of the device tool, with carry [".device"]:
#               bash benchmarks/gpu_check.sh
# It writes under $OUT: the suite's output (the README's test command must pass on CUDA), the
# wrapper-vs-plain-loop throughput in both precisions (bench_train), and the paper
# preset's DS1 -> DS2 run with its images made on the GPU (fourier__lazy=device).
# Each step has its own time limit, so one slow step still leaves the others' files.
set -uo pipefail
: "${OUT:?set OUT (the device tool does)}"
bash .device/unpack.sh > "$OUT/unpack.txt" 2>&1 || { cat "$OUT/unpack.txt"; exit 1; }
. .device/env.sh
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > "$OUT/gpu.txt" 2>&1

step() {  # step NAME SECONDS COMMAND...: run it, keep its tail and its exit status
  local name=$1 limit=$2; shift 2
  local t0=$SECONDS
  timeout "$limit" "$@" > "$OUT/$name.txt" 2>&1
  local rc=$?
  echo "$name: rc $rc in $((SECONDS - t0)) s" | tee -a "$OUT/steps.txt"
  tail -n 5 "$OUT/$name.txt"
}

export SKTLFT_TEST_DATA=$DATA  # the tests that need ../shared/data read it here
step pytest 280 python3 -m pytest -q -x -p no:cacheprovider  # the README's test command
step bench_train 150 python3 benchmarks/bench_train.py --device cuda --repeats 2 \
  --out "$OUT/train_cuda.json"
step paper_on_gpu 160 python3 -m sktlft evaluate --data "$DATA" --split inter-patient \
  --preset paper --set fourier__lazy=device --set resnet__max_epochs=2 --device cuda \
  --weights none --no-model --out "$OUT/paper"
