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
