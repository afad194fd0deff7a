"""The site's icon: /favicon.ico answers (no more 404 in every browser's log) and pages name the SVG."""

from __future__ import annotations

import struct
from xml.etree import ElementTree

from fastapi.testclient import TestClient


def test_favicon_ico_is_an_icon_with_three_sizes(client: TestClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/vnd.microsoft.icon"
    assert "max-age" in response.headers["cache-control"]
    body = response.content
    reserved, kind, count = struct.unpack("<HHH", body[:6])
    assert (reserved, kind, count) == (0, 1, 3)
    sizes = []
    for i in range(count):
        width, _, _, _, _, _, length, offset = struct.unpack("<BBBBHHII", body[6 + 16 * i:22 + 16 * i])
        assert body[offset:offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + length <= len(body)
        sizes.append(width)
    assert sizes == [16, 32, 48]


def test_pages_name_the_svg_icon_which_is_served(client: TestClient) -> None:
    page = client.get("/", headers={"Accept": "text/html"}).text
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert ElementTree.fromstring(svg.content).tag == "{http://www.w3.org/2000/svg}svg"
