"""New samples of a concept (Fabi et al. 2020, section 3.2, Fig. 3).

"After the adaptation of the weight vector into the feed-forward layer, we then added normally
distributed noise (M = 0, 0.009 <= SD <= 0.07) to the input label with 26 dimensions at every
time step, allowing the network to create new instances of the presented target character."

:func:`generate` runs the stacked (one-shot-inferred) models of all seeds on input codes that
may vary over time; :func:`noisy_variants` draws the noise from a seeded generator, so the
variants are deterministic.
"""

from __future__ import annotations

import torch

from .data import one_hot
from .model import Generator, Stack


@torch.no_grad()
def generate(models: list[Generator], codes: torch.Tensor, lengths: list[int], device: str = "cpu",
             return_states: bool = False):
    """Outputs [s][b] (T_b, 4) of every model for codes (S, B, K) or (S, B, T, K)."""
    stack = Stack.from_models(models, device=device)
    n_steps = max(lengths)
    codes = codes.to(device)
    if codes.dim() == 4:
        codes = codes[:, :, :n_steps]
    result = stack.run(stack.ff_preactivation(codes), n_steps, lengths=lengths, return_states=return_states)
    out = result[0] if return_states else result
    out = out.cpu().numpy()
    outputs = [[out[s, b, : lengths[b]] for b in range(len(lengths))] for s in range(len(models))]
    if return_states:
        h, c = (r.cpu().numpy() for r in result[1:])
        return outputs, [[h[s, b, : lengths[b]] for b in range(len(lengths))] for s in range(len(models))], \
            [[c[s, b, : lengths[b]] for b in range(len(lengths))] for s in range(len(models))]
    return outputs


def noisy_codes(letters: list[int], sds: list[float], n_inputs: int, n_steps: int, n_seeds: int,
                seed: int) -> torch.Tensor:
    """Codes (S, B, T, K): one-hot of letters[b] plus N(0, sds[b]^2) noise at every step."""
    generator = torch.Generator().manual_seed(seed)
    base = one_hot(letters, n_inputs)[None, :, None, :]
    noise = torch.randn(n_seeds, len(letters), n_steps, n_inputs, generator=generator)
    return base + noise * torch.as_tensor(sds, dtype=torch.float32)[None, :, None, None]


def noisy_variants(models: list[Generator], letters: list[int], lengths: list[int], sds: list[float],
                   samples_per_sd: int, seed: int, device: str = "cpu"):
    """Variants [s][l][j] for every letter; column j uses SD ``variant_sds[j]`` (returned)."""
    variant_sds = [sd for sd in sds for _ in range(samples_per_sd)]
    rows_letters = [l for l in letters for _ in variant_sds]
    rows_sds = [sd for _ in letters for sd in variant_sds]
    rows_lengths = [n for n in lengths for _ in variant_sds]
    n_inputs = models[0].n_inputs
    codes = noisy_codes(rows_letters, rows_sds, n_inputs, max(lengths), len(models), seed)
    out = generate(models, codes, rows_lengths, device)
    J = len(variant_sds)
    return [[out[s][i * J:(i + 1) * J] for i in range(len(letters))] for s in range(len(models))], variant_sds
