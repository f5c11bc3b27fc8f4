"""The demo stories' pictures: flat illustrations drawn with Pillow.

Drawn by this code (no file to license, nothing downloaded), the same every
time for a given story, in muted colours that sit well beside the site's. Each
motif is a small scene: a sea at dusk, a parliament at night, a harbour, wind
turbines, a railway, a chart, a shoal under a fishing boat, glaciers, a map of
districts, a lighthouse (upright, for a portrait hero).
"""

import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter

LANDSCAPE = (1600, 900)
PORTRAIT = (1000, 1400)
SUPERSAMPLE = 2  # drawn twice the size, then scaled down: smooth edges


def draw(motif, seed, size=LANDSCAPE):
    """The illustration ``motif`` as JPEG bytes; ``seed`` varies the details."""
    width, height = size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE
    image = Image.new("RGB", (width, height))
    MOTIFS[motif](image, random.Random(seed))
    image = image.resize(size, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88, optimize=True)
    return buffer.getvalue()


# -- helpers ----------------------------------------------------------------------


def _gradient(image, box, top, bottom):
    """A vertical gradient from ``top`` to ``bottom`` colour in ``box``."""
    left, upper, right, lower = box
    band = Image.linear_gradient("L").resize((right - left, lower - upper))
    image.paste(
        Image.composite(
            Image.new("RGB", band.size, bottom), Image.new("RGB", band.size, top), band
        ),
        (left, upper),
    )


def _ridge(rng, width, base, amplitude, waves=3, step=20):
    """Points along a gentle hill line across the picture."""
    phases = [rng.uniform(0, math.tau) for _ in range(waves)]
    lengths = [rng.uniform(0.1, 0.25) * width / (n + 1) for n in range(waves)]
    points = []
    for x in range(0, width + step, step):
        y = base + sum(
            amplitude / (n + 1) * math.sin(x / lengths[n] + phases[n]) for n in range(waves)
        )
        points.append((x, y))
    return points


def _hills(draw_, rng, width, height, base, amplitude, colour):
    draw_.polygon([(0, height), *_ridge(rng, width, base, amplitude), (width, height)], fill=colour)


def _waves(draw_, rng, width, top, bottom, colour, count=14):
    for n in range(count):
        y = top + (bottom - top) * (n + 1) / (count + 1)
        x = rng.uniform(-width * 0.2, width * 0.6)
        length = rng.uniform(0.15, 0.4) * width
        draw_.line([(x, y), (x + length, y)], fill=colour, width=max(2, int(width / 800)))


# -- motifs -----------------------------------------------------------------------


def sea(image, rng):
    """A calm sea at dusk, a low sun, a ship on the horizon."""
    w, h = image.size
    horizon = int(h * 0.58)
    _gradient(image, (0, 0, w, horizon), "#1f3b5a", "#e9a86a")
    pen = ImageDraw.Draw(image)
    sun_x, radius = w * rng.uniform(0.55, 0.75), h * 0.07
    pen.ellipse(
        (sun_x - radius, horizon - radius * 1.2, sun_x + radius, horizon + radius * 0.8),
        fill="#f6d49a",
    )
    pen.rectangle((0, horizon, w, h), fill=None)
    _gradient(image, (0, horizon, w, h), "#2a4a66", "#0e2233")
    pen = ImageDraw.Draw(image)
    pen.rectangle(
        (sun_x - radius * 1.4, horizon + 8, sun_x + radius * 1.4, horizon + 14), fill="#e9b27a"
    )
    _waves(pen, rng, w, horizon + 20, h, "#3b5f80")
    ship_x = w * rng.uniform(0.18, 0.3)
    hull = h * 0.035
    pen.polygon(
        [
            (ship_x, horizon - hull),
            (ship_x + w * 0.16, horizon - hull),
            (ship_x + w * 0.145, horizon + 4),
            (ship_x + w * 0.012, horizon + 4),
        ],
        fill="#13263a",
    )
    pen.rectangle(
        (ship_x + w * 0.04, horizon - hull * 2.4, ship_x + w * 0.09, horizon - hull), fill="#13263a"
    )
    pen.rectangle(
        (ship_x + w * 0.06, horizon - hull * 3.6, ship_x + w * 0.066, horizon - hull * 2.4),
        fill="#13263a",
    )


