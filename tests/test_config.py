"""params.yaml validation: a misspelled key or a wrong type is refused with the key named."""

import pytest
import yaml

from charchallenge import config
from charchallenge.config import ParamsError


def test_committed_params_are_valid_at_every_scale():
    for scale in ("smoke", "quick", "paper"):
        assert config.load(overrides={"scale": scale})["scale"] == scale


@pytest.mark.parametrize(
    "override, key",
    [
        ({"data": {"mirorr": "x"}}, "data.mirorr"),
        ({"preprocess": {"splines": {"residual_threshold": "0.7"}}}, "preprocess.splines.residual_threshold"),
        ({"seed": 1.5}, "seed"),
        ({"scale": "huge"}, "scale"),
        ({"data": {"background": "tiny"}}, "data.background"),
        ({"scales": {"smoke": {"preprocess": {"splines": {"threshold": 1}}}}}, "preprocess.splines.threshold"),
    ],
)
def test_invalid_params_name_the_key(override, key):
    with pytest.raises(ParamsError) as err:
        config.load(overrides=override)
    assert f"'{key}'" in str(err.value)
    assert "\n" not in str(err.value)


def test_scale_overrides_are_merged():
    raw = yaml.safe_load(config.PARAMS_PATH.read_text())
    smoke = config.load(overrides={"scale": "smoke"})
    assert "scales" not in smoke
    expected = config.merge(raw["preprocess"], raw["scales"]["smoke"].get("preprocess", {}))
    assert smoke["preprocess"] == expected


def test_broken_yaml_is_refused(tmp_path):
    bad = tmp_path / "params.yaml"
    bad.write_text("scale: [quick\n")
    with pytest.raises(ParamsError, match="not valid YAML"):
        config.load(bad)


def test_nested_overrides_apply_over_the_selected_scale(tmp_path):
    """`--config overrides=file.yaml`: nested values win over the scale's, and are validated."""
    raw = yaml.safe_load(config.PARAMS_PATH.read_text())
    good = tmp_path / "o.yaml"
    good.write_text("fabi2020:\n  one_shot:\n    iterations: 5\n")
    quick = config.resolve({**raw, "scale": "quick"}, overrides=config.load_overrides(good))
    assert quick["fabi2020"]["one_shot"]["iterations"] == 5  # scales.quick says 800
    assert quick["fabi2020"]["one_shot"]["lr"] == raw["scales"]["quick"]["fabi2020"]["one_shot"]["lr"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("fabi2020:\n  one_shot:\n    iteratons: 5\n")
    with pytest.raises(config.ParamsError, match="fabi2020.one_shot.iteratons"):
        config.resolve({**raw, "scale": "quick"}, overrides=config.load_overrides(bad))
    with pytest.raises(config.ParamsError, match="does not exist"):
        config.load_overrides(tmp_path / "missing.yaml")
