"""Snakemake script: Fig. 5 of Liang et al. (2022) - DooD's inferred strokes and AIR's part latents
on held-out Omniglot images, clustered by k-means, their Silhouette coefficients beside the
paper's (DooD 0.21, AIR 0.11), and a t-SNE plot per model with exemplar parts overlaid
(:mod:`charchallenge.dood2022.clusters`)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from matplotlib.offsetbox import AnnotationBbox, OffsetImage  # noqa: E402

from charchallenge.dood2022.clusters import cluster_parts, embed_tsne, part_images, part_latents  # noqa: E402
from charchallenge.dood2022.data import load_split  # noqa: E402
from charchallenge.dood2022.train import load_model  # noqa: E402
from charchallenge.io import save_figure, write_csv, write_json  # noqa: E402
from charchallenge.joblog import log_to_file  # noqa: E402
from charchallenge.provenance import provenance  # noqa: E402

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
c = run["dood2022"]["clusters"]
torch.set_num_threads(smk.threads)
images = load_split(smk.input.data, "test")

rows, panels = [], {}
for path in smk.input.models:
    model, saved = load_model(path)
    variant, seed = saved["variant"], int(saved["seed"])
    latents, owners = part_latents(model, images, seed)
    row = {"variant": variant, "seed": seed, "parts": int(len(latents)), "images": int(len(images)),
           "paper_silhouette": c["paper_silhouette"].get(variant, float("nan"))}
    if len(latents) <= c["k"]:
        print(f"{variant} seed {seed}: {len(latents)} parts on {len(images)} test images - too few to cluster")
        rows.append({**row, "silhouette": float("nan")})
        continue
    rng = np.random.default_rng(seed)
    keep = np.sort(rng.choice(len(latents), min(len(latents), c["max_parts"]), replace=False))
    latents = latents[keep]
    labels, silhouette = cluster_parts(latents, c["k"], seed)
    rows.append({**row, "silhouette": silhouette})
    print(f"{variant} seed {seed}: {len(latents)} parts, k = {c['k']}, Silhouette {silhouette:.3f} "
          f"(paper {row['paper_silhouette']})")
    if variant not in panels:  # the figure shows each model's first seed
        panels[variant] = (seed, latents, labels, silhouette, embed_tsne(latents, seed), part_images(model, latents))

table = pd.DataFrame(rows)
write_csv(smk.output.table, table)

fig, axes = plt.subplots(1, max(1, len(panels)), figsize=(7 * max(1, len(panels)), 7), squeeze=False)
for ax, (variant, (seed, latents, labels, silhouette, xy, pictures)) in zip(axes[0], panels.items()):
    colours = plt.cm.tab10(labels % 10)
    ax.scatter(xy[:, 0], xy[:, 1], c=colours, s=6, alpha=0.5)
    rng = np.random.default_rng(seed)
    for label in range(c["k"]):
        members = np.flatnonzero(labels == label)
        for i in rng.choice(members, min(len(members), c["exemplars_per_cluster"]), replace=False):
            rgba = np.ones(pictures[i].shape + (4,))
            rgba[..., :3] = 1 - pictures[i][..., None] * (1 - np.array(plt.cm.tab10(label % 10)[:3]))
            box = AnnotationBbox(OffsetImage(rgba, zoom=1.0), xy[i], frameon=True, pad=0.1,
                                 bboxprops={"edgecolor": plt.cm.tab10(label % 10)})
            ax.add_artist(box)
    what = "inferred strokes" if variant.startswith("dood") else "part latents (z_what)"
    paper = c["paper_silhouette"].get(variant)
    ax.set_title(f"{variant} seed {seed}: {what}, k-means k = {c['k']}\nSilhouette {silhouette:.2f}"
                 + (f" (paper {paper})" if paper is not None else ""), fontsize=10)
    ax.set_xticks([]), ax.set_yticks([])
if not panels:
    axes[0, 0].text(0.5, 0.5, "no model drew enough parts to cluster", ha="center", va="center")
fig.suptitle("Fig. 5: clusters of parts inferred on held-out Omniglot images, t-SNE, exemplars overlaid")
fig.tight_layout()
save_figure(fig, smk.output.figure)

write_json(smk.output.metrics, {
    "silhouette": {f"{r['variant']}_seed{r['seed']}": r["silhouette"] for r in rows},
    "paper": c["paper_silhouette"], "k": c["k"],
    "provenance": provenance(run["scale"], run["seed"], "cpu")})