def parliament(image, rng):
    """A parliament building with columns and a dome, at night."""
    w, h = image.size
    _gradient(image, (0, 0, w, h), "#0f1c2e", "#33506f")
    pen = ImageDraw.Draw(image)
    for _ in range(70):
        x, y = rng.uniform(0, w), rng.uniform(0, h * 0.45)
        r = rng.uniform(1.5, 3.5)
        pen.ellipse((x - r, y - r, x + r, y + r), fill="#dfe6ee")
    ground = int(h * 0.86)
    left, right = int(w * 0.14), int(w * 0.86)
    base_top = int(h * 0.46)
    pen.rectangle((0, ground, w, h), fill="#1b2a3b")
    pen.rectangle((left - 40, ground - 36, right + 40, ground), fill="#c9c0ae")
    pen.rectangle((left, base_top, right, ground - 36), fill="#d9d2c3")
    cx = w / 2
    pen.polygon(
        [(left - 30, base_top), (cx, base_top - h * 0.12), (right + 30, base_top)], fill="#e4dccb"
    )
    dome = w * 0.09
    pen.ellipse(
        (cx - dome, base_top - h * 0.12 - dome * 0.9, cx + dome, base_top - h * 0.12 + dome * 0.9),
        fill="#cfc6b3",
    )
    pen.rectangle(
        (cx - 6, base_top - h * 0.12 - dome * 1.3, cx + 6, base_top - h * 0.12 - dome * 0.8),
        fill="#cfc6b3",
    )
    columns = 12
    gap = (right - left) / columns
    for n in range(columns):
        x = left + gap * (n + 0.5)
        pen.rectangle((x - gap * 0.18, base_top + 30, x + gap * 0.18, ground - 36), fill="#eee8dc")
        pen.rectangle(
            (x - gap * 0.3, base_top + 50, x + gap * 0.3, base_top + 110),
            fill="#f2c86b" if rng.random() < 0.6 else "#8a7f6a",
        )
    pen.rectangle((left, base_top, right, base_top + 30), fill="#c9c0ae")


def harbour(image, rng):
    """Container cranes, stacked containers and a ship at the quay."""
    w, h = image.size
    water = int(h * 0.72)
    _gradient(image, (0, 0, w, water), "#bcd6e6", "#f4efe6")
    _gradient(image, (0, water, w, h), "#3d6f8e", "#264b63")
    pen = ImageDraw.Draw(image)
    quay = int(h * 0.66)
    pen.rectangle((0, quay, w, water), fill="#8a8f96")
    colours = ["#2f6f9f", "#c8442c", "#e2b33c", "#4f8a5b", "#7b8590", "#b5651d"]
    box_w, box_h = w * 0.055, h * 0.045
    for column in range(9):
        stack = rng.randint(2, 5)
        for row in range(stack):
            x = w * 0.05 + column * box_w * 1.04
            y = quay - (row + 1) * box_h * 1.02
            pen.rectangle((x, y, x + box_w, y + box_h), fill=rng.choice(colours))
    for n, x in enumerate((w * 0.62, w * 0.8)):
        top = h * (0.12 + 0.05 * n)
        pen.rectangle((x, top, x + w * 0.014, quay), fill="#c8442c")
        pen.rectangle((x + w * 0.07, top + h * 0.08, x + w * 0.084, quay), fill="#c8442c")
        pen.rectangle((x - w * 0.1, top, x + w * 0.16, top + h * 0.03), fill="#c8442c")
        pen.line(
            [(x + w * 0.03, top + h * 0.03), (x + w * 0.03, top + h * 0.22)],
            fill="#3a3a3a",
            width=4,
        )
    hull_top = int(h * 0.6)
    pen.polygon(
        [
            (w * 0.52, hull_top),
            (w * 0.99, hull_top),
            (w * 0.96, water + 20),
            (w * 0.55, water + 20),
        ],
        fill="#1f2d3a",
    )
    for n in range(7):
        x = w * 0.56 + n * box_w * 1.02
        pen.rectangle((x, hull_top - box_h, x + box_w, hull_top), fill=rng.choice(colours))
    _waves(pen, rng, w, water + 30, h, "#5a89a6", count=8)


