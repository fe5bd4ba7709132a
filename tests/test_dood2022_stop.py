"""The stop variable gets a useful gradient (Liang et al. 2022, Sec. 2.1 and 2.3; objectives.py):
on a toy set of one-stroke and three-stroke images, DooD must learn to draw fewer strokes on the
one-stroke images. A model whose stop variable learns nothing from its score-function signal
(measured: with log q(o) taken out of the surrogate it drew 2.2 strokes on one-stroke images and
3.2 on three-stroke ones) fails this test; so did the objective before this test (6 of 6 strokes
on every Omniglot image)."""

import math

import torch

from charchallenge.dood2022.bezier import render_curves
from charchallenge.dood2022.strokes import model_stroke_counts
from charchallenge.dood2022.train import train_dood

SIZE = 16
MODEL = dict(glimpse=8, max_strokes=4, degree=1, layout_components=1, stroke_components=1, hidden=32, features=16,
             render_points=4, stroke_width=0.12, stroke_sharpness=20.0)


def bars(n_images: int, n_strokes: int, generator: torch.Generator) -> torch.Tensor:
    """Images of ``n_strokes`` straight bars each, of random centre and angle."""
    images = []
    for _ in range(n_images):
        canvas = torch.zeros(SIZE, SIZE)
        for _ in range(n_strokes):
            centre = torch.rand(2, generator=generator) * 1.2 - 0.6
            angle = torch.rand(1, generator=generator) * math.pi
            half = 0.35 * torch.cat([torch.cos(angle), torch.sin(angle)])
            ink = render_curves(torch.stack([centre - half, centre + half])[None], SIZE, 0.12, 20.0, 4)[0]
            canvas = canvas + ink - canvas * ink
        images.append(canvas)
    return torch.stack(images)


def test_dood_learns_fewer_strokes_on_one_stroke_images():
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(0)
    train = torch.cat([bars(200, 1, g), bars(200, 3, g)])
    train = train[torch.randperm(len(train), generator=g)]
    one, three = bars(40, 1, g), bars(40, 3, g)
    settings = dict(lr=0.003, baseline_lr=0.003, batch_size=32, beta=4.0, grad_clip=50.0, max_steps=600,
                    eval_every=150, patience=100, blur_start=2.0, blur_anneal_steps=300)
    model, _, _ = train_dood(train, torch.cat([one, three]), MODEL, settings, seed=0, progress=False)
    on_one = model_stroke_counts(model, one, draws=5, seed=0).mean()
    on_three = model_stroke_counts(model, three, draws=5, seed=0).mean()
    assert on_one < 1.5, f"{on_one:.2f} strokes on one-stroke images"
    assert on_three - on_one > 0.5, f"{on_three:.2f} strokes on three-stroke images against {on_one:.2f} on one-stroke"
