#!/usr/bin/env bash
# Runs a scenario's sweep on a Slurm cluster as N array tasks, then merges the shards.
#   scripts/slurm/submit.sh SCENARIO OUTDIR N [more `orgsim run` flags]
# Prints the merge job's id; the merged outputs land in OUTDIR/merged when it finishes.
# Set ORGSIM to the orgsim binary's path if it is not on PATH on the compute nodes, and
# SBATCH_FLAGS for site options (partition, account, time limit, --wait ...).
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 SCENARIO OUTDIR N [orgsim run flags...]" >&2
    exit 2
fi
scenario=$1
out=$2
n=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
orgsim=${ORGSIM:-orgsim}
"$orgsim" validate "$scenario" >/dev/null
mkdir -p "$out/shards"
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_ARRAY_FLAGS:-} --chdir="$PWD" --output="$out/shard-%a.log" \
    --array="1-$n" --export=ALL,ORGSIM="$orgsim" "$here/sweep.sbatch" "$scenario" "$out" "$@")
shards=$(for k in $(seq 1 "$n"); do printf '%s ' "$out/shards/$k"; done)
# shellcheck disable=SC2086
sbatch --parsable ${SBATCH_FLAGS:-} --chdir="$PWD" --job-name=orgsim-merge --output="$out/merge.log" \
    --dependency="afterok:$array" \
    --wrap="\"$orgsim\" merge $shards --out \"$out/merged\" --overwrite"
