"""Clusters of inferred parts (Liang et al. 2022, Sec. 3.3, Fig. 5): DooD's inferred strokes and
AIR's part latents on held-out images, clustered by k-means (k = 8), scored by the Silhouette
coefficient (Rousseeuw 1987; following Aksan et al.) and laid out by t-SNE with exemplar parts.

A part's representation is the recognition model's posterior mean for it, read from q's output
layer while :meth:`infer` runs (one draw of everything else):

* DooD: the stroke's control points in its glimpse frame, tanh(mu of q(s_t)) - the stroke's
  shape, apart from where the layout puts it ((D + 1) x 2 numbers);
* AIR: mu of q(z_what_t) (``what_dim`` numbers), the latent its decoder turns into a glimpse.

Only steps that drew (o_t = 1) give parts. :func:`cluster_runs` applies this to every trained
model: per model its Silhouette beside the paper's, and for each variant's first seed the panel
Fig. 5 draws.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.manifold import TSNE
from sklearn.metrics import silhouette_score
from torch import Tensor

from .air import AIR
from .bezier import render_curves


def _output_layer(model):
    """The layer whose output holds each step's posterior mean of the part (see the module doc)."""
    return model.q_what if isinstance(model, AIR) else model.q.stroke_head


def _posterior_mean(model, output: Tensor) -> Tensor:
    if isinstance(model, AIR):
        return output.chunk(2, -1)[0]
    mu = output.unflatten(-1, (model.cfg.degree + 1, 4))[..., :2]
    return torch.tanh(mu).flatten(1)


@torch.no_grad()
def part_latents(model, images: Tensor, seed: int, batch: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """(latents (M, d), image index (M,)) of every part q infers on ``images`` (one seeded draw)."""
    model.eval()
    outputs: list[Tensor] = []
    handle = _output_layer(model).register_forward_hook(lambda _m, _i, out: outputs.append(out))
    latents, owners = [], []
    try:
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            for a in range(0, len(images), batch):
                outputs.clear()
                trace = model.infer(images[a : a + batch])
                for out, drawn in zip(outputs, trace.drawn):  # one hook call per step that ran
                    latents.append(_posterior_mean(model, out)[drawn])
                    owners.append(torch.nonzero(drawn)[:, 0] + a)
    finally:
        handle.remove()
    if not latents:
        return np.zeros((0, 0)), np.zeros(0, dtype=int)
    return torch.cat(latents).numpy().astype(float), torch.cat(owners).numpy()


@torch.no_grad()
def part_images(model, latents: np.ndarray, size: int = 28) -> np.ndarray:
    """What each part looks like, (M, size, size) in [0, 1]: DooD's stroke drawn with the model's
    renderer in a frame filling the image; AIR's decoded glimpse."""
    z = torch.as_tensor(latents, dtype=torch.float32)
    if isinstance(model, AIR):
        patch = torch.sigmoid(model.decoder(z)).unflatten(-1, (model.cfg.glimpse, model.cfg.glimpse))
        return torch.nn.functional.interpolate(patch[:, None], size=(size, size), mode="bilinear",
                                               align_corners=False)[:, 0].numpy()
    cp = 0.8 * z.unflatten(-1, (model.cfg.degree + 1, 2))
    width, sharpness = torch.exp(model.p.log_width) * 1.5, torch.exp(model.p.log_sharpness)
    return render_curves(cp, size, width, sharpness, model.cfg.render_points).numpy()


def cluster_parts(latents: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, float]:
    """k-means labels (M,) and the Silhouette coefficient of that clustering (Euclidean)."""
    if len(latents) <= k:
        raise ValueError(f"cluster_parts: {len(latents)} parts cannot make {k} clusters")
    labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(latents)
    return labels, float(silhouette_score(latents, labels))


def embed_tsne(latents: np.ndarray, seed: int) -> np.ndarray:
    """(M, 2) t-SNE embedding (perplexity 30, or less for few parts)."""
    return TSNE(n_components=2, perplexity=min(30.0, (len(latents) - 1) / 3), init="pca",
                random_state=seed).fit_transform(latents)


def cluster_runs(runs, images: Tensor, params: dict) -> tuple[list[dict], dict]:
    """Fig. 5 for every model of ``runs`` (pairs of model and saved record): its parts on
    ``images``, at most ``params['max_parts']`` of them (drawn with the run's seed) clustered by
    k-means with ``params['k']`` clusters. Returns one row per model (Silhouette NaN when too few
    parts to cluster) and, per variant, its first seed's panel: (seed, latents, labels, Silhouette,
    t-SNE embedding, part images)."""
    rows, panels = [], {}
    for model, saved in runs:
        variant, seed = saved["variant"], int(saved["seed"])
        latents, owners = part_latents(model, images, seed)
        row = {"variant": variant, "seed": seed, "parts": int(len(latents)), "images": int(len(images)),
               "paper_silhouette": params["paper_silhouette"].get(variant, float("nan"))}
        if len(latents) <= params["k"]:
            print(f"{variant} seed {seed}: {len(latents)} parts on {len(images)} test images - too few to cluster")
            rows.append({**row, "silhouette": float("nan")})
            continue
        rng = np.random.default_rng(seed)
        keep = np.sort(rng.choice(len(latents), min(len(latents), params["max_parts"]), replace=False))
        latents = latents[keep]
        labels, silhouette = cluster_parts(latents, params["k"], seed)
        rows.append({**row, "silhouette": silhouette})
        print(f"{variant} seed {seed}: {len(latents)} parts, k = {params['k']}, Silhouette {silhouette:.3f} "
              f"(paper {row['paper_silhouette']})")
        if variant not in panels:  # the figure shows each model's first seed
            panels[variant] = (seed, latents, labels, silhouette, embed_tsne(latents, seed),
                               part_images(model, latents))
    return rows, panels
