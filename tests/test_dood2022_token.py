"""DooD's token model and one-shot score: a zero token is the type; its density is the sum of its
Gaussians; strokes composite as the model's sequential "or"; the token fit moves a stroke onto a
shifted copy of itself, and the episode score prefers the matching character."""

import torch
from torch.distributions import Normal

from charchallenge.dood2022.bezier import composite, render_curves
from charchallenge.dood2022.classify import fit_tokens
from charchallenge.dood2022.model import DooD, DoodConfig
from charchallenge.dood2022.token import TokenModel, apply_token, render_strokes

CP = torch.tensor([[[[-0.6, -0.5], [-0.2, -0.3], [0.2, -0.5], [0.6, -0.3]],
                    [[-0.1, -0.6], [0.0, -0.1], [0.1, 0.3], [0.0, 0.7]]],
                   [[[-0.5, 0.5], [0.0, 0.0], [0.2, -0.2], [0.5, -0.6]],
                    [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]]])
MASK = torch.tensor([[1.0, 1.0], [1.0, 0.0]])


def render(cp):
    return render_curves(cp, size=20, width=0.08, sharpness=30.0, n_points=12)


def test_zero_token_is_the_type_and_its_density_is_the_sum_of_its_gaussians():
    tm = TokenModel(cp_sd=0.05, affine_sd=0.1, shift_sd=0.2)
    zero_noise, zero_a, zero_b = torch.zeros_like(CP), torch.zeros(2, 2, 2), torch.zeros(2, 2)
    assert torch.equal(apply_token(CP, zero_noise, zero_a, zero_b), CP)
    noise, a, b = tm.sample(CP, torch.Generator().manual_seed(0))
    expected = (Normal(0, 0.05).log_prob(noise).sum((-2, -1)) * MASK).sum(-1) \
        + Normal(0, 0.1).log_prob(a).sum((-2, -1)) + Normal(0, 0.2).log_prob(b).sum(-1)
    assert torch.allclose(tm.log_prob(noise, a, b, MASK), expected)
    shifted = apply_token(CP, zero_noise, zero_a, torch.tensor([[0.1, 0.0], [0.0, 0.0]]))
    assert torch.allclose(shifted[0] - CP[0], torch.tensor([0.1, 0.0]).expand_as(CP[0]))


def test_strokes_composite_like_the_sequential_model():
    one = render_strokes(render, CP, MASK)
    seq = composite(render(CP[0, :1])[0], render(CP[0, 1:])[0])
    assert torch.allclose(one[0], seq, atol=1e-6)
    assert torch.allclose(one[1], render(CP[1, :1])[0], atol=1e-6)  # the masked stroke adds nothing


def test_token_fit_explains_a_shifted_copy_better_than_the_type_and_prefers_the_right_character():
    torch.manual_seed(0)
    model = DooD(DoodConfig(size=20, glimpse=8, max_strokes=2, hidden=8, features=8))
    model.p.render = render
    with torch.no_grad():
        model.p.log_sigma.fill_(-2.0)
    for p in model.parameters():
        p.requires_grad_(False)
    tm = TokenModel(cp_sd=0.05, affine_sd=0.1, shift_sd=0.1)
    target = render_strokes(render, apply_token(CP[:1], torch.zeros_like(CP[:1]), torch.zeros(1, 2, 2),
                                                torch.tensor([[0.08, 0.05]])), MASK[:1])
    start = fit_tokens(model, CP[:1], MASK[:1], target, tm, iterations=0, lr=0.02)
    fitted = fit_tokens(model, CP[:1], MASK[:1], target, tm, iterations=60, lr=0.02)
    assert fitted > start + 5, (start, fitted)
    # scores of both characters against the target: the first (its own type) wins
    both = fit_tokens(model, CP, MASK, target.repeat(2, 1, 1), tm, iterations=60, lr=0.02)
    assert both[0] > both[1] + 20, both
