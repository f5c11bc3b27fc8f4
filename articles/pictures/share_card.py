"""The share card of a story without a picture: its headline on the site's colours.

Social sites and Google Discover show a large picture with every shared story;
without one they show a blank box or nothing. The card is drawn with Pillow
when first asked for (``articles.views.ShareCardView``) and kept by the page
cache until the headline or the section's name changes.

The lettering comes from a font already on the machine: Debian's DejaVu or
Liberation serif (the ``fonts-dejavu-core`` and ``fonts-liberation`` packages,
which Chromium pulls in), else the scalable font that ships inside Pillow
itself. Nothing is downloaded.
"""

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

WIDTH = 1200
# The three shapes Google asks for, at 1200 px wide.
SHAPES = {"16x9": (WIDTH, 675), "4x3": (WIDTH, 900), "1x1": (WIDTH, WIDTH)}

# The site's colours (articles/static/articles/site.css).
PAPER = "#fffdf8"
INK = "#1a1a1a"
ACCENT = "#b3001b"
MUTED = "#5c5c5c"

FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
)
MARGIN = 80


@lru_cache(maxsize=32)
def font(size):
    for path in FONT_FILES:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def wrap(text, face, width):
    """``text`` in lines no wider than ``width``, broken between words."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and face.getlength(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def _headline_lines(headline, width, height, largest):
    """The largest type (from ``largest`` px down) at which the headline fits the box."""
    for size in range(largest, 35, -4):
        face = font(size)
        lines = wrap(headline, face, width)
        if len(lines) * round(size * 1.18) <= height:
            return face, size, lines
    face = font(36)
    lines = wrap(headline, face, width)
    fitting = max(1, height // round(36 * 1.18))
    if len(lines) > fitting:
        lines = [*lines[: fitting - 1], lines[fitting - 1] + " …"]
    return face, 36, lines


def draw(headline, kicker, site_name, shape="16x9"):
    """The card as PNG bytes: a red rule, the section's name, the headline,
    and the site's name under a double rule like the masthead's."""
    width, height = SHAPES[shape]
    image = Image.new("RGB", (width, height), PAPER)
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 0, width, 18), fill=ACCENT)

    top = MARGIN
    if kicker:
        pen.text((MARGIN, top), kicker.upper(), font=font(34), fill=ACCENT)
        top += 70

    footer_top = height - MARGIN - 52
    box = footer_top - 40 - top
    # Taller shapes take larger type; the headline sits in the middle of its box.
    largest = min(128, 4 * round(height / 30))
    face, size, lines = _headline_lines(headline, width - 2 * MARGIN, box, largest)
    leading = round(size * 1.18)
    top += max(0, (box - len(lines) * leading) // 2)
    for number, line in enumerate(lines):
        pen.text((MARGIN, top + number * leading), line, font=face, fill=INK)

    pen.rectangle((MARGIN, footer_top, width - MARGIN, footer_top + 3), fill=INK)
    pen.rectangle((MARGIN, footer_top + 8, width - MARGIN, footer_top + 9), fill=INK)
    pen.text((MARGIN, footer_top + 22), site_name, font=font(40), fill=MUTED)

    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
