"""Long-lived objects shared across reruns and sessions: settings, demo API, client, pipeline."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from viewer.api import Client
from viewer.config import Settings, load_settings
from viewer.hosts import HostPolicy
from viewer.models import Group
from viewer.pipeline import Pipeline

DEMO_CLIENT_ID = "demo"
DEMO_CLIENT_SECRET = "demo"  # noqa: S105 - the demo API accepts any credentials


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
    server = demo_server()
    return replace(
        loaded,
        api_url=server.api_url,
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
    )


def image_policy(s: Settings) -> HostPolicy:
    """Images may come from public hosts, and from the API's own origin even when it is
    private (it is the host the analyst configured); never from link-local addresses."""
    return HostPolicy(s.allow_private_image_hosts, [s.api_url])


@st.cache_resource
def client(s: Settings) -> Client:
    return Client(s)


@st.cache_resource
def pipeline(s: Settings) -> Pipeline:
    return Pipeline(s, image_policy(s))


@st.cache_resource(ttl=300, max_entries=64, show_spinner=False)
def group(s: Settings, namespace: str, group_id: str) -> Group:
    """A group, kept five minutes so reruns (filters, pages, tabs) do not fetch it again.

    Errors are not cached: the next load tries again.
    """
    return client(s).get_group(namespace, group_id)


@st.cache_resource(ttl=60, max_entries=64, show_spinner="Searching groups…")
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
