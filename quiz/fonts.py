"""Compact CJK faces for every PDF (``quiz.pdf``), cut once per process from the system fonts.

WeasyPrint subsets each font it embeds but keeps glyph ids, so the embedded
subset of a 65,000-glyph Noto CJK face still carries tables sized to the
highest glyph used: about 150 KB per face per PDF, and slow. Cutting the
faces down to GB 2312 (6,763 hanzi, the symbols, ASCII) first, with
HarfBuzz-subset (about 0.1 s, in memory), gives ~30 KB faces per PDF and
halves the rendering time. A character outside the set (a rare name
character) falls back to the full system face, so it still renders.

Pure: no Flask, no database.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import subprocess
from dataclasses import dataclass

log = logging.getLogger(__name__)

#: (family used in our CSS, fontconfig pattern of the system face, weight)
FACES = (
    ("QuizSans", "Noto Sans CJK SC:style=Regular", 400),
    ("QuizSerif", "Noto Serif CJK SC:style=Bold", 700),
)
SYSTEM_FALLBACK = {"QuizSans": '"Noto Sans CJK SC", sans-serif', "QuizSerif": '"Noto Serif CJK SC", serif'}

_DROP_TABLES = (b"GSUB", b"GPOS", b"BASE", b"VORG", b"vhea", b"vmtx", b"DSIG", b"JSTF")


@dataclass(frozen=True)
class Face:
    family: str
    weight: int
    data: bytes
    source: str


def charset() -> frozenset[int]:
    """GB 2312 (hanzi and symbols) plus ASCII, Latin-1 and the common punctuation blocks."""
    codepoints: set[int] = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                codepoints.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    for start, end in ((0x20, 0x7F), (0xA0, 0x100), (0x2000, 0x2070), (0x2100, 0x2200), (0x2460, 0x24FF),
                       (0x3000, 0x3040), (0xFF00, 0xFFF0)):
        codepoints.update(range(start, end))
    return frozenset(codepoints)


def _find(pattern: str) -> tuple[str, int] | None:
    """File and face index of a fontconfig pattern, if that family is installed."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}\n%{index}\n%{family}", pattern],
                             capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    lines = out.split("\n")
    if len(lines) < 3 or pattern.split(":")[0] not in lines[2].split(","):
        return None
    return lines[0], int(lines[1] or 0)


class _HarfBuzz:
    def __init__(self) -> None:
        hb = ctypes.CDLL(ctypes.util.find_library("harfbuzz") or "libharfbuzz.so.0")
        hbs = ctypes.CDLL(ctypes.util.find_library("harfbuzz-subset") or "libharfbuzz-subset.so.0")
        vp, uint = ctypes.c_void_p, ctypes.c_uint
        for lib, name, res, args in (
            (hb, "hb_blob_create_from_file_or_fail", vp, [ctypes.c_char_p]),
            (hb, "hb_face_create", vp, [vp, uint]),
            (hb, "hb_face_reference_blob", vp, [vp]),
            (hb, "hb_blob_get_data", ctypes.POINTER(ctypes.c_char), [vp, ctypes.POINTER(uint)]),
            (hb, "hb_tag_from_string", uint, [ctypes.c_char_p, ctypes.c_int]),
            (hb, "hb_set_add", None, [vp, uint]),
            (hb, "hb_blob_destroy", None, [vp]),
            (hb, "hb_face_destroy", None, [vp]),
            (hbs, "hb_subset_input_create_or_fail", vp, []),
            (hbs, "hb_subset_input_destroy", None, [vp]),
            (hbs, "hb_subset_input_unicode_set", vp, [vp]),
            (hbs, "hb_subset_input_set", vp, [vp, ctypes.c_int]),
            (hbs, "hb_subset_input_set_flags", None, [vp, uint]),
            (hbs, "hb_subset_or_fail", vp, [vp, vp]),
        ):
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = res, args
        self.hb, self.hbs = hb, hbs

    def subset(self, path: str, index: int, codepoints: frozenset[int]) -> bytes | None:
        hb, hbs = self.hb, self.hbs
        blob = hb.hb_blob_create_from_file_or_fail(path.encode())
        if not blob:
            return None
        face = hb.hb_face_create(blob, index)
        spec = hbs.hb_subset_input_create_or_fail()
        out_face = out_blob = None
        try:
            unicodes = hbs.hb_subset_input_unicode_set(spec)
            for cp in sorted(codepoints):
                hb.hb_set_add(unicodes, cp)
            drop = hbs.hb_subset_input_set(spec, 3)  # HB_SUBSET_SETS_DROP_TABLE_TAG
            for tag in _DROP_TABLES:
                hb.hb_set_add(drop, hb.hb_tag_from_string(tag, -1))
            hbs.hb_subset_input_set_flags(spec, 0x4)  # DESUBROUTINIZE: less work per PDF later
            out_face = hbs.hb_subset_or_fail(face, spec)
            if not out_face:
                return None
            out_blob = hb.hb_face_reference_blob(out_face)
            length = ctypes.c_uint()
            data = hb.hb_blob_get_data(out_blob, ctypes.byref(length))
            return ctypes.string_at(data, length.value) if length.value else None
        finally:
            if out_blob:
                hb.hb_blob_destroy(out_blob)
            if out_face:
                hb.hb_face_destroy(out_face)
            hbs.hb_subset_input_destroy(spec)
            hb.hb_face_destroy(face)
            hb.hb_blob_destroy(blob)


_narrowed: frozenset[int] | None = None  # set by ``narrow_to`` in a process that renders one known job


def narrow_to(codepoints: frozenset[int]) -> None:
    """Cut this process's faces to ``codepoints`` only, instead of GB 2312.

    For a process that renders one known set of texts (a bulk job's worker,
    ``quiz.certificates.rendering``): a face of the job's few hundred
    characters makes each PDF's own subset quicker to cut and smaller (about
    24 ms and 21 KB a certificate instead of 31 ms and 66 KB). The glyphs are
    the same Noto outlines. Call it before the process renders anything: the
    faces are read once, by the first stylesheet.
    """
    global _narrowed
    _narrowed = frozenset(codepoints)
    compact_faces.cache_clear()


@functools.lru_cache(maxsize=1)
def compact_faces() -> tuple[Face, ...]:
    """The compact faces this machine can make; empty when HarfBuzz-subset or Noto CJK is missing."""
    try:
        harfbuzz = _HarfBuzz()
    except (OSError, AttributeError) as exc:
        log.warning("HarfBuzz-subset unavailable (%s): certificates use the full system CJK fonts", exc)
        return ()
    codepoints = charset() if _narrowed is None else _narrowed
    faces = []
    for family, pattern, weight in FACES:
        found = _find(pattern)
        if found is None:
            log.warning("font %s not installed (Debian: fonts-noto-cjk)", pattern)
            continue
        data = harfbuzz.subset(found[0], found[1], codepoints)
        if data:
            faces.append(Face(family, weight, data, f"{found[0]}#{found[1]}"))
    return tuple(faces)
