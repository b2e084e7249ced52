"""Cross-check orgsim's sensitivity indices with SALib on the same runs.

Usage: python salib_check.py DIR

DIR is an orgsim output directory of a Sobol or Morris design (one option, or none). The script
reads DIR/salib_problem.json, DIR/points.csv (the design rows, in SALib's order) and
DIR/summary.csv (the replicate mean of each point), runs SALib's sobol.analyze or morris.analyze
on them, and prints one JSON object: {"method": ..., "metric": {"S1": [...], "ST": [...]}} for
Sobol, {"metric": {"mu": [...], "mu_star": [...], "sigma": [...]}} for Morris, parameters in the
problem's order. Needs SALib and numpy.
"""

import csv
import json
import sys

import numpy as np
from SALib.analyze import morris, sobol


def main(out_dir):
    with open(f"{out_dir}/salib_problem.json") as f:
        problem = json.load(f)
    info = problem.pop("orgsim")
    names = problem["names"]
    with open(f"{out_dir}/points.csv") as f:
        rows = list(csv.DictReader(f))
    x = np.array([[float(r[n]) for n in names] for r in rows])
    means = {}
    with open(f"{out_dir}/summary.csv") as f:
        for r in csv.DictReader(f):
            means.setdefault(r["metric"], {})[int(r["point_id"])] = float(r["mean"])
    result = {"method": info["method"]}
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
    main(sys.argv[1])
