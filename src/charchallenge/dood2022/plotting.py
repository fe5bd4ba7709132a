"""Figures of the DooD study (Liang et al. 2022): Fig. 4's transfer heatmaps and reconstructions,
the learning curves of every run, the stroke-count figure (Sec. 2.1), Fig. 5's t-SNE of clustered
parts and Fig. 6's samples with their FID. Each function returns the figure; the caller saves it
(:func:`charchallenge.io.save_figure`)."""

from __future__ import annotations

import numpy as np
from matplotlib.offsetbox import AnnotationBbox, OffsetImage

from charchallenge.feinman2020.plotting import image_grid
from charchallenge.figures import plt

from .transfer import cell


def transfer_heatmaps(table, variants, datasets, title: str):
    """Fig. 4: one heatmap per variant, sources as rows, targets as columns, mean ± SD in each cell."""
    fig, axes = plt.subplots(1, len(variants), figsize=(3.2 * len(variants) + 0.6, 0.8 * len(datasets) + 1.6),
                             squeeze=False)
    vmin, vmax = table.log_likelihood.min(), table.log_likelihood.max()
    for ax, variant in zip(axes[0], variants):
        grid = np.full((len(datasets), len(datasets)), np.nan)
        for i, s in enumerate(datasets):
            for j, t in enumerate(datasets):
                r = cell(table, variant, s, t)
                if r is not None:
                    grid[i, j] = r.log_likelihood
                    sd = "" if np.isnan(r.sd_over_seeds) else f"\n± {r.sd_over_seeds:.0f}"
                    ax.text(j, i, f"{r.log_likelihood:.0f}{sd}", ha="center", va="center", fontsize=8,
                            color="white" if r.log_likelihood < (vmin + vmax) / 2 else "black")
        ax.imshow(grid, cmap="viridis", vmin=vmin, vmax=vmax)
        ax.set_xticks(range(len(datasets)), datasets, fontsize=8)
        ax.set_yticks(range(len(datasets)), datasets, fontsize=8)
        ax.set_xlabel("target", fontsize=8)
        ax.set_ylabel("source (trained on)", fontsize=8)
        ax.set_title(variant, fontsize=9)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def transfer_reconstructions(recon: dict, variants, datasets, seed: int, n: int):
    """Fig. 4 (cells): per target, its first ``n`` test images, then each (variant, source) model's
    reconstructions of them (``recon``: run name -> its reconstructions file, seed ``seed``), the
    number of strokes (parts) under each."""
    models = [(v, s) for v in variants for s in datasets]
    fig, axes = plt.subplots(1 + len(models), len(datasets) * n,
                             figsize=(0.55 * len(datasets) * n + 1.6, 0.6 * (1 + len(models)) + 0.6), squeeze=False)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    for j, t in enumerate(datasets):
        first = recon[f"{models[0][0]}_{models[0][1]}_seed{seed}"]
        for k in range(min(n, len(first[f"{t}_images"]))):
            axes[0, j * n + k].imshow(first[f"{t}_images"][k], cmap="gray_r", vmin=0, vmax=1)
        axes[0, j * n].set_title(f"target: {t}", fontsize=7, loc="left")
        for i, (v, s) in enumerate(models, start=1):
            r = recon[f"{v}_{s}_seed{seed}"]
            for k in range(min(n, len(r[f"{t}_reconstructions"]))):
                ax = axes[i, j * n + k]
                ax.imshow(r[f"{t}_reconstructions"][k], cmap="gray_r", vmin=0, vmax=1)
                ax.set_xlabel(f"{int(r[f'{t}_strokes'][k])}", fontsize=5, labelpad=1)
    for i, (v, s) in enumerate(models, start=1):
        axes[i, 0].set_ylabel(f"{v}\n({s})", fontsize=6, rotation=0, ha="right", va="center")
    axes[0, 0].set_ylabel("image", fontsize=6, rotation=0, ha="right", va="center")
    fig.suptitle("Fig. 4 (cells): reconstructions of target images by each source's model (number: strokes/parts)",
                 fontsize=8)
    return fig


def learning_curves(curves, improving: dict, datasets):
    """Validation -ELBO and strokes per validation image per evaluation, one column per dataset
    (``improving``: (variant, dataset, seed) -> (still improving, ...), marked in the legend)."""
    fig, axes = plt.subplots(2, len(datasets), figsize=(4.2 * len(datasets), 5.8), squeeze=False)
    for col, ds in enumerate(datasets):
        for (v, s), c in curves[curves.dataset == ds].groupby(["variant", "seed"]):
            label = f"{v} s{s}" + (" (improving)" if improving[(v, ds, int(s))][0] else "")
            axes[0, col].plot(c.step, c.val_loss, label=label)
            axes[1, col].plot(c.step, c.val_strokes, label=label)
        axes[0, col].set_title(f"trained on {ds}", fontsize=9)
        axes[0, col].set_ylabel("validation -ELBO (nats)", fontsize=8)
        axes[1, col].set_ylabel("strokes (parts) per validation image", fontsize=8)
        axes[1, col].set_xlabel("step", fontsize=8)
        axes[0, col].legend(fontsize=6)
    fig.tight_layout()
    return fig


