"""Small layers shared by the models, written for speed on a CPU."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class Dropout(nn.Module):
    """Inverted dropout with the distribution of :class:`torch.nn.Dropout` (each unit kept with
    probability 1 - p and scaled by 1 / (1 - p)), its mask drawn as ``rand >= p``: on a CPU
    this is about twice as fast as ``torch.nn.Dropout``'s ``bernoulli_`` on large feature maps
    (``benchmarks/feinman2020_train_step.py``). Identity in eval mode or when p = 0."""

    def __init__(self, p: float = 0.5):
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p = float(p)

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0.0:
            return x
        return x * ((torch.rand_like(x) >= self.p) * (1.0 / (1.0 - self.p)))

    def extra_repr(self) -> str:
        return f"p={self.p}"


def shared_rows(net: nn.Module, inputs: Tensor, same: Tensor) -> Tensor:
    """``net(inputs)`` where the rows flagged ``same`` are all equal (e.g. the blank canvas seen
    by every first stroke): ``net`` runs once on one of them and that output is shared.

    Only for a ``net`` whose rows do not interact (no batch norm). In training mode the shared
    rows then share one dropout mask: each row's output keeps its distribution, so the expected
    loss and gradient are unchanged and only their variance differs.
    """
    if int(same.sum()) < 2:
        return net(inputs)
    first = int(torch.nonzero(same)[0])
    rest = torch.nonzero(~same).squeeze(1)
    out = net(torch.cat([inputs[first : first + 1], inputs[rest]]))
    gather = torch.zeros(len(inputs), dtype=torch.long, device=inputs.device)
    gather[rest] = torch.arange(1, len(rest) + 1, device=inputs.device)
    return out[gather]
