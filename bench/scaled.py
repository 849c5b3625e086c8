"""``python -m bench.scaled``: one 160 px face crop of a 50-megapixel JPEG, decoded at full size
(as before) and at the crop's scale (JPEG DCT scaling, 1/2 to 1/8).

Each crop runs in a child process of its own, so its peak RSS is its own: reported as the peak
(VmHWM) above the process's size just before the crop. Time is the best of ``--repeat`` crops.
Faces of three sizes, since the face's size in the photo decides the scale. Prints a table, then
one JSON line.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from bench.report import Row, table
from bench.server import REPO
from viewer.compose import ViewOptions, crop_draft, render_crop
from viewer.decoding import decode
from viewer.models import Face, parse_face

PHOTO_WH = (8660, 5773)  # 50 megapixels
FACE_SIDES = (400, 800, 1600)  # px in the photo
CROP = 160
MAX_PIXELS = 64_000_000


def make_photo(path: Path) -> None:
    """A 50 MP JPEG: a gradient with a grid of squares, so it compresses like a busy photo."""
    small = Image.linear_gradient("L").resize((PHOTO_WH[0] // 8, PHOTO_WH[1] // 8))
    image = Image.merge("RGB", (small, small.rotate(90, expand=False), small)).resize(PHOTO_WH)
    draw = ImageDraw.Draw(image)
    for x in range(0, PHOTO_WH[0], 240):
        for y in range(0, PHOTO_WH[1], 240):
            draw.rectangle((x, y, x + 100, y + 100), fill=((x // 7) % 256, (y // 5) % 256, 90))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    path.write_bytes(out.getvalue())


def face_of(side: int) -> Face:
    w, h = PHOTO_WH
    x0, y0 = w * 0.6, h * 0.4
    box = {"xMin": x0 / w, "yMin": y0 / h, "xMax": (x0 + side) / w, "yMax": (y0 + side) / h}
    return parse_face({"id": "f", "url": "u", "isFrontal": True, "boundingBox": box}, 0)


def _status_mb(field: str) -> float:
    """A memory line of /proc/self/status (VmRSS now, VmHWM its peak since exec), in MB."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def one(path: Path, side: int, scaled: bool, repeat: int) -> dict[str, Any]:
    """Crop one face ``repeat`` times in this process: best time, peak RSS above the start."""
    data = path.read_bytes()
    face, options = face_of(side), ViewOptions()
    draft = crop_draft(face, options.boxes_on, CROP) if scaled else None
    before = _status_mb("VmRSS")
    times, decoded_wh = [], (0, 0)
    for _ in range(repeat):
        start = time.perf_counter()
        decoded = decode(data, MAX_PIXELS, draft)
        render_crop(decoded, face, options, CROP)
        times.append(time.perf_counter() - start)
        decoded_wh = decoded.image.size
        del decoded
    # VmHWM, not getrusage: ru_maxrss carries the parent's peak across exec
    peak = _status_mb("VmHWM")
    return {"s": min(times), "peak_mb": peak - before, "decoded_wh": decoded_wh}


def _child(path: Path, side: int, scaled: bool, repeat: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.scaled", "--one", str(path), str(side)]
    command += ["--repeat", str(repeat)] + (["--scaled"] if scaled else [])
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(repeat: int = 3) -> dict[str, Any]:
    """Every face size, full decode and scaled, each in its own process."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "photo.jpg"
        make_photo(path)
        result: dict[str, Any] = {"photo_wh": PHOTO_WH, "jpeg_bytes": path.stat().st_size}
        for side in FACE_SIDES:
            full, scaled = (_child(path, side, s, repeat) for s in (False, True))
            result[f"face_{side}"] = {
                "full": full,
                "scaled": scaled,
                "speedup": round(full["s"] / scaled["s"], 1),
                "memory_ratio": round(full["peak_mb"] / max(scaled["peak_mb"], 0.1), 1),
            }
    return result


def rows(r: dict[str, Any]) -> list[Row]:
    w, h = r["photo_wh"]
    out = [Row("section", f"one {CROP} px face crop of a {w * h / 1e6:.0f} MP JPEG ({w}×{h})")]
    for side in FACE_SIDES:
        m = r[f"face_{side}"]
        full, scaled = m["full"], m["scaled"]
        dw, dh = scaled["decoded_wh"]
        out += [
            Row(
                f"{side} px face, full decode",
                f"{full['s'] * 1000:,.0f} ms, {full['peak_mb']:,.0f} MB",
            ),
            Row(
                f"{side} px face, decoded at {dw}×{dh}",
                f"{scaled['s'] * 1000:,.0f} ms, {scaled['peak_mb']:,.0f} MB",
            ),
            Row("  faster / less memory", f"{m['speedup']:.1f}× / {m['memory_ratio']:.1f}×"),
        ]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scaled", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="crops per timing")
    parser.add_argument("--one", nargs=2, metavar=("PHOTO", "SIDE"), help=argparse.SUPPRESS)
    parser.add_argument("--scaled", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one(Path(args.one[0]), int(args.one[1]), args.scaled, args.repeat)))
        return 0
    result = measure(max(1, args.repeat))
    print(table(rows(result)))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
