"""GNS runs on the device its type model is on (issue: "a GPU is used when present").

A CPU-only machine cannot run CUDA, but it can catch what would break there: a tensor created
without naming its device lands on torch's default device, not the model's. The test runs every
GNS computation on the CPU while :class:`StrayTensors` sends each factory call of the package that
names no device to the ``meta`` device instead (torch's stand-in for "some other device"), so that
the first operation mixing it with the CPU tensors fails, as it would mix CPU and CUDA tensors on a
GPU - and checks that the results equal those of the plain run, bit for bit (an index tensor on
the wrong device would otherwise go unnoticed). Code that draws random numbers on the CPU
generator and then moves them says ``device="cpu"``: that is explicit, and right on a GPU too.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.overrides import TorchFunctionMode

import charchallenge
from test_gns2021_parser import TINY_HP, L, T, image, line, tiny_type_model

PACKAGE = Path(charchallenge.__file__).parent
# Code that builds tensors on the CPU by design and moves them (Batch.to, .to(device)): the Full NS
# data encoding, the parser's 28x28 canvases, and in the renderer the packing of numpy strokes and
# the ink kernel (module, or (module, function)).
CPU_BY_DESIGN = {PACKAGE / "feinman2020" / "encoding.py", PACKAGE / "feinman2020" / "canvases.py",
                 (PACKAGE / "render.py", "pack_strokes"), (PACKAGE / "render.py", "broaden")}
FACTORIES = {torch.zeros, torch.ones, torch.full, torch.empty, torch.arange, torch.linspace, torch.eye, torch.rand,
             torch.randn, torch.randint, torch.tensor, torch.as_tensor, torch.sparse_coo_tensor}


class StrayTensors(TorchFunctionMode):
    """Factory calls from the package that name no device create ``meta`` tensors."""

    def __init__(self):
        super().__init__()
        self.sites: set[str] = set()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        if func in FACTORIES and kwargs.get("device") is None:
            caller = sys._getframe(1)
            path = Path(caller.f_code.co_filename)
            from_tensor = func is torch.as_tensor and isinstance(args[0], torch.Tensor)
            by_design = path in CPU_BY_DESIGN or (path, caller.f_code.co_name) in CPU_BY_DESIGN
            if path.is_relative_to(PACKAGE) and not by_design and not from_tensor:
                self.sites.add(f"{path.relative_to(PACKAGE)}:{caller.f_lineno}")
                kwargs["device"] = "meta"
        return func(*args, **kwargs)


def gns_outputs(mode, device: str = "cpu") -> dict[str, torch.Tensor]:
    """Fit, exemplars, climb, Hessians, Eq. 11, AIS, token refits and the parser's type scores of
    two small parses, computed under ``mode`` with the type model on ``device`` (returned there)."""
    from charchallenge.gns2021.annealing import AnnealedSampler
    from charchallenge.gns2021.climb import climb_to_peak
    from charchallenge.gns2021.laplace import laplace_terms, log_joint_hessians
    from charchallenge.gns2021.classify import RefitParams, refit_tokens
    from charchallenge.gns2021.fit import FitParams, fit_parses, new_exemplars

    tm = tiny_type_model()
    tm.density.to(device)
    parses = [[line([20, -20], [80, -20], 4), line([50, -20], [50, -80], 3)], [L[0][::20]]]
    images = torch.tensor(np.stack([image(T), image(L)])).float()
    out = {}
    with mode:
        f = fit_parses(parses, images.numpy(), tm, params=FitParams(iterations=6, blur_steps=4))  # arrays too
        assert f.type_cp.points.device == tm.device and f.score.device == tm.device
        out.update(score=f.score, blur=f.blur, losses=torch.tensor(f.losses, device="cpu"))
        out["exemplars"] = torch.tensor(np.stack(new_exemplars(f, [0, 1], 2, torch.Generator().manual_seed(1))),
                                        device="cpu")
        climbed, gain, _, (value, blocks, grads, ascent) = climb_to_peak(f, images, tm, 5, 2, 0.1)
        out.update(gain=gain, value=value, ascent=ascent, blocks=torch.cat([b.flatten() for b in blocks]))
        exact = log_joint_hessians(climbed, images, tm, curvature="exact")[1]
        out["exact"] = torch.cat([b.flatten() for b in exact])
        out["laplace"] = laplace_terms(value, blocks, grads).log_integral
        out["ais"] = AnnealedSampler(climbed, images, tm, blocks, 2).run(3, torch.Generator().manual_seed(3)).halves
        out["refit"] = refit_tokens(f, [0, 1], images[[1, 0]], RefitParams(iterations=3, blur_steps=3))
        out["refit_fitted"] = refit_tokens(f, [1], images[[1]], RefitParams(iterations=2, render_start="fitted"))
        out["parser"] = torch.tensor(tm.log_prob(parses), device="cpu")
    return out


def test_every_gns_tensor_is_made_on_the_model_device():
    plain = gns_outputs(contextlib.nullcontext())
    audit = StrayTensors()
    try:
        audited = gns_outputs(audit)
    except (RuntimeError, NotImplementedError) as err:
        pytest.fail(f"a tensor made without its device ({', '.join(sorted(audit.sites))}): {err}")
    assert audit.sites == set(), "factory calls without a device: " + ", ".join(sorted(audit.sites))
    for name, value in plain.items():
        torch.testing.assert_close(audited[name], value, rtol=0, atol=0, equal_nan=True, msg=name)


def test_the_audit_catches_a_tensor_made_without_its_device():
    def forgetful(x):
        return x + torch.zeros(x.shape)  # no device: lands elsewhere under the audit

    forgetful.__code__ = forgetful.__code__.replace(co_filename=str(PACKAGE / "gns2021" / "fit.py"))
    forgetful(torch.ones(2))
    with pytest.raises(RuntimeError), StrayTensors():
        forgetful(torch.ones(2))


def test_fitted_parses_move_between_devices_and_the_type_model_loads_on_auto(tmp_path):
    from charchallenge.gns2021.fit import FitParams, fit_parses
    from charchallenge.gns2021.type_model import load_type_model

    tm = tiny_type_model()
    fitted = fit_parses([[L[0][::20]]], torch.tensor(image(L)[None]).float(), tm, params=FitParams(iterations=2))
    moved = fitted.to("meta")
    assert {t.device.type for t in (moved.type_cp.points, moved.type_cp.stroke_drawing, moved.noise.affine,
                                    moved.score, moved.fit_blur)} == {"meta"}
    assert fitted.type_cp.points.device.type == "cpu"  # the original stays
    back = fitted.to("cpu")
    assert torch.equal(back.type_cp.points, fitted.type_cp.points) and back.n_samples == fitted.n_samples
    path = tmp_path / "full_ns_holdout.pt"
    torch.save({"name": "full_ns", "hp": TINY_HP, "state_dict": tm.density.state_dict()}, path)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert load_type_model(path, device="auto").device.type == expected


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here")
def test_on_a_gpu_every_gns_result_is_made_there_and_agrees_with_the_cpu():
    cpu = gns_outputs(contextlib.nullcontext())
    gpu = gns_outputs(contextlib.nullcontext(), "cuda")
    for name in cpu:
        if name in ("exemplars", "parser", "losses"):
            continue  # thresholded pixels / numpy / floats: CPU by design
        assert gpu[name].device.type == "cuda", name
        torch.testing.assert_close(gpu[name].cpu(), cpu[name], rtol=1e-3, atol=0.05, equal_nan=True, msg=name)


def test_gns_jobs_ask_torch_for_deterministic_algorithms(monkeypatch):
    from charchallenge.gns2021.runtime import reproducible

    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    before = torch.are_deterministic_algorithms_enabled()
    try:
        reproducible(3)
        assert torch.are_deterministic_algorithms_enabled()
        assert torch.is_deterministic_algorithms_warn_only_enabled()
        assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"
        first = torch.rand(3)
        reproducible(3)
        assert torch.equal(first, torch.rand(3))
    finally:
        torch.use_deterministic_algorithms(before)
