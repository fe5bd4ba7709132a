"""Snakemake script: has GNS one-shot classification converged in its refit iterations? On the
validation episodes refitted at ``sizing.convergence.lr_render`` for up to the longest count of
``sizing.convergence.record_at``, the two-way error at the params' count against the error at the
longest (:func:`charchallenge.gns2021.sizing.convergence_curve`; the criterion is fixed in params
before the run)."""

import torch

from charchallenge.gns2021.sizing import convergence_curve
from charchallenge.io import write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
cp = run["gns2021"]["classify"]
check = cp["sizing"]["convergence"]
saved = [torch.load(p, weights_only=False) for p in smk.input.runs]
conv = convergence_curve(saved, cp, run["seed"])
diff = {k: conv["verdict"][k] for k in ("difference", "ci95_low", "ci95_high")}
verdict = conv["verdict"]["verdict"]
write_json(smk.output[0], {
    "validation_runs": len(saved), "lr_render": check["lr_render"], "k": cp["k"], "curve": conv["curve"],
    "params_refit_iterations": conv["used"], "longest": conv["longest"],
    "params_minus_longest_points": diff, "tolerance_points": check["tolerance"], "verdict": verdict,
    "refit_seconds": round(sum(sum(s["refit_seconds"].values()) for s in saved), 1),
    "provenance": provenance(run["scale"], run["seed"], "; ".join(sorted({s["device"] for s in saved}))),
})
for c in conv["curve"]:
    print(c)
print(f"params' {conv['used']} refit iterations against {conv['longest']}: {diff['difference']:+.1f} points "
      f"[{diff['ci95_low']:+.1f}, {diff['ci95_high']:+.1f}] -> {verdict}")