def wind(image, rng):
    """Wind turbines standing in the sea under a clearing sky."""
    w, h = image.size
    horizon = int(h * 0.64)
    _gradient(image, (0, 0, w, horizon), "#7fa7c4", "#e4ecef")
    _gradient(image, (0, horizon, w, h), "#4f7e9c", "#2a5370")
    pen = ImageDraw.Draw(image)
    for _ in range(5):
        x, y = rng.uniform(0, w), rng.uniform(h * 0.08, h * 0.35)
        for k in range(4):
            r = rng.uniform(40, 90)
            pen.ellipse((x + k * 70 - r, y - r * 0.5, x + k * 70 + r, y + r * 0.5), fill="#eef3f5")
    _waves(pen, rng, w, horizon + 15, h, "#6f9bb6", count=10)
    for n, (fx, scale) in enumerate(((0.2, 1.0), (0.5, 0.72), (0.72, 0.52), (0.88, 0.4))):
        x, top = w * fx, horizon - h * 0.55 * scale
        foot, neck = 16 * scale, 7 * scale
        pen.polygon(
            [(x - foot, horizon + 6), (x + foot, horizon + 6), (x + neck, top), (x - neck, top)],
            fill="#f7f8f8",
            outline="#8d9aa3",
        )
        pen.rectangle((x - foot * 1.6, horizon - 4, x + foot * 1.6, horizon + 10), fill="#e0b43c")
        angle = rng.uniform(0, math.tau) + n
        blade = h * 0.26 * scale
        for k in range(3):
            a = angle + k * math.tau / 3
            tip = (x + blade * math.cos(a), top + blade * math.sin(a))
            side = (x + blade * 0.2 * math.cos(a + 0.22), top + blade * 0.2 * math.sin(a + 0.22))
            pen.polygon([(x, top), side, tip], fill="#fbfbfb", outline="#7d8a93")
        r = 12 * scale
        pen.ellipse((x - r, top - r, x + r, top + r), fill="#dfe5e8", outline="#7d8a93")


def rail(image, rng):
    """A railway running between low hills towards the horizon."""
    w, h = image.size
    horizon = int(h * 0.45)
    _gradient(image, (0, 0, w, h), "#f1cf9f", "#f8efe1")
    pen = ImageDraw.Draw(image)
    sun = w * 0.7
    pen.ellipse((sun - 70, horizon - 190, sun + 70, horizon - 50), fill="#f6e2b8")
    _hills(pen, rng, w, h, horizon - 40, h * 0.08, "#a9bb93")
    _hills(pen, rng, w, h, horizon + 10, h * 0.07, "#8aa677")
    _hills(pen, rng, w, h, horizon + 60, h * 0.05, "#6d8d60")
    vanish = (w * 0.46, horizon + 70)
    pen.polygon([vanish, (vanish[0] - w * 0.42, h), (vanish[0] + w * 0.42, h)], fill="#8c7b63")
    for n in range(28):
        t = (n / 28) ** 2
        y = vanish[1] + (h - vanish[1]) * t
        half = 20 + (w * 0.32) * t
        pen.line(
            [(vanish[0] - half * 1.15, y), (vanish[0] + half * 1.15, y)],
            fill="#5b4636",
            width=int(3 + 14 * t),
        )
    for side in (-1, 1):
        pen.line([vanish, (vanish[0] + side * w * 0.33, h)], fill="#34302d", width=14)


def chart(image, rng):
    """A calm bar chart with a red line across it: rates held."""
    w, h = image.size
    image.paste("#f4efe6", (0, 0, w, h))
    pen = ImageDraw.Draw(image)
    left, right, top, bottom = w * 0.1, w * 0.92, h * 0.14, h * 0.84
    for n in range(6):
        y = top + (bottom - top) * n / 5
        pen.line([(left, y), (right, y)], fill="#d8d0c2", width=3)
    bars = 14
    gap = (right - left) / bars
    level = rng.uniform(0.35, 0.5)
    heights = []
    for n in range(bars):
        level = min(0.9, max(0.15, level + rng.uniform(-0.08, 0.11)))
        heights.append(level)
        x = left + gap * n + gap * 0.18
        pen.rectangle(
            (x, bottom - (bottom - top) * level, x + gap * 0.64, bottom),
            fill="#1d4e6e" if n < bars - 3 else "#6d8fa6",
        )
    steady = bottom - (bottom - top) * 0.62
    pen.line([(left, steady), (right, steady)], fill="#b3001b", width=8)
    pen.line([(left, bottom), (right, bottom)], fill="#1a1a1a", width=5)