def stroke_counts(drawers, hist: dict, forced_table, examples, n_examples: int):
    """The stop variable on held-out Omniglot (Sec. 2.1): (a) the models' stroke counts beside the
    drawers', (b) the ELBO with the count forced to n, (c) held-out images beside DooD's
    reconstruction with one colour per inferred stroke (``examples`` of
    :func:`.strokes.stroke_runs`, none when no DooD model)."""
    fig = plt.figure(figsize=(12, 6.5))
    grid = fig.add_gridspec(2, max(2, n_examples), height_ratios=[1.4, 1])
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
        ax.errorbar(f.strokes, f.elbo, yerr=2 * f.elbo_se, marker="o", ms=3, capsize=2,
                    label=f"{variant} seed {seed}")
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
            ax.imshow(np.concatenate([np.repeat(1 - targets[i][..., None], 3, -1), rgb], 1),
                      interpolation="nearest")
            ax.set_xticks([]), ax.set_yticks([])
            ax.set_title(f"drawer {int(drawn_counts[i])}, DooD {sum(int(ink[i].max() > 0) for ink in strokes)}",
                         fontsize=7)
        fig.text(0.5, 0.02, "(c) held-out images (left) and DooD seed 0's reconstruction, one colour per stroke "
                 "(right)", ha="center", fontsize=9)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def part_clusters(panels: dict, params: dict):
    """Fig. 5: per model (``panels`` of :func:`.clusters.cluster_runs`), the t-SNE of its parts
    coloured by k-means cluster, with ``params['exemplars_per_cluster']`` exemplar parts of each
    cluster overlaid and the Silhouette beside the paper's."""
    k = params["k"]
    fig, axes = plt.subplots(1, max(1, len(panels)), figsize=(7 * max(1, len(panels)), 7), squeeze=False)
    for ax, (variant, (seed, latents, labels, silhouette, xy, pictures)) in zip(axes[0], panels.items()):
        colours = plt.cm.tab10(labels % 10)
        ax.scatter(xy[:, 0], xy[:, 1], c=colours, s=6, alpha=0.5)
        rng = np.random.default_rng(seed)
        for label in range(k):
            members = np.flatnonzero(labels == label)
            for i in rng.choice(members, min(len(members), params["exemplars_per_cluster"]), replace=False):
                rgba = np.ones(pictures[i].shape + (4,))
                rgba[..., :3] = 1 - pictures[i][..., None] * (1 - np.array(plt.cm.tab10(label % 10)[:3]))
                box = AnnotationBbox(OffsetImage(rgba, zoom=1.0), xy[i], frameon=True, pad=0.1,
                                     bboxprops={"edgecolor": plt.cm.tab10(label % 10)})
                ax.add_artist(box)
        what = "inferred strokes" if variant.startswith("dood") else "part latents (z_what)"
        paper = params["paper_silhouette"].get(variant)
        ax.set_title(f"{variant} seed {seed}: {what}, k-means k = {k}\nSilhouette {silhouette:.2f}"
                     + (f" (paper {paper})" if paper is not None else ""), fontsize=10)
        ax.set_xticks([]), ax.set_yticks([])
    if not panels:
        axes[0, 0].text(0.5, 0.5, "no model drew enough parts to cluster", ha="center", va="center")
    fig.suptitle("Fig. 5: clusters of parts inferred on held-out Omniglot images, t-SNE, exemplars overlaid")
    fig.tight_layout()
    return fig


def samples_grid(shown: dict, table, columns, datasets, n_shown: int, title: str):
    """Fig. 6: a grid of samples per model (column) and dataset (row), with each cell's FID
    (``shown`` and ``table`` of :mod:`.samples`)."""
    fig, axes = plt.subplots(len(datasets), len(columns), figsize=(2.0 * len(columns), 2.6 * len(datasets) + 0.4),
                             squeeze=False)
    fids = {(r.variant, r.dataset): r for r in table.itertuples()}
    side = int(np.ceil(np.sqrt(n_shown)))
    for i, ds in enumerate(datasets):
        for j, col in enumerate(columns):
            ax = axes[i, j]
            if (col, ds) not in shown:
                ax.axis("off")
                continue
            r = fids[(col, ds)]
            sd = "" if np.isnan(r.fid_sd) else f" ± {r.fid_sd:.3f}"
            image_grid(ax, shown[(col, ds)], side, title=f"{col} ({ds})\nFID {r.fid:.3f}{sd}")
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig
