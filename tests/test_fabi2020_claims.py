"""The Fabi et al. (2020) claims logic: inputs for which each claim must come out "does not hold"."""

import numpy as np
import pytest

from charchallenge.fabi2020 import claims as cl
from charchallenge.fabi2020.hidden_states import shared_subpatterns, similarity_percentile


def med(mse, mhd):
    return {"mse": np.asarray(mse, float), "mhd_px": np.asarray(mhd, float)}


ONE_SHOT = med([0.07, 0.06, 0.08], [2.0, 1.8, 2.4])


def test_trained_beats_untrained():
    assert cl.trained_beats_untrained(med([0.5] * 3, [12] * 3), ONE_SHOT)["outcome"] == cl.HOLDS
    assert cl.trained_beats_untrained(med([0.05] * 3, [1.0] * 3), ONE_SHOT)["outcome"] == cl.FAILS


def test_no_inference_fails():
    assert cl.no_inference_fails(med([0.5] * 3, [13] * 3), ONE_SHOT, 1.5)["outcome"] == cl.HOLDS
    assert cl.no_inference_fails(med([0.08] * 3, [2.5] * 3), ONE_SHOT, 1.5)["outcome"] == cl.FAILS


@pytest.mark.parametrize("which", ["ablation", "without_ff"])
def test_ablation_fails_claim(which):
    assert cl.ablation_fails(med([0.5] * 3, [9] * 3), ONE_SHOT, 1.5, "x", which)["outcome"] == cl.HOLDS
    # the ablation does as well as one-shot inference: the claim that it fails does not hold
    assert cl.ablation_fails(ONE_SHOT, ONE_SHOT, 1.5, "x", which)["outcome"] == cl.FAILS
    # just worse (ratios 1.1): partly, never "holds"
    worse = {k: v * 1.1 for k, v in ONE_SHOT.items()}
    assert cl.ablation_fails(worse, ONE_SHOT, 1.5, "x", which)["outcome"] == cl.PARTLY


SDS = [0.009, 0.02, 0.035, 0.05, 0.07]


def variants(novelty, recognised, human=0.8, between=6.4):
    return cl.variants_new_and_recognisable(SDS, np.tile(novelty, (3, 1)), np.tile(recognised, (3, 1)), between,
                                            human, [0.25, 1.0], 0.8)["outcome"]


def test_variants_claim_judges_what_the_noise_changes_not_the_one_shot_error():
    # near-copies of the regeneration that lie 2 px from the example only through the one-shot error
    out = cl.variants_new_and_recognisable(SDS, np.full((3, 5), 0.5), np.full((3, 5), 0.9), 6.4, 0.9, [0.25, 1.0],
                                           0.8, from_example_px=np.full((3, 5), 2.0))
    assert out["outcome"] == cl.PARTLY and "from example 2.00 px" in out["numbers"]["sd0.009"]


def test_variants_claim():
    assert variants([0.8, 1.2, 2.0, 3.0, 4.5], [0.9, 0.85, 0.8, 0.7, 0.5]) == cl.HOLDS
    # variants 0.8 px from the noise-free regeneration (copies, not new drawings), however well recognised
    assert variants([0.8] * 5, [1.0] * 5) == cl.PARTLY
    # new enough but never recognised; or recognised only where they are copies
    assert variants([3.0] * 5, [0.1] * 5) == cl.PARTLY
    assert variants([0.5, 0.6, 0.7, 9.0, 10.0], [0.9, 0.9, 0.9, 0.1, 0.1]) == cl.PARTLY
    # too far from the letter (farther than another person's drawing) and unrecognised: does not hold
    assert variants([8.0, 9.0, 10.0, 11.0, 12.0], [0.1] * 5) == cl.FAILS


def test_type_inference_claim():
    assert cl.type_inference([13, 12, 12], 13)["outcome"] == cl.HOLDS
    assert cl.type_inference([3, 2, 4], 13)["outcome"] == cl.FAILS


def test_blends_claim():
    assert cl.blends_smooth(np.ones((6, 3)), 0.8, 0.5)["outcome"] == cl.HOLDS
    assert cl.blends_smooth(np.zeros((6, 3)), 0.8, 0.5)["outcome"] == cl.FAILS


def test_hidden_state_claim():
    assert cl.shared_state_patterns({"v/y": [90, 80, 85], "u/x": [95, 99, 76]}, 75)["outcome"] == cl.HOLDS
    assert cl.shared_state_patterns({"v/y": [90, 80, 85], "u/x": [20, 40, 10]}, 75)["outcome"] == cl.PARTLY
    assert cl.shared_state_patterns({"v/y": [50, 30, 45], "u/x": [20, 40, 10]}, 75)["outcome"] == cl.FAILS


def test_shared_subpatterns_measures_recurring_states():
    rng = np.random.RandomState(0)
    common = rng.normal(size=(10, 20))
    a = np.r_[common, rng.normal(size=(10, 20))]
    b = np.r_[rng.normal(size=(10, 20)), common]  # same sub-pattern, later in time
    c = rng.normal(size=(20, 20))
    assert shared_subpatterns(a, a) == pytest.approx(1.0)
    assert shared_subpatterns(a, b) > shared_subpatterns(a, c) + 0.2
    sim = np.array([[shared_subpatterns(x, y) for y in (a, b, c)] for x in (a, b, c)])
    assert similarity_percentile(sim, (0, 1)) == 100.0  # a/b beats the other pairs (a/c, b/c)
    assert similarity_percentile(sim, (0, 2)) < 100.0
