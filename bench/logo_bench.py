"""Logo match benchmark (part of `make bench`, issue 14): per avatar, the whole verdict
against SIFT placement alone on the brightness at 384 pixels, which is all the matcher did
before (SIFT, ratio test, RANSAC), timed avatar by avatar in turn; and the figures on the
four sets the thresholds were tuned on (policy/tests/avatars.py, avatars_second.py,
avatars_third.py, avatars_fourth.py) and on the set written after them
(policy/tests/avatars_fifth.py).

Usage: python bench/logo_bench.py   (LOGO_N avatars per set, default 400)
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicsocial.settings")


def main() -> None:
    import django

    django.setup()
    import numpy as np
    from PIL import Image

    from civicsocial.policy.logo import AVATAR_SIZE, _placement, logo_verdict
    from civicsocial.policy.logo_reference import reference
    from civicsocial.policy.tests import avatars_fifth
    from civicsocial.policy.tests.test_logo_match import (
        TUNING_SEEDS,
        UNTOUCHED_SEED,
        figures,
        tuning_set,
    )

    n = int(os.environ.get("LOGO_N", "400"))
    sets = {f"tuning ({name})": tuning_set(name, n) for name in TUNING_SEEDS}
    sets["untouched (avatars_fifth.py)"] = avatars_fifth.avatar_set(UNTOUCHED_SEED, n)
    print("| set | avatars | found | found or unsure | look-alikes matched | unsure | "
          "ms/avatar | placement alone, ms | ratio |\n|---|---|---|---|---|---|---|---|---|")
    for name, items in sets.items():
        logo_verdict(items[0][0])  # load the reference: not measured
        verdicts, whole, alone = [], 0.0, 0.0
        for data, kind in items:  # in turn, avatar by avatar: the machine's noise hits both
            started = time.perf_counter()
            verdicts.append((kind, logo_verdict(data)))
            middle = time.perf_counter()
            gray = Image.open(io.BytesIO(data)).convert("L").resize((AVATAR_SIZE, AVATAR_SIZE))
            _placement(np.asarray(gray), reference(""))
            whole, alone = whole + middle - started, alone + time.perf_counter() - middle
        whole, alone = whole / len(items) * 1000, alone / len(items) * 1000
        f = figures(verdicts)
        print(f"| {name} | {len(items)} | {f['found']:.1%} | {f['found or unsure']:.1%} | "
              f"{f['look-alikes matched']:.1%} | {f['unsure']:.1%} | {whole:.1f} | {alone:.1f} | "
              f"{whole / alone:.2f} |")


if __name__ == "__main__":
    main()
