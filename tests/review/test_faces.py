"""The id each face is recorded under: its image id when unique in the group, else its key."""

from __future__ import annotations

from viewer.models import Face
from viewer.review.faces import keys_by_store_id, store_ids


def test_a_unique_image_id_is_the_faces_id_in_the_store() -> None:
    faces = [Face(index=0, id="img-a"), Face(index=1, id="img-b")]
    assert store_ids(faces) == {"0:img-a": "img-a", "1:img-b": "img-b"}


def test_repeated_or_missing_ids_fall_back_to_the_key() -> None:
    faces = [
        Face(index=0, id="same"),
        Face(index=1, id="same"),
        Face(index=2),
        Face(index=3, id="own"),
        Face(index=4, id="0:same"),  # an id that reads like another face's key
    ]
    ids = store_ids(faces)
    assert ids == {
        "0:same": "0:same",
        "1:same": "1:same",
        "2:": "2:",
        "3:own": "own",
        "4:0:same": "4:0:same",
    }
    assert len(set(ids.values())) == len(faces)
    assert keys_by_store_id(ids) == {value: key for key, value in ids.items()}
