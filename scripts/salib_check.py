"""Cross-check orgsim's sensitivity indices and its sampling with SALib on the same runs.

Usage: python salib_check.py DIR [--unit-rows FILE]

DIR is an orgsim output directory of a Sobol or Morris design (one option, or none). The script
reads DIR/salib_problem.json, DIR/points.csv (the design rows, in SALib's order) and
DIR/summary.csv (the replicate mean of each point), runs SALib's sobol.analyze or morris.analyze
on them, and prints one JSON object: {"method": ..., "metric": {"S1": [...], "ST": [...]}} for
Sobol, {"metric": {"mu": [...], "mu_star": [...], "sigma": [...]}} for Morris, parameters in the
problem's order.

With --unit-rows FILE (a CSV without header: the design's unit-cube rows, one per design point,
as orgsim's `scenario::space::unit_rows` recomputes them from the manifest), it also maps those
rows to factor values with SALib's own scaling (`SALib.util.scale_samples`, which reads the
problem's `dists` and `bounds`) and reports, under "scaling", each factor's largest absolute
difference from the values in points.csv: 0 up to rounding when orgsim's inverse distribution
functions are SALib's. A list of choices is compared as the index ⌊SALib's value⌋ (the problem
gives it as `unif` over [0, number of choices]); a whole-number parameter has no SALib
counterpart (orgsim takes ⌊lo + u(hi − lo + 1)⌋ for a uniform range, rounds the others) and is
reported as null. Needs SALib and numpy.
"""

import csv
import json
import sys

import numpy as np
from SALib.analyze import morris, sobol
from SALib.util import scale_samples


def scaling(problem, info, rows, unit_file):
    with open(unit_file) as f:
        unit = np.array([[float(v) for v in line] for line in csv.reader(f) if line])
    scaled = scale_samples(unit.copy(), dict(problem))
    out = {}
    for i, name in enumerate(problem["names"]):
        kind = info["kinds"][i]
        ours = [r[name] for r in rows[: len(unit)]]
        if kind == "whole":
            out[name] = None
        elif kind == "choices":
            choices = info["choices"][name]
            index = np.array([choices.index(v) for v in ours], dtype=float)
            theirs = np.minimum(np.floor(scaled[:, i]), len(choices) - 1)
            out[name] = float(np.max(np.abs(index - theirs)))
        else:
            values = np.array([float(v) for v in ours])
            out[name] = float(np.max(np.abs(values - scaled[:, i])))
    return out


def main(out_dir, unit_file=None):
    with open(f"{out_dir}/salib_problem.json") as f:
        problem = json.load(f)
    info = problem.pop("orgsim")
    names = problem["names"]
    with open(f"{out_dir}/points.csv") as f:
        rows = list(csv.DictReader(f))
    result = {"method": info["method"]}
    if unit_file:
        result["scaling"] = scaling(problem, info, rows, unit_file)
    # Choices are read as their index (SALib's morris.analyze only needs each step's direction).
    def number(name, value):
        choices = info.get("choices", {}).get(name)
        return float(choices.index(value)) if choices else float(value)

    x = np.array([[number(n, r[n]) for n in names] for r in rows])
    means = {}
    with open(f"{out_dir}/summary.csv") as f:
        for r in csv.DictReader(f):
            means.setdefault(r["metric"], {})[int(r["point_id"])] = float(r["mean"])
    for metric, by_point in means.items():
        y = np.array([by_point[i] for i in range(len(rows))])
        if info["method"] == "sobol":
            s = sobol.analyze(problem, y, calc_second_order=info["second_order"], seed=1)
            result[metric] = {"S1": list(s["S1"]), "ST": list(s["ST"])}
        elif info["method"] == "morris":
            s = morris.analyze(problem, x, y, num_levels=info["levels"], seed=1)
            result[metric] = {
                "mu": list(s["mu"]),
                "mu_star": list(s["mu_star"]),
                "sigma": list(s["sigma"]),
            }
        else:
            sys.exit(f"no SALib cross-check for a {info['method']} design")
    print(json.dumps(result))


if __name__ == "__main__":
    args = sys.argv[1:]
    unit = None
    if "--unit-rows" in args:
        i = args.index("--unit-rows")
        unit = args[i + 1]
        del args[i : i + 2]
    main(args[0], unit)
