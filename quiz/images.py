"""Uploaded pictures, checked by decoding them and shrunk: the certificate's
logo and signature, the images of an article.

Only PNG and JPEG are accepted; the picture is decoded by Pillow (so a file
that is not really an image is refused), bounded in pixels, shrunk to the
size asked for and written again, so what is stored and served is always a
clean PNG or JPEG of bounded size, whatever was uploaded.
"""
from __future__ import annotations

import io

from flask_babel import lazy_gettext as _l

MAX_PIXELS = 40_000_000


def shrink_image(raw: bytes, max_size: tuple[int, int], max_bytes: int) -> tuple[bytes, str, tuple[int, int]]:
    """``raw`` checked and shrunk to fit ``max_size``: (bytes, mime, (width, height)).

    Raises ValueError with a message for the person when it is too big, not
    a PNG/JPEG, or unreadable.
    """
    if len(raw) > max_bytes:
        raise ValueError(_l("图片不能超过 %(mb)s MB。", mb=max_bytes // (1024 * 1024)))
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format not in ("PNG", "JPEG"):
                raise ValueError(_l("只支持 PNG 或 JPEG 图片。"))
            if probe.width * probe.height > MAX_PIXELS:
                raise ValueError(_l("图片像素太大。"))
            image = probe.convert("RGBA" if probe.mode in ("RGBA", "LA", "P") else "RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValueError(_l("无法读取这张图片，请上传 PNG 或 JPEG。")) from exc
    image.thumbnail(max_size)
    out = io.BytesIO()
    if image.mode == "RGBA":
        image.save(out, "PNG", optimize=True)
        return out.getvalue(), "image/png", image.size
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue(), "image/jpeg", image.size
