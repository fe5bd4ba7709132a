"""Snakemake script: GNS parsing of held-out drawings (Feinman & Lake 2021, Appendix B steps 1-2,
Fig. 3b/A11), scored against the human parse (:mod:`charchallenge.gns2021.parsing`)."""

import time

import torch

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.gns2021.parsing import held_out_sample, parsing_summary, score_parses, type_model_verdict
from charchallenge.gns2021.runtime import reproducible
from charchallenge.gns2021.type_model import load_type_model
from charchallenge.io import save_torch, write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
pp = run["gns2021"]["parsing"]
torch.set_num_threads(smk.threads)
reproducible(run["seed"])
dataset = OmniglotDataset.load(smk.input.dataset)
chosen = held_out_sample(dataset, run["data"]["background"], pp["n_images"], run["seed"])
type_model = load_type_model(smk.input.type_model, device=run["gns2021"]["device"])
start = time.time()
per_image, shown = score_parses(dataset, chosen, type_model, pp, run["seed"])
seconds = time.time() - start
summary = parsing_summary(per_image)
verdict = type_model_verdict(per_image, run["gns2021"]["parse_evaluation"], seed=run["seed"])
write_csv(smk.output.per_image, per_image)
write_csv(smk.output.summary, summary)
save_torch(smk.output.examples, {"shown": shown})
write_json(smk.output.metrics, {
    "parsing": {r["method"]: {k: r[k] for k in summary.columns if k != "method"} for _, r in summary.iterrows()},
    "type_model_vs_first_walk": verdict,
    "images": int(len(chosen)), "alphabets": sorted(set(dataset.alphabet_of()[chosen].tolist())),
    "seconds": round(seconds, 1), "seconds_per_image": round(seconds / max(1, len(chosen)), 2),
    "params": pp, "provenance": provenance(run["scale"], run["seed"], str(type_model.device)),
})
print(summary.to_string(index=False))
print(f"type model's top-1 against {verdict['baseline']}: {verdict['verdict']} "
      f"(stroke distance {verdict['stroke_distance_px']['difference']:+.3f} px "
      f"[{verdict['stroke_distance_px']['low']:+.3f}, {verdict['stroke_distance_px']['high']:+.3f}], "
      f"count match {verdict['count_match']['difference']:+.3f} "
      f"[{verdict['count_match']['low']:+.3f}, {verdict['count_match']['high']:+.3f}])")
print(f"{len(chosen)} images in {seconds:.0f} s ({seconds / max(1, len(chosen)):.2f} s per image)")
