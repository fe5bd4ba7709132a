"""Batched, differentiable stroke renderer for Omniglot drawings.

Follows the image model of GNS (Feinman & Lake 2021, "Learning task-general representations
with generative neuro-symbolic modeling", ICLR; the "Image model" paragraph of Sec. 3 - the paper
has no image-model appendix, Appendix A.3 is the token model - built on BPL's renderer) as the
released code implements it; see ``../shared/reference/gns-facts.md``
sections 1 (coordinates) and 4 (image model). Pipeline of :func:`render`:

1. :func:`pack_strokes` - flatten many drawings into one point tensor plus stroke/drawing indices.
2. :func:`ink_points`   - drop points off the canvas; give each point ink min(gap to the previous
   point, 2), the first point of a stroke the first gap; strokes with less than ``min_ink``
   total ink are scaled up to it, a one-point stroke is a dot of ``min_ink``. Optionally
   (``spacing``) sparse strokes are densified first.
3. :func:`paint`        - split each point's ink bilinearly over its 4 pixels (scatter-add); a
   point whose footprint leaves the canvas (last row/column) paints nothing.
4. :func:`broaden`      - two passes of GNS's 3x3 ink kernel, clamp to [0, 1].
5. :func:`gaussian_blur` (optional, ``blur_sigma > 0``), :func:`resize_canvas` (``size != 105``)
   and :func:`apply_pixel_noise` (``eps > 0``).

Steps 2-4 are :func:`painted_canvas` and step 5 is :func:`canvas_probabilities`, for callers that
paint a drawing once and blur it many times (the GNS image model, :mod:`charchallenge.gns2021.image_model`).

:func:`bernoulli_log_likelihood` scores a binary image under the resulting pixel probabilities.

Coordinates: motor space is Omniglot's raw ``(x, y)``; x runs about 0..105 to the right, y is zero
or negative, more negative further down. Pixel ``(row, col) = (-y, x)``, 0-based, no half-pixel
shift. Drawings are always painted on the native 105x105 canvas; any other size is obtained by
resizing that canvas (plain bilinear, no antialiasing), which is how GNS makes its 28x28 canvases.

Everything is vectorised over drawings (no Python loop over drawings or strokes after packing),
runs on the device and in the dtype of the point tensor, and is differentiable with respect to
the point coordinates (through the ink amounts and the bilinear weights), the blur sigma and eps.
With ``spacing=None`` (the default) the painting is the released GNS painter's, point for point
(tests/test_render.py pins its numbers). One deviation: eps is applied even when sigma is 0
(GNS skips both at sigma 0); callers that want the reference pass eps = 0 with sigma = 0.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Sequence, Union

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

CANVAS_SIZE = 105
"""Side of Omniglot's native canvas; strokes are always painted at this size."""

ArrayLike = Union[Tensor, np.ndarray]


def motor_to_pixel(xy: ArrayLike) -> ArrayLike:
    """Map motor ``(..., 2)`` coordinates ``(x, y)`` to pixel ``(row, col) = (-y, x)``.

    Extra trailing columns (e.g. time) are dropped. Works on tensors and numpy arrays.
    """
    x, y = xy[..., 0], xy[..., 1]
    stack = torch.stack if isinstance(xy, Tensor) else np.stack
    return stack([-y, x], -1)


def pixel_to_motor(rc: ArrayLike) -> ArrayLike:
    """Inverse of :func:`motor_to_pixel`: pixel ``(row, col)`` to motor ``(x, y) = (col, -row)``."""
    r, c = rc[..., 0], rc[..., 1]
    stack = torch.stack if isinstance(rc, Tensor) else np.stack
    return stack([c, -r], -1)


@dataclass(frozen=True)
class PackedStrokes:
    """Many drawings flattened into one point list.

    Attributes:
        points: ``(N, 2)`` motor coordinates ``(x, y)``; gradients flow back to the inputs.
        stroke_index: ``(N,)`` long, id in ``0..n_strokes-1`` of each point's stroke; the points of
            one stroke are consecutive and in drawing order. Segments join consecutive points
            with the same stroke id only, so strokes and drawings are never connected.
        drawing_index: ``(N,)`` long, id in ``0..n_drawings-1`` of each point's drawing.
        stroke_drawing: ``(n_strokes,)`` long, drawing of each stroke.
        n_drawings: number of drawings (images), including drawings without any stroke.
    """

    points: Tensor
    stroke_index: Tensor
    drawing_index: Tensor
    stroke_drawing: Tensor
    n_drawings: int

    @property
    def n_strokes(self) -> int:
        return self.stroke_drawing.numel()

    def with_points(self, points: Tensor) -> "PackedStrokes":
        """Same strokes with new ``(N, 2)`` coordinates (e.g. optimised ones), no re-packing."""
        return dataclasses.replace(self, points=points)


