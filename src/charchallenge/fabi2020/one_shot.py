"""One-shot inference (Fabi et al. 2020, section 2 and 3.1), batched over letters, conditions, seeds.

"The gradient signals of the loss function were again propagated backwards through time.
However, only the weights into the feedforward layer were adapted. The weights of the LSTM
layer were not adapted at all. This iterative process was repeated 13,000 times with a learning
rate of 0.001."

With a one-hot input e_k the feed-forward pre-activation is ``W_ff[:, k] + b_ff``, so the only
weights into the feed-forward layer that receive gradient are column k of ``W_ff`` (and the
bias). We adapt **only column k** and keep ``b_ff`` frozen: the bias is shared by every letter,
so adapting it to one novel letter would change what the network draws for all other letters
(trained and previously inferred ones alike); since the column alone can set the
pre-activation to any value, freezing the bias costs no expressiveness. The LSTM and the
read-out are frozen, bit for bit.

Conditions (one row of Fig. 2 each, plus the ablation of section 3.1):

* ``one_shot``  - trained model, column adapted (blue);
* ``untrained`` - freshly initialised model of the same seed, column adapted (orange);
* ``ablation``  - trained model with *every* weight frozen; instead the constant 26-dim input
  vector (a mixture of one-hot codes, initialised to the novel letter's one-hot) is adapted:
  "similar attempts without the feedforward layer, like backpropagating the gradient onto
  constant one-hot mixture input vectors, have not been successful".

The red row (trained model, novel one-hot, no inference) is the ``one_shot`` condition at
iteration 0. All seeds x conditions x letters form one problem: the stacked models
(:class:`~.model.Stack`, M = seeds x conditions) run every letter (B) together, each letter with
its own free column (or input vector); the loss is the sum of the per-letter losses, so every
letter's gradient - and, Adam being element-wise, its whole optimisation path - is exactly the
one it would have alone. ``batched=False`` runs the same problems one letter at a time (the
benchmark's baseline).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch

from .data import masked_mse, one_hot, pad
from .model import Generator, Stack

CONDITIONS = ("one_shot", "untrained", "ablation")


@dataclass
class OneShotResult:
    columns: torch.Tensor       # (S, C, L, H) adapted W_ff columns (column conditions)
    inputs: torch.Tensor        # (S, C, L, K) adapted input vectors (ablation condition)
    outputs: list               # outputs[s][c][l] (T_l, 4) normalised, after inference
    initial_outputs: list       # the same before inference (one_shot -> the red condition)
    losses: np.ndarray          # (n_logged, S, C, L) loss history
    logged_steps: np.ndarray


def _optimise(stack: Stack, w0, u0, ablation, targets, mask, lengths, iterations, lr, log_every):
    """Adam on the free columns ``w`` (M, B, H) and input vectors ``u`` (M, B, K)."""
    w = w0.clone().requires_grad_(True)
    u = u0.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([w, u], lr=lr, betas=(0.9, 0.999))
    b_ff = stack.b_ff.unsqueeze(1)
    is_abl = ablation.view(-1, 1, 1)
    n_steps = targets.shape[2]

    def preact():
        from_column = w + b_ff
        from_input = torch.baddbmm(b_ff, u, stack.w_ff)
        return torch.where(is_abl, from_input, from_column)

    history, logged = [], []
    for it in range(iterations + 1):
        if it == iterations or it % log_every == 0:
            with torch.no_grad():
                loss = masked_mse(stack.run(preact(), n_steps, lengths=lengths), targets, mask)
            history.append(loss.cpu().numpy())
            logged.append(it)
        if it == iterations:
            break
        optimizer.zero_grad(set_to_none=True)
        loss = masked_mse(stack.run(preact(), n_steps, lengths=lengths), targets, mask).sum()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        out = stack.run(preact(), n_steps, lengths=lengths)
    return w.detach(), u.detach(), out, np.stack(history), np.asarray(logged)


def one_shot_inference(trained: list[Generator], untrained: list[Generator], targets: list[np.ndarray],
                       novel: list[int], iterations: int, lr: float, device: str = "cpu",
                       conditions=CONDITIONS, batched: bool = True, log_every: int = 100) -> OneShotResult:
    """Adapt every novel letter under every condition for every seed (see module docstring)."""
    n_seeds, n_letters = len(trained), len(targets)
    models = []
    for s in range(n_seeds):
        for cond in conditions:
            models.append(untrained[s] if cond == "untrained" else trained[s])
    stack = Stack.from_models(models, device=device)
    n_inputs = stack.w_ff.shape[1]
    novel_t = torch.as_tensor(novel, device=device)
    w0 = stack.w_ff[:, novel_t, :].clone()                                   # (M, L, H): column k of W_ff
    u0 = one_hot(novel, n_inputs).to(device).expand(len(models), -1, -1).contiguous()
    ablation = torch.tensor([c == "ablation" for _ in range(n_seeds) for c in conditions], device=device)
    x, mask = pad(targets)
    x = x.to(device).expand(len(models), -1, -1, -1)
    mask = mask.to(device).expand(len(models), -1, -1)
    lengths = [len(t) for t in targets]

    with torch.no_grad():
        initial = stack.run(torch.where(ablation.view(-1, 1, 1), torch.baddbmm(stack.b_ff.unsqueeze(1), u0, stack.w_ff),
                                        w0 + stack.b_ff.unsqueeze(1)), x.shape[2], lengths=lengths)
    if batched:
        w, u, out, history, logged = _optimise(stack, w0, u0, ablation, x, mask, lengths, iterations, lr, log_every)
    else:
        w, u = w0.clone(), u0.clone()
        out = torch.zeros_like(initial)
        histories = np.zeros((0,))
        for m in range(len(models)):
            sub = Stack(*(getattr(stack, f)[m:m + 1] for f in ("w_ff", "b_ff", "w_ih", "w_hh", "b", "w_out", "b_out")),
                        activation=stack.activation)
            for b in range(n_letters):
                n = lengths[b]
                wm, um, om, hm, logged = _optimise(sub, w0[m:m + 1, b:b + 1], u0[m:m + 1, b:b + 1], ablation[m:m + 1],
                                                   x[m:m + 1, b:b + 1, :n], mask[m:m + 1, b:b + 1, :n], None,
                                                   iterations, lr, log_every)
                w[m, b], u[m, b] = wm[0, 0], um[0, 0]
                out[m, b, :n] = om[0, 0]
                if histories.size == 0:
                    histories = np.zeros((len(hm), len(models), n_letters))
                histories[:, m, b] = hm[:, 0, 0]
        history = histories

    C = len(conditions)
    shape = (n_seeds, C)

    def split(t):
        t = t.cpu().numpy().reshape(*shape, *t.shape[1:])
        return [[[t[s, c, l, : lengths[l]] for l in range(n_letters)] for c in range(C)] for s in range(n_seeds)]

    return OneShotResult(
        columns=w.cpu().reshape(*shape, n_letters, -1), inputs=u.cpu().reshape(*shape, n_letters, -1),
        outputs=split(out), initial_outputs=split(initial),
        losses=history.reshape(len(history), *shape, n_letters), logged_steps=logged,
    )


def install_columns(model: Generator, novel: list[int], columns: torch.Tensor) -> Generator:
    """A copy of ``model`` whose W_ff columns ``novel`` are replaced by ``columns`` (L, H).

    Nothing else changes: the FF bias, the LSTM and the read-out stay bit-identical.
    """
    adapted = copy.deepcopy(model)
    with torch.no_grad():
        weight = adapted.ff.weight.clone()
        weight[:, list(novel)] = columns.to(weight.dtype).t()
        adapted.ff.weight.copy_(weight)
    return adapted
