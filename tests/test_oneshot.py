"""One-shot classification plumbing: the modified Hausdorff baseline against a brute-force
computation on generated episodes, error summaries, and the choice of episode set."""

import numpy as np
import pytest

from charchallenge.data.episodes import generate_runs, load_run, load_runs
from charchallenge.oneshot.episode_set import build_episode_set, episode_set_of
from charchallenge.oneshot.mhd import classify, cost_matrix, ink_points, modified_hausdorff
from charchallenge.oneshot.scoring import run_error, summarise


def brute_force_mhd(image_a, image_b):
    a = np.argwhere(image_a).astype(float)
    b = np.argwhere(image_b).astype(float)
    a -= a.mean(0)
    b -= b.mean(0)
    d = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))
    return max(d.min(1).mean(), d.min(0).mean())


def test_mhd_on_a_generated_episode_equals_brute_force_and_beats_chance(small_dataset, tmp_path):
    (run,) = generate_runs(small_dataset, ["Korean"], 1, tmp_path / "runs", seed=5)
    episode = load_run(run)
    train, test = episode.train_images() > 0.5, episode.test_images() > 0.5
    costs = cost_matrix(test, train)
    for t in range(0, 20, 7):
        for c in range(0, 20, 6):
            assert costs[t, c] == pytest.approx(brute_force_mhd(test[t], train[c]), rel=1e-12)
    predicted = classify(test, train)
    assert (predicted == costs.argmin(1)).all()
    assert run_error(predicted, episode.labels) < 100 * (1 - 1 / 20)  # better than chance (95% error)


def test_mhd_is_symmetric_translation_free_and_zero_only_for_the_same_shape():
    a = np.zeros((105, 105), bool)
    a[20:60, 30] = True
    b = np.roll(a, (7, 11), axis=(0, 1))
    assert modified_hausdorff(ink_points(a), ink_points(b)) == 0.0  # centred: a shift costs nothing
    c = np.zeros_like(a)
    c[40, 10:50] = True
    ab = modified_hausdorff(ink_points(a), ink_points(c))
    assert ab > 5 and ab == modified_hausdorff(ink_points(c), ink_points(a))
    with pytest.raises(ValueError, match="without ink"):
        ink_points(np.zeros((105, 105)))


def test_error_summary_pools_trials_and_gives_an_interval_over_runs():
    assert run_error(np.array([0, 1, 2, 3]), np.array([0, 1, 0, 0])) == 50.0
    s = summarise(np.array([10.0, 20.0, 30.0]), np.array([20, 20, 10]))
    assert s["error"] == pytest.approx((200 + 400 + 300) / 50)
    assert s["mean_over_runs"] == 20.0 and s["ci95_low"] < 20 < s["ci95_high"]
    assert s["ci95_high"] - 20 == pytest.approx(4.303 * 10 / np.sqrt(3), rel=1e-3)
    with pytest.raises(ValueError):
        run_error(np.zeros(3), np.zeros(4))


def test_without_the_official_archive_auto_generates_and_official_is_a_clear_error(small_dataset, tmp_path):
    from charchallenge.data.remote import FetchError

    mirror = tmp_path / "mirror"
    mirror.mkdir()

    def generate(folder):
        generate_runs(small_dataset, ["Korean"], 2, folder, seed=1)

    assert build_episode_set("auto", tmp_path / "eps", mirror, generate) == "generated"
    assert episode_set_of(tmp_path / "eps") == "generated" and len(load_runs(tmp_path / "eps")) == 2
    with pytest.raises(FetchError, match="all_runs.zip is not in the mirror folder"):
        build_episode_set("official", tmp_path / "eps2", mirror, generate)
    assert not (tmp_path / "eps2").exists()
    with pytest.raises(ValueError, match="oneshot.episodes"):
        build_episode_set("both", tmp_path / "eps3", mirror, generate)


def test_paired_difference_of_errors_and_its_interval():
    from charchallenge.oneshot.scoring import paired_difference

    base = np.array([True] * 60 + [False] * 40)
    same = paired_difference(base, base)
    assert same == {"difference": 0.0, "ci95_low": 0.0, "ci95_high": 0.0}
    better = base.copy()
    better[60:90] = True                       # 30 of the baseline's 40 errors fixed
    d = paired_difference(better, base)
    assert d["difference"] == pytest.approx(-30.0) and d["ci95_high"] < 0 < -d["ci95_low"]
    flip = base.copy()
    flip[[0, 60]] = [False, True]              # one error moved: no difference, an interval around 0
    d = paired_difference(flip, base)
    assert d["difference"] == 0.0 and d["ci95_low"] < 0 < d["ci95_high"]
    with pytest.raises(ValueError, match="equal-length"):
        paired_difference(base[:5], base)


def test_convergence_verdict_fails_when_the_longer_run_is_better():
    from charchallenge.oneshot.convergence import convergence_verdict

    longest = np.array([True] * 70 + [False] * 10)
    assert convergence_verdict(longest, longest, 2.5)["verdict"] == "converged"
    still_falling = longest.copy()
    still_falling[:12] = False                 # 12 more errors at the params' count: +15 points
    v = convergence_verdict(still_falling, longest, 2.5)
    assert v["verdict"] == "not converged" and v["difference"] == pytest.approx(15.0)
    near = longest.copy()
    near[:2] = False                           # +2.5 points: within a tolerance of 2.5, not of 2
    assert convergence_verdict(near, longest, 2.5)["verdict"] == "converged"
    assert convergence_verdict(near, longest, 2.0)["verdict"] == "not converged"