def pack_strokes(
    drawings: Sequence[Sequence[ArrayLike]],
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> PackedStrokes:
    """Pack a sequence of drawings, each a sequence of strokes, into :class:`PackedStrokes`.

    Each stroke is a tensor or array ``(n_i, 2+)`` of motor coordinates ``(x, y, ...)``; columns
    past the second are ignored and strokes with no points are skipped. A drawing with no strokes
    renders blank. ``dtype``/``device`` default to those of the first torch tensor found, else to
    torch's default dtype on the CPU. Tensors keep their autograd history.
    """
    strokes = [s for d in drawings for s in d]
    first = next((s for s in strokes if isinstance(s, Tensor)), None)
    if dtype is None:
        dtype = first.dtype if first is not None and first.is_floating_point() else torch.get_default_dtype()
    if device is None:
        device = first.device if first is not None else torch.device("cpu")
    pts, stroke_drawing = [], []
    for i, drawing in enumerate(drawings):
        for s in drawing:
            s = torch.as_tensor(s)
            if s.ndim != 2 or s.shape[1] < 2:
                raise ValueError(f"stroke in drawing {i} has shape {tuple(s.shape)}, expected (n, 2+)")
            if s.shape[0] > 0:
                pts.append(s[:, :2].to(device=device, dtype=dtype))
                stroke_drawing.append(i)
    counts = torch.tensor([p.shape[0] for p in pts], dtype=torch.long, device=device)
    stroke_drawing = torch.tensor(stroke_drawing, dtype=torch.long, device=device)
    stroke_index = torch.repeat_interleave(torch.arange(len(pts), device=device), counts)
    points = torch.cat(pts) if pts else torch.zeros(0, 2, dtype=dtype, device=device)
    return PackedStrokes(points, stroke_index, stroke_drawing[stroke_index], stroke_drawing, len(drawings))


def _safe_norm(d: Tensor) -> Tensor:
    """Euclidean norm over the last axis with a zero (not NaN) gradient at the zero vector."""
    d2 = (d * d).sum(-1)
    pos = d2 > 0
    return torch.where(pos, torch.sqrt(torch.where(pos, d2, torch.ones_like(d2))), torch.zeros_like(d2))


def densify(packed: PackedStrokes, spacing: float) -> PackedStrokes:
    """Cut every segment into ``k = max(1, ceil(L / spacing))`` equal pieces (end points kept).

    ``k`` comes from the detached length, so the new points stay linear, hence differentiable,
    in the old ones. For sparse raw strokes (Omniglot's pen samples can be several px apart);
    spline trajectories evaluated the reference way need no densifying.
    """
    p, s = packed.points, packed.stroke_index
    n, dev = p.shape[0], p.device
    if n == 0:
        return packed
    new_next = torch.ones(n, dtype=torch.bool, device=dev)  # next point starts another stroke
    new_next[:-1] = s[1:] != s[:-1]
    is_first = torch.ones_like(new_next)
    is_first[1:] = new_next[:-1]
    a = torch.nonzero(~new_next).squeeze(1)  # segment starts
    k = torch.ones(n, dtype=torch.long, device=dev)  # new points per old point (itself + inserted)
    d = p[a + 1] - p[a]
    k[a] = torch.ceil(_safe_norm(d).detach() / spacing - 1e-6).clamp(min=1).long()  # 1e-6: rounding slack
    owner = torch.repeat_interleave(torch.arange(n, device=dev), k)
    j = torch.arange(owner.numel(), device=dev) - (torch.cumsum(k, 0) - k)[owner]
    step = torch.zeros_like(p)
    step[a] = d
    dense = p[owner] + (j.to(p.dtype) / k[owner].to(p.dtype))[:, None] * step[owner]
    return PackedStrokes(dense, s[owner], packed.drawing_index[owner], packed.stroke_drawing, packed.n_drawings)


def ink_points(packed: PackedStrokes, spacing: float | None = None, min_ink: float = 2.0,
               max_gap: float = 2.0) -> tuple[Tensor, Tensor, Tensor]:
    """The points to paint and the ink of each: GNS's painter (facts section 4).

    Points whose pixel coordinates leave ``[0, 105)`` are dropped first. Each remaining point
    gets ink ``min(gap, max_gap)``, ``gap`` being its distance to the previous point of its stroke;
    the first point of a stroke reuses the first gap, so both ends get a full share. A line of
    points ``g <= 2`` px apart thus carries one unit of ink per pixel of length (plus one gap at
    its start). A stroke whose total ink is below ``min_ink`` is scaled up to it; a stroke of
    zero length (a dot, or one point) spreads ``min_ink`` evenly over its points.

    ``spacing`` (px): densify segments first (:func:`densify`), for sparse raw strokes whose
    gaps exceed ``max_gap``; ``None`` (default) paints the given points as the reference does,
    which expects spline trajectories evaluated every ~1.5 px
    (:func:`charchallenge.preprocess.splines.spline_to_trajectory`).

    Returns ``(points (M, 2) motor, ink (M,), drawing_index (M,))``.
    """
    if spacing is not None:
        packed = densify(packed, spacing)
    rc = motor_to_pixel(packed.points)
    keep = ((rc >= 0) & (rc < CANVAS_SIZE)).all(-1)
    p, s = packed.points[keep], packed.stroke_index[keep]
    n, dev = p.shape[0], p.device
    same_as_prev = torch.zeros(n, dtype=torch.bool, device=dev)
    same_as_prev[1:] = s[1:] == s[:-1]
    gap = torch.zeros(n, dtype=p.dtype, device=dev)
    gap[1:] = _safe_norm(p[1:] - p[:-1])
    gap = torch.where(same_as_prev, gap, torch.zeros_like(gap))
    # the first point of a stroke reuses the gap to its second point (0 for a one-point stroke)
    first_with_next = ~same_as_prev
    first_with_next[:-1] &= same_as_prev[1:]
    first_with_next[-1:] = False
    shifted = torch.zeros_like(gap)
    shifted[:-1] = gap[1:]
    gap = torch.where(first_with_next, shifted, gap)
    ink = gap.clamp(max=max_gap)

    total = torch.zeros(packed.n_strokes, dtype=p.dtype, device=dev).index_add(0, s, ink)[s]
    count = torch.zeros(packed.n_strokes, dtype=p.dtype, device=dev).index_add(0, s, torch.ones_like(ink))[s]
    scaled = ink * min_ink / torch.where(total > 0, total, torch.ones_like(total))
    ink = torch.where(total >= min_ink, ink, torch.where(total > 0, scaled, min_ink / count))
    return p, ink, packed.stroke_drawing[s]


def paint(points: Tensor, ink: Tensor, drawing_index: Tensor, n_drawings: int, size: int = CANVAS_SIZE) -> Tensor:
    """Scatter ink onto ``(n_drawings, size, size)`` canvases, split bilinearly over 4 pixels.

    Point ``i`` (motor coordinates) lands at pixel ``(-y, x)``; its ``ink[i]`` goes to the four
    surrounding pixels with bilinear weights (differentiable in the coordinates), as in GNS's
    painter (facts section 4). A point whose four-pixel footprint does not lie wholly on the
    canvas - row or column outside ``[0, size - 1)``, e.g. a point in the last pixel row or
    column - paints nothing, as in the reference. No clamping here.
    """
    rc = motor_to_pixel(points)
    inside = ((rc >= 0) & (rc < size - 1)).all(-1)
    base = torch.floor(rc.detach())
    frac = rc - base
    ink = ink * inside
    lo_r, hi_r = (1 - frac[:, 0]) * ink, frac[:, 0] * ink
    lo_c, hi_c = 1 - frac[:, 1], frac[:, 1]
    weight = torch.stack([lo_r * lo_c, lo_r * hi_c, hi_r * lo_c, hi_r * hi_c], 1)
    # Flat index of the top-left neighbour; dropped points (weight 0) are clamped into range and
    # a spare row past the last canvas takes their zero weights.
    total = n_drawings * size * size
    corner = ((drawing_index * size + base[:, 0].long()) * size + base[:, 1].long()).clamp(0, total)
    corner = torch.where(inside, corner, torch.full_like(corner, total))
    idx = corner[:, None] + torch.tensor([0, 1, size, size + 1], device=points.device)
    canvas = torch.zeros(total + size + 2, dtype=points.dtype, device=points.device)
    return canvas.index_add(0, idx.flatten(), weight.flatten())[:total].view(n_drawings, size, size)


def _conv3x3(img: Tensor, kernel: Tensor) -> Tensor:
    """Zero-padded 'same' convolution of every image in ``img (B, H, W)`` with ``kernel (3, 3)``.

    Run as a depthwise convolution (one group per image), several times faster on the CPU than
    a batch of one-channel images.
    """
    B = img.shape[0]
    return F.conv2d(img[None], kernel.expand(B, 1, 3, 3), padding=1, groups=B)[0]


def _band_matrix(taps: Tensor, n: int) -> Tensor:
    """``(..., n, n)`` matrix ``M`` with ``M[i, j] = taps[..., j - i + h]`` for ``|j - i| <= h``.

    ``x @ M.mT`` correlates the rows of ``x`` with ``taps`` (odd length ``2h + 1``) under zero
    padding, and ``M @ x`` does the same down the columns.
    """
    h = taps.shape[-1] // 2
    i = torch.arange(n, device=taps.device)
    offset = i[None, :] - i[:, None] + h
    inside = (offset >= 0) & (offset <= 2 * h)
    m = taps[..., offset.clamp(0, 2 * h)]
    return torch.where(inside, m, torch.zeros_like(m))


def broaden(img: Tensor, a: float = 0.5, gain: float = 6.0, passes: int = 2) -> Tensor:
    """Turn painted ink into a pen line: ``passes`` convolutions with GNS's 3x3 ink kernel, clamp.

    Kernel ``gain * [[a/12, a/6, a/12], [a/6, 1-a, a/6], [a/12, a/6, a/12]]`` with zero padding
    (Feinman & Lake 2021, Sec. 3 image model, from BPL; facts section 4: a = 0.5, gain 6, 2 passes).
    The bracket sums to 1, so each pass multiplies ink by ``gain``: a line of one unit of ink per
    pixel becomes a column profile 1-8-18-8-1 and, after clamping to [0, 1], a line 5 px wide
    with ink 1 across its core - the width of the pen lines in the Omniglot PNGs (rendering 600
    drawings of images_background_small1 from their strokes and thresholding at 0.5 matches the
    PNGs with median IoU 0.93; a 3 px line, gain 3, reaches only 0.73).
    """
    k = gain * torch.tensor([[a / 12, a / 6, a / 12], [a / 6, 1 - a, a / 6], [a / 12, a / 6, a / 12]])
    k = k.to(dtype=img.dtype, device=img.device)
    for _ in range(passes):
        img = _conv3x3(img, k)
    return img.clamp(0, 1)


def gaussian_blur(img: Tensor, sigma: float | Tensor, kernel_size: int = 11, passes: int = 2) -> Tensor:
    """GNS blur: ``passes`` convolutions with a normalised Gaussian, then clamp to [0, 1].

    ``sigma`` (pixels) is a number, a scalar tensor or one value per image ``(B,)``; it is
    differentiable. A Python ``sigma == 0`` returns ``img`` unchanged (a tensor sigma near 0 gives
    the identity kernel). The normalised ``kernel_size`` x ``kernel_size`` Gaussian (11 in GNS, 21
    in its refit step) is separable, so each pass is a 1-D blur along rows and one along columns,
    with zero padding; both are done as products with banded matrices (fast on the CPU).
    Feinman & Lake 2021, Sec. 3 (image model); facts section 4.
    """
    if not isinstance(sigma, Tensor) and sigma == 0:
        return img
    sigma = torch.as_tensor(sigma, dtype=img.dtype, device=img.device).reshape(-1, 1)
    half = kernel_size // 2
    x = torch.arange(-half, half + 1, dtype=img.dtype, device=img.device)
    g = torch.exp(-(x**2) / (2 * sigma.clamp(min=1e-6) ** 2))
    m = _band_matrix(g / g.sum(-1, keepdim=True), img.shape[-1])  # (1 or B, n, n), one 1-D pass
    m = torch.linalg.matrix_power(m, passes)  # the passes are linear: fuse them
    return (m @ img @ m.mT).clamp(0, 1)


def apply_pixel_noise(probs: Tensor, eps: float | Tensor) -> Tensor:
    """GNS pixel noise: ``p <- (1 - eps) p + eps (1 - p)``; ``eps`` a number or one per image ``(B,)``.

    Feinman & Lake 2021, Sec. 3 (image model); facts section 4 (eps in [1e-4, 0.5]).
    """
    if isinstance(eps, Tensor) and eps.ndim > 0:
        eps = eps.reshape(-1, 1, 1)
    return (1 - eps) * probs + eps * (1 - probs)


def resize_canvas(img: Tensor, size: int) -> Tensor:
    """Resize ``(B, H, W)`` canvases to ``(B, size, size)``: plain bilinear, no antialiasing.

    This is how GNS turns its 105x105 renders into the 28x28 network canvases
    (``F.interpolate(..., mode='bilinear', align_corners=False)``, facts section 1); the
    standardisation constants of the networks were computed on such canvases.
    """
    if img.shape[-1] == size and img.shape[-2] == size:
        return img
    out = F.interpolate(img[:, None], size=(size, size), mode="bilinear", align_corners=False)
    return out[:, 0].clamp(0, 1)


def render(
    drawings: PackedStrokes | Sequence[Sequence[ArrayLike]],
    size: int = CANVAS_SIZE,
    blur_sigma: float | Tensor = 0.0,
    eps: float | Tensor = 0.0,
    spacing: float | None = None,
    min_ink: float = 2.0,
    blur_kernel: int = 11,
) -> Tensor:
    """Render many drawings at once into ``(B, size, size)`` ink probabilities in [0, 1] (ink = 1).

    ``drawings`` is a :class:`PackedStrokes` or anything :func:`pack_strokes` accepts. Drawings are
    painted and broadened on the 105x105 canvas, blurred (``blur_sigma`` px, per image allowed),
    resized to ``size`` if needed (plain bilinear) and passed through pixel noise ``eps``.
    ``spacing``: see :func:`ink_points` (``None``: the given points are painted as they are).
    Device and dtype follow the points; gradients reach points, ``blur_sigma`` and ``eps``.
    ``blur_kernel``: side of the Gaussian kernel (11 in GNS's fits, 21 in its refits).
    """
    packed = drawings if isinstance(drawings, PackedStrokes) else pack_strokes(drawings)
    canvas = painted_canvas(packed, spacing=spacing, min_ink=min_ink)
    return canvas_probabilities(canvas, blur_sigma, eps, size=size, blur_kernel=blur_kernel)


def painted_canvas(packed: PackedStrokes, spacing: float | None = None, min_ink: float = 2.0) -> Tensor:
    """The first half of :func:`render`: the drawings' ink painted and broadened on the native
    105x105 canvas, ``(B, 105, 105)`` in [0, 1], before blur, resizing and pixel noise
    (:func:`ink_points`, :func:`paint`, :func:`broaden`; facts section 4). Callers that score many
    blur values of one parse paint it once here and finish with :func:`canvas_probabilities`."""
    pts, ink, which = ink_points(packed, spacing=spacing, min_ink=min_ink)
    return broaden(paint(pts, ink, which, packed.n_drawings))


def canvas_probabilities(canvas: Tensor, blur_sigma: float | Tensor = 0.0, eps: float | Tensor = 0.0,
                         size: int = CANVAS_SIZE, blur_kernel: int = 11) -> Tensor:
    """The second half of :func:`render`: a :func:`painted_canvas` blurred (``blur_sigma`` px,
    ``blur_kernel`` wide), resized to ``size`` if needed and passed through pixel noise ``eps``."""
    img = resize_canvas(gaussian_blur(canvas, blur_sigma, kernel_size=blur_kernel), size)
    return apply_pixel_noise(img, eps)


LIKELIHOOD_CLAMP = 1e-6
"""Pixel probabilities are clamped to ``[LIKELIHOOD_CLAMP, 1 - LIKELIHOOD_CLAMP]`` before their log
(:func:`bernoulli_log_likelihood`), so that a pixel of the wrong colour costs at most ~13.8 nats."""


def bernoulli_log_likelihood(probs: Tensor, binary_image: Tensor, clamp: float = LIKELIHOOD_CLAMP) -> Tensor:
    """Log-likelihood of binary images (ink = 1) under pixel probabilities, summed per image.

    ``probs`` and ``binary_image`` broadcast; the last two axes are pixels, so ``(B, H, W)`` gives
    ``(B,)``. ``probs`` is clamped to ``[clamp, 1 - clamp]`` for stability. GNS image likelihood
    (Feinman & Lake 2021, Sec. 3 image model; facts section 4).
    """
    p = probs.clamp(clamp, 1 - clamp)
    x = torch.as_tensor(binary_image, device=p.device).to(p.dtype)
    return (x * torch.log(p) + (1 - x) * torch.log1p(-p)).sum((-2, -1))
