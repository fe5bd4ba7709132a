"""A lead for issue 26, measured outside the pipeline: do longer GNS refits hurt at the released
blur/eps rate too? The pipeline's screened long run (rate 0.6, ``gns2021_classify_screen_long``)
has the two-way validation error rise from 100 to 1,500 refit iterations. This script refits the
same kept pairs (the same 30-iteration screen keeping 5 classes, read from the screening jobs'
saved files) at another rate of blur and eps, recording the error at the same counts, on the
validation episodes named - never a test episode.

    python benchmarks/gns2021_long_refit_rate.py run01 [--lr-render 0.087992] [--out DIR]
    python benchmarks/gns2021_long_refit_rate.py --summarise DIR
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from charchallenge.config import resolve  # noqa: E402
from charchallenge.gns2021.runtime import reproducible  # noqa: E402
from charchallenge.gns2021.screening import long_refits, two_way_decisions  # noqa: E402

SCREENING = ROOT / "data/models/gns2021/quick/classify/screening"


def one_run(name: str, lr_render: float, out: Path) -> None:
    torch.set_num_threads(1)
    run = resolve({**yaml.safe_load(open(ROOT / "params.yaml")), "scale": "quick"})
    reproducible(run["seed"])
    cp = run["gns2021"]["classify"]
    screened = torch.load(SCREENING / f"{name}.pt", weights_only=False)
    reference = torch.load(SCREENING / f"{name}_long.pt", weights_only=False)  # rate of the params
    start = time.time()
    long = long_refits(screened, {**cp, "refit": {**cp["refit"], "lr_render": lr_render}})
    row = {"run": name, "lr_render": lr_render, "seconds": time.time() - start, "errors": {}, "params_errors": {}}
    for it in long["counts"]:
        row["errors"][it] = float(100 * (two_way_decisions(screened, long["grids"][it]) != screened["labels"]).mean())
        row["params_errors"][it] = float(100 * (two_way_decisions(screened, reference["grids"][it]) != screened["labels"]).mean())
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}_{lr_render:g}.json").write_text(json.dumps(row, indent=1))
    print(row)


def summarise(out: Path) -> None:
    rows = [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]
    counts = list(rows[0]["errors"])
    print(f"{len(rows)} validation episodes ({', '.join(r['run'] for r in rows)}), 20 trials each; two-way error (%)")
    print("refit iterations  " + "  ".join(f"{c:>6}" for c in counts))
    for key, label in (("errors", f"rate {rows[0]['lr_render']:g}"), ("params_errors", "rate of the params")):
        print(f"{label:16s}  " + "  ".join(f"{np.mean([r[key][c] for r in rows]):6.1f}" for c in counts))
    print(f"refit seconds per episode at rate {rows[0]['lr_render']:g}: {np.mean([r['seconds'] for r in rows]):.0f}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run", nargs="?")
    ap.add_argument("--lr-render", type=float, default=0.087992)
    ap.add_argument("--out", type=Path, default=Path("/tmp/gns_long_rate"))
    ap.add_argument("--summarise", type=Path)
    a = ap.parse_args()
    summarise(a.summarise) if a.summarise else one_run(a.run, a.lr_render, a.out)
