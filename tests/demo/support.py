"""HTTP helpers shared by the demo API tests."""

from __future__ import annotations

import io
from typing import Any

import requests
from PIL import Image

from viewer.demo import DemoServer

AUTH = {"Authorization": "Bearer demo-token"}


def group_url(demo: DemoServer, namespace: str, group_id: str) -> str:
    return f"{demo.api_url}/recognition/groups/{namespace}/{group_id}"


def get_group(demo: DemoServer, namespace: str, group_id: str) -> dict[str, Any]:
    response = requests.get(group_url(demo, namespace, group_id), headers=AUTH, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def search(demo: DemoServer, body: Any, namespace: str = "acme") -> requests.Response:
    url = f"{demo.api_url}/recognition/groups/{namespace}/search"
    return requests.post(url, json=body, headers=AUTH, timeout=10)


def fetch_image(url: str) -> Image.Image:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, url
    return Image.open(io.BytesIO(response.content))
