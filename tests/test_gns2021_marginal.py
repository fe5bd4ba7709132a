"""Laplace bound on the marginal image likelihood (GNS Appendix D): the batched block Hessian
against a per-parse autograd Hessian, and Eq. 11 against integrals known in closed form."""

import math

import numpy as np
import pytest
import torch

from charchallenge.gns2021.marginal import image_bound, laplace_terms, log_joint_hessians, per_pixel
from test_gns2021_parser import L, T, image, line, tiny_type_model


def fitted_pair():
    from charchallenge.gns2021.fit import FitParams, fit_parses

    tm = tiny_type_model()
    parses = [[line([20, -20], [80, -20], 4), line([50, -20], [50, -80], 3)], [L[0][::20]]]
    images = torch.tensor(np.stack([image(T), image(L)])).float()
    return tm, images, fit_parses(parses, images, tm, params=FitParams(iterations=10))


def test_batched_block_hessian_equals_each_parses_own_hessian():
    from charchallenge.gns2021.image_model import log_likelihood
    from charchallenge.gns2021.token_model import TokenModel, TokenNoise
    from charchallenge.gns2021.type_model import TypeModel, type_log_prob

    tm, images, fitted = fitted_pair()
    value, blocks = log_joint_hessians(fitted, images, tm)
    assert [b.shape[0] for b in blocks] == [4 * 7 + 2 * 2 + 4, 4 * 4 + 2 + 4]
    density = tm.density.double()
    token_model = TokenModel()
    for d in range(2):  # independently: one parse alone, its variables flattened, torch's hessian
        typ = fitted.type_cp
        pts = typ.points[typ.stroke_drawing[typ.stroke_index] == d].double()
        strokes = typ.stroke_drawing == d
        shape = fitted.noise.shape[typ.stroke_drawing[typ.stroke_index] == d].double()
        loc, aff = fitted.noise.location[strokes].double(), fitted.noise.affine[d : d + 1].double()
        from charchallenge.render import pack_strokes

        single = pack_strokes([fitted.type_strokes(d)], dtype=torch.float64)
        n = len(pts)
        n_s = int(strokes.sum())
        samples = [s for s, keep in zip(fitted.n_samples, strokes.tolist()) if keep]

        def f(x):
            p = single.with_points(x[: 2 * n].view(n, 2))
            noise = TokenNoise(x[2 * n : 4 * n].view(n, 2), x[4 * n : 4 * n + 2 * n_s].view(n_s, 2), x[-4:].view(1, 4))
            token = token_model.apply(p, noise)
            return (log_likelihood(token, images[d : d + 1].double(), fitted.fit_blur[d : d + 1].double(),
                                   fitted.eps[d : d + 1].double(), samples)
                    + type_log_prob(TypeModel(density), p, token, samples) + token_model.log_prob(noise, p)).sum()

        x0 = torch.cat([pts.flatten(), shape.flatten(), loc.flatten(), aff.flatten()])
        assert float(f(x0)) == pytest.approx(float(value[d]), rel=1e-5)
        torch.testing.assert_close(blocks[d], torch.autograd.functional.hessian(f, x0), rtol=1e-6, atol=1e-6)


def test_laplace_is_exact_for_a_gaussian_and_excludes_parses_that_are_not_maxima():
    a = torch.tensor([[2.0, 0.3], [0.3, 0.5]], dtype=torch.float64)
    peak = torch.tensor([-3.0, -4.0, -5.0], dtype=torch.float64)
    # f(x) = peak - x'Ax/2: the integral of e^f is e^peak (2 pi)^(d/2) |A|^(-1/2) exactly
    terms = laplace_terms(peak, [-a, -2 * a, a])
    exact = peak[:2] + math.log(2 * math.pi) - 0.5 * torch.log(torch.stack([torch.det(a), torch.det(2 * a)]))
    torch.testing.assert_close(terms.log_integral[:2], exact)
    assert math.isnan(float(terms.log_integral[2])) and float(terms.min_eigenvalue[2]) < 0
    assert image_bound(terms.log_integral) == pytest.approx(float(torch.logsumexp(exact, 0)))
    assert math.isnan(image_bound(torch.tensor([float("nan")])))
    assert per_pixel(-383.2) == pytest.approx(-0.0348, abs=5e-5)  # Table 3's GNS row

