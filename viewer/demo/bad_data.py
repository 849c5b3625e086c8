"""The malformed face entries of ``demo-bad-data``: every kind of bad value the API might send.

Each entry is made from a well-formed face of the group, so the good fields stay plausible.
"""

from __future__ import annotations

import random
from typing import Any

from viewer.demo.dataset import invert_box, new_uuid


def malformed_images(good: list[dict[str, Any]], rng: random.Random) -> list[Any]:
    """The group's ``images``, made from its 13 well-formed faces ``good``, each in its own
    frame: no two entries with a usable box share an image."""
    pixel_wh = (good[1]["width"], good[1]["height"])
    return [
        good[0],
        # Only an id, a URL and a box: everything else is missing.
        {"id": new_uuid(rng), "url": good[1]["url"], "boundingBox": good[1]["boundingBox"]},
        # Nulls everywhere but the URL and box.
        {
            **{key: None for key in good[2]},
            "url": good[2]["url"],
            "boundingBox": good[2]["boundingBox"],
        },
        # Numbers sent as strings.
        {
            **good[3],
            "boundingBoxConfidence": "0.8",
            "sharpness": "0.55",
            "width": str(good[3]["width"]),
            "height": str(good[3]["height"]),
            "boundingBox": {k: str(v) for k, v in good[3]["boundingBox"].items()},
            "isFrontal": "true",
        },
        # A number for the URL and a list for the feed id.
        {**good[4], "url": 12345, "feedId": ["Camera_104211", "Camera_118930"]},
        # Not-a-number and infinity.
        {
            **good[5],
            "boundingBoxConfidence": float("nan"),
            "sharpness": float("inf"),
            "width": float("-inf"),
        },
        # Inverted box.
        {**good[6], "boundingBox": invert_box(good[6]["boundingBox"])},
        # Box reaching past the image, in pixels, and one wholly outside it.
        {
            **good[7],
            "boundingBox": {
                "xMin": round(good[7]["width"] * 0.8),
                "yMin": -40,
                "xMax": round(good[7]["width"] * 1.3),
                "yMax": round(good[7]["height"] * 0.4),
            },
        },
        {
            **good[8],
            "boundingBox": {"xMin": 5000, "yMin": 5000, "xMax": 5200, "yMax": 5300},
            "width": pixel_wh[0],
            "height": pixel_wh[1],
        },
        # Zero area.
        {**good[9], "boundingBox": {"xMin": 0.4, "yMin": 0.3, "xMax": 0.4, "yMax": 0.5}},
        # The same id as the first face.
        {**good[10], "id": good[0]["id"]},
        # Markup and Unicode in text fields; createdAt in seconds.
        {
            **good[11],
            "customId": "<script>alert(1)</script>",
            "feedId": "<b>bold</b>",
            "createdAt": good[11]["createdAt"] // 1000,
        },
        {
            **good[12],
            "id": new_uuid(rng),
            "customId": "Zoë 顔 مرحبا 👩\u200d🔬 \u202eevil",
            "feedId": "Caméra_Ω \u0000nul",
            "isFrontal": "sometimes",
            "type": "BODY",
        },
        # Wrong shapes: a box that is a list, and an entry that is not an object.
        {**good[2], "id": new_uuid(rng), "boundingBox": [0.1, 0.1, 0.5, 0.5]},
        "not a face",
        None,
    ]
