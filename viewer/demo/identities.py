"""Identities as the API keeps them: membership in memory, seeded from the demo groups.

Each demo group's ``identityId`` becomes an identity holding the group's images (groups that
share an identity share it); a group without one stays unlinked. An image belongs to at most
one identity: adding it to another moves it. After a change, the groups holding a changed
image answer with each image's current ``identityId`` (absent once it has none) and
``linkModifiedBy`` MANUAL at the time of the change. No HTTP here: ``identity_routes`` answers
the paths and injects the write faults.
"""

from __future__ import annotations

import copy
import json
import secrets
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from viewer.demo.search import BadRequest, parse_search_query

MAX_IDS = 20  # the specification's maxLength on images.add and images.remove
MAX_CUSTOM_ID = 256

Key = tuple[str, str]  # (namespace, id)


@dataclass
class _Identity:
    id: str
    namespace: str
    created_at: int
    custom_id: str | None = None
    image_ids: dict[str, None] = field(default_factory=dict)  # ordered set


@dataclass(frozen=True)
class Patch:
    """A validated PATCH body; ``add`` / ``remove`` are None when ``images`` was not given."""

    custom_id: str | None
    add: tuple[str, ...] | None
    remove: tuple[str, ...] | None


@dataclass(frozen=True)
class Creation:
    """A validated POST body that creates an identity."""

    custom_id: str | None
    image_ids: tuple[str, ...]


def _custom_id(data: dict[str, Any]) -> str | None:
    value = data.get("customId")
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_CUSTOM_ID:
        raise BadRequest(f"customId must be a string of at most {MAX_CUSTOM_ID} characters")
    return value


def _id_list(value: Any, name: str, limit: int | None) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise BadRequest(f"{name} must be an array of image ids")
    if limit is not None and len(value) > limit:
        raise BadRequest(f"{name} holds {len(value)} image ids; at most {limit} are allowed")
    if not all(isinstance(v, str) and v for v in value):
        raise BadRequest(f"{name} must hold non-empty strings")
    if len(set(value)) != len(value):
        raise BadRequest(f"{name} holds the same image id twice")
    return tuple(value)


def parse_patch(data: dict[str, Any]) -> Patch:
    """Validate a PATCH body; raises BadRequest naming the first bad field."""
    custom_id = _custom_id(data)
    if "images" not in data:
        return Patch(custom_id, None, None)
    images = data["images"]
    if not isinstance(images, dict):
        raise BadRequest("images must be an object with add and remove")
    for name in ("add", "remove"):
        if name not in images:
            raise BadRequest(f"images.{name} is required when images is given")
    add = _id_list(images["add"], "images.add", MAX_IDS)
    remove = _id_list(images["remove"], "images.remove", MAX_IDS)
    both = sorted(set(add) & set(remove))
    if both:
        raise BadRequest(f"image id {both[0]!r} is both added and removed")
    return Patch(custom_id, add, remove)


def parse_creation(data: dict[str, Any]) -> Creation:
    """Validate a POST body that creates an identity."""
    if "imageIds" not in data:
        raise BadRequest("imageIds is required")
    return Creation(_custom_id(data), _id_list(data["imageIds"], "imageIds", None))


