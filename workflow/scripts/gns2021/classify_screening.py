"""Snakemake script: the GNS refit screening pooled over the validation episodes
(:func:`charchallenge.gns2021.screening.screening_tables`): per screen, whether the unscreened
winner survives and what the decisions and the cost become; the screened long run's error toward
the paper's refit count, and the convergence verdicts (criterion fixed in params before the run)."""

import torch

from charchallenge.gns2021.screening import screening_tables
from charchallenge.io import write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
cp = run["gns2021"]["classify"]
sc = cp["screening"]
screened = [torch.load(p, weights_only=False) for p in smk.input.screened]
long = [torch.load(p, weights_only=False) for p in smk.input.long]
t = screening_tables(screened, long, cp, run["seed"])
write_csv(smk.output.screens, t["screens"])
write_csv(smk.output.curve, t["curve"])


def verdict(v):
    return None if v is None else {k: v[k] for k in ("difference", "ci95_low", "ci95_high", "verdict")}


write_json(smk.output.metrics, {
    "validation_episodes": {"runs": len(screened), "trials": int(t["screens"].trials.iloc[0]),
                            "seed": run["seed"] + cp["sizing"]["seed_offset"],
                            "note": "background alphabets: no test alphabet"},
    "refit": {"lr_render": cp["refit"]["lr_render"], "k": cp["k"], "check_at": sc["check_at"]},
    "long_run": sc["long_run"], "tolerance_points": sc["tolerance"],
    "unscreened_error_two_way_at_check": t["unscreened_error_at_check"],
    f"screened_{t['used']}_minus_screened_{t['longest']}_points": verdict(t["verdict"]),
    f"unscreened_{sc['check_at']}_minus_screened_{t['longest']}_points": verdict(t["unscreened_verdict"]),
    "longer_refits": t["drift"],
    "seconds": {k: round(v, 6 if "per_pair" in k else 1) for k, v in t["seconds"].items()},
    "device": "; ".join(sorted({s["device"] for s in screened + long})),
    "provenance": provenance(run["scale"], run["seed"], "cpu"),
})
print(t["screens"].to_string(index=False))
print(t["curve"].to_string(index=False))
print("verdicts:", verdict(t["verdict"]), verdict(t["unscreened_verdict"]))
print("longer refits:", t["drift"])
