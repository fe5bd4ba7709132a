"""The generator of Fabi et al. (2020), section 2 and Fig. 1.

"The input is the one-hot encoded vector of length 26 for every time step, which is first
processed in a fully-connected feedforward layer of 100 neurons, followed by one LSTM layer of
100 units, resulting in the output of pressure, stroke, and the relative change in x and y
direction for every time step."

Choices the paper leaves open (kept in params.yaml under ``fabi2020.model``):

* the feed-forward activation is ``tanh`` (bounded like the LSTM's own input nonlinearity);
* the read-out is linear (4 outputs: dx, dy, pen, onset in normalised units).

The ablation of section 3.1 ("similar attempts without the feedforward layer [...] have not been
successful") is also built as a network: ``ff_units=None`` feeds the one-hot code straight into
the LSTM (no FF layer), trained the same way; one-shot inference then can only adapt its input
vector.

Two forward paths compute the same function:

* :class:`Generator` uses ``torch.nn.LSTM`` (cuDNN on a GPU) for training one model;
* :class:`Stack` holds the parameters of M generators stacked along a leading axis and runs
  them together with batched matrix products (:meth:`Stack.run`), so that one-shot inference
  and type inference of every letter x condition x seed are one optimisation problem.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from ..io import save_torch

ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "identity": lambda x: x}


class Generator(nn.Module):
    """One-hot code (K) -> FF layer (H_ff, activation) -> LSTM (H) -> linear read-out (4).

    ``ff_units=None``: no FF layer, the code goes straight into the LSTM (the ablation network).
    """

    def __init__(self, n_inputs: int = 26, ff_units: int | None = 100, lstm_units: int = 100,
                 n_outputs: int = 4, activation: str = "tanh"):
        super().__init__()
        self.n_inputs = n_inputs
        self.activation = activation if ff_units is not None else "identity"
        self.ff = nn.Linear(n_inputs, ff_units) if ff_units is not None else None
        self.lstm = nn.LSTM(ff_units if ff_units is not None else n_inputs, lstm_units, batch_first=True)
        self.readout = nn.Linear(lstm_units, n_outputs)

    def config(self) -> dict:
        return {"n_inputs": self.n_inputs, "ff_units": None if self.ff is None else self.ff.out_features,
                "lstm_units": self.lstm.hidden_size, "n_outputs": self.readout.out_features,
                "activation": self.activation}

    def forward(self, inputs: Tensor, n_steps: int | None = None) -> Tensor:
        """Outputs (B, T, 4) for inputs (B, K) held constant over ``n_steps`` or (B, T, K)."""
        ff = inputs if self.ff is None else ACTIVATIONS[self.activation](self.ff(inputs))
        if ff.dim() == 2:
            ff = ff.unsqueeze(1).expand(-1, n_steps, -1)
        hidden, _ = self.lstm(ff)
        return self.readout(hidden)


def save_generator(model: Generator, path, **extra) -> None:
    save_torch(path, {"config": model.config(), "state": model.state_dict(), **extra})


def load_generator(path, map_location="cpu") -> tuple[Generator, dict]:
    payload = torch.load(path, map_location=map_location, weights_only=False)
    model = Generator(**payload["config"])
    model.load_state_dict(payload["state"])
    return model, payload


@dataclass
class Stack:
    """Parameters of M generators stacked on axis 0 (weights transposed for ``x @ W``).

    ``w_ff`` (M, K, H_ff), ``b_ff`` (M, H_ff), ``w_ih`` (M, H_ff, 4H), ``w_hh`` (M, H, 4H),
    ``b`` (M, 4H) (= b_ih + b_hh), ``w_out`` (M, H, 4), ``b_out`` (M, 4). Gate order i, f, g, o
    as in ``torch.nn.LSTM``.
    """

    w_ff: Tensor
    b_ff: Tensor
    w_ih: Tensor
    w_hh: Tensor
    b: Tensor
    w_out: Tensor
    b_out: Tensor
    activation: str = "tanh"

    @classmethod
    def from_models(cls, models: list[Generator], device="cpu") -> "Stack":
        """Stack generators of one architecture; a network without FF layer gets W_ff = I,
        b_ff = 0 and the identity activation, so its LSTM input is the code itself."""
        def st(fn):
            return torch.stack([fn(m).detach() for m in models]).to(device)

        if len({m.ff is None for m in models}) > 1:
            raise ValueError("cannot stack generators with and without a feed-forward layer")
        if models[0].ff is None:
            k = models[0].n_inputs
            w_ff, b_ff = st(lambda m: torch.eye(k)), st(lambda m: torch.zeros(k))
        else:
            w_ff, b_ff = st(lambda m: m.ff.weight.t()), st(lambda m: m.ff.bias)
        return cls(
            w_ff=w_ff, b_ff=b_ff,
            w_ih=st(lambda m: m.lstm.weight_ih_l0.t()), w_hh=st(lambda m: m.lstm.weight_hh_l0.t()),
            b=st(lambda m: m.lstm.bias_ih_l0 + m.lstm.bias_hh_l0),
            w_out=st(lambda m: m.readout.weight.t()), b_out=st(lambda m: m.readout.bias),
            activation=models[0].activation,
        )

    def __len__(self) -> int:
        return self.w_ff.shape[0]

    def ff_preactivation(self, codes: Tensor) -> Tensor:
        """``codes @ W_ff + b_ff`` for codes (M, B, K) or (M, B, T, K)."""
        if codes.dim() == 3:
            return torch.baddbmm(self.b_ff.unsqueeze(1), codes, self.w_ff)
        m, b, t, k = codes.shape
        pre = torch.baddbmm(self.b_ff.unsqueeze(1), codes.reshape(m, b * t, k), self.w_ff)
        return pre.reshape(m, b, t, -1)

    def run(self, ff_pre: Tensor, n_steps: int, return_states: bool = False, lengths=None):
        """Outputs (M, B, T, 4) from FF pre-activations (M, B, H_ff) (constant) or (M, B, T, H_ff).

        With ``return_states`` also the hidden states h and cell states c, each (M, B, T, H).
        ``lengths`` (B,) (the same for every model) skips the steps after each sequence's end:
        sequences are processed longest first and a finished one leaves the batch, which gives
        the same outputs on the valid steps (meaningless ones after them) at a fraction of the cost.
        """
        if lengths is None:
            return self._run(ff_pre, n_steps, return_states, None)
        lengths = torch.as_tensor(lengths).cpu().long()
        order = torch.argsort(-lengths, stable=True)
        inverse = torch.argsort(order)
        order_d, inverse_d = order.to(ff_pre.device), inverse.to(ff_pre.device)
        active = [int((lengths > t).sum()) for t in range(n_steps)]
        results = self._run(ff_pre.index_select(1, order_d), n_steps, return_states, active)
        if return_states:
            return tuple(r.index_select(1, inverse_d) for r in results)
        return results.index_select(1, inverse_d)

    def _run(self, ff_pre: Tensor, n_steps: int, return_states: bool, active):
        ff = ACTIVATIONS[self.activation](ff_pre)
        m, b = ff.shape[:2]
        if ff.dim() == 3:
            x_gates = torch.baddbmm(self.b.unsqueeze(1), ff, self.w_ih)  # (M, B, 4H)
            gate_at = lambda t, n: x_gates[:, :n]  # noqa: E731
        else:
            x_gates = torch.baddbmm(self.b.unsqueeze(1), ff.reshape(m, -1, ff.shape[-1]), self.w_ih)
            x_gates = x_gates.reshape(m, b, ff.shape[2], -1)
            gate_at = lambda t, n: x_gates[:, :n, t]  # noqa: E731
        hidden = self.w_hh.shape[1]
        h = ff.new_zeros(m, b, hidden)
        c = ff.new_zeros(m, b, hidden)
        hs, cs = [], []
        for t in range(n_steps):
            n = b if active is None else active[t]
            if n < h.shape[1]:
                h, c = h[:, :n], c[:, :n]
            gates = torch.baddbmm(gate_at(t, n), h, self.w_hh)
            sig = torch.sigmoid(gates)
            i, f, o = sig[..., :hidden], sig[..., hidden:2 * hidden], sig[..., 3 * hidden:]
            g = torch.tanh(gates[..., 2 * hidden:3 * hidden])
            c = f * c + i * g
            h = o * torch.tanh(c)
            hs.append(h if n == b else torch.nn.functional.pad(h, (0, 0, 0, b - n)))
            if return_states:
                cs.append(c if n == b else torch.nn.functional.pad(c, (0, 0, 0, b - n)))
        h_all = torch.stack(hs, dim=2)  # (M, B, T, H)
        out = torch.baddbmm(self.b_out.unsqueeze(1), h_all.reshape(m, -1, hidden), self.w_out)
        out = out.reshape(m, b, n_steps, -1)
        if return_states:
            return out, h_all, torch.stack(cs, dim=2)
        return out
