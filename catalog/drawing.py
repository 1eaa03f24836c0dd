"""Still-life pictures of produce drawn with Pillow: deterministic per key, no Django needed.

Used by the demo seed (catalog/demo.py) and by the supplier stub (devservers/supplier_stub.py),
which runs without Django settings: this module imports nothing but Pillow.
"""

from __future__ import annotations

import hashlib
import io
import random

from PIL import Image, ImageDraw, ImageFont, ImageOps

Colour = tuple[int, int, int]
# How the produce sits on the table: one big fruit, a few long roots, a leafy head, a heap of small ones.
SHAPES = ("round", "long", "leafy", "heap")


def _shade(colour: Colour, factor: float) -> Colour:
    return tuple(max(0, min(255, int(channel * factor))) for channel in colour)


def _round(draw: ImageDraw.ImageDraw, rng: random.Random, colour: Colour, cx: int, cy: int, r: int) -> None:
    draw.ellipse(
        (cx - r, cy - r, cx + r, cy + r), fill=colour, outline=_shade(colour, 0.6), width=max(2, r // 30)
    )
    draw.ellipse((cx - r // 2, cy - r * 7 // 10, cx - r // 5, cy - r * 4 // 10), fill=_shade(colour, 1.6))
    draw.line((cx, cy - r, cx + r // 8, cy - r - r // 4), fill=(90, 60, 30), width=max(3, r // 15))
    draw.ellipse((cx + r // 8, cy - r - r // 3, cx + r // 2, cy - r - r // 10), fill=(60, 140, 50))


def _long(draw: ImageDraw.ImageDraw, rng: random.Random, colour: Colour, cx: int, cy: int, r: int) -> None:
    for offset in (-r // 2, 0, r // 2):
        top, bottom = cy - r + rng.randrange(r // 4 + 1), cy + r
        x = cx + offset
        draw.polygon(
            [(x - r // 6, top), (x + r // 6, top), (x, bottom)], fill=_shade(colour, rng.uniform(0.85, 1.1))
        )
        draw.ellipse((x - r // 5, top - r // 3, x + r // 5, top), fill=(70, 150, 60))


def _leafy(draw: ImageDraw.ImageDraw, rng: random.Random, colour: Colour, cx: int, cy: int, r: int) -> None:
    for _ in range(14):
        dx, dy = rng.randrange(-r, r + 1) * 2 // 3, rng.randrange(-r, r + 1) * 2 // 3
        leaf = r // 2 + rng.randrange(r // 3 + 1)
        draw.ellipse((cx + dx - leaf, cy + dy - leaf // 2, cx + dx + leaf, cy + dy + leaf // 2),
                     fill=_shade(colour, rng.uniform(0.75, 1.25)), outline=_shade(colour, 0.55))  # fmt: skip


def _heap(draw: ImageDraw.ImageDraw, rng: random.Random, colour: Colour, cx: int, cy: int, r: int) -> None:
    small = max(8, r // 5)
    for _ in range(28):
        x = cx + rng.randrange(-r, r + 1)
        y = cy + r // 2 - abs(rng.gauss(0, r / 2.5))
        draw.ellipse((x - small, y - small, x + small, y + small), fill=_shade(colour, rng.uniform(0.7, 1.2)),
                     outline=_shade(colour, 0.5))  # fmt: skip


_DRAW_SHAPE = {"round": _round, "long": _long, "leafy": _leafy, "heap": _heap}


def still_life(
    *, key: str, title: str, size: tuple[int, int] = (2048, 1536), colour: Colour | None = None,
    shape: str = "round", quality: int = 85,
) -> bytes:  # fmt: skip
    """A JPEG of `title`: background, shapes and produce seeded by `key`, the title written below.

    Without `colour` the produce gets a colour of its own (the demo's products); with one
    (the supplier's produce table) it is drawn in that colour, in the given `shape`.
    """
    rng = random.Random(hashlib.sha256(key.encode()).digest())
    width, height = size
    scale = width / 2048
    sky = tuple(rng.randrange(120, 256) for _ in range(3))
    ground = tuple(rng.randrange(0, 120) for _ in range(3))
    picture = ImageOps.colorize(Image.linear_gradient("L").resize(size), sky, ground)
    draw = ImageDraw.Draw(picture)
    # A known produce sits on a wooden table; the demo's own products among coloured shapes.
    if colour is not None:
        wood = tuple(rng.randrange(low, low + 40) for low in (130, 90, 50))
        draw.rectangle((0, int(height * 0.62), width, height), fill=wood)
        draw.line(
            (0, int(height * 0.62), width, int(height * 0.62)),
            fill=_shade(wood, 0.7),
            width=max(2, width // 200),
        )
    for _ in range(0 if colour is not None else rng.randrange(5, 10)):
        x, y, radius = rng.randrange(width), rng.randrange(height), int(rng.randrange(60, 300) * scale)
        tint = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=tint)
        else:
            draw.rectangle((x - radius, y - radius // 2, x + radius, y + radius // 2), fill=tint)
    produce = colour or tuple(rng.randrange(256) for _ in range(3))
    centre_x, centre_y, radius = width // 2, height // 2 - int(120 * scale), int(420 * scale)
    _DRAW_SHAPE[shape](draw, rng, produce, centre_x, centre_y, radius)
    font = ImageFont.load_default(size=max(10, int(140 * scale)))
    # Long names shrink to fit the picture's width with a margin.
    fitted = int(font.size * (width - 200 * scale) / draw.textlength(title, font))
    font = font.font_variant(size=max(10, min(font.size, fitted)))
    draw.text((centre_x, height - int(180 * scale)), title, font=font, fill="white", anchor="ms",
              stroke_width=max(1, int(6 * scale)), stroke_fill="black")  # fmt: skip
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()
