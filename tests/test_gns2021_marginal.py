"""Laplace bound on the marginal image likelihood (GNS Appendix D): the batched block Hessian and
Gauss-Newton curvature against per-parse autograd computations, and Eq. 11 against integrals known
in closed form."""

import math

import numpy as np
import pytest
import torch

from charchallenge.gns2021.annealing import AnnealedSampler, annealed_log_integrals, annealed_verdict, repeated
from charchallenge.gns2021.climb import climb_to_peak, newton_step, polish
from charchallenge.gns2021.laplace import LOG_2PI, image_bound, laplace_terms, log_joint, log_joint_hessians, per_pixel
from charchallenge.gns2021.likelihood import bound_verdict
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
    value, blocks, _ = log_joint_hessians(fitted, images, tm)
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



def single_parse_functions(tm, images, fitted, d):
    """Parse d alone, its variables flattened: (x0, image term's clamped probabilities, prior)."""
    from charchallenge.gns2021.image_model import ink_probabilities
    from charchallenge.gns2021.token_model import TokenModel, TokenNoise
    from charchallenge.gns2021.type_model import TypeModel, type_log_prob
    from charchallenge.render import pack_strokes

    density, token_model = tm.density.double(), TokenModel()
    typ = fitted.type_cp
    point = typ.stroke_drawing[typ.stroke_index] == d
    strokes = typ.stroke_drawing == d
    single = pack_strokes([fitted.type_strokes(d)], dtype=torch.float64)
    n, n_s = int(point.sum()), int(strokes.sum())
    samples = [s for s, keep in zip(fitted.n_samples, strokes.tolist()) if keep]

    def split(x):
        p = single.with_points(x[: 2 * n].view(n, 2))
        noise = TokenNoise(x[2 * n : 4 * n].view(n, 2), x[4 * n : 4 * n + 2 * n_s].view(n_s, 2), x[-4:].view(1, 4))
        return p, noise, token_model.apply(p, noise)

    def probs(x):
        _, _, token = split(x)
        return ink_probabilities(token, fitted.fit_blur[d : d + 1].double(), fitted.eps[d : d + 1].double(),
                                 samples).clamp(1e-6, 1 - 1e-6)[0]

    def prior(x):
        p, noise, token = split(x)
        return (type_log_prob(TypeModel(density), p, token, samples) + token_model.log_prob(noise, p)).sum()

    x0 = torch.cat([typ.points[point].double().flatten(), fitted.noise.shape[point].double().flatten(),
                    fitted.noise.location[strokes].double().flatten(), fitted.noise.affine[d : d + 1].double().flatten()])
    return x0, probs, prior


def test_gauss_newton_blocks_equal_each_parses_own_jacobian_and_prior_hessian():
    tm, images, fitted = fitted_pair()
    value, blocks, grads = log_joint_hessians(fitted, images, tm, curvature="gauss-newton")
    _, exact, exact_grads = log_joint_hessians(fitted, images, tm)
    for d in range(2):
        x0, probs, prior = single_parse_functions(tm, images, fitted, d)
        eye = torch.eye(len(x0), dtype=x0.dtype)  # columns J e_i, one Jacobian-vector product each
        jac = torch.stack([torch.autograd.functional.jvp(probs, x0, e)[1].flatten() for e in eye], 1)
        x, p = images[d].double().flatten(), probs(x0).detach().flatten()
        w = x / p**2 + (1 - x) / (1 - p) ** 2
        want = torch.autograd.functional.hessian(prior, x0) - jac.T @ (w[:, None] * jac)
        torch.testing.assert_close(blocks[d], 0.5 * (want + want.T), rtol=1e-6, atol=1e-6)
        torch.testing.assert_close(grads[d], exact_grads[d])
        # the two curvatures differ by the image term's second-order part only
        assert not torch.allclose(blocks[d], exact[d])
    with pytest.raises(ValueError, match="curvature: expected"):
        log_joint_hessians(fitted, images, tm, curvature="fisher")


def test_newton_gain_is_what_a_gaussian_still_gains_at_its_peak():
    a = torch.tensor([[2.0, 0.3], [0.3, 0.5]], dtype=torch.float64)
    offset = torch.tensor([0.4, -1.0], dtype=torch.float64)  # the fit, this far from the peak
    g = -a @ offset  # gradient of f = peak - (x - m)' A (x - m) / 2 at m + offset
    terms = laplace_terms(torch.tensor([-3.0, -3.0], dtype=torch.float64), [-a, -a], [g, torch.zeros(2).double()])
    assert float(terms.newton_gain[0]) == pytest.approx(float(0.5 * offset @ a @ offset))
    assert float(terms.newton_gain[1]) == 0.0
    assert math.isnan(float(laplace_terms(torch.tensor([-3.0]).double(), [-a]).newton_gain[0]))


