"""Long-lived objects shared across reruns and sessions: settings, demo API, client, pipeline,
the verdict store."""

from __future__ import annotations

import streamlit as st

from viewer.api import Client
from viewer.config import Settings, load_settings
from viewer.hosts import image_policy
from viewer.identity.scorer import Scorer
from viewer.models import Group
from viewer.pipeline import Pipeline
from viewer.review.board import StoreAccess
from viewer.review.store import VerdictStore


@st.cache_resource(show_spinner="Starting the demo API…")
def demo_server():  # type: ignore[no-untyped-def]
    """The embedded demo API on a free loopback port, started once per process."""
    from viewer.demo.server import DemoServer

    return DemoServer(host="127.0.0.1", port=0).start()


def settings() -> Settings:
    """Settings from the environment and secrets.toml; in demo mode pointed at the demo API."""
    loaded = load_settings()
    if not loaded.demo:
        return loaded
    return loaded.for_demo(demo_server().api_url)


@st.cache_resource
def client(s: Settings) -> Client:
    return Client(s)


@st.cache_resource
def pipeline(s: Settings) -> Pipeline:
    return Pipeline(s, image_policy(s.allow_private_image_hosts, s.api_url))


@st.cache_resource(show_spinner=False)
def _store_access(s: Settings) -> StoreAccess:
    return StoreAccess(s)


def verdict_store(s: Settings) -> VerdictStore:
    """The verdict store, opened once per process (made and migrated on first use).

    Raises StoreUnavailableError with the store's sentence; a failure is remembered for a
    while, so that pages do not each wait for a database that is down.
    """
    return _store_access(s).get()


@st.cache_resource(ttl=300, max_entries=16, show_spinner=False)
def group(s: Settings, namespace: str, group_id: str) -> Group:
    """A group, kept five minutes so reruns (filters, pages, tabs) do not fetch it again.

    Errors are not cached: the next load tries again.
    """
    return client(s).get_group(namespace, group_id)


@st.cache_resource(ttl=60, max_entries=16, show_spinner="Searching groups…")
def search(
    s: Settings,
    namespace: str,
    limit: int,
    offset: int,
    start_ms: int | None,
    end_ms: int | None,
    sort_by: str,
    feed_ids: tuple[str, ...],
) -> list[Group]:
    """A page of the namespace's groups, kept a minute."""
    return client(s).search_groups(
        namespace,
        limit=limit,
        offset=offset,
        start_ms=start_ms,
        end_ms=end_ms,
        sort_by=sort_by,
        feed_ids=feed_ids,
    )


@st.cache_resource(show_spinner=False)
def scorer(s: Settings) -> Scorer:
    """The face scorer, one per process: its worker processes and descriptor cache are shared
    by every session, and it downloads through the pipeline's fetcher (one byte cache)."""
    return Scorer(pipeline(s).fetcher)
