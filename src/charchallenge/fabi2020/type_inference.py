"""Character type inference (Fabi et al. 2020, section 3.3), batched over instances and seeds.

"During character type inference we do not provide any label (one-hot encoded) information,
that is, we start with a zero vector of length 26 as the input vector. We then backpropagate the
gradient from the L2 loss onto that input vector, enforcing constant values for every time step.
This iterative inference process is repeated 1k times with a learning rate of 0.01 for every
character. [...] The highest value of the inferred label determines the classification."

The model is the trained generator after one-shot inference of every novel letter (each with its
own column of W_ff); all its weights are frozen. The free variable is one constant input vector
per instance, optimised with Adam on the per-instance mean squared error (the L2 loss up to a
constant factor, which Adam's scale invariance makes irrelevant). Every instance of every seed
is one row of a single batched problem: the models of the S seeds are stacked (M = S), the
instances (B) of a seed run together and each row's gradient is exactly its own.

:func:`type_inference_protocols` runs both protocols of this repository in one batch: (a) the
paper's, one noise variant per novel letter generated as in Fig. 3; (b) every other human
drawer's version of every novel letter.
"""

from __future__ import annotations

import numpy as np
import torch

from .data import masked_mse, pad
from .model import Generator, Stack


def infer_types(models: list[Generator], targets: list[list[np.ndarray]], iterations: int, lr: float,
                device: str = "cpu", return_outputs: bool = True):
    """Inferred input codes (S, N, K) for targets[s][n] (normalised (T, 4)), and regenerations.

    Every seed must have the same number of targets with the same lengths (the instances are
    the same drawings, or variants generated at the shown example's length).
    """
    stack = Stack.from_models(models, device=device)
    n_seeds, n = len(models), len(targets[0])
    lengths = [len(t) for t in targets[0]]
    if any([len(t) for t in ts] != lengths for ts in targets):
        raise ValueError("every seed needs targets of the same lengths")
    xs, masks = zip(*(pad(ts) for ts in targets))
    x, mask = torch.stack(xs).to(device), torch.stack(masks).to(device)
    n_inputs = stack.w_ff.shape[1]
    code = torch.zeros(n_seeds, n, n_inputs, device=device, requires_grad=True)
    optimizer = torch.optim.Adam([code], lr=lr, betas=(0.9, 0.999))
    for _ in range(iterations):
        optimizer.zero_grad(set_to_none=True)
        out = stack.run(stack.ff_preactivation(code), x.shape[2], lengths=lengths)
        masked_mse(out, x, mask).sum().backward()
        optimizer.step()
    with torch.no_grad():
        out = stack.run(stack.ff_preactivation(code), x.shape[2], lengths=lengths)
        loss = masked_mse(out, x, mask).cpu().numpy()
    code = code.detach().cpu().numpy()
    result = {"codes": code, "predicted": code.argmax(-1), "loss": loss}
    if return_outputs:
        out = out.cpu().numpy()
        result["outputs"] = [[out[s, i, : lengths[i]] for i in range(n)] for s in range(n_seeds)]
    return result


def type_inference_protocols(models: list[Generator], study, params: dict, device: str = "cpu") -> tuple[dict, float]:
    """Both protocols' instances, inferred in one batched problem by the (one-shot-inferred)
    models of every seed (``params``: params ``fabi2020.type_inference``). Returns per protocol
    (``a``, ``b``) the targets, true letters, inferred codes, predictions, losses and outputs
    ([seed][instance]; protocol (a)'s targets differ per seed), and the inference's seconds."""
    from .pipeline import Timer
    from .variants import noisy_variants

    lengths = [len(t) for t in study.shown()]
    # (a) one variant per novel letter, generated as in Fig. 3 (noise SD variant_sd) by each seed's model
    variants, _ = noisy_variants(models, study.novel, lengths, [params["variant_sd"]], 1, seed=1000, device=device)
    targets_a = [[variants[s][l][0] for l in range(len(study.novel))] for s in range(len(models))]
    true_a = np.array(study.novel)
    # (b) every other drawer's version of every novel letter
    pairs_b = [(c, d) for c in study.novel for d in study.other_drawers()]
    targets_b = [study.sequence(c, d) for c, d in pairs_b]
    true_b = np.array([c for c, _ in pairs_b])
    # one batched problem: all instances of both protocols for all seeds
    targets = [targets_a[s] + targets_b for s in range(len(models))]
    with Timer() as timer:
        res = infer_types(models, targets, params["iterations"], params["lr"], device=device)
    na = len(targets_a[0])
    return {
        "a": {"targets": targets_a, "true": true_a, "codes": res["codes"][:, :na], "predicted": res["predicted"][:, :na],
              "loss": res["loss"][:, :na], "outputs": [o[:na] for o in res["outputs"]]},
        "b": {"targets": targets_b, "true": true_b, "drawers": np.array([d for _, d in pairs_b]),
              "codes": res["codes"][:, na:], "predicted": res["predicted"][:, na:], "loss": res["loss"][:, na:],
              "outputs": [o[na:] for o in res["outputs"]]},
    }, timer.seconds
