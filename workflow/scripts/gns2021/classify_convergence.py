"""Snakemake script: has GNS one-shot classification converged in its refit iterations? On the
validation episodes (background alphabets), refitted at ``sizing.convergence.lr_render`` for up to
the longest count of ``sizing.convergence.record_at``, the two-way error at the params' count is
compared with the error at the longest count: "converged" when they differ by at most
``tolerance`` points and the paired 95% interval of the difference includes 0, else "not
converged" (a criterion fixed in params before the run)."""

import numpy as np
import torch

from charchallenge.io import write_json
from charchallenge.joblog import log_to_file
from charchallenge.oneshot.convergence import convergence_verdict
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
cp = run["gns2021"]["classify"]
check = cp["sizing"]["convergence"]
saved = [torch.load(p, weights_only=False) for p in smk.input.runs]
levels = saved[0]["levels"]
used, longest = cp["refit"]["iterations"], levels[-1]
if used not in levels or check["lr_render"] != cp["refit"]["lr_render"]:
    raise SystemExit(f"error: gns2021.classify.sizing.convergence checks lr_render {check['lr_render']} at "
                     f"{levels}; the params refit at lr_render {cp['refit']['lr_render']} for {used} iterations: "
                     "set the check to the params' rate and count")


def outcomes(it, key="correct_two_way"):
    return np.concatenate([c[key] for s in saved for c in s["cells"]
                           if c["variant"] == "gns" and c["refit_iterations"] == it and c["k"] == cp["k"]])


curve = [{"refit_iterations": it, "trials": len(outcomes(it)), "error_two_way": 100 * (1 - outcomes(it).mean()),
          "error_forward": 100 * (1 - outcomes(it, "correct_forward").mean())} for it in levels]
verdict = convergence_verdict(outcomes(used), outcomes(longest), check["tolerance"], seed=run["seed"])
diff = {k: verdict[k] for k in ("difference", "ci95_low", "ci95_high")}
converged = verdict["verdict"] == "converged"
write_json(smk.output[0], {
    "validation_runs": len(saved), "lr_render": check["lr_render"], "k": cp["k"], "curve": curve,
    "params_refit_iterations": used, "longest": longest,
    "params_minus_longest_points": diff, "tolerance_points": check["tolerance"],
    "verdict": "converged" if converged else "not converged",
    "refit_seconds": round(sum(sum(s["refit_seconds"].values()) for s in saved), 1),
    "provenance": provenance(run["scale"], run["seed"], "; ".join(sorted({s["device"] for s in saved}))),
})
for c in curve:
    print(c)
print(f"params' {used} refit iterations against {longest}: {diff['difference']:+.1f} points "
      f"[{diff['ci95_low']:+.1f}, {diff['ci95_high']:+.1f}] -> {'converged' if converged else 'not converged'}")
