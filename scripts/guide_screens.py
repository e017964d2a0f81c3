"""Keep the user guide's pictures: the screenshots tests/browser/test_browser_guide.py took
(test-artifacts/guide/) into service/web/static/guide/, reduced to 256 colours (a page of
flat colours loses nothing visible, and each picture shrinks to a third).

    make guide-screens
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
TAKEN = ROOT / "test-artifacts" / "guide"
KEPT = ROOT / "service" / "web" / "static" / "guide"


def main() -> int:
    pictures = sorted(TAKEN.glob("*.png"))
    if not pictures:
        print(f"no pictures in {TAKEN.relative_to(ROOT)}: run the browser test first")
        return 1
    KEPT.mkdir(parents=True, exist_ok=True)
    for picture in pictures:
        with Image.open(picture) as image:
            reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
            reduced.save(KEPT / picture.name, optimize=True)
        print(f"{picture.name}: {(KEPT / picture.name).stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