def test_the_bound_is_evidence_only_when_images_are_scored_fits_are_peaked_and_f_is_quadratic_enough():
    assert bound_verdict(12, 12, 0.4, 2.0, 0.9, 1.0, 5.0) == "evidence"
    short = bound_verdict(12, 10, 0.4, 2.0, 0.9, 1.0, 5.0)
    assert short.startswith("not evidence") and "2 of 12 images" in short
    climbing = bound_verdict(12, 12, 3.0, 2.0, 0.9, 1.0, 5.0)
    assert climbing.startswith("not evidence: a Newton step still gains 3 nats")
    curved = bound_verdict(12, 12, 0.4, 12.5, 0.9, 1.0, 5.0)
    assert curved.startswith("not evidence: Eq. 11 exceeds the annealed bound by 12.5 nats")
    for nan_case in [(12, 12, float("nan"), 2.0), (12, 12, 0.4, float("nan")), (0, 0, 0.0, 0.0)]:
        assert bound_verdict(*nan_case, 0.9, 1.0, 5.0).startswith("not evidence")
    assert annealed_verdict(0.6, 0.8, 1.0, 1.0) == "evidence"
    assert annealed_verdict(2.4, 0.8, 1.0, 1.0).startswith("not evidence: the two halves of the chains differ by 2.4")
    rising = annealed_verdict(0.6, 2.5, 1.0, 1.0)
    assert rising.startswith("not evidence: the full schedule gains 2.5 nats over a quarter of it")
    for nan_case in [(float("nan"), 2.0), (0.6, float("nan"))]:
        assert annealed_verdict(*nan_case, 1.0, 1.0).startswith("not evidence")


def quadratic_joint(peaks, curvatures, chains=1):
    """f at the peak moved by delta (n * chains, d_max, parse-major rows): peak - delta' A delta / 2
    per parse (A padded)."""
    d_max = max(len(a) for a in curvatures)
    full = torch.zeros(len(curvatures), d_max, d_max, dtype=torch.float64)
    for d, a in enumerate(curvatures):
        full[d, : len(a), : len(a)] = a
    full, peaks = full.repeat_interleave(chains, 0), peaks.repeat_interleave(chains)
    return lambda delta: peaks - 0.5 * torch.einsum("na,nab,nb->n", delta, full, delta)


def test_one_temperature_is_importance_sampling_exact_for_the_quadratic_of_its_curvature():
    a2 = torch.tensor([[2.0, 0.3], [0.3, 0.5]], dtype=torch.float64)
    a3 = torch.diag(torch.tensor([4.0, 0.01, 9.0], dtype=torch.float64))
    peaks = torch.tensor([-3.0, -40.0], dtype=torch.float64)
    for temperatures in (1, 10):  # e^f is q times a constant: every weight is Eq. 11's value
        est = annealed_log_integrals(quadratic_joint(peaks, [a2, a3], 16), [-a2, -a3], 16, temperatures,
                                     torch.Generator().manual_seed(0))
        torch.testing.assert_close(est.log_integral, laplace_terms(peaks, [-a2, -a3]).log_integral, rtol=0, atol=1e-9)
        torch.testing.assert_close(est.ess, torch.full((2,), 16.0, dtype=torch.float64))
    assert ((est.acceptance > 0) & (est.acceptance <= 1)).all()
    with pytest.raises(ValueError, match="at least 2 chains"):
        annealed_log_integrals(quadratic_joint(peaks, [a2, a3]), [-a2, -a3], 1, 10, torch.Generator())
    with pytest.raises(ValueError, match="at least 1 temperature"):
        annealed_log_integrals(quadratic_joint(peaks, [a2, a3], 4), [-a2, -a3], 4, 0, torch.Generator())