def fish(image, rng):
    """A fishing boat above a shoal of fish."""
    w, h = image.size
    surface = int(h * 0.3)
    _gradient(image, (0, 0, w, surface), "#e6eef2", "#c9dde6")
    _gradient(image, (0, surface, w, h), "#2c7192", "#0b2838")
    pen = ImageDraw.Draw(image)
    bx = w * 0.32
    pen.polygon(
        [
            (bx, surface - 40),
            (bx + w * 0.24, surface - 40),
            (bx + w * 0.21, surface + 30),
            (bx + w * 0.03, surface + 30),
        ],
        fill="#b8322a",
    )
    pen.rectangle((bx + w * 0.05, surface - 120, bx + w * 0.11, surface - 40), fill="#f2efe8")
    pen.line(
        [(bx + w * 0.16, surface - 220), (bx + w * 0.16, surface - 40)], fill="#3a3a3a", width=8
    )
    pen.line(
        [(bx + w * 0.16, surface - 210), (bx + w * 0.36, surface + h * 0.28)],
        fill="#d6dde2",
        width=3,
    )
    for _ in range(90):
        x, y = rng.uniform(w * 0.3, w * 0.95), rng.uniform(h * 0.5, h * 0.92)
        length = rng.uniform(40, 80)
        pen.ellipse(
            (x, y, x + length, y + length * 0.32),
            fill=rng.choice(["#c9d6df", "#aebfcb", "#dfe8ee"]),
        )
        pen.polygon(
            [(x, y + length * 0.16), (x - length * 0.3, y), (x - length * 0.3, y + length * 0.32)],
            fill="#aebfcb",
        )
    for _ in range(30):
        x, y, r = rng.uniform(0, w), rng.uniform(surface + 40, h), rng.uniform(3, 9)
        pen.ellipse((x - r, y - r, x + r, y + r), outline="#6fa3bf", width=3)


def glacier(image, rng):
    """Mountains with glaciers running down to a fjord."""
    w, h = image.size
    _gradient(image, (0, 0, w, h), "#b7d4e8", "#eef5f9")
    pen = ImageDraw.Draw(image)
    water = int(h * 0.8)
    peaks = [
        (w * x, h * y)
        for x, y in (
            (0.0, 0.5),
            (0.18, 0.22),
            (0.35, 0.42),
            (0.52, 0.16),
            (0.7, 0.38),
            (0.86, 0.26),
            (1.0, 0.45),
        )
    ]
    pen.polygon([(0, water), *peaks, (w, water)], fill="#6f8799")
    for (x1, y1), (x2, y2) in zip(peaks, peaks[1:], strict=False):
        if y2 < y1:
            pen.polygon(
                [
                    (x2, y2),
                    (x2 - (x2 - x1) * 0.35, y2 + (y1 - y2) * 0.45),
                    (x2 + w * 0.05, y2 + (y1 - y2) * 0.5),
                ],
                fill="#f4f9fc",
            )
        else:
            pen.polygon(
                [
                    (x1, y1),
                    (x1 + (x2 - x1) * 0.3, y1 + (y2 - y1) * 0.4),
                    (x1 - w * 0.04, y1 + (y2 - y1) * 0.55),
                ],
                fill="#f4f9fc",
            )
    tongue = w * rng.uniform(0.45, 0.55)
    pen.polygon(
        [
            (tongue - w * 0.03, h * 0.3),
            (tongue + w * 0.03, h * 0.3),
            (tongue + w * 0.12, water),
            (tongue - w * 0.1, water),
        ],
        fill="#e3eef5",
    )
    pen.polygon(
        [
            (tongue - w * 0.01, h * 0.36),
            (tongue + w * 0.015, h * 0.36),
            (tongue + w * 0.05, water),
            (tongue - w * 0.03, water),
        ],
        fill="#c9dbe6",
    )
    _gradient(image, (0, water, w, h), "#4d7891", "#355a70")
    pen = ImageDraw.Draw(image)
    for _ in range(8):
        x, y = rng.uniform(w * 0.3, w * 0.8), rng.uniform(water + 20, h - 30)
        size = rng.uniform(14, 34)
        pen.polygon([(x, y), (x + size * 2, y), (x + size * 1.4, y - size)], fill="#f4f9fc")


