"""Bottom-up parser, step 1: the skeleton graph of rendered shapes and the random-walk proposals."""

import numpy as np
import pytest

from charchallenge.gns2021.skeleton import skeleton_graph
from charchallenge.gns2021.walks import WalkParams, canonical, propose_walks, walk, walk_strokes
from charchallenge.render import render


def line(a, b, n=40):
    return np.linspace(a, b, n)


def image(strokes):
    """A binary 105x105 image (ink = True) of the strokes, as the dataset stores images."""
    return render([strokes], blur_sigma=0.0)[0].numpy() > 0.5


PLUS = [line([20, -50], [80, -50]), line([50, -20], [50, -80])]
T = [line([20, -20], [80, -20]), line([50, -20], [50, -80])]
L = [np.r_[line([30, -20], [30, -80]), line([30, -80], [70, -80])]]
O = [np.c_[50 + 25 * np.cos(np.linspace(0, 2 * np.pi, 100)), -50 + 25 * np.sin(np.linspace(0, 2 * np.pi, 100))]]
I_DOT = [line([50, -40], [50, -80]), np.array([[50.0, -25.0]])]


@pytest.mark.parametrize("strokes, nodes, edges, dots", [
    (PLUS, 5, 4, 0),   # one junction cluster, four arms
    (T, 4, 3, 0),
    (L, 2, 1, 0),      # a corner is not a junction
    (O, 1, 1, 0),      # a closed loop: one node, a self-loop
    (I_DOT, 3, 1, 1),  # the dot of an i is a node without edges
])
def test_skeleton_graph_of_simple_shapes(strokes, nodes, edges, dots):
    g = skeleton_graph(image(strokes))
    assert (len(g.nodes), len(g.edges), len(g.dots())) == (nodes, edges, dots)


def test_spurs_are_removed_and_paths_follow_the_ink():
    g = skeleton_graph(image(PLUS))
    assert min(g.edge_length(e) for e in range(len(g.edges))) > 20  # four full arms, no thinning spurs
    ink = image(PLUS) > 0.5
    for _, _, path in g.edges:
        r, c = np.round(path).astype(int).T
        assert ink[r, c].mean() > 0.95


def test_deterministic_walk_goes_straight_through_a_crossing():
    g = skeleton_graph(image(PLUS))
    w = walk(g, None)
    assert len(w) == 2 and all(len(s) == 2 for s in w)  # two strokes, each through the junction
    strokes = walk_strokes(g, w)
    for s in strokes:  # each is a straight line: horizontal or vertical
        spread = s.max(0) - s.min(0)
        assert spread.min() < 4 and spread.max() > 50


@pytest.mark.parametrize("name, strokes", [("L", L), ("T", T), ("circle", O), ("two crossing strokes", PLUS)])
def test_the_parser_recovers_the_strokes_of_synthetic_characters(name, strokes):
    """Images drawn from known strokes: the deterministic walk's parse has the true stroke count
    (L 1, T 2, circle 1, crossing 2) and each stroke lies within 2 px (MHD) of its true stroke."""
    from charchallenge.gns2021.parse_score import compare_parses

    g = skeleton_graph(image(strokes))
    result = compare_parses(walk_strokes(g, walk(g, None)), strokes)
    assert result["count_match"], (name, result)
    assert result["stroke_distance"] < 2.0, (name, result)


def test_walks_are_distinct_cover_every_edge_and_respect_the_stroke_limit():
    g = skeleton_graph(image(PLUS))
    walks = propose_walks(g, WalkParams(max_strokes=3), seed=1)
    keys = [canonical(w) for w in walks]
    assert len(set(keys)) == len(keys) > 5
    for w in walks:
        assert {e for s in w for e, _ in s} == set(range(len(g.edges)))
        assert len(w) <= 3 or w in walks[:5]  # the limit applies to stochastic walks
    assert propose_walks(g, WalkParams(max_strokes=3), seed=1) == walks  # seeded: reproducible


def test_dot_becomes_a_one_point_stroke():
    g = skeleton_graph(image(I_DOT))
    strokes = walk_strokes(g, propose_walks(g)[0])
    assert sorted(len(s) for s in strokes)[0] == 1
    dot = min(strokes, key=len)[0]
    assert np.abs(dot - np.array([50.0, -25.0])).max() <= 1.0


def test_blank_image_is_a_clear_error():
    with pytest.raises(ValueError, match="no ink"):
        skeleton_graph(np.zeros((105, 105)))


