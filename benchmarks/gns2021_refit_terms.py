"""A lead for issue 26, measured outside the pipeline: what grows when a GNS refit runs longer? On
the validation episodes' trials whose two-way decision the screened long run turns from right (100
refit iterations) to wrong (1,500), the forward refits of the true class's and of the final
winner's best parse to the test image are rerun with the params' refit settings, and the terms of
the refit objective (image log-likelihood, token log-probability) and the blur and eps values are
printed at 100 and 1,500 iterations (before blur tuning). Reads the screening jobs' saved files;
never a test episode.

    python benchmarks/gns2021_refit_terms.py [run01 run02 ...]
"""

import sys
from pathlib import Path

import numpy as np
import torch
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from charchallenge.config import resolve  # noqa: E402
from charchallenge.gns2021.classify import RefitParams, _render_start  # noqa: E402
from charchallenge.gns2021.image_model import BLUR, EPS, log_likelihood  # noqa: E402
from charchallenge.gns2021.runtime import reproducible  # noqa: E402
from charchallenge.gns2021.screening import two_way_decisions  # noqa: E402
from charchallenge.gns2021.token_model import TokenModel, TokenNoise  # noqa: E402

SCREENING = ROOT / "data/models/gns2021/quick/classify/screening"


def traced_refit(fitted, rows, targets, params: RefitParams, at: list[int]) -> dict:
    """The refit loop of :func:`charchallenge.gns2021.classify.refit_tokens` (same objective, rates
    and start), recording its terms at the counts ``at``."""
    tm = TokenModel()
    packed, noise, n_samples = fitted.rows(rows)
    shape, location, affine = (v.requires_grad_(True) for v in (noise.shape, noise.location, noise.affine))
    blur_x, eps_x = _render_start(fitted, rows, params)
    opt = torch.optim.Adam([{"params": [blur_x, eps_x], "lr": params.lr_render},
                            {"params": [shape, location, affine], "lr": params.lr}])
    out = {}
    for it in range(1, max(at) + 1):
        opt.zero_grad(set_to_none=True)
        z = TokenNoise(shape, location, affine)
        ll = log_likelihood(tm.apply(packed, z), targets, BLUR.value(blur_x), EPS.value(eps_x), n_samples,
                            params.blur_kernel)
        lp = tm.log_prob(z, packed)
        (-(ll + lp).sum()).backward()
        opt.step()
        if it in at:
            out[it] = {"image": ll.detach().numpy().copy(), "token": lp.detach().numpy().copy(),
                       "blur": BLUR.value(blur_x).detach().numpy().copy(), "eps": EPS.value(eps_x).detach().numpy().copy()}
    return out


def main(names: list[str]) -> None:
    torch.set_num_threads(1)
    run = resolve({**yaml.safe_load(open(ROOT / "params.yaml")), "scale": "quick"})
    reproducible(run["seed"])
    cp = run["gns2021"]["classify"]
    params = RefitParams(**{**cp["refit"], "iterations": 1500})
    rows_true, rows_winner = [], []
    for name in names:
        s = torch.load(SCREENING / f"{name}.pt", weights_only=False)
        long = torch.load(SCREENING / f"{name}_long.pt", weights_only=False)
        before, after = (two_way_decisions(s, long["grids"][it]) for it in (100, 1500))
        n, owner, score = s["n_way"], np.asarray(s["owner"]), s["fitted"].score
        for t, label in enumerate(s["labels"]):
            if before[t] == label and after[t] != label:
                best = [int(np.flatnonzero(owner == c)[score[owner == c].argmax()]) for c in (label, after[t])]
                target = torch.tensor(s["images"][n + t][None], dtype=torch.float32)
                terms = [traced_refit(s["fitted"], [b], target, params, [100, 1500]) for b in best]
                rows_true.append(terms[0])
                rows_winner.append(terms[1])
    print(f"{len(rows_true)} trials turned from right to wrong ({', '.join(names)}); forward refit of each class's "
          "best parse to the test image, median over trials")
    print("class        term      at 100    at 1500    change")
    for label, rows in (("true", rows_true), ("winner", rows_winner)):
        for term in ("image", "token", "blur", "eps"):
            a = np.median([r[100][term][0] for r in rows])
            b = np.median([r[1500][term][0] for r in rows])
            d = np.median([r[1500][term][0] - r[100][term][0] for r in rows])
            print(f"{label:11s}  {term:6s}  {a:9.4g}  {b:9.4g}  {d:+9.4g}")


if __name__ == "__main__":
    main(sys.argv[1:] or [f"run{r:02d}" for r in range(1, 9)])