def districts(image, rng):
    """A map of districts in muted colours, one picked out in red."""
    w, h = image.size
    image.paste("#efe9dc", (0, 0, w, h))
    colours = ["#c9d7c0", "#e3d3b0", "#c4d3de", "#dccbc4", "#d6d9b8", "#c8c6d9"]
    columns, rows = 7, 4
    jitter = [
        [(rng.uniform(-0.28, 0.28), rng.uniform(-0.28, 0.28)) for _ in range(columns + 1)]
        for _ in range(rows + 1)
    ]

    def corner(c, r):
        dx, dy = jitter[r][c] if 0 < c < columns and 0 < r < rows else (0, 0)
        return (w * (c + dx) / columns, h * (r + dy) / rows)

    pen = ImageDraw.Draw(image)
    picked = (rng.randrange(1, columns - 1), rng.randrange(1, rows - 1))
    for r in range(rows):
        for c in range(columns):
            shape = [corner(c, r), corner(c + 1, r), corner(c + 1, r + 1), corner(c, r + 1)]
            fill = "#b3001b" if (c, r) == picked else rng.choice(colours)
            pen.polygon(shape, fill=fill, outline="#fffdf8", width=10)
    river = [(0, h * 0.7), (w * 0.3, h * 0.55), (w * 0.55, h * 0.75), (w, h * 0.45)]
    pen.line(river, fill="#8fb3cc", width=22, joint="curve")


def lighthouse(image, rng):
    """A lighthouse on a cliff above high waves: an upright picture."""
    w, h = image.size
    _gradient(image, (0, 0, w, h), "#f2c88d", "#88aabd")
    pen = ImageDraw.Draw(image)
    sea_top = int(h * 0.74)
    cliff = [
        (w * 0.25, h),
        (w * 0.3, h * 0.62),
        (w * 0.48, h * 0.56),
        (w * 0.82, h * 0.58),
        (w, h * 0.6),
        (w, h),
    ]
    pen.polygon(cliff, fill="#4b4f46")
    pen.polygon(
        [
            (w * 0.3, h * 0.62),
            (w * 0.48, h * 0.56),
            (w * 0.82, h * 0.58),
            (w, h * 0.6),
            (w, h * 0.63),
            (w * 0.35, h * 0.65),
        ],
        fill="#6f7a56",
    )
    x, base, top = w * 0.64, h * 0.57, h * 0.2
    for n in range(6):
        y1 = base - (base - top) * n / 6
        y2 = base - (base - top) * (n + 1) / 6
        half1 = w * (0.075 - 0.025 * n / 6)
        half2 = w * (0.075 - 0.025 * (n + 1) / 6)
        pen.polygon(
            [(x - half1, y1), (x + half1, y1), (x + half2, y2), (x - half2, y2)],
            fill="#b3001b" if n % 2 else "#f6f3ec",
        )
    pen.rectangle((x - w * 0.06, top - h * 0.06, x + w * 0.06, top), fill="#2f3437")
    pen.rectangle((x - w * 0.045, top - h * 0.05, x + w * 0.045, top - h * 0.01), fill="#ffe7a3")
    pen.polygon(
        [(x - w * 0.07, top - h * 0.06), (x, top - h * 0.1), (x + w * 0.07, top - h * 0.06)],
        fill="#2f3437",
    )
    glow = Image.new("L", image.size, 0)
    ImageDraw.Draw(glow).polygon(
        [(x, top - h * 0.03), (0, top - h * 0.12), (0, top + h * 0.06)], fill=90
    )
    glow = glow.filter(ImageFilter.GaussianBlur(18))
    image.paste(Image.new("RGB", image.size, "#fff3c4"), (0, 0), glow)
    pen = ImageDraw.Draw(image)
    pen.polygon(
        [(0, sea_top), (w * 0.3, sea_top - h * 0.02), (w * 0.28, h), (0, h)], fill="#2e5a72"
    )
    for n in range(9):
        y = sea_top + n * h * 0.028
        crest = rng.uniform(0, w * 0.12)
        pen.arc(
            (crest - w * 0.1, y - 30, crest + w * 0.22, y + 40), 200, 340, fill="#d6e6ee", width=6
        )


MOTIFS = {
    "sea": sea,
    "parliament": parliament,
    "harbour": harbour,
    "wind": wind,
    "rail": rail,
    "chart": chart,
    "fish": fish,
    "glacier": glacier,
    "districts": districts,
    "lighthouse": lighthouse,
}
