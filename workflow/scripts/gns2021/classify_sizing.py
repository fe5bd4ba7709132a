"""Snakemake script: the refit setting of GNS one-shot classification, sized on validation
episodes (Feinman & Lake 2021, Eq. 4-5) - never on the test episodes: every setting's error, its
paired difference to the params' setting and the choice (:func:`charchallenge.gns2021.sizing.
pool_sizing`). The rows ``no_type_prior`` and ``oracle_parses`` are error-budget rows, never chosen.
Caveat: the type model was trained on the background alphabets, these drawings among them, so the
errors are lower than on novel alphabets; the curves' shapes are what the choice uses."""

import torch

from charchallenge.gns2021.sizing import pool_sizing
from charchallenge.io import write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
cp = run["gns2021"]["classify"]
sz = cp["sizing"]
saved = [torch.load(p, weights_only=False) for p in smk.input.runs]
pooled = pool_sizing(saved, cp, run["seed"])
chosen, base, best, at_params = pooled["chosen"], pooled["base"], pooled["lowest"], pooled["at_params"]
write_csv(smk.output.per_run, pooled["per_run"])
write_csv(smk.output.curve, pooled["curve"])
write_json(smk.output.metrics, {
    "validation_episodes": {"runs": len(saved), "trials": pooled["trials"], "n_way": run["oneshot"]["n_way"],
                            "seed": run["seed"] + sz["seed_offset"], "note": "background alphabets: no test alphabet"},
    "lowest_error_two_way": best, "tolerance_points": sz["tolerance"],
    "chosen": {"lr_render": chosen["lr_render"], "refit_iterations": int(chosen["refit_iterations"]),
               "error_two_way": chosen["error_two_way"]},
    "params": {"lr_render": base[1], "refit_iterations": base[2], "k": base[3], "error_two_way": at_params,
               "within_tolerance": bool(at_params <= best + sz["tolerance"])},
    "seconds": {"parse": round(sum(s["parse_seconds"] for s in saved), 1),
                "fit": round(sum(s["fit_seconds"] for s in saved), 1),
                "refit": {f"{v} lr_render {lr}": round(t, 1) for (v, lr), t in pooled["seconds"].items()}},
    "device": "; ".join(sorted({s["device"] for s in saved})),
    "settings": {"classify": cp, "parsing": run["gns2021"]["parsing"], "fit": run["gns2021"]["fit"]},
    "provenance": provenance(run["scale"], run["seed"], "cpu"),
})
print(pooled["curve"].to_string(index=False))
print(f"validation ({len(saved)} runs): lr_render {chosen['lr_render']} at {chosen['refit_iterations']} refit "
      f"iterations is the cheapest setting within {sz['tolerance']} points of the lowest two-way error ({best:.1f}%); "
      f"the params use lr_render {base[1]} at {base[2]} ({at_params:.1f}%)")