# ---- step 2: stroke order and direction scored by the type model ---------------------------------

TINY_HP = dict(location=dict(channels=[2, 2, 2, 2], dense=4),
               stroke=dict(hidden=4, layers=1, attention=4, cnn=[2, 2, 4]), termination=dict(channels=2, dense=2))


def tiny_type_model():
    import torch

    from charchallenge.feinman2020.full_ns import FullNS
    from charchallenge.gns2021.type_model import TypeModel

    torch.manual_seed(0)
    return TypeModel(FullNS(**TINY_HP))


def test_type_log_prob_is_in_pixel_units():
    import torch

    from charchallenge.feinman2020.canvases import partial_canvases
    from charchallenge.feinman2020.encoding import encode, make_batch

    tm = tiny_type_model()
    drawings = [[np.array([[20.0, -20.0], [40.0, -30.0], [60.0, -25.0]])],
                [np.array([[30.0, -60.0], [60.0, -60.0]]), np.array([[50.0, -25.0]])]]
    with torch.no_grad():
        norm = tm.density.log_prob(make_batch(encode(drawings), torch.arange(2), partial_canvases(drawings))).numpy()
    np.testing.assert_allclose(tm.log_prob(drawings), norm - 2 * np.array([3, 3]) * np.log(20.0), rtol=1e-5)


def test_shared_partial_canvases_render_each_set_of_strokes_once_and_match_every_drawing():
    import torch

    from charchallenge.feinman2020.canvases import partial_canvases
    from charchallenge.gns2021.parses import arrange, configurations
    from charchallenge.gns2021.type_model import shared_partial_canvases

    splines = [np.array([[20.0, -20.0], [40.0, -30.0], [60.0, -25.0]]), np.array([[30.0, -60.0], [60.0, -62.0]]),
               np.array([[50.0, -25.0], [52.0, -70.0], [55.0, -80.0]])]
    every = [arrange(splines, o, f) for o, f in configurations(splines, 800, np.random.RandomState(0))]
    distinct, ids = shared_partial_canvases(every)
    assert len(every) == 48 and len(distinct) == 1 + 6 + 12 + 8  # blank; 3 strokes x 2 directions; ...
    assert [len(r) for r in ids] == [4] * 48
    gathered = torch.cat([distinct[torch.tensor(r)] for r in ids])
    np.testing.assert_allclose(gathered.numpy(), partial_canvases(every).numpy(), atol=1e-5)
    # a reversed stroke is another stroke: its ends carry other ink
    one, flipped = shared_partial_canvases([[splines[0]], [splines[0][::-1].copy()]])
    assert len(one) == 3 and flipped == [[0, 1], [0, 2]]


def test_configurations_enumerate_or_sample():
    from charchallenge.gns2021.parses import configurations

    rng = np.random.RandomState(0)
    three = [np.zeros((3, 2)), np.zeros((2, 2)), np.zeros((1, 2))]  # the dot has one direction
    conf = configurations(three, 800, rng)
    assert len(conf) == 6 * 4 == len(set(conf))
    five = [np.zeros((3, 2))] * 5  # 5! 2^5 = 3840 > 800: sampled
    conf = configurations(five, 800, rng)
    assert len(conf) == 800 == len(set(conf))


def test_top_parses_keep_the_type_models_best_configuration_per_walk():
    from charchallenge.gns2021.parses import arrange, configurations, stroke_splines, top_parses

    tm = tiny_type_model()
    img = image(PLUS)
    parses = top_parses(img, tm, k=5, walk_params=WalkParams(max_trials=20))
    assert 1 <= len(parses) <= 5 and len({p.walk for p in parses}) == len(parses)
    assert [p.type_log_prob for p in parses] == sorted((p.type_log_prob for p in parses), reverse=True)
    # the best parse's configuration is the best over all orders and directions of its strokes
    best = parses[0]
    g = skeleton_graph(img)
    w = next(w for w in propose_walks(g, WalkParams(max_trials=20)) if canonical(w) == best.walk)
    splines = stroke_splines(walk_strokes(g, w))
    every = [arrange(splines, o, f) for o, f in configurations(splines, 800, np.random.RandomState(0))]
    assert best.type_log_prob == pytest.approx(tm.log_prob(every).max(), rel=1e-6)


# ---- steps 3-5: continuous optimisation, blur tuning, new exemplars -------------------------------

