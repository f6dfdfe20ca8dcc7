"""Read QR codes back the way a phone would: zxing-cpp on pixels.

``decode_svg`` rasterises the inline SVG of the printed page (segno draws dark
modules as horizontal strokes ``M x y h n m dx dy ...``) without any browser;
``decode_png`` reads a screenshot. Both prove the code on the page scans to
the URL, not merely that some library was called with it.
"""

from __future__ import annotations

import io
import re

import zxingcpp

SCALE = 8  # pixels per module


def _modules(svg: str) -> tuple[int, set[tuple[int, int]]]:
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    path = re.search(r'<path[^>]*class="qrline"[^>]*\sd="([^"]+)"', svg).group(1)
    dark: set[tuple[int, int]] = set()
    x = y = 0.0
    for command, a, b in re.findall(r"([MmHh])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        elif command == "h":
            end = x + float(a)
            dark.update((column, int(y)) for column in range(int(x), int(end)))
            x = end
        else:  # "H": absolute
            end = float(a)
            dark.update((column, int(y)) for column in range(int(x), int(end)))
            x = end
    return size, dark


def decode_svg(svg: str) -> str | None:
    """The text of the QR code drawn by ``svg`` (segno's inline SVG), or None."""
    size, dark = _modules(svg)
    side = size * SCALE
    pixels = bytearray(b"\xff" * side * side)
    for column, row in dark:
        for dy in range(SCALE):
            start = (row * SCALE + dy) * side + column * SCALE
            pixels[start : start + SCALE] = b"\x00" * SCALE
    found = zxingcpp.read_barcode(memoryview(pixels).cast("B", (side, side)))
    return found.text if found else None


def decode_png(png: bytes) -> str | None:
    """The text of the QR code in a PNG (e.g. a screenshot), or None."""
    from PIL import Image

    found = zxingcpp.read_barcode(Image.open(io.BytesIO(png)).convert("L"))
    return found.text if found else None
