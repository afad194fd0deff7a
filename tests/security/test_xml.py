"""XML: entity bombs and external entities.

The defence is that nothing from outside is ever parsed as XML. Both RDF/XML parsers at hand expand
internal entities without a useful bound (measured, docs/security.md: a 600-byte "billion laughs"
makes pyoxigraph build a 5 MB literal in 3 ms and a 5 GB one in 47 s; rdflib takes 42 s on the 5 MB
one, and its expat refuses only later), so an RDF/XML body must never reach them. These tests prove:

* no route takes an XML body: bombs and external entities sent under every XML media type get a 4xx
  at once, and the server goes on;
* no module of the server calls a parser with an XML format, or imports an XML parser (the one XML
  import allowed is ``xml.sax.saxutils``, which escapes output);
* the parsers the project does use on files refuse external entities: no file is read, no request sent.
"""

from __future__ import annotations

import ast
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from server.settings import PROJECT_ROOT
from tests.conftest import LiveServer, Recorder

RDF = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/"'


def bomb(levels: int = 9) -> bytes:
    """'Billion laughs': each entity is ten of the one before; 10**levels times 50 characters in all."""
    entities = ['<!ENTITY e0 "' + "a" * 50 + '">'] + [
        f'<!ENTITY e{i} "' + f"&e{i - 1};" * 10 + '">' for i in range(1, levels + 1)]
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [{"".join(entities)}]>\n<rdf:RDF {RDF}>'
            f'<rdf:Description rdf:about="http://example.org/x"><ex:p>&e{levels};</ex:p></rdf:Description>'
            "</rdf:RDF>").encode()


def external(target: str) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY file SYSTEM "file:///etc/passwd">'
            f'<!ENTITY web SYSTEM "{target}entity">]>\n<rdf:RDF {RDF}>'
            '<rdf:Description rdf:about="http://example.org/x"><ex:p>&file;</ex:p><ex:q>&web;</ex:q>'
            "</rdf:Description></rdf:RDF>").encode()


XML_TYPES = ["application/rdf+xml", "application/xml", "text/xml", "application/sparql-results+xml",
             "application/trix", "application/x-www-form-urlencoded", "application/sparql-query"]


def test_no_route_parses_an_xml_body(live_server: LiveServer, http_recorder: Recorder) -> None:
    bodies = {"bomb": bomb(), "external entities": external(http_recorder.url)}
    with httpx.Client(base_url=live_server.url, timeout=10) as http:  # a parse would blow this timeout
        for name, body in bodies.items():
            for media in XML_TYPES:
                for path in ("/sparql", "/reconcile"):
                    response = http.post(path, content=body, headers={"Content-Type": media})
                    if response.status_code == 200:  # read as a form without a batch: the service manifest
                        assert path == "/reconcile" and "application/x-www-form" in media, (name, media, path)
                        assert "identifierSpace" in response.json()
                    else:
                        assert 400 <= response.status_code < 500, (name, media, path, response.status_code)
                    assert "passwd" not in response.text and "root:" not in response.text
            for path in ("/doc/organisatie/ser", "/downloads/", "/"):
                assert http.put(path, content=body, headers={"Content-Type": "application/rdf+xml"}).status_code == 405
        assert http.get("/-/health").status_code == 200
    time.sleep(0.2)
    assert http_recorder.requests == []


XML_PARSER_MODULES = ("xml.sax", "xml.dom", "xml.etree", "xml.parsers", "lxml", "defusedxml", "pyexpat")
PARSE_CALLS = {"parse", "load", "bulk_load", "parse_query_results", "fromstring", "parseString"}


def _server_modules() -> list[Path]:
    return sorted((PROJECT_ROOT / "server").rglob("*.py"))


@pytest.mark.parametrize("path", _server_modules(), ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_no_server_module_parses_xml(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                assert name == "xml.sax.saxutils" or not name.startswith(XML_PARSER_MODULES), name
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in PARSE_CALLS:
            call = ast.get_source_segment(source, node) or ""
            assert "xml" not in call.lower(), f"{path.name}: {call}"


def test_the_store_parser_refuses_external_entities(http_recorder: Recorder) -> None:
    with pytest.raises(SyntaxError):
        list(ox.parse(external(http_recorder.url), format=ox.RdfFormat.RDF_XML))
    assert http_recorder.requests == []


def test_the_build_parser_leaves_external_entities_unresolved(http_recorder: Recorder) -> None:
    graph = rdflib.Graph().parse(data=external(http_recorder.url), format="xml")
    values = [str(o) for o in graph.objects()]
    assert all("root:" not in v for v in values)
    assert values == ["", ""]  # the entities are dropped, not fetched
    time.sleep(0.1)
    assert http_recorder.requests == []