class IdentityStore:
    """Identities of a demo data set's ``groups`` (which it reads and never changes)."""

    def __init__(self, groups: Mapping[Key, dict[str, Any]]) -> None:
        self._lock = threading.Lock()
        self._groups = groups
        self._images: dict[Key, dict[str, Any]] = {}  # first image object seen per id
        self._holders: dict[Key, list[str]] = {}  # image -> ids of the groups that hold it
        self._owner: dict[Key, str] = {}  # image -> identity id
        self._identities: dict[Key, _Identity] = {}
        self._links: dict[Key, tuple[str | None, int]] = {}  # group -> (identity, changed ms)
        self._bodies: dict[Key, bytes] = {}
        for (ns, gid), group in groups.items():
            self._seed(ns, gid, group)

    def _seed(self, ns: str, gid: str, group: dict[str, Any]) -> None:
        identity_id = group.get("identityId")
        created = group.get("createdAt")
        created = created if isinstance(created, int) else 0
        identity = None
        if isinstance(identity_id, str) and identity_id:
            identity = self._identities.get((ns, identity_id))
            if identity is None:
                identity = _Identity(identity_id, ns, created)
                self._identities[(ns, identity_id)] = identity
            identity.created_at = min(identity.created_at, created)
        for image in group.get("images") or []:
            image_id = image.get("id") if isinstance(image, dict) else None
            if not isinstance(image_id, str) or not image_id:
                continue
            key = (ns, image_id)
            self._images.setdefault(key, image)
            self._holders.setdefault(key, []).append(gid)
            if identity is not None and key not in self._owner:
                self._owner[key] = identity.id
                identity.image_ids[image_id] = None

    # -- reading --------------------------------------------------------------------------

    def _json(self, identity: _Identity) -> dict[str, Any]:
        images = []
        for image_id in identity.image_ids:
            image = copy.deepcopy(self._images[(identity.namespace, image_id)])
            image["identityId"] = identity.id
            images.append(image)
        data: dict[str, Any] = {"id": identity.id, "namespace": identity.namespace}
        if identity.custom_id is not None:
            data["customId"] = identity.custom_id
        data["createdAt"] = identity.created_at
        data["images"] = images
        return data

    def get(self, namespace: str, identity_id: str) -> dict[str, Any] | None:
        """The identity's JSON object, or None if there is none."""
        with self._lock:
            identity = self._identities.get((namespace, identity_id))
            return None if identity is None else self._json(identity)

    def image_ids(self, namespace: str, identity_id: str) -> list[str] | None:
        """The identity's image ids in order, or None if there is no such identity."""
        with self._lock:
            identity = self._identities.get((namespace, identity_id))
            return None if identity is None else list(identity.image_ids)

    def search(self, namespace: str, data: dict[str, Any]) -> list[dict[str, Any]]:
        """Identities a search body finds; ``customIds`` matches the identity's own customId."""
        query = parse_search_query(data)
        with self._lock:
            found = [i for (ns, _), i in self._identities.items() if ns == namespace]
            found = [i for i in found if self._matches(i, query)]
            found.sort(key=lambda i: (i.created_at, i.id), reverse=query["sortBy"] == "DESC")
            page = found[query["offset"] : query["offset"] + query["limit"]]
            return [self._json(i) for i in page]

    def _matches(self, identity: _Identity, query: dict[str, Any]) -> bool:
        if query["start"] is not None and identity.created_at < query["start"]:
            return False
        if query["end"] is not None and identity.created_at > query["end"]:
            return False
        if query["ids"] is not None and identity.id not in query["ids"]:
            return False
        if query["customIds"] is not None and identity.custom_id not in query["customIds"]:
            return False
        feeds = query["feedIds"]
        return feeds is None or any(
            self._images[(identity.namespace, i)].get("feedId") in feeds for i in identity.image_ids
        )

    def group_body(self, namespace: str, group_id: str) -> bytes | None:
        """The group's JSON body if a change touched it; None: the catalogue's answer stands."""
        key = (namespace, group_id)
        with self._lock:
            if key not in self._links:
                return None
            body = self._bodies.get(key)
            if body is None:
                body = json.dumps(self._group_view(key)).encode()
                self._bodies[key] = body
            return body

    def _group_view(self, key: Key) -> dict[str, Any]:
        ns, _ = key
        group = copy.deepcopy(self._groups[key])
        linked, changed_ms = self._links[key]
        if linked is None:
            group.pop("identityId", None)
        else:
            group["identityId"] = linked
        group["linkModifiedBy"] = "MANUAL"
        group["linkLastModifiedAt"] = changed_ms
        for image in group.get("images") or []:
            image_id = image.get("id") if isinstance(image, dict) else None
            if not isinstance(image_id, str) or not image_id:
                continue
            owner = self._owner.get((ns, image_id))
            if owner is None:
                image.pop("identityId", None)
            else:
                image["identityId"] = owner
        return group

    # -- writing --------------------------------------------------------------------------

    def _check_images(self, namespace: str, image_ids: tuple[str, ...]) -> None:
        for image_id in image_ids:
            if (namespace, image_id) not in self._images:
                raise BadRequest(f"image {image_id!r} is not in namespace {namespace!r}")

    def _move(self, namespace: str, image_id: str, to: _Identity | None) -> set[str]:
        """Give the image to ``to`` (None: to no identity); the ids of the groups it is in."""
        key = (namespace, image_id)
        owner = self._owner.get(key)
        if owner == (to.id if to else None):
            return set()
        if owner is not None:
            self._identities[(namespace, owner)].image_ids.pop(image_id, None)
            del self._owner[key]
        if to is not None:
            to.image_ids[image_id] = None
            self._owner[key] = to.id
        return set(self._holders.get(key, ()))

    def _touch(self, namespace: str, group_ids: set[str], now_ms: int) -> None:
        """Record a manual change of ``group_ids``: their link follows their images."""
        for gid in group_ids:
            key = (namespace, gid)
            linked = self._links.get(key, (self._groups[key].get("identityId"), 0))[0]
            if not (isinstance(linked, str) and (namespace, linked) in self._identities):
                linked = self._link_for(key)
            self._links[key] = (linked, now_ms)
            self._bodies.pop(key, None)

    def _link_for(self, key: Key) -> str | None:
        """The identity most of an unlinked group's images now belong to, if any."""
        ns, _ = key
        counts: dict[str, int] = {}
        for image in self._groups[key].get("images") or []:
            image_id = image.get("id") if isinstance(image, dict) else None
            owner = self._owner.get((ns, image_id)) if isinstance(image_id, str) else None
            if owner is not None:
                counts[owner] = counts.get(owner, 0) + 1
        return max(counts, key=lambda i: counts[i]) if counts else None

    def patch(self, namespace: str, identity_id: str, change: Patch) -> dict[str, Any] | None:
        """Apply a validated PATCH; the identity after it, or None if there is no such identity.

        Adding an image the identity holds, or removing one it does not, changes nothing.
        """
        with self._lock:
            identity = self._identities.get((namespace, identity_id))
            if identity is None:
                return None
            self._check_images(namespace, change.add or ())
            if change.custom_id is not None:
                identity.custom_id = change.custom_id
            touched: set[str] = set()
            for image_id in change.remove or ():
                if self._owner.get((namespace, image_id)) == identity.id:
                    touched |= self._move(namespace, image_id, None)
            for image_id in change.add or ():
                touched |= self._move(namespace, image_id, identity)
            self._touch(namespace, touched, _now_ms())
            return self._json(identity)

    def create(self, namespace: str, creation: Creation) -> dict[str, Any]:
        """Create an identity holding the images (taken from any identity they were in)."""
        with self._lock:
            self._check_images(namespace, creation.image_ids)
            now = _now_ms()
            identity_id = str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))
            identity = _Identity(identity_id, namespace, now, creation.custom_id)
            self._identities[(namespace, identity.id)] = identity
            touched: set[str] = set()
            for image_id in creation.image_ids:
                touched |= self._move(namespace, image_id, identity)
            self._touch(namespace, touched, now)
            return self._json(identity)

    def delete(self, namespace: str, identity_id: str) -> bool:
        """Delete the identity; its images then belong to none. False if there was none."""
        with self._lock:
            identity = self._identities.get((namespace, identity_id))
            if identity is None:
                return False
            touched: set[str] = set()
            for image_id in list(identity.image_ids):
                touched |= self._move(namespace, image_id, None)
            del self._identities[(namespace, identity_id)]
            touched |= {
                gid
                for (ns, gid), group in self._groups.items()
                if ns == namespace and group.get("identityId") == identity_id
            }
            self._touch(namespace, touched, _now_ms())
            return True


def _now_ms() -> int:
    return int(time.time() * 1000)
