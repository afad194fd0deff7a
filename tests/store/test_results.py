"""Result writers: each format's escaping, and the row cap with its truncation flag."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from server.store import results

VALUES = """SELECT ?iri ?text ?lang ?num ?blank ?unbound WHERE {
  VALUES (?iri ?text ?lang ?num) {
    (<http://example.org/a> "comma, \\"quote\\"\\ttab\\nline <b>&amp;" "huis"@nl 42)
  }
  BIND(BNODE() AS ?blank)
}"""


@pytest.fixture
def memory() -> ox.Store:
    return ox.Store()


def test_json_results_follow_the_sparql_json_format(memory: ox.Store) -> None:
    written = results.solutions(memory.query(VALUES), "json", 10)
    doc = json.loads(written.body)
    assert doc["head"]["vars"] == ["iri", "text", "lang", "num", "blank", "unbound"]
    row = doc["results"]["bindings"][0]
    assert row["iri"] == {"type": "uri", "value": "http://example.org/a"}
    assert row["text"] == {"type": "literal", "value": 'comma, "quote"\ttab\nline <b>&amp;'}
    assert row["lang"] == {"type": "literal", "value": "huis", "xml:lang": "nl"}
    assert row["num"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"
    assert row["blank"]["type"] == "bnode"
    assert "unbound" not in row
    assert written.count == 1 and not written.truncated


def test_xml_results_escape_markup(memory: ox.Store) -> None:
    body = results.solutions(memory.query(VALUES), "xml", 10).body
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(body)
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)][:2] == ["iri", "text"]
    literal = root.find("r:results/r:result/r:binding[@name='text']/r:literal", ns)
    assert literal is not None and literal.text == 'comma, "quote"\ttab\nline <b>&amp;'
    lang = root.find("r:results/r:result/r:binding[@name='lang']/r:literal", ns)
    assert lang is not None and lang.get("{http://www.w3.org/XML/1998/namespace}lang") == "nl"


def test_csv_results_quote_commas_quotes_and_newlines(memory: ox.Store) -> None:
    body = results.solutions(memory.query(VALUES), "csv", 10).body.decode()
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert rows[0] == ["iri", "text", "lang", "num", "blank", "unbound"]
    assert rows[1][:4] == ["http://example.org/a", 'comma, "quote"\ttab\nline <b>&amp;', "huis", "42"]
    assert rows[1][4].startswith("_:") and rows[1][5] == ""
    assert body.endswith("\r\n")


def test_tsv_results_write_terms_in_ntriples_form(memory: ox.Store) -> None:
    lines = results.solutions(memory.query(VALUES), "tsv", 10).body.decode().split("\n")
    assert lines[0] == "?iri\t?text\t?lang\t?num\t?blank\t?unbound"
    cells = lines[1].split("\t")
    assert len(cells) == 6  # the tab inside the literal is escaped, so it does not split the row
    assert cells[0] == "<http://example.org/a>"
    assert cells[1] == '"comma, \\"quote\\"\\ttab\\nline <b>&amp;"'
    assert cells[2] == '"huis"@nl'


ROWS = "SELECT ?n WHERE { VALUES ?n { 1 2 3 4 5 } }"


@pytest.mark.parametrize(("limit", "count", "truncated"), [(3, 3, True), (5, 5, False), (6, 5, False)])
def test_row_cap_flags_truncation_only_when_rows_were_dropped(
    memory: ox.Store, limit: int, count: int, truncated: bool
) -> None:
    for fmt in results.RESULT_FORMATS:
        written = results.solutions(memory.query(ROWS), fmt, limit)
        assert (written.count, written.truncated) == (count, truncated)
    doc = json.loads(results.solutions(memory.query(ROWS), "json", limit).body)
    assert len(doc["results"]["bindings"]) == count


def test_triples_are_capped_and_serialised(memory: ox.Store) -> None:
    query = ("CONSTRUCT { ?s <http://example.org/p> ?n } "
             "WHERE { VALUES ?n { 1 2 3 } BIND(<http://example.org/s> AS ?s) }")
    for fmt in results.RDF_FORMATS:
        written = results.triples(memory.query(query), fmt, 2, {"ex": "http://example.org/"})
        assert written.truncated and written.count == 2
        parsed = list(ox.parse(written.body, format=results.RDF_FORMATS[fmt]))
        assert len(parsed) == 2


@pytest.mark.parametrize(("fmt", "expected"), [("json", b'"boolean": true'), ("xml", b"<boolean>true</boolean>"),
                                               ("csv", b"true\n"), ("tsv", b"true\n")])
def test_boolean_answers(fmt: str, expected: bytes) -> None:
    assert expected in results.boolean(True, fmt).body
