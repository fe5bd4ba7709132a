"""Table 3 of Feinman & Lake (2021): the marginal likelihood of held-out images (Sec. 5, Appendix D),
from choosing the images to the verdicts, in the order it runs.

1. :func:`held_out_images`: ``gns2021.likelihood.n_images`` drawings (seeded) of the alphabets the
   type model never saw.
2. :func:`fit_and_integrate`: their top-K parses (:func:`.parses.parse_images`), all fitted in one
   batch for ``likelihood.iterations`` Adam steps (:func:`.fit.fit_parses`), climbed to their peak
   (:func:`.climb.climb_to_peak`), every parse's curvature (:func:`.laplace.log_joint_hessians`) and
   Laplace integral (Eq. 11, :func:`.laplace.laplace_terms`), and the same integrals by annealed
   importance sampling (:class:`.annealing.AnnealedSampler`), the full schedule and a quarter of it.
   One row per parse.
3. :func:`per_image_table`: each image's bound, the log-sum over its parses (Eq. 12), Laplace and
   annealed, with the checks of each.
4. :func:`table3`: the paper's rows beside ours, each of ours with its verdict
   (:func:`bound_verdict`, :func:`.annealing.annealed_verdict`).
5. :func:`fit_curve`: the fit's mean loss per iteration, what the quick scale's iteration count
   (``gns2021.fit.iterations``) leaves on the table.

:func:`marginal_likelihood` runs them all and returns the tables and the metrics.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import torch

from charchallenge.feinman2020.splits import holdout_split

from .annealing import AnnealedSampler, annealed_verdict
from .climb import climb_to_peak
from .fit import FitParams, fit_parses
from .laplace import image_bound, laplace_terms, log_joint_hessians, per_pixel
from .parses import parse_images

# Table 3 of the paper: test log-likelihood bounds (nats) and per pixel, at each model's resolution.
PAPER_TABLE3 = [("SG", "52x52", -134.1, -0.0496), ("VHE", "28x28", -61.2, -0.0781),
                ("GNS", "105x105", -383.2, -0.0348)]


def held_out_images(dataset, background: str, n_images: int, seed: int) -> list[int]:
    """``n_images`` drawings (sorted indices) of the alphabets held out of the type model's training."""
    _, held_out = holdout_split(dataset.alphabet_of(), background)
    rng = np.random.RandomState(seed + 2)
    return np.sort(rng.choice(held_out, min(n_images, len(held_out)), replace=False)).tolist()


def _column(values):
    """A per-parse tensor as a numpy column (results may sit on the GPU)."""
    return values.detach().cpu().numpy()


