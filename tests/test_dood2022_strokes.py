"""The stroke-count claim (dood2022.strokes): its agreement statistics on constructed counts, and a
verdict that must say "fails" or "not evidence" where the criteria are not met."""

import numpy as np
import pytest

from charchallenge.dood2022.strokes import count_agreement, stroke_verdict


def test_agreement_of_counts_that_follow_the_drawers_and_of_a_constant_count():
    drawers = np.array([1, 2, 3, 4, 5, 1, 2, 3, 4, 5], float)
    follows = count_agreement(drawers * 0.8 + 0.5, drawers, n_boot=200, seed=0)
    assert follows["spearman"] == pytest.approx(1.0) and follows["model_mean"] == pytest.approx(2.9)
    assert follows["spearman_low"] <= follows["spearman"] <= follows["spearman_high"]
    constant = count_agreement(np.full(10, 6.0), drawers, n_boot=200, seed=0)
    assert constant["spearman"] == 0.0
    with pytest.raises(ValueError, match="equal-length"):
        count_agreement(np.ones(3), np.ones(4))


@pytest.mark.parametrize("mean, rho, improving, expected", [
    (3.0, 0.45, False, "holds"),
    (6.0, 0.45, False, "fails"),        # every stroke on every image
    (1.0, 0.45, False, "fails"),        # stops after one stroke
    (3.0, 0.10, False, "fails"),        # a count unrelated to the drawers'
    (3.0, 0.45, True, "not evidence"),  # the run was still improving
])
def test_stroke_verdict(mean, rho, improving, expected):
    assert stroke_verdict({"model_mean": mean, "spearman": rho}, [1.5, 5.0], 0.3, improving) == expected
