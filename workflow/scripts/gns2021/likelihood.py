"""Snakemake script: GNS marginal image likelihood, the Laplace lower bound (Feinman & Lake 2021,
Table 3, Appendix D), and the curve that justifies the fit's iteration count.

``gns2021.likelihood.n_images`` held-out drawings (seeded; alphabets the type model never saw) are
parsed (top K), all their parses fitted in one batch for ``iterations`` Adam steps
(:func:`charchallenge.gns2021.fit.fit_parses`), climbed to their peak by rounds of L-BFGS and Newton
steps (:func:`charchallenge.gns2021.marginal.climb_to_peak`), then every parse's Hessian over its
continuous variables is taken in one batch (:func:`charchallenge.gns2021.marginal.log_joint_hessians`)
and the image's bound is the log-sum of its parses' Laplace integrals (Eq. 10-12), with the
curvature ``gns2021.likelihood.curvature`` (the exact Hessian's smallest eigenvalue is reported
either way). Parses whose curvature is not negative definite are left out (the sum stays a lower
bound) and counted.

Two checks on Eq. 11 (ours): what one more Newton step actually gains at each fit
(:func:`~charchallenge.gns2021.marginal.newton_step`), and the same integrals by annealed importance
sampling from the Laplace Gaussian to e^f (``annealing``,
:class:`~charchallenge.gns2021.marginal.AnnealedSampler`), a lower bound in expectation that does not
assume f is quadratic; it is Table 3's second row of ours, run twice (the full schedule and a
quarter of it) to measure how much the bound still rises.

The fit's loss per iteration (mean over parses) is written as the curve that shows what the
quick scale's iteration count (``gns2021.fit.iterations``) leaves on the table.
"""

import time

import numpy as np
import pandas as pd
import torch

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.feinman2020.splits import holdout_split
from charchallenge.gns2021.fit import FitParams, fit_parses
from charchallenge.gns2021.marginal import (AnnealedSampler, annealed_verdict, bound_verdict, climb_to_peak,
                                           image_bound, laplace_terms, log_joint_hessians, per_pixel)
from charchallenge.gns2021.parses import parse_images
from charchallenge.gns2021.runtime import reproducible
from charchallenge.gns2021.type_model import load_type_model
from charchallenge.io import write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

# Table 3 of the paper: test log-likelihood bounds (nats) and per pixel, at each model's resolution.
PAPER_TABLE3 = [("SG", "52x52", -134.1, -0.0496), ("VHE", "28x28", -61.2, -0.0781),
                ("GNS", "105x105", -383.2, -0.0348)]

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
g = run["gns2021"]
pp, lp = g["parsing"], g["likelihood"]
torch.set_num_threads(smk.threads)
reproducible(run["seed"])
dataset = OmniglotDataset.load(smk.input.dataset)
alphabet = dataset.alphabet_of()
_, held_out = holdout_split(alphabet, run["data"]["background"])
rng = np.random.RandomState(run["seed"] + 2)
chosen = np.sort(rng.choice(held_out, min(lp["n_images"], len(held_out)), replace=False)).tolist()
type_model = load_type_model(smk.input.type_model, device=run["gns2021"]["device"])

start = time.time()
chosen_images = np.stack([dataset.image(i) for i in chosen])
parses, index = parse_images(chosen_images, type_model, pp, run["seed"], [f"drawing {i}" for i in chosen],
                             label="GNS parsing for the likelihood")
owner = [chosen[j] for j in index]
parse_seconds = time.time() - start
images = torch.tensor(chosen_images[index], dtype=torch.float32)
fit = {**g["fit"], "iterations": lp["iterations"]}
fitted = fit_parses(parses, images, type_model, params=FitParams(**fit), progress=True)
fit_seconds = time.time() - start - parse_seconds
# Eq. 11 is taken at the peak: L-BFGS and Newton steps from where Adam stopped (blur and eps fixed)
fitted, polish_gain, polish_curve, (log_joint, curvatures, gradients, ascent) = climb_to_peak(
    fitted, images, type_model, lp["polish_iterations"], lp["polish_rounds"], lp["polish_tolerance"],
    curvature=lp["curvature"], progress=True)
