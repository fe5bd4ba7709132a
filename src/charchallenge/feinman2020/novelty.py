"""The novelty of Feinman & Lake (2020)'s samples (Fig. 6: samples beside their nearest training
characters), measured instead of judged by eye: per model, the share of samples whose
nearest-neighbour similarity (cosine, the classifier's last hidden layer;
:func:`.classifier.nearest`) to the training characters exceeds the 95th percentile of that
similarity for held-out real characters of novel classes (:func:`.classifier.novelty_share`), with
an exact 95% interval. Judged on the samples (T = 1) of at least ``novelty_min_strokes`` strokes:
a dash or a dot is near everything and says nothing about novelty; the share over all samples is
kept beside it."""

from __future__ import annotations

from .canvases import render_drawings
from .classifier import embed, nearest, novelty_share, share_interval
from .splits import holdout_split

DEFINITION = ("share of model samples (T = 1) of at least min_strokes strokes whose nearest training character "
              "(cosine similarity, last hidden layer of the CNN classifier) is closer than the 95th percentile of "
              "the same similarity for held-out real characters of novel classes (0.05 for novel real characters "
              "by construction), with an exact (Clopper-Pearson) 95% interval; share_all_samples: the same over "
              "every sample")


def novelty_reference(net, corpus, train_idx, background: str):
    """The classifier's features of the training characters, and each held-out character of a
    novel class's similarity to its nearest training character (numpy)."""
    _, novel_idx = holdout_split(corpus.alphabet, background)
    ref = embed(net, corpus.complete_canvases(train_idx))
    novel_sim = nearest(embed(net, corpus.complete_canvases(novel_idx)), ref, 1)[0][:, 0].numpy()
    return ref, novel_sim


def sample_novelty(label: str, everything: list, net, ref, novel_sim, min_strokes: int, neighbours: int):
    """One model's novelty row for its samples ``everything``, and (those judged, the indices of
    their ``neighbours`` nearest training characters) for the figure, None when no sample has
    ``min_strokes`` strokes."""
    drawings = [d for d in everything if len(d) >= min_strokes]
    if not drawings:
        print(f"{label}: no sample of >= {min_strokes} strokes among {len(everything)}")
        return {"model": label, "samples": len(everything), "judged_samples": 0,
                "share_closer_than_novel_real": float("nan")}, None
    sim_all, _ = nearest(embed(net, render_drawings(everything)), ref, 1)
    sim, idx = nearest(embed(net, render_drawings(drawings)), ref, neighbours)
    share, level = novelty_share(sim[:, 0].numpy(), novel_sim)
    row = {"model": label, "samples": len(everything), "min_strokes": min_strokes,
           "judged_samples": len(drawings), "share_closer_than_novel_real": share,
           "share_ci95_low": share_interval(share, len(drawings))[0],
           "share_ci95_high": share_interval(share, len(drawings))[1],
           "share_all_samples": novelty_share(sim_all[:, 0].numpy(), novel_sim)[0],
           "level_cosine_similarity": level, "mean_nn_similarity": float(sim[:, 0].mean()),
           "novel_real_mean_nn_similarity": float(novel_sim.mean()), "novel_real_characters": len(novel_sim)}
    return row, (drawings, idx.numpy())
