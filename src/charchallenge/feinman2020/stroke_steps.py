"""The step-wise stroke model shared by the Full NS and H-LSTM stroke decoders (Feinman & Lake
2020, Appendix A; mixture outputs as in Graves 2013): its density and its sampler, side by side.

A decoder emits, at step t = 0, 1, ..., an end-of-stroke logit e_t and a 20-component GMM. The
stroke ends at step t with probability sigmoid(e_t); if it goes on, offset t is drawn from the
step's GMM and fed back as the next input. A stroke with k control points therefore has k - 1
"go on" steps, each followed by an offset, then one "end" step:

    p(k, offsets) = prod_{t < k-1} (1 - sigmoid(e_t)) p_t(offset_t) * sigmoid(e_{k-1}),

an exact distribution over the number of control points (k >= 1) and the offsets. This is how the
stroke length enters the density of both models (:mod:`.encoding` for the units).
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from charchallenge.mixtures import GMM, bernoulli_log_prob, gmm_log_prob, sample_bernoulli, sample_gmm


def step_targets(n_cp: Tensor, n_steps: int) -> tuple[Tensor, Tensor, Tensor]:
    """Teacher-forcing masks for strokes of ``n_cp`` control points over ``n_steps`` >= max k steps:
    ``(offset_mask, end_label, flag_mask)``, each (S, n_steps). Step t scores an offset when
    t < k - 1, and an end flag (label 1 at t = k - 1, else 0) when t <= k - 1."""
    t = torch.arange(n_steps, device=n_cp.device)[None]
    k = n_cp[:, None]
    return t < (k - 1), (t == (k - 1)).float(), t <= (k - 1)


def stroke_log_prob(gmm: GMM, end_logits: Tensor, offsets: Tensor, n_cp: Tensor) -> tuple[Tensor, Tensor]:
    """Per stroke ``(sum_t log p(offset_t), sum_t log p(end flag_t))`` from teacher-forced step
    outputs (GMM and end logits over steps 0..T) and the (S, T, 2) padded offsets."""
    n = end_logits.shape[1]
    offset_mask, end_label, flag_mask = step_targets(n_cp, n)
    targets = torch.cat([offsets, torch.zeros_like(offsets[:, :1])], 1)[:, :n]
    lp_off = torch.where(offset_mask, gmm_log_prob(gmm, targets), torch.zeros_like(end_logits)).sum(1)
    lp_end = torch.where(flag_mask, bernoulli_log_prob(end_logits, end_label), torch.zeros_like(end_logits)).sum(1)
    return lp_off, lp_end


Step = Callable[[object, Tensor], tuple[GMM, Tensor, object]]
"""``step(state, previous_offset) -> (gmm, end_logit, new_state)``: one decoder step for a batch."""


def sample_strokes(step: Step, state, m: int, temperature: float, generator: torch.Generator | None,
                   max_control_points: int) -> tuple[Tensor, Tensor, Tensor]:
    """Draw ``m`` strokes from the step model, all decoders advancing together.

    At each step: draw the end flag (temperature on the Bernoulli, Ha & Eck 2018); strokes that
    go on draw an offset from the GMM (temperature on weights and standard deviations). The end
    is forced at step ``max_control_points - 1``; the forced decision is counted as drawn, so the
    log-probability equals the density's for strokes that were not truncated (at T = 1).
    Returns ``(offsets (m, T, 2) zero after each stroke's end, n_cp (m,), log_prob (m,))``.
    """
    prev = torch.zeros(m, 2)
    going = torch.ones(m, dtype=torch.bool)
    n_cp = torch.ones(m, dtype=torch.long)
    deltas, lp = [], torch.zeros(m)
    for t in range(max_control_points):
        gmm, end_logit, state = step(state, prev)
        end = sample_bernoulli(end_logit, temperature, generator)
        if t == max_control_points - 1:
            end = torch.ones_like(end)
        lp += torch.where(going, bernoulli_log_prob(end_logit, end.float()), torch.zeros(m))
        going = going & ~end
        if not going.any():
            break
        prev = sample_gmm(gmm, temperature, generator)
        lp += torch.where(going, gmm_log_prob(gmm, prev), torch.zeros(m))
        n_cp += going.long()
        deltas.append(torch.where(going[:, None], prev, torch.zeros_like(prev)))
    offsets = torch.stack(deltas, 1) if deltas else torch.zeros(m, 1, 2)
    return offsets, n_cp, lp