refine_seconds = time.time() - start - parse_seconds - fit_seconds
# the exact Hessian's smallest eigenvalue is reported whatever the curvature (the climb's when it is exact)
hessians = curvatures if lp["curvature"] == "exact" else log_joint_hessians(fitted, images, type_model, progress=True)[1]
exact = laplace_terms(log_joint, hessians, gradients)
terms = laplace_terms(log_joint, curvatures, gradients)
hessian_seconds = time.time() - start - parse_seconds - fit_seconds - refine_seconds
ap = lp["annealing"]
sampler = AnnealedSampler(fitted, images, type_model, curvatures, ap["chains"], floor=lp["proposal_floor"],
                          power=ap["power"], dtype=torch.float32)
annealed, quarter = (sampler.run(k, torch.Generator().manual_seed(run["seed"] + seed), progress=True)
                     for k, seed in ((ap["temperatures"], 3), (ap["temperatures"] // 4, 4)))
seconds = time.time() - start


def column(values):
    """A per-parse tensor as a numpy column (results may sit on the GPU)."""
    return values.detach().cpu().numpy()


per_parse = pd.DataFrame({
    "drawing": owner, "alphabet": alphabet[owner], "log_joint": column(terms.log_joint),
    "polish_gain": column(polish_gain), "dim": column(terms.dim).astype(int),
    "log_det_neg_hessian": column(terms.log_det), "min_eigenvalue": column(terms.min_eigenvalue),
    "min_eigenvalue_exact": column(exact.min_eigenvalue), "ascent_gain": column(ascent),
    "newton_gain_predicted": column(terms.newton_gain), "log_integral": column(terms.log_integral),
    "log_integral_annealed": column(annealed.log_integral.double()),
    "log_integral_annealed_quarter": column(quarter.log_integral.double()),
    "ess": column(annealed.ess.double()), "acceptance": column(annealed.acceptance.double()),
    "blur_laplace": column(fitted.fit_blur), "blur_tuned": column(fitted.blur), "eps": column(fitted.eps)})
rows = []
for i, part in per_parse.groupby("drawing", sort=True):
    bound = image_bound(torch.tensor(part.log_integral.to_numpy()))
    annealed_image = image_bound(torch.tensor(part.log_integral_annealed.to_numpy()))
    quarter_image = image_bound(torch.tensor(part.log_integral_annealed_quarter.to_numpy()))
    halves = [image_bound(annealed.halves.cpu()[h, part.index.to_numpy()].double()) for h in (0, 1)]
    rows.append({"drawing": i, "alphabet": part.alphabet.iloc[0], "parses": len(part),
                 "excluded": int(part.log_integral.isna().sum()), "best_log_joint": part.log_joint.max(),
                 "log_likelihood_bound": bound, "per_pixel": float(per_pixel(bound)),
                 "annealed_bound": annealed_image, "annealed_per_pixel": float(per_pixel(annealed_image)),
                 "laplace_minus_annealed": bound - annealed_image, "split_half_gap": abs(halves[0] - halves[1]),
                 "schedule_gain": annealed_image - quarter_image})
per_image = pd.DataFrame(rows)
scored = per_image.log_likelihood_bound.dropna()
ev = lp["evidence"]
median_ascent = float(per_parse.ascent_gain.median())
median_gap = float(per_image.laplace_minus_annealed.median())  # images Eq. 11 scored (NaN rows skipped)
median_split = float(per_image.split_half_gap.median())
median_schedule = float(per_image.schedule_gain.median())
verdict = bound_verdict(len(per_image), int(len(scored)), median_ascent, median_gap, ev["min_scored_share"],
                        ev["max_ascent_gain"], ev["max_laplace_gap"])
annealed_row_verdict = annealed_verdict(median_split, median_schedule, ev["max_split_half_gap"],
                                        ev["max_schedule_gain"])
setting = f"{run['scale']} scale, {len(chosen)} held-out images"
ours = {"model": "GNS (ours, Laplace Eq. 11)", "resolution": "105x105", "images": int(len(scored)),
        "log_likelihood": float(scored.mean()) if len(scored) else float("nan"),
        "per_pixel": float(per_pixel(scored.mean())) if len(scored) else float("nan"),
        "source": f"this run ({setting}, {lp['curvature']} curvature, {int(per_image.excluded.sum())} of "
                  f"{len(per_parse)} parses excluded, median ascent gain {median_ascent:.2g} nats, "
                  f"median gap to the annealed bound {median_gap:.2g} nats)", "verdict": verdict}
same_images = float(per_image.annealed_bound[per_image.log_likelihood_bound.notna()].mean())
ours_annealed = {"model": "GNS (ours, annealed importance sampling)", "resolution": "105x105",
                 "images": int(len(per_image)), "log_likelihood": float(per_image.annealed_bound.mean()),
                 "per_pixel": float(per_pixel(per_image.annealed_bound.mean())),
                 "source": f"this run ({setting}, {ap['chains']} chains x {ap['temperatures']} temperatures per parse "
                           f"from the Laplace Gaussian, median split-half gap {median_split:.2g} nats, median gain "
                           f"over {ap['temperatures'] // 4} temperatures {median_schedule:.2g} nats; "
                           f"{same_images:.1f} nats over the {len(scored)} images of the Laplace row)",
                 "verdict": annealed_row_verdict}
table3 = pd.DataFrame([{"model": m, "resolution": r, "images": 1000, "log_likelihood": ll, "per_pixel": px,
                        "source": "paper, Table 3", "verdict": ""} for m, r, ll, px in PAPER_TABLE3]
                      + [ours, ours_annealed])
write_csv(smk.output.table3, table3)
write_csv(smk.output.per_image, per_image)
write_csv(smk.output.per_parse, per_parse)

losses = np.asarray(fitted.losses)
curve = pd.DataFrame({"iteration": np.arange(1, len(losses) + 1), "mean_loss": losses})
write_csv(smk.output.curve, curve)
quick_n = min(run["gns2021"]["fit"]["iterations"], len(losses))
gain = losses[0] - losses[-1]
write_json(smk.output.metrics, {
    "likelihood": {"log_likelihood_bound": ours["log_likelihood"], "per_pixel": ours["per_pixel"],
                   "images_scored": ours["images"], "images": len(chosen),
                   "parses_excluded": int(per_image.excluded.sum()), "parses": len(per_parse),
                   "curvature": lp["curvature"], "verdict": verdict,
                   "polish_iterations": lp["polish_iterations"], "polish_rounds": lp["polish_rounds"],
                   "polish_evaluations": len(polish_curve),
                   "polish_mean_gain_nats": float(polish_gain.mean()),
                   "median_ascent_gain_nats": median_ascent, "median_laplace_minus_annealed_nats": median_gap,
                   "parses_indefinite_exact_hessian": int((per_parse.min_eigenvalue_exact <= 0).sum()),
                   "median_newton_gain_predicted_nats": float(per_parse.newton_gain_predicted.median())},
    "annealed": {"log_likelihood_bound": ours_annealed["log_likelihood"], "per_pixel": ours_annealed["per_pixel"],
                 "images": int(len(per_image)), "chains": ap["chains"], "temperatures": ap["temperatures"],
                 "power": ap["power"], "median_ess": float(per_parse.ess.median()),
                 "median_acceptance": float(per_parse.acceptance.median()),
                 "median_split_half_gap_nats": median_split, "median_schedule_gain_nats": median_schedule,
                 "log_likelihood_bound_quarter_schedule": float(per_image.annealed_bound.mean()
                                                                - per_image.schedule_gain.mean()),
                 "log_likelihood_bound_on_laplace_images": same_images, "verdict": annealed_row_verdict},
    "fit_curve": {"iterations": int(len(losses)), "fit_iterations_of_this_scale": int(quick_n),
                  "loss_at_fit_iterations": float(losses[quick_n - 1]), "loss_at_end": float(losses[-1]),
                  "share_of_improvement_at_fit_iterations": float((losses[0] - losses[quick_n - 1]) / gain) if gain else 1.0},
    "seconds": round(seconds, 1), "seconds_parse": round(parse_seconds, 1), "seconds_fit": round(fit_seconds, 1),
    "seconds_polish": round(refine_seconds, 1), "seconds_hessian": round(hessian_seconds, 1),
    "seconds_sampling": round(seconds - parse_seconds - fit_seconds - refine_seconds - hessian_seconds, 1),
    "params": {"likelihood": lp, "fit": fit, "parsing": pp},
    "provenance": provenance(run["scale"], run["seed"], str(type_model.device)),
})
print(table3.to_string(index=False))
print(per_image.to_string(index=False))
print(f"{len(chosen)} images, {len(per_parse)} parses: parse {parse_seconds:.0f} s, fit {fit_seconds:.0f} s, "
      f"polish {refine_seconds:.0f} s ({len(polish_curve)} evaluations, mean gain {float(polish_gain.mean()):.2f} nats), "
      f"Hessians {hessian_seconds:.0f} s, sampling {seconds - parse_seconds - fit_seconds - refine_seconds - hessian_seconds:.0f} s")