def test_fit_improves_the_objective_and_exemplars_resemble_the_target():
    import torch

    from charchallenge.gns2021.fit import FitParams, fit_parses, new_exemplars, parse_weights
    from charchallenge.gns2021.image_model import BLUR_BOUNDS, EPS_BOUNDS

    tm = tiny_type_model()
    img = image(T)
    parses = top_parses_for_test(img, tm)
    images = torch.tensor(np.stack([img > 0.5] * len(parses))).float()
    fitted = fit_parses([p.strokes for p in parses], images, tm, params=FitParams(iterations=40))
    assert fitted.losses[-1] < 0.5 * fitted.losses[0]
    torch.testing.assert_close(fitted.score, fitted.image_ll + fitted.type_lp + fitted.token_lp)
    assert ((fitted.blur >= BLUR_BOUNDS[0]) & (fitted.blur <= BLUR_BOUNDS[1])).all()
    assert ((fitted.eps >= EPS_BOUNDS[0]) & (fitted.eps <= EPS_BOUNDS[1])).all()
    w = parse_weights(fitted.score)
    assert w.sum().item() == pytest.approx(1.0) and w.argmax() == fitted.score.argmax()
    from charchallenge.gns2021.image_model import ink_probabilities
    from charchallenge.gns2021.token_model import TokenModel

    # the best fitted parse, rendered at blur 0, covers the target: IoU of ink > 0.8 (measured 0.97)
    token = TokenModel().apply(fitted.type_cp, fitted.noise)
    with torch.no_grad():
        drawn = (ink_probabilities(token, 0.0, 0.0, fitted.n_samples) > 0.5).numpy()
    best = drawn[int(fitted.score.argmax())]
    iou = (best & (img > 0.5)).sum() / (best | (img > 0.5)).sum()
    print(f"IoU {iou:.3f}")
    assert iou > 0.8, iou
    ex = new_exemplars(fitted, list(range(len(parses))), 9, torch.Generator().manual_seed(0))
    assert len(ex) == 9
    from scipy.spatial.distance import cdist

    target = np.argwhere(img > 0.5)
    mhd = []
    for e in ex:  # a new drawing of the same character: near the target's ink, not a copy
        d = cdist(np.argwhere(e), target)
        mhd.append(max(d.min(1).mean(), d.min(0).mean()))
    assert 0 < np.mean(mhd) < 6.0, mhd
    far = np.argwhere(image([line([10, -90], [30, -95])]) > 0.5)  # another shape entirely
    d = cdist(np.argwhere(ex[0]), far)
    assert max(d.min(1).mean(), d.min(0).mean()) > 2 * np.mean(mhd)


def top_parses_for_test(img, tm):
    from charchallenge.gns2021.parses import top_parses

    return top_parses(img, tm, k=3, walk_params=WalkParams(max_trials=10))


# ---- bad input: a one-line error naming the image, or a documented fallback ----------------------

@pytest.mark.parametrize("bad, message", [
    (np.zeros((105, 105)), "the image has no ink"),
    (np.ones((105, 105)), "every pixel is ink"),
    (np.zeros((28, 28)), "expected a 105x105 image"),
    (np.full((105, 105), 0.5), "expected a binary image"),
    (np.full((105, 105), "x"), "expected a binary image"),
])
def test_bad_images_get_a_clear_error_before_any_work(bad, message):
    from charchallenge.gns2021.parses import top_parses

    with pytest.raises(ValueError, match=f"drawing 7: {message}"):
        top_parses(bad, tiny_type_model(), name="drawing 7")


def test_a_single_dot_parses_and_fits_as_one_one_point_stroke():
    import torch

    from charchallenge.gns2021.fit import FitParams, fit_parses

    dot = np.zeros((105, 105), bool)
    dot[40:42, 60:62] = True
    tm = tiny_type_model()
    parses = top_parses_for_test(dot, tm)
    assert [len(s) for s in parses[0].strokes] == [1]
    fitted = fit_parses([parses[0].strokes], torch.tensor(dot[None]).float(), tm, params=FitParams(iterations=5))
    assert torch.isfinite(fitted.score).all()


def test_fit_rejects_mismatched_or_bad_images():
    import torch

    from charchallenge.gns2021.fit import fit_parses

    tm = tiny_type_model()
    strokes = [line([20, -20], [80, -20])]
    with pytest.raises(ValueError, match="one 105x105 image per parse"):
        fit_parses([strokes, strokes], torch.zeros(1, 105, 105), tm)
    with pytest.raises(ValueError, match="image of parse 0: the image has no ink"):
        fit_parses([strokes], torch.zeros(1, 105, 105), tm)
