"""Full neuro-symbolic model (Feinman & Lake 2020, "Neuro-Symbolic Model", Fig. 1, Appendix A).

GenerateCharacter: the canvas I starts blank. Repeat: the location model gives p(y_t | I) and a
start y_t is drawn; the stroke model gives p(x_t | y_t, I), an LSTM attending to a CNN feature
map of I that emits one GMM per offset; the stroke is rendered onto I by the symbolic renderer
(:mod:`.canvases`); the termination model gives p(v_t | I), the probability of stopping.

Architecture details (sizes, standardisation, attention, previous-point input, ridges) follow
the released code (shared/reference/gns-facts.md section 2) where the paper leaves them open:

* Location model: 4 blocks [3x3 conv (no bias), batch norm, activation f, 2x2 max-pool,
  dropout p] with K_i filters (28 -> 14 -> 7 -> 3 -> 1), then one dense layer of D units
  (f, dropout) -> 20-component GMM (ridge 1e-3). Like the released code it also reads the
  previous stroke's last control point (2 -> 16, tanh, dropout 0.2), a variable of the drawing
  itself, so the density stays exact; the paper's Fig. 1 shows the canvas only.
* Stroke model: CNN without pooling [1->16 ReLU, 16->32 ReLU (dropout 0.3 each), 32->64 stride
  2 tanh] -> (64, 14, 14) map; LSTM (tuned layers x units) with additive attention over the 196
  locations, context gated by sigmoid(W h); initial state from the mean-pooled map and the start
  embedding; output [h, context, offset embedding, start embedding] -> tanh layer -> GMM
  (ridge 1e-4) + one end-of-stroke logit. Deviation: ordinary (inverted) dropout redrawn every
  step instead of the released code's fixed unscaled masks. Speed: the feature map of the blank
  canvas (every first stroke) is computed once per batch (:func:`charchallenge.layers.shared_rows`).
* Termination model: 4 blocks [3x3 conv, ReLU, batch norm, max-pool, dropout 0.5], 64 filters,
  dense 64 (ReLU, dropout 0.5) -> 1 logit.
* Canvases standardised with the released statistics (location/stroke vs termination).

Density (exact, normalised units of :mod:`.encoding`): for a drawing of n strokes,
``log p = sum_t [log p(y_t | I_t, prev) + log p(x_t, k_t | y_t, I_t) + log p(v_t | I_{t+1})]``,
with v_t = 1 only after the last stroke. The stroke length is modelled by one end-of-stroke
Bernoulli per decoder step (:mod:`.stroke_steps`): the k_t - 1 offsets are each
preceded by "go on", then "end" - a proper distribution over k >= 1. Deviation from the released
code: termination is not scored on the blank canvas (every drawing has >= 1 stroke, as in the
other two models), and a stroke may end at step 0 (one-point strokes are 3% of the data), so
sampler and density agree exactly.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from charchallenge.layers import Dropout, shared_rows
from charchallenge.mixtures import GMM, GMMHead, bernoulli_log_prob, gmm_log_prob, sample_bernoulli, sample_gmm

from . import canvases as cv
from .density import DrawingDensity, stroke_terms
from .encoding import MOTOR_ZERO, Batch, decode
from .stroke_steps import sample_strokes

ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU, "elu": nn.ELU}


def conv_block(c_in: int, c_out: int, activation: str, dropout: float, bias: bool, norm_first: bool) -> nn.Sequential:
    """3x3 conv, batch norm and activation (order per model), 2x2 max-pool, dropout."""
    conv = nn.Conv2d(c_in, c_out, 3, padding=1, bias=bias)
    act, bn = ACTIVATIONS[activation](), nn.BatchNorm2d(c_out)
    middle = [bn, act] if norm_first else [act, bn]
    return nn.Sequential(conv, *middle, nn.MaxPool2d(2), Dropout(dropout))


class LocationModel(nn.Module):
    """p(y_t | I, previous point): CNN of 4 blocks + one dense layer -> GMM."""

    def __init__(self, channels=(16, 32, 64, 128), dense=128, activation="tanh", dropout=0.3):
        super().__init__()
        blocks, c = [], 1
        for k in channels:
            blocks.append(conv_block(c, k, activation, dropout, bias=False, norm_first=True))
            c = k
        self.cnn = nn.Sequential(*blocks, nn.Flatten())
        self.prev = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), Dropout(0.2))
        self.dense = nn.Sequential(nn.Linear(c + 16, dense), ACTIVATIONS[activation](), Dropout(0.5))
        self.head = GMMHead(dense, ridge=1e-3)

    def forward(self, canvas: Tensor, prev_point: Tensor) -> GMM:
        feat = self.cnn(cv.standardise(canvas, cv.LOC_STATS)[:, None])
        return self.head(self.dense(torch.cat([feat, self.prev(prev_point)], -1)))


class StrokeModel(nn.Module):
    """p(x_t | y_t, I): attentive LSTM over a (64, 14, 14) canvas feature map, one GMM per offset."""

    def __init__(self, hidden=256, layers=2, dropout=0.3, attention=256, cnn=(16, 32, 64)):
        super().__init__()
        self.hidden, self.layers = hidden, layers
        c1, c2, f = cnn  # fixed in the paper: a (64, 14, 14) map; smaller only at smoke/quick scale
        self.cnn = nn.Sequential(
            nn.Conv2d(1, c1, 3, padding=1), nn.ReLU(), Dropout(0.3),
            nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), Dropout(0.3),
            nn.Conv2d(c2, f, 3, padding=1, stride=2), nn.Tanh())
        self.start_emb = nn.Sequential(nn.Linear(2, 16), nn.Tanh())
        self.offset_emb = nn.Sequential(nn.Linear(2, 16), nn.Tanh())
        self.init = nn.Sequential(nn.Linear(f + 16, 2 * layers * hidden), nn.Tanh(), Dropout(dropout))
        self.att_features = nn.Linear(f, attention)
        self.att_hidden = nn.Linear(hidden, attention, bias=False)
        self.att_score = nn.Linear(attention, 1)
        self.gate = nn.Linear(hidden, f)
        self.cells = nn.ModuleList([nn.LSTMCell(16 + f if i == 0 else hidden, hidden) for i in range(layers)])
        self.drop = Dropout(dropout)
        self.combine = nn.Sequential(nn.Linear(hidden + f + 16 + 16, hidden), nn.Tanh(), Dropout(dropout))
        self.head = GMMHead(hidden, ridge=1e-4)
        self.end = nn.Linear(hidden, 1)

    def init_state(self, canvas: Tensor, start: Tensor, blank: Tensor | None = None) -> dict:
        """Decoder state for strokes starting at ``start`` on ``canvas``; ``blank`` flags the
        strokes whose canvas is blank (their feature map is computed once)."""
        x = cv.standardise(canvas, cv.LOC_STATS)[:, None]
        fmap = (self.cnn(x) if blank is None else shared_rows(self.cnn, x, blank))
        fmap = fmap.flatten(2).transpose(1, 2)  # (S, 196, 64)
        s_emb = self.start_emb(start)
        hc = self.init(torch.cat([fmap.mean(1), s_emb], -1)).view(-1, 2, self.layers, self.hidden)
        return {"fmap": fmap, "keys": self.att_features(fmap), "start": s_emb,
                "h": [hc[:, 0, i] for i in range(self.layers)], "c": [hc[:, 1, i] for i in range(self.layers)]}

    def step(self, state: dict, prev_offset: Tensor) -> tuple[GMM, Tensor, dict]:
        """One decoder step: attend with the previous top state, advance the LSTM, emit."""
        h_top = state["h"][-1]
        score = self.att_score(torch.tanh(state["keys"] + self.att_hidden(h_top)[:, None])).squeeze(-1)
        alpha = torch.softmax(score, -1)
        context = torch.sigmoid(self.gate(h_top)) * (alpha[..., None] * state["fmap"]).sum(1)
        o_emb = self.offset_emb(prev_offset)
        x, hs, cs = torch.cat([o_emb, context], -1), [], []
        for i, cell in enumerate(self.cells):
            h, c = cell(x, (state["h"][i], state["c"][i]))
            hs.append(h)
            cs.append(c)
            x = self.drop(h)
        out = self.combine(torch.cat([x, context, o_emb, state["start"]], -1))
        return self.head(out), self.end(out).squeeze(-1), {**state, "h": hs, "c": cs}

    def log_prob(self, canvas: Tensor, start: Tensor, offsets: Tensor, n_cp: Tensor,
                 blank: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """Teacher-forced stroke terms per stroke: ``(sum_t log p(offset_t), sum_t log p(end_t))``.

        Strokes are sorted longest first and step t runs only on the strokes still going (a
        prefix), so the cost follows the total number of control points, not the longest stroke.
        """
        order = torch.argsort(n_cp, descending=True, stable=True)
        k = n_cp[order]
        state = self.init_state(canvas[order], start[order], None if blank is None else blank[order])
        targets = torch.cat([offsets[order], torch.zeros_like(offsets[:, :1])], 1)
        lp_off = torch.zeros(len(k), device=start.device)
        lp_end = torch.zeros(len(k), device=start.device)
        prev = torch.zeros_like(start)
        for t in range(int(k.max())):
            m = int((k > t).sum())  # strokes that reach step t (k - 1 >= t)
            state = {key: (v[:m] if isinstance(v, Tensor) else [x[:m] for x in v]) for key, v in state.items()}
            gmm, end_logit, state = self.step(state, prev[:m])
            ends = (k[:m] - 1 == t).float()
            lp_end = lp_end + F.pad(bernoulli_log_prob(end_logit, ends), (0, len(k) - m))
            lp_t = torch.where(ends > 0, torch.zeros_like(ends), gmm_log_prob(gmm, targets[:m, t]))
            lp_off = lp_off + F.pad(lp_t, (0, len(k) - m))
            prev = targets[:m, t]
        inverse = torch.empty_like(order)
        inverse[order] = torch.arange(len(order), device=order.device)
        return lp_off[inverse], lp_end[inverse]


class TerminationModel(nn.Module):
    """p(v_t = stop | I): CNN of 4 blocks + dense layer -> one logit."""

    def __init__(self, channels=64, dense=64, dropout=0.5):
        super().__init__()
        blocks, c = [], 1
        for _ in range(4):
            blocks.append(conv_block(c, channels, "relu", dropout, bias=True, norm_first=False))
            c = channels
        self.net = nn.Sequential(*blocks, nn.Flatten(), nn.Linear(channels, dense), nn.ReLU(), Dropout(dropout),
                                 nn.Linear(dense, 1))

    def forward(self, canvas: Tensor) -> Tensor:
        return self.net(cv.standardise(canvas, cv.TERM_STATS)[:, None]).squeeze(-1)


class FullNS(DrawingDensity):
    """The Full NS model: location, stroke and termination models around a renderer."""

    name = "full_ns"
    needs_canvases = True
    share_blank_canvas = True
    """Compute the stroke CNN's map of the blank canvas once per batch (False: once per first
    stroke, as before the speed work; for ``benchmarks/feinman2020_train_step.py``)."""

    def __init__(self, location: dict | None = None, stroke: dict | None = None, termination: dict | None = None):
        super().__init__()
        self.location = LocationModel(**(location or {}))
        self.stroke = StrokeModel(**(stroke or {}))
        self.termination = TerminationModel(**(termination or {}))

    def log_prob_parts(self, batch: Batch) -> dict[str, Tensor]:
        """Per-drawing log-likelihood terms (nats): location, offsets, stroke_end, termination."""
        loc = self.location(batch.canvas_before, batch.prev_point).log_prob(batch.start)
        off, end = self.stroke.log_prob(batch.canvas_before, batch.start, batch.offsets, batch.n_cp,
                                        blank=batch.position == 0 if self.share_blank_canvas else None)
        term = bernoulli_log_prob(self.termination(batch.canvas_after), batch.is_last.float())
        return stroke_terms(batch, location=loc, offsets=off, stroke_end=end, termination=term)

    @torch.no_grad()
    def sample(self, n: int, temperature: float = 1.0, generator: torch.Generator | None = None,
               max_strokes: int = 10, max_control_points: int = 50) -> tuple[list, Tensor]:
        """GenerateCharacter (Fig. 1) for ``n`` drawings at once. Returns (drawings as lists of
        (k, 2) motor-px control points, log-probability of each under the sampling
        distribution). Truncation: at most ``max_strokes`` strokes and ``max_control_points``
        control points (forced end); the log-probability counts the forced decisions as
        drawn, so it equals :meth:`log_prob` for untruncated samples at T = 1."""
        drawings = [[] for _ in range(n)]
        logp = torch.zeros(n)
        active = torch.arange(n)
        prev = torch.tensor(MOTOR_ZERO, dtype=torch.float32).repeat(n, 1)
        canvas = torch.zeros(n, cv.SIZE, cv.SIZE)
        for t in range(max_strokes):
            if len(active) == 0:
                break
            c, p = canvas[active], prev[active]
            loc = self.location(c, p)
            start = sample_gmm(loc, temperature, generator)
            logp[active] += gmm_log_prob(loc, start)
            offsets, n_cp, lp = sample_strokes(self.stroke.step, self.stroke.init_state(c, start), len(active),
                                               temperature, generator, max_control_points)
            logp[active] += lp
            for j, d in enumerate(active.tolist()):
                drawings[d].append(decode(start[j].double().numpy(), offsets[j, : n_cp[j] - 1].double().numpy()))
                prev[d] = start[j] + offsets[j].sum(0)
            canvas[active] = cv.render_drawings([drawings[d] for d in active.tolist()])
            logit = self.termination(canvas[active])
            stop = sample_bernoulli(logit, temperature, generator)
            if t == max_strokes - 1:
                stop = torch.ones_like(stop)
            logp[active] += bernoulli_log_prob(logit, stop.float())
            active = active[~stop]
        return drawings, logp