def test_sampling_finds_the_integral_that_eq_11_overstates_when_f_falls_faster():
    # f is four times as curved as the H that Eq. 11 (and the proposal) uses: the true integral is
    # smaller by d/2 log 4 nats, which sampling recovers (one temperature suffices here) and Eq. 11
    # cannot
    a = torch.tensor([[2.0, 0.3], [0.3, 0.5]], dtype=torch.float64)
    peaks = torch.tensor([-3.0], dtype=torch.float64)
    truth = float(peaks + LOG_2PI - 0.5 * torch.logdet(4 * a))
    laplace = float(laplace_terms(peaks, [-a]).log_integral[0])
    est = annealed_log_integrals(quadratic_joint(peaks, [4 * a], 4000), [-a], 4000, 1, torch.Generator().manual_seed(1))
    assert laplace - truth == pytest.approx(math.log(4))
    assert float(est.log_integral[0]) == pytest.approx(truth, abs=0.05)
    assert float((est.halves[0] - est.halves[1]).abs()[0]) < 0.1 and 500 < float(est.ess[0]) < 4000


def test_annealing_finds_an_integral_that_one_step_of_importance_sampling_misses():
    # f is four times as WIDE as the H of the proposal in 20 dimensions: the weights of plain
    # importance sampling have infinite variance and its estimate falls far short of the truth;
    # annealing with as many evaluations moves the chains out and recovers it
    d = 20
    a = torch.eye(d, dtype=torch.float64)
    peaks = torch.tensor([-3.0], dtype=torch.float64)
    truth = float(peaks + 0.5 * d * LOG_2PI - 0.5 * torch.logdet(a / 4))
    plain = annealed_log_integrals(quadratic_joint(peaks, [a / 4], 4000), [-a], 4000, 1,
                                   torch.Generator().manual_seed(2))
    est = annealed_log_integrals(quadratic_joint(peaks, [a / 4], 40), [-a], 40, 100, torch.Generator().manual_seed(2))
    print(f"truth {truth:.2f}, importance sampling {float(plain.log_integral[0]):.2f}, "
          f"annealed {float(est.log_integral[0]):.2f} (halves {est.halves[:, 0].tolist()})")
    assert truth - float(plain.log_integral[0]) > 2.0
    assert float(est.log_integral[0]) == pytest.approx(truth, abs=0.5)
    assert float((est.halves[0] - est.halves[1]).abs()[0]) < 1.0


def test_repeated_parses_score_as_their_originals():
    tm, images, fitted = fitted_pair()
    copies = repeated(fitted, 3)
    assert copies.type_cp.n_drawings == 6 and len(copies.n_samples) == 3 * len(fitted.n_samples)
    torch.testing.assert_close(log_joint(copies, images.repeat_interleave(3, 0), tm),
                               log_joint(fitted, images, tm).repeat_interleave(3))


def test_the_climb_takes_every_parse_to_a_peak_that_a_newton_step_cannot_improve_on():
    tm, images, fitted = fitted_pair()  # 10 Adam steps: far from the peak
    before = log_joint(fitted, images, tm)
    value, blocks, grads = log_joint_hessians(fitted, images, tm, curvature="gauss-newton")
    torch.testing.assert_close(before, value)
    ascent_before, _ = newton_step(fitted, images, tm, value, blocks, grads)
    polished, gains, curve = polish(fitted, images, tm, iterations=100)
    torch.testing.assert_close(log_joint(polished, images, tm) - before, gains, rtol=0, atol=1e-4)  # float32 storage
    assert (gains >= 0).all() and float(gains.min()) > 1.0 and len(curve) > 10
    assert torch.equal(polished.eps, fitted.eps) and torch.equal(polished.fit_blur, fitted.fit_blur)
    climbed, total, _, (value, blocks, grads, ascent_after) = climb_to_peak(fitted, images, tm, 100, 5, 0.05)
    torch.testing.assert_close(value, log_joint(climbed, images, tm))
    torch.testing.assert_close(value - before, total)
    print(f"Newton step gain before the climb {ascent_before.tolist()}, after {ascent_after.tolist()}; "
          f"L-BFGS alone {gains.tolist()}, the climb {total.tolist()}")
    # on the T and the one-stroke L: a Newton step gains 2.5 and 20 nats at the Adam fit, 0 after
    assert float(ascent_before.min()) > 1.0 and float(ascent_after.max()) < 0.1
    assert (total >= gains - 1e-3).all()
    # every parse gets a sampled estimate, also one Eq. 11 would exclude
    ais = AnnealedSampler(climbed, images, tm, blocks, 4, dtype=torch.float64).run(6, torch.Generator().manual_seed(0))
    assert torch.isfinite(ais.log_integral).all() and ais.halves.shape == (2, 2)
