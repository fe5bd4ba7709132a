"""Hierarchical LSTM (Feinman & Lake 2020, "Alternative Models", Fig. 4, Appendix A).

At stroke step t the character-level LSTM reads the previous start location y_{t-1} and the
previous stroke encoded by a bidirectional LSTM (one layer, 256 units):
``h_t = f_LSTM(y_{t-1}, f_enc(x_{t-1}), h_{t-1})``. A 2-layer MLP gives the GMM p(y_t | h_t);
a stroke LSTM (one layer, 256 units) gives p(x_t | h_t, y_t) one offset at a time with GMM
outputs. Character LSTM layers, units and dropout are tuned; the submodules are fixed.

Choices the paper leaves open (stated here, used everywhere):
* Inputs at t = 0 are zeros. The stroke encoder reads the stroke's offsets with a leading zero
  (so a one-point stroke has a length-1 sequence); its final forward and backward states are
  concatenated (512).
* The stroke LSTM's input at each step is [previous offset, y_t, h_t]; its output feeds a GMM
  and an end-of-stroke logit, exactly as in the Full NS stroke model (same per-step Bernoulli
  model of the number of control points, :mod:`.stroke_steps`).
* The number of strokes: after stroke t the new character state h_{t+1} gives a stop
  probability (linear layer), the H-LSTM counterpart of the Full NS termination model; stop = 1
  only after the last stroke.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence

from charchallenge.mixtures import GMMHead, bernoulli_log_prob, gmm_log_prob, sample_bernoulli, sample_gmm

from .density import DrawingDensity, stroke_terms
from .encoding import Batch, decode
from .stroke_steps import sample_strokes, stroke_log_prob


class HierarchicalLSTM(DrawingDensity):
    name = "hierarchical_lstm"
    needs_canvases = False

    def __init__(self, char_hidden=256, char_layers=1, char_dropout=0.0, encoder_hidden=256,
                 stroke_hidden=256, mlp_hidden=256):
        super().__init__()
        self.encoder = nn.LSTM(2, encoder_hidden, batch_first=True, bidirectional=True)
        self.char = nn.LSTM(2 + 2 * encoder_hidden, char_hidden, char_layers, batch_first=True,
                            dropout=char_dropout if char_layers > 1 else 0.0)
        self.char_drop = nn.Dropout(char_dropout)
        self.location = nn.Sequential(nn.Linear(char_hidden, mlp_hidden), nn.Tanh(),
                                      nn.Linear(mlp_hidden, mlp_hidden), nn.Tanh(), GMMHead(mlp_hidden, ridge=1e-3))
        self.stop = nn.Linear(char_hidden, 1)
        self.stroke = nn.LSTM(2 + 2 + char_hidden, stroke_hidden, batch_first=True)
        self.stroke_head = GMMHead(stroke_hidden, ridge=1e-4)
        self.stroke_end = nn.Linear(stroke_hidden, 1)

    def encode_strokes(self, offsets: Tensor, n_cp: Tensor) -> Tensor:
        """f_enc: (S, 2 * encoder_hidden) from each stroke's offsets (leading zero)."""
        seq = torch.cat([torch.zeros_like(offsets[:, :1]), offsets], 1)
        packed = pack_padded_sequence(seq, n_cp.cpu(), batch_first=True, enforce_sorted=False)
        _, (h, _) = self.encoder(packed)
        return torch.cat([h[0], h[1]], -1)

    def decode_stroke(self, h: Tensor, start: Tensor, offsets: Tensor):
        """Teacher-forced stroke LSTM: GMMs and end logits for steps 0..T."""
        prev = torch.cat([torch.zeros_like(offsets[:, :1]), offsets], 1)
        n = prev.shape[1]
        ctx = torch.cat([start, h], -1)[:, None].expand(-1, n, -1)
        out, _ = self.stroke(torch.cat([prev, ctx], -1))
        return self.stroke_head(out), self.stroke_end(out).squeeze(-1)

    def log_prob_parts(self, batch: Batch) -> dict[str, Tensor]:
        d, s_max = batch.n_drawings, int(batch.n_strokes.max())
        enc = self.encode_strokes(batch.offsets, batch.n_cp)
        inputs = torch.zeros(d, s_max + 1, 2 + enc.shape[1], device=enc.device)
        inputs[batch.drawing, batch.position + 1] = torch.cat([batch.start, enc], -1)
        h, _ = self.char(inputs)
        h = self.char_drop(h)
        h_before = h[batch.drawing, batch.position]  # state that generates stroke t
        h_after = h[batch.drawing, batch.position + 1]  # state after stroke t: stop?
        loc = self.location(h_before).log_prob(batch.start)
        gmm, ends = self.decode_stroke(h_before, batch.start, batch.offsets)
        off, end = stroke_log_prob(gmm, ends, batch.offsets, batch.n_cp)
        term = bernoulli_log_prob(self.stop(h_after).squeeze(-1), batch.is_last.float())
        return stroke_terms(batch, location=loc, offsets=off, stroke_end=end, termination=term)

    @torch.no_grad()
    def sample(self, n: int, temperature: float = 1.0, generator: torch.Generator | None = None,
               max_strokes: int = 10, max_control_points: int = 50):
        """Ancestral sampling (Fig. 4); same return value and truncation rule as FullNS.sample."""
        drawings = [[] for _ in range(n)]
        logp = torch.zeros(n)
        x = torch.zeros(n, 1, self.char.input_size)
        state = None
        active = torch.ones(n, dtype=torch.bool)
        for t in range(max_strokes):
            h, state = self.char(x, state)
            h = h[:, 0]
            if t > 0:
                logit = self.stop(h).squeeze(-1)
                stop = sample_bernoulli(logit, temperature, generator)
                logp += torch.where(active, bernoulli_log_prob(logit, stop.float()), torch.zeros(n))
                active = active & ~stop
                if not active.any():
                    break
            loc = self.location(h)
            start = sample_gmm(loc, temperature, generator)
            logp += torch.where(active, gmm_log_prob(loc, start), torch.zeros(n))
            offsets, n_cp, lp = sample_strokes(self._stroke_step(h, start), None, n, temperature, generator,
                                               max_control_points)
            logp += torch.where(active, lp, torch.zeros(n))
            for j in torch.nonzero(active).flatten().tolist():
                drawings[j].append(decode(start[j].double().numpy(), offsets[j, : n_cp[j] - 1].double().numpy()))
            enc = self.encode_strokes(offsets, n_cp)
            x = torch.cat([start, enc], -1)[:, None]
        return drawings, logp

    def _stroke_step(self, h: Tensor, start: Tensor):
        """One stroke-LSTM step for :func:`.stroke_steps.sample_strokes`; input [offset, y_t, h_t]."""
        def step(state, prev):
            out, state = self.stroke(torch.cat([prev, start, h], -1)[:, None], state)
            out = out[:, 0]
            return self.stroke_head(out), self.stroke_end(out).squeeze(-1), state
        return step
