"""Accept headers, fuzzed: arbitrary text and a grammar of media ranges (RFC 9110 §12.5.1) with
parameters, q-values in and out of range, wildcards and junk. The parser never fails, the choice is
always one of the offers or none, and every negotiating route answers with what was chosen, a 406
that lists what is available, or a 431 for a header over the size limit. Never a 5xx.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from server.rdf import negotiation
from server.rdf.formats import HTML, RDF_FORMATS, RESULT_FORMATS

OFFER_SETS = [(HTML, *RDF_FORMATS), tuple(RESULT_FORMATS), tuple(RDF_FORMATS), (HTML,)]
KNOWN = sorted({f.media_type for f in (*RDF_FORMATS, *RESULT_FORMATS, HTML)})
TOKEN = st.text(st.sampled_from("abcxyz+-.*/!#$%&'^_`|~0123456789"), min_size=1, max_size=12)
TYPES = st.one_of(st.sampled_from([*KNOWN, "*/*", "text/*", "application/*", "*/html", "*", "/", ""]),
                  st.tuples(TOKEN, TOKEN).map("/".join))
Q = st.one_of(st.sampled_from(["1", "0", "0.5", "0.001", "1.000", "1.5", "-1", "nan", "inf", "1e3", ".5", "0.",
                               "", "abc"]),
              st.floats(allow_nan=True, allow_infinity=True).map(repr))
PARAMS = st.lists(st.one_of(Q.map(lambda q: f"q={q}"), st.tuples(TOKEN, TOKEN).map("=".join),
                            st.sampled_from(['charset="utf-8"', "level=1", "q", "=", 'a="b;q=1"', ";;"])),
                  max_size=4).map(lambda ps: "".join(f";{p}" for p in ps))
RANGES = st.tuples(TYPES, PARAMS, st.sampled_from(["", " ", "\t"])).map(lambda t: t[2] + t[0] + t[1])
ACCEPTS = st.one_of(st.lists(RANGES, max_size=8).map(", ".join), st.text(max_size=200))


@given(accept=ACCEPTS)
def test_negotiation_never_fails_and_chooses_only_what_is_offered(accept: str) -> None:
    ranges = negotiation.parse_accept(accept)
    assert all(0 <= r.q <= 1 for r in ranges)
    for offers in OFFER_SETS:
        chosen = negotiation.choose(offers, accept)
        assert chosen is None or chosen in offers


@given(accept=st.lists(RANGES, max_size=8).map(", ".join))
def test_negotiating_routes_answer_every_accept_header(client: TestClient, accept: str) -> None:
    header = accept.encode("latin-1", "replace")
    for path in ("/doc/organisatie/ser", "/sparql?query=ASK%7B%7D", "/sparql", "/search?q=ser",
                 "/id/organisatie/ser", "/"):
        response = client.get(path, headers={"Accept": header}, follow_redirects=False)
        assert response.status_code in (200, 303, 406, 431), (path, accept, response.status_code)
        if response.status_code == 406:
            assert "available" in response.text.lower()
