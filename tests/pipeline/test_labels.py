"""The naming rule of server/pipeline/graph/labels.py covers every record type that has a name of its own."""

from __future__ import annotations

from server.pipeline.graph.labels import NAME_FIELDS
from server.pipeline.sources.records import TYPES

OWN_NAMES = ("naam", "titel", "label")


def test_every_record_type_with_a_name_field_is_named_by_it() -> None:
    # A type with `naam` is named by it without an entry; a title or label field needs one.
    named = {t.name: tuple(f.name for f in t.fields if f.name in OWN_NAMES) for t in TYPES if t.identity == "key"}
    missing = {name: fields for name, fields in named.items()
               if fields and "naam" not in fields and name not in NAME_FIELDS}
    assert missing == {}, f"add these record types to NAME_FIELDS in server/pipeline/graph/labels.py: {missing}"


def test_the_name_fields_given_for_a_type_exist_on_it() -> None:
    fields = {t.name: {f.name for f in t.fields} for t in TYPES}
    wrong = {name: given for name, given in NAME_FIELDS.items() if not set(given) <= fields.get(name, set())}
    assert wrong == {}
