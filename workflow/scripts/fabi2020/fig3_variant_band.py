"""Snakemake script: the variants claim as curves over the noise SD (section 3.2, beside Fig. 3).

Left: median distance of the variants to the model's noise-free regeneration (what the noise
changes; the claim's band, a share of the measured between-drawer distance, shaded) and to the
shown example (px, mean +- SD over seeds). Right: how often the
variants are recognised among the other drawers' human drawings and among the model's own
regenerations, beside the shown examples' own recognition rate and chance.
"""

import pandas as pd

from charchallenge.figures import plt
from charchallenge.io import save_figure
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
cp = smk.params.run["fabi2020"]["claims"]
table = pd.read_csv(smk.input.table)
t = table[table.sd.astype(str) != "all"].astype({"sd": float})
between = float(t["between_drawer_px"].iloc[0])
lo, hi = (b * between for b in cp["variant_novelty_band"])
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
ax1.axhspan(lo, hi, color="tab:green", alpha=0.15, label=f"claim band [{lo:.1f}, {hi:.1f}] px")
ax1.axhline(between, color="0.4", ls="--", lw=1, label=f"between drawers {between:.1f} px")
ax1.errorbar(t.sd, t.mhd_to_regenerated_px_mean, yerr=t.mhd_to_regenerated_px_sd, marker="s", capsize=3,
             label="variants vs own regeneration (judged)")
ax1.errorbar(t.sd, t.novelty_px_mean, yerr=t.novelty_px_sd, marker="o", capsize=3,
             label="variants vs shown example (incl. one-shot error)")
ax1.set_xlabel("noise SD on the input code")
ax1.set_ylabel("median MHD (px)")
ax1.set_title("How new are the variants?", fontsize=10)
ax1.legend(fontsize=7)
human = float(t["human_recognised"].iloc[0])
ax2.errorbar(t.sd, t.recognised_human_mean, yerr=t.recognised_human_sd, marker="o", capsize=3,
             label="nearest other-drawer drawing is the letter")
ax2.errorbar(t.sd, t.nearest_regeneration_accuracy_mean, yerr=t.nearest_regeneration_accuracy_sd, marker="s",
             capsize=3, label="nearest regeneration is the letter")
ax2.axhline(human, color="0.4", ls="--", lw=1, label=f"shown examples: {human:.2f}")
ax2.axhline(cp["variant_min_recognition_ratio"] * human, color="tab:green", ls=":", lw=1, label="claim threshold")
ax2.axhline(float(t["chance"].iloc[0]), color="0.7", lw=1, label="chance")
ax2.set_ylim(0, 1.05)
ax2.set_xlabel("noise SD on the input code")
ax2.set_ylabel("share recognised")
ax2.set_title("Are they still the letter?", fontsize=10)
ax2.legend(fontsize=7)
fig.suptitle("Fabi et al. (2020), section 3.2: noise variants over SD (mean +- SD over seeds)", fontsize=10)
fig.tight_layout()
save_figure(fig, smk.output[0])
