"""Fig. 5's machinery (dood2022.clusters): one latent per part drawn, read from q's output layer;
k-means with the Silhouette coefficient separating well-clustered from unstructured latents."""

import numpy as np
import torch

from charchallenge.dood2022.air import AIR, AirConfig
from charchallenge.dood2022.clusters import cluster_parts, embed_tsne, part_images, part_latents
from charchallenge.dood2022.model import DooD, DoodConfig


def test_every_drawn_part_gives_one_latent_of_the_models_part_size():
    torch.manual_seed(0)
    x = (torch.rand(6, 16, 16) > 0.8).float()
    for model, dim in ((DooD(DoodConfig(size=16, glimpse=8, max_strokes=3, hidden=8, features=8, render_points=4)), 8),
                       (AIR(AirConfig(size=16, glimpse=8, max_strokes=3, what_dim=5, hidden=8, features=8,
                                      decoder_hidden=8)), 5)):
        latents, owners = part_latents(model, x, seed=1)
        with torch.random.fork_rng():
            torch.manual_seed(1)
            counts = model.eval().infer(x).n_strokes
        assert latents.shape == (int(counts.sum()), dim)
        assert np.array_equal(np.bincount(owners, minlength=6), counts.numpy().astype(int))
        pictures = part_images(model, latents, size=16)
        assert pictures.shape == (len(latents), 16, 16) and pictures.min() >= 0 and pictures.max() <= 1


def test_silhouette_is_high_for_separated_clusters_and_low_for_noise():
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 10, (4, 6))
    clustered = np.concatenate([c + rng.normal(0, 0.3, (50, 6)) for c in centres])
    labels, good = cluster_parts(clustered, 4, seed=0)
    assert good > 0.8 and len(set(labels)) == 4
    _, noise = cluster_parts(rng.normal(0, 1, (200, 6)), 4, seed=0)
    assert noise < 0.3
    assert embed_tsne(clustered[:40], seed=0).shape == (40, 2)
