"""OCR benchmark (issue #15): covers/s and cover words recovered on the simulator's covers, for

- the baseline, measured in the same run: a tesseract process per cover through pytesseract, as
  before issue #15 (and as the fallback still does);
- tesserocr with tesseract's default settings (page segmentation mode 3, the colour image), to show
  what the cover settings add on their own;
- tiktok.enrich.ocr as the crawl and `python -m tiktok ocr` run it: one engine per worker, mode 6, the
  image thresholded to its white text.

Workers are spawned with OMP_THREAD_LIMIT=1, as tiktok.enrich.ocr makes them. Each figure is the median of
ROUNDS rounds, the variants taking turns, so a busy machine slows them alike.
Run with `make bench`; BENCH_SCALE=0.1 reads fewer covers.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.results import result
from tiktok.enrich import ocr

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
ROUNDS = 3
_api: Any = None


def _default_tesserocr(paths: list[str]) -> tuple[str | None, str | None]:
    """tesserocr as it comes: the colour image, page segmentation mode 3."""
    global _api
    import tesserocr  # type: ignore[import-untyped]
    from PIL import Image

    if _api is None:
        _api = tesserocr.PyTessBaseAPI(path=ocr.TESSDATA, lang="eng")
    with Image.open(paths[0]) as image:
        _api.SetImage(image.convert("RGB"))
    return " ".join(_api.GetUTF8Text().split()) or None, None


def pool(workers: int, engine: str) -> Executor:
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=ocr._init_worker, initargs=(engine, "eng"))


Read = Callable[[list[str]], tuple[str | None, str | None]]


def measure(read: Read, workers: int, engine: str, paths: list[str]) -> tuple[float, list[str]]:
    """Covers/s and the texts, once the workers are up and their engines loaded."""
    with pool(workers, engine) as executor:
        list(executor.map(read, [[paths[0]]] * workers * 2))
        started = time.perf_counter()
        texts = [text or "" for text, _ in executor.map(read, [[p] for p in paths])]
        return len(paths) / (time.perf_counter() - started), texts


def main() -> None:
    from tiktok.simulator.media import text_jpeg
    from tiktok.simulator.world import World

    if not ocr.tesseract_available():
        print("OCR: skipped, tesseract is not installed (make setup installs it)")
        return
    count = max(20, int(80 * SCALE))
    world = World(7, "small")
    variants: dict[str, tuple[Read, int, str]] = {
        "baseline pytesseract (a tesseract process per cover), 2 workers": (ocr.read_images, 2, "pytesseract"),
        "tesserocr, tesseract's default settings, 1 worker": (_default_tesserocr, 1, "tesserocr"),
        "tiktok.enrich.ocr (tesserocr, cover settings), 1 worker": (ocr.read_images, 1, ocr.engine_name("eng")),
        "tiktok.enrich.ocr (tesserocr, cover settings), 2 workers": (ocr.read_images, 2, ocr.engine_name("eng")),
    }
    with tempfile.TemporaryDirectory() as tmp:
        paths, truth = [], []
        for v in range(count):
            path = Path(tmp) / f"{v}.jpeg"
            path.write_bytes(text_jpeg(world.cover_text(v), v))
            paths.append(str(path))
            truth.append(world.cover_text(v).split())
        rates: dict[str, list[float]] = {name: [] for name in variants}
        texts: dict[str, list[str]] = {}
        for _ in range(ROUNDS):
            for name, (read, workers, engine) in variants.items():
                rate, texts[name] = measure(read, workers, engine, paths)
                rates[name].append(rate)
    words = sum(len(t) for t in truth)
    baseline = statistics.median(next(iter(rates.values())))
    print(f"OCR of {count} simulator covers (720x1280 JPEG), workers spawned with OMP_THREAD_LIMIT=1, median of {ROUNDS} rounds:")
    for name, got in texts.items():
        rate = statistics.median(rates[name])
        found = sum(sum(w in text.split() for w in expected) for expected, text in zip(truth, got, strict=True))
        print(f"   {name:66s} {rate:5.1f} covers/s = {rate / baseline:4.2f} x baseline; words {found}/{words} = {found / words:.1%}")
    print("   goals for tiktok.enrich.ocr with 2 workers: >= 20 covers/s, >= 95% of cover words")
    ours = list(texts)[-1]
    rate = statistics.median(rates[ours])
    found = sum(sum(w in text.split() for w in expected) for expected, text in zip(truth, texts[ours], strict=True))
    met = rate >= 20 and found / words >= 0.95
    words_found = f"{found / words:.1%} of words"
    print(
        result(
            "ocr.2_workers",
            f"{rate:.1f} covers/s, {words_found}",
            f"pytesseract {baseline:.1f} covers/s",
            rate / baseline,
            ">= 20/s and >= 95%",
            met,
        )
    )


if __name__ == "__main__":
    main()
