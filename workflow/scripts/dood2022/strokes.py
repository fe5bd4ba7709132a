"""Snakemake script: the stop variable's behaviour on held-out Omniglot (Liang et al. 2022, Sec. 2.1;
:mod:`charchallenge.dood2022.strokes`). For every model trained on Omniglot: its stroke count per
test image against the drawer's (mean, Spearman with a bootstrap interval, a verdict by the criteria
in params ``dood2022.strokes``), the ELBO with the count forced to 0..max, and a figure - the
count distributions beside the drawers', the forced-count ELBO curves, and reconstructions of test
images with every inferred stroke in its own colour."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from charchallenge.data.dataset import OmniglotDataset  # noqa: E402
from charchallenge.dood2022.data import load_split  # noqa: E402
from charchallenge.dood2022.strokes import (count_agreement, drawer_stroke_counts, forced_count_elbo,  # noqa: E402
                                            model_stroke_counts, stroke_verdict)
from charchallenge.dood2022.train import load_model  # noqa: E402
from charchallenge.io import save_figure, write_csv, write_json  # noqa: E402
from charchallenge.joblog import log_to_file  # noqa: E402
from charchallenge.provenance import provenance  # noqa: E402
from charchallenge.training import still_improving  # noqa: E402

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
d = run["dood2022"]
s, conv = d["strokes"], d["convergence"]
torch.set_num_threads(smk.threads)

images = load_split(smk.input.data, "test")
with np.load(smk.input.data) as z:
    test_idx = z["test_labels"]
drawers = drawer_stroke_counts(OmniglotDataset.load(smk.input.dataset), test_idx)

rows, forced_rows, hist, examples = [], [], {}, None
for model_path, curve_path in zip(smk.input.models, smk.input.curves):
    model, saved = load_model(model_path)
    variant, seed = saved["variant"], int(saved["seed"])
    counts = model_stroke_counts(model, images, s["draws"], seed)
    agreement = count_agreement(counts, drawers, s["n_boot"], seed)
    improving, rel = still_improving(pd.read_csv(curve_path).val_loss.to_numpy(), conv["last_fraction"],
                                     conv["max_improvement"])
    forced = forced_count_elbo(model, images, s["forced_draws"], seed)
    best_n = forced.argmax(0)
    rows.append({"variant": variant, "seed": seed, **agreement, "still_improving": bool(improving),
                 "relative_improvement": rel, "forced_best_mean": float(best_n.mean()),
                 "verdict": stroke_verdict(agreement, s["mean_range"], s["min_spearman"], bool(improving))})
    forced_rows += [{"variant": variant, "seed": seed, "strokes": n, "elbo": float(forced[n].mean()),
                     "elbo_se": float(forced[n].std(ddof=1) / np.sqrt(forced.shape[1])),
                     "share_best": float((best_n == n).mean())} for n in range(len(forced))]
    hist.setdefault(variant, []).append(counts)
    if variant == "dood" and examples is None:
        with torch.no_grad(), torch.random.fork_rng():
            torch.manual_seed(seed)
            trace = model.infer(images[: s["figure_examples"]])
            examples = (images[: s["figure_examples"]].numpy(), drawers[: s["figure_examples"]],
                        [(model.p.render(cp) * drawn[:, None, None]).numpy() for cp, drawn in
                         zip(trace.strokes, trace.drawn)])
    print(f"{variant} seed {seed}: {agreement['model_mean']:.2f} strokes per test image (drawers "
          f"{agreement['drawer_mean']:.2f}), Spearman {agreement['spearman']:.3f} "
          f"[{agreement['spearman_low']:.3f}, {agreement['spearman_high']:.3f}]; forced-count ELBO best at "
          f"n = {int(np.argmax(forced.mean(1)))}; {rows[-1]['verdict']}")

table, forced_table = pd.DataFrame(rows), pd.DataFrame(forced_rows)
write_csv(smk.output.table, table)
write_csv(smk.output.forced, forced_table)

fig = plt.figure(figsize=(12, 6.5))
grid = fig.add_gridspec(2, max(2, s["figure_examples"]), height_ratios=[1.4, 1])
ax = fig.add_subplot(grid[0, : grid.ncols // 2])
max_n = int(forced_table.strokes.max())
bins = np.arange(max_n + 2) - 0.5
ax.hist(np.minimum(drawers, max_n), bins=bins, histtype="step", color="k", lw=2, density=True,
        label=f"drawers (above {max_n} counted at {max_n})")
for variant, cs in hist.items():
    ax.hist(np.round(np.concatenate(cs)), bins=bins, histtype="step", lw=1.5, density=True,
            label=f"{variant} (all seeds)")
ax.set(xlabel="strokes per held-out Omniglot image", ylabel="share of images",
       title="(a) stroke counts: models (mean over draws, rounded) and drawers")
ax.legend(fontsize=8)
ax = fig.add_subplot(grid[0, grid.ncols // 2 :])
for (variant, seed), f in forced_table.groupby(["variant", "seed"]):
    ax.errorbar(f.strokes, f.elbo, yerr=2 * f.elbo_se, marker="o", ms=3, capsize=2, label=f"{variant} seed {seed}")
ax.set(xlabel="strokes forced (n)", ylabel="mean ELBO (nats)", title="(b) ELBO with the count forced to n")
ax.legend(fontsize=7)
if examples is not None:
    targets, drawn_counts, strokes = examples
    colours = plt.cm.tab10(np.arange(10))
    for i in range(len(targets)):
        ax = fig.add_subplot(grid[1, i])
        rgb = np.ones(targets[i].shape + (3,))
        for k, ink in enumerate(strokes):  # each stroke tints the white page by its colour, as ink on paper
            rgb = rgb * (1 - ink[i][..., None] * (1 - colours[k % 10, :3]))
        ax.imshow(np.concatenate([np.repeat(1 - targets[i][..., None], 3, -1), rgb], 1), interpolation="nearest")
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_title(f"drawer {int(drawn_counts[i])}, DooD {sum(int(ink[i].max() > 0) for ink in strokes)}", fontsize=7)
    fig.text(0.5, 0.02, "(c) held-out images (left) and DooD seed 0's reconstruction, one colour per stroke (right)",
             ha="center", fontsize=9)
fig.tight_layout(rect=(0, 0.04, 1, 1))
save_figure(fig, smk.output.figure)

write_json(smk.output.metrics, {
    "runs": {f"{r['variant']}_seed{r['seed']}": {k: r[k] for k in ("model_mean", "drawer_mean", "spearman",
                                                                   "spearman_low", "spearman_high", "verdict")}
             for r in rows},
    "criteria": {"mean_range": s["mean_range"], "min_spearman": s["min_spearman"]},
    "provenance": provenance(run["scale"], run["seed"], "cpu")})
