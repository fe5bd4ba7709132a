"""Training the generator on the trained characters (Fabi et al. 2020, section 2).

"The model's weight parameters were trained for 500k training steps. We applied the mean
squared error (MSE) loss function [...] Backpropagation Through Time [...] Adam [...] (learning
rate of 0.001, beta1 = 0.9 and beta2 = 0.999)."

One training step = one Adam step on a mini-batch of ``batch_size`` drawings sampled uniformly
with replacement from every drawer's version of every trained character (the paper does not
give the batch size; we use 16, ``fabi2020.train.batch_size``). The input is the character's
one-hot code at every step; the loss is the MSE over the valid (unpadded) steps of the
normalised (dx, dy, pen, onset) targets. The loop itself (checkpoints, resume, determinism) is
the shared :func:`charchallenge.training.train`.
"""

from __future__ import annotations

import torch

from charchallenge.fingerprint import digest_arrays, job_fingerprint
from charchallenge.training import train

from .data import Study, masked_mse, one_hot, pad
from .model import Generator


def build_generator(study: Study, model_params: dict, seed: int) -> Generator:
    """A freshly initialised generator; the initial weights depend only on ``seed``."""
    torch.manual_seed(seed)
    return Generator(n_inputs=study.n_inputs, ff_units=model_params["ff_units"],
                     lstm_units=model_params["lstm_units"], activation=model_params["activation"])


def train_generator(study: Study, params: dict, seed: int, device: str = "cpu",
                    checkpoint_dir=None, progress: bool = True, stop_after: int | None = None, extra_code=()):
    """Train one seed's generator; returns (model on CPU, TrainResult). ``extra_code``: source files
    outside the package that the fingerprint covers too (the job's workflow script)."""
    tp = params["train"]
    model = build_generator(study, params["model"], seed).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=tp["lr"], betas=tuple(tp["betas"]))
    sequences, labels = study.training_set()
    x_all, mask_all = pad(sequences)
    lengths = mask_all.sum(1).long()
    x_all, mask_all, lengths = x_all.to(device), mask_all.to(device), lengths.to(device)
    codes_all = one_hot(labels, study.n_inputs).to(device)
    batch_size = tp["batch_size"]

    def step_fn(step: int, generator: torch.Generator) -> float:
        idx = torch.randint(len(sequences), (batch_size,), generator=generator).to(device)
        n_steps = int(lengths[idx].max())
        target, mask = x_all[idx, :n_steps], mask_all[idx, :n_steps]
        optimizer.zero_grad(set_to_none=True)
        loss = masked_mse(model(codes_all[idx], n_steps), target, mask).mean()
        loss.backward()
        optimizer.step()
        return loss.item()

    key = job_fingerprint({"alphabet": study.alphabet, "trained": study.trained, "drawers": study.drawers,
                           "model": params["model"], "train": tp, "seed": seed, "device": str(device)},
                          data={"sequences": digest_arrays(x_all, mask_all, labels)}, extra_code=extra_code)
    result = train(model, optimizer, step_fn, n_steps=tp["steps"], seed=seed,
                   checkpoint_dir=checkpoint_dir, checkpoint_every=tp["checkpoint_every"],
                   fingerprint=key, progress=progress, desc=f"fabi2020 seed {seed}",
                   stop_after=stop_after)
    return model.cpu(), result
