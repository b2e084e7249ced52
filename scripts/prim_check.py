"""Cross-check orgsim's PRIM with EMA Workbench's on the same data.

Usage: python prim_check.py CSV [BOXES]

CSV is the input `orgsim discover` writes (prim_input.csv): one column per uncertain parameter and a
last column `case` (0 or 1). A column of whole numbers (no decimal point) is read as integers, one
with decimal points as reals, one of names as categories, which is how EMA Workbench tells its
three kinds of parameter apart. The script runs `prim.Prim(x, y)` with its defaults (objective
lenient1, peel_alpha 0.05, paste_alpha 0.05, mass_min 0.05), finds BOXES boxes (1 by default)
as its find_box does (without replacing a sparse box by the whole space)
and prints one JSON list, a box per entry: its peeling trajectory (coverage, density, mass, n, k,
res_dim per step) and, for the last step, the limits of each restricted parameter and their
quasi-p values. Needs ema_workbench (pip install ema_workbench).
"""

import json
import logging
import sys
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from ema_workbench.analysis import prim  # noqa: E402
from ema_workbench.analysis import scenario_discovery_util as sdutil  # noqa: E402


def plain(v):
    if isinstance(v, (set, frozenset)):
        return sorted(str(x) for x in v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return float(v)
    return v


def main(path, boxes):
    data = pd.read_csv(path, keep_default_na=False)
    y = data.pop("case").to_numpy().astype(int)
    for column in data.columns:
        if data[column].dtype == object:
            data[column] = data[column].astype(str)
    # EMA 2.5.3 counts a case where y >= threshold, so 0.5 on a 0/1 case; its find_box would then
    # swap a final box of density below 0.5 for the whole space ("dump box"), which orgsim does not
    # do, so the same steps are run here without that swap: peel, then paste, on the remaining points.
    p = prim.Prim(data, y, threshold=0.5)
    out = []
    for _ in range(boxes):
        p._update_yi_remaining(p)
        if p.yi_remaining.shape[0] == 0:
            break
        box = prim.PrimBox(p, p.box_init, p.yi_remaining[:])
        box = p._peel(box)
        box = p._paste(box)
        p._boxes.append(box)
        trajectory = box.peeling_trajectory
        steps = [
            {k: plain(trajectory.loc[i, k]) for k in ["coverage", "density", "mass", "n", "k", "res_dim"]}
            for i in range(len(trajectory))
        ]
        lims = box.box_lims[-1]
        restricted = sdutil._determine_restricted_dims(lims, p.box_init)
        qp = box.qp[-1] if hasattr(box, "qp") else box.p_values[-1]
        limits = {
            u: {"lower": plain(lims.loc[0, u]), "upper": plain(lims.loc[1, u]), "qp": [plain(q) for q in qp[u]]}
            for u in restricted
        }
        out.append({"trajectory": steps, "limits": limits})
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1)
