"""The embedded demo API: a synthetic data set served on loopback like the real API.

``DemoServer`` answers token exchange, group retrieval and search, serves the images the
groups point at, keeps identities that can be edited, and injects faults on request.
``CATALOGUE`` lists the demo groups.
Nothing here imports Streamlit.
"""

from __future__ import annotations

from viewer.demo.bad_images import BAD_KINDS, Payload
from viewer.demo.catalogue import (
    CATALOGUE,
    NAMESPACE,
    OTHER_NAMESPACE,
    DemoGroup,
    build_data_set,
    build_groups,
    conflict_ids,
    duplicate_ids,
    impostor_ids,
)
from viewer.demo.dataset import DataSet
from viewer.demo.faults import FAULT_KINDS, FAULT_NAMESPACE
from viewer.demo.identity_routes import WRITE_FAULT_KINDS
from viewer.demo.routes import FORBIDDEN_NAMESPACE
from viewer.demo.sample import SAMPLE_GROUP, SAMPLE_GROUP_ID
from viewer.demo.server import DemoServer, start_demo_server

__all__ = [
    "BAD_KINDS",
    "CATALOGUE",
    "FAULT_KINDS",
    "FAULT_NAMESPACE",
    "FORBIDDEN_NAMESPACE",
    "NAMESPACE",
    "OTHER_NAMESPACE",
    "SAMPLE_GROUP",
    "SAMPLE_GROUP_ID",
    "WRITE_FAULT_KINDS",
    "DataSet",
    "DemoGroup",
    "DemoServer",
    "Payload",
    "build_data_set",
    "build_groups",
    "conflict_ids",
    "duplicate_ids",
    "impostor_ids",
    "start_demo_server",
]