def fit_and_integrate(dataset, chosen: list[int], type_model, gns: dict, seed: int) -> dict:
    """Steps 2 of the module: the per-parse table (``per_parse``), the annealed estimates' two
    halves of the chains (``halves``, (2, parses)), the climb's gain and L-BFGS curve, the fit's
    losses and the seconds of each stage."""
    pp, lp = gns["parsing"], gns["likelihood"]
    alphabet = dataset.alphabet_of()
    start = time.time()
    chosen_images = np.stack([dataset.image(i) for i in chosen])
    parses, index = parse_images(chosen_images, type_model, pp, seed, [f"drawing {i}" for i in chosen],
                                 label="GNS parsing for the likelihood")
    owner = [chosen[j] for j in index]
    parse_seconds = time.time() - start
    images = torch.tensor(chosen_images[index], dtype=torch.float32)
    fit = {**gns["fit"], "iterations": lp["iterations"]}
    fitted = fit_parses(parses, images, type_model, params=FitParams(**fit), progress=True)
    fit_seconds = time.time() - start - parse_seconds
    # Eq. 11 is taken at the peak: L-BFGS and Newton steps from where Adam stopped (blur and eps fixed)
    fitted, polish_gain, polish_curve, (at_peak, curvatures, gradients, ascent) = climb_to_peak(
        fitted, images, type_model, lp["polish_iterations"], lp["polish_rounds"], lp["polish_tolerance"],
        curvature=lp["curvature"], progress=True)
    refine_seconds = time.time() - start - parse_seconds - fit_seconds
    # the exact Hessian's smallest eigenvalue is reported whatever the curvature (the climb's when it is exact)
    hessians = (curvatures if lp["curvature"] == "exact"
                else log_joint_hessians(fitted, images, type_model, progress=True)[1])
    exact = laplace_terms(at_peak, hessians, gradients)
    terms = laplace_terms(at_peak, curvatures, gradients)
    hessian_seconds = time.time() - start - parse_seconds - fit_seconds - refine_seconds
    ap = lp["annealing"]
    sampler = AnnealedSampler(fitted, images, type_model, curvatures, ap["chains"], floor=lp["proposal_floor"],
                              power=ap["power"], dtype=torch.float32)
    annealed, quarter = (sampler.run(k, torch.Generator().manual_seed(seed + offset), progress=True)
                         for k, offset in ((ap["temperatures"], 3), (ap["temperatures"] // 4, 4)))
    seconds = time.time() - start
    per_parse = pd.DataFrame({
        "drawing": owner, "alphabet": alphabet[owner], "log_joint": _column(terms.log_joint),
        "polish_gain": _column(polish_gain), "dim": _column(terms.dim).astype(int),
        "log_det_neg_hessian": _column(terms.log_det), "min_eigenvalue": _column(terms.min_eigenvalue),
        "min_eigenvalue_exact": _column(exact.min_eigenvalue), "ascent_gain": _column(ascent),
        "newton_gain_predicted": _column(terms.newton_gain), "log_integral": _column(terms.log_integral),
        "log_integral_annealed": _column(annealed.log_integral.double()),
        "log_integral_annealed_quarter": _column(quarter.log_integral.double()),
        "ess": _column(annealed.ess.double()), "acceptance": _column(annealed.acceptance.double()),
        "blur_laplace": _column(fitted.fit_blur), "blur_tuned": _column(fitted.blur), "eps": _column(fitted.eps)})
    return {"per_parse": per_parse, "halves": annealed.halves, "polish_gain": polish_gain,
            "polish_curve": polish_curve, "losses": np.asarray(fitted.losses), "fit": fit,
            "seconds": {"all": seconds, "parse": parse_seconds, "fit": fit_seconds, "polish": refine_seconds,
                        "hessian": hessian_seconds}}


def per_image_table(per_parse: pd.DataFrame, halves: torch.Tensor) -> pd.DataFrame:
    """Step 3: per image, Eq. 12 over its parses by Laplace (``log_likelihood_bound``, the parses
    Eq. 11 excluded left out) and by annealing (``annealed_bound``), their gap, the gap between the
    bounds of the two halves of the chains and what the full schedule gains over a quarter of it."""
    rows = []
    for i, part in per_parse.groupby("drawing", sort=True):
        bound = image_bound(torch.tensor(part.log_integral.to_numpy()))
        annealed_image = image_bound(torch.tensor(part.log_integral_annealed.to_numpy()))
        quarter_image = image_bound(torch.tensor(part.log_integral_annealed_quarter.to_numpy()))
        split = [image_bound(halves.cpu()[h, part.index.to_numpy()].double()) for h in (0, 1)]
        rows.append({"drawing": i, "alphabet": part.alphabet.iloc[0], "parses": len(part),
                     "excluded": int(part.log_integral.isna().sum()), "best_log_joint": part.log_joint.max(),
                     "log_likelihood_bound": bound, "per_pixel": float(per_pixel(bound)),
                     "annealed_bound": annealed_image, "annealed_per_pixel": float(per_pixel(annealed_image)),
                     "laplace_minus_annealed": bound - annealed_image, "split_half_gap": abs(split[0] - split[1]),
                     "schedule_gain": annealed_image - quarter_image})
    return pd.DataFrame(rows)


def bound_verdict(images: int, images_scored: int, median_ascent_gain: float, median_laplace_gap: float,
                  min_scored_share: float, max_ascent_gain: float, max_laplace_gap: float) -> str:
    """Whether the mean Laplace estimate (Eq. 11-12) is evidence: "evidence" when at least
    ``min_scored_share`` of the images kept a peaked parse, a Newton step from the fits raises f by
    at most ``max_ascent_gain`` nats (median over parses: the fits sit at their peak) and the
    estimate exceeds the annealed bound of the same image by at most ``max_laplace_gap`` nats
    (median over images). The annealed bound is below the integral in expectation, so Eq. 11 then
    overstates it by at most that much, however loose the bound; a larger gap means that f is not
    the quadratic Eq. 11 assumes or that the bound is loose, and either way Eq. 11 is unchecked.
    Otherwise "not evidence" with the reasons (a NaN fails)."""
    reasons = []
    if images == 0 or images_scored < min_scored_share * images:
        reasons.append(f"{images - images_scored} of {images} images without a peaked parse")
    if not median_ascent_gain <= max_ascent_gain:
        reasons.append(f"a Newton step still gains {median_ascent_gain:.3g} nats (median): fits short of their peak")
    if not median_laplace_gap <= max_laplace_gap:
        reasons.append(f"Eq. 11 exceeds the annealed bound by {median_laplace_gap:.3g} nats (median): "
                       "f is not the quadratic Eq. 11 assumes, or the annealed bound is loose")
    return "evidence" if not reasons else "not evidence: " + "; ".join(reasons)


def table3(per_parse: pd.DataFrame, per_image: pd.DataFrame, lp: dict, setting: str) -> tuple[pd.DataFrame, dict]:
    """Step 4: Table 3, the paper's rows and our two (Laplace, annealed) with their verdicts by the
    criteria ``lp["evidence"]`` (``lp``: params ``gns2021.likelihood``; ``setting`` names the run
    in the rows' source). Also returns the medians and rows the metrics report."""
    scored = per_image.log_likelihood_bound.dropna()
    ev, ap = lp["evidence"], lp["annealing"]
    median_ascent = float(per_parse.ascent_gain.median())
    median_gap = float(per_image.laplace_minus_annealed.median())  # images Eq. 11 scored (NaN rows skipped)
    median_split = float(per_image.split_half_gap.median())
    median_schedule = float(per_image.schedule_gain.median())
    verdict = bound_verdict(len(per_image), int(len(scored)), median_ascent, median_gap, ev["min_scored_share"],
                            ev["max_ascent_gain"], ev["max_laplace_gap"])
    annealed_row_verdict = annealed_verdict(median_split, median_schedule, ev["max_split_half_gap"],
                                            ev["max_schedule_gain"])
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
                     "source": f"this run ({setting}, {ap['chains']} chains x {ap['temperatures']} temperatures per "
                               f"parse from the Laplace Gaussian, median split-half gap {median_split:.2g} nats, "
                               f"median gain over {ap['temperatures'] // 4} temperatures {median_schedule:.2g} nats; "
                               f"{same_images:.1f} nats over the {len(scored)} images of the Laplace row)",
                     "verdict": annealed_row_verdict}
    table = pd.DataFrame([{"model": m, "resolution": r, "images": 1000, "log_likelihood": ll, "per_pixel": px,
                           "source": "paper, Table 3", "verdict": ""} for m, r, ll, px in PAPER_TABLE3]
                         + [ours, ours_annealed])
    return table, {"ours": ours, "ours_annealed": ours_annealed, "median_ascent": median_ascent,
                   "median_gap": median_gap, "median_split": median_split, "median_schedule": median_schedule,
                   "same_images": same_images}


def fit_curve(losses: np.ndarray, fit_iterations: int) -> tuple[pd.DataFrame, dict]:
    """Step 5: the fit's mean loss per iteration, and where the scale's ``fit_iterations`` stops on it."""
    curve = pd.DataFrame({"iteration": np.arange(1, len(losses) + 1), "mean_loss": losses})
    quick_n = min(fit_iterations, len(losses))
    gain = losses[0] - losses[-1]
    return curve, {"iterations": int(len(losses)), "fit_iterations_of_this_scale": int(quick_n),
                   "loss_at_fit_iterations": float(losses[quick_n - 1]), "loss_at_end": float(losses[-1]),
                   "share_of_improvement_at_fit_iterations":
                       float((losses[0] - losses[quick_n - 1]) / gain) if gain else 1.0}


def marginal_likelihood(dataset, chosen: list[int], type_model, gns: dict, seed: int, scale: str) -> dict:
    """Steps 2-5 on the drawings ``chosen`` (``gns``: params ``gns2021``). Returns the tables
    ``table3``, ``per_image``, ``per_parse`` and ``curve`` and the ``metrics`` (no provenance)."""
    lp = gns["likelihood"]
    run = fit_and_integrate(dataset, chosen, type_model, gns, seed)
    per_parse = run["per_parse"]
    per_image = per_image_table(per_parse, run["halves"])
    table, t3 = table3(per_parse, per_image, lp, f"{scale} scale, {len(chosen)} held-out images")
    curve, curve_info = fit_curve(run["losses"], gns["fit"]["iterations"])
    ours, ours_annealed, ap, s = t3["ours"], t3["ours_annealed"], lp["annealing"], run["seconds"]
    polish_gain, polish_curve = run["polish_gain"], run["polish_curve"]
    sampling_seconds = s["all"] - s["parse"] - s["fit"] - s["polish"] - s["hessian"]
    metrics = {
        "likelihood": {"log_likelihood_bound": ours["log_likelihood"], "per_pixel": ours["per_pixel"],
                       "images_scored": ours["images"], "images": len(chosen),
                       "parses_excluded": int(per_image.excluded.sum()), "parses": len(per_parse),
                       "curvature": lp["curvature"], "verdict": ours["verdict"],
                       "polish_iterations": lp["polish_iterations"], "polish_rounds": lp["polish_rounds"],
                       "polish_evaluations": len(polish_curve),
                       "polish_mean_gain_nats": float(polish_gain.mean()),
                       "median_ascent_gain_nats": t3["median_ascent"],
                       "median_laplace_minus_annealed_nats": t3["median_gap"],
                       "parses_indefinite_exact_hessian": int((per_parse.min_eigenvalue_exact <= 0).sum()),
                       "median_newton_gain_predicted_nats": float(per_parse.newton_gain_predicted.median())},
        "annealed": {"log_likelihood_bound": ours_annealed["log_likelihood"], "per_pixel": ours_annealed["per_pixel"],
                     "images": int(len(per_image)), "chains": ap["chains"], "temperatures": ap["temperatures"],
                     "power": ap["power"], "median_ess": float(per_parse.ess.median()),
                     "median_acceptance": float(per_parse.acceptance.median()),
                     "median_split_half_gap_nats": t3["median_split"],
                     "median_schedule_gain_nats": t3["median_schedule"],
                     "log_likelihood_bound_quarter_schedule": float(per_image.annealed_bound.mean()
                                                                    - per_image.schedule_gain.mean()),
                     "log_likelihood_bound_on_laplace_images": t3["same_images"],
                     "verdict": ours_annealed["verdict"]},
        "fit_curve": curve_info,
        "seconds": round(s["all"], 1), "seconds_parse": round(s["parse"], 1), "seconds_fit": round(s["fit"], 1),
        "seconds_polish": round(s["polish"], 1), "seconds_hessian": round(s["hessian"], 1),
        "seconds_sampling": round(sampling_seconds, 1),
        "params": {"likelihood": lp, "fit": run["fit"], "parsing": gns["parsing"]},
    }
    print(f"{len(chosen)} images, {len(per_parse)} parses: parse {s['parse']:.0f} s, fit {s['fit']:.0f} s, "
          f"polish {s['polish']:.0f} s ({len(polish_curve)} evaluations, mean gain {float(polish_gain.mean()):.2f} "
          f"nats), Hessians {s['hessian']:.0f} s, sampling {sampling_seconds:.0f} s")
    return {"table3": table, "per_image": per_image, "per_parse": per_parse, "curve": curve, "metrics": metrics}
