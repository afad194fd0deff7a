"""Checks a browser test makes of a page: axe-core's accessibility rules, horizontal scrolling, bare IRIs.

axe-core is the plain script vendored in ``tests/vendor/axe-core/`` (version and licence in ``VERSION``;
``refresh.sh`` fetches another with npm, so running the tests needs no Node). It is evaluated in the page
through Playwright's protocol, which the page's Content-Security-Policy does not govern, so the site's
CSP stays as strict as it is served.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
BARE_IRI = re.compile(r"\b(?:https?|urn):[^\s]+")
RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")) }));
}"""


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations of impact serious or critical on the page as it stands."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return [v for v in page.evaluate(RUN) if v.get("impact") in BLOCKING]


def scrolls_sideways(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"))


def bare_iris(page: Any, ignore: str = "p.iri, main p.citation") -> list[str]:
    """IRIs written out in the visible text of ``main``, leaving out the page's own identifier line and its
    citation (which gives the persistent IRI, as a citation must)."""
    text = page.evaluate("""(ignore) => {
      let text = document.querySelector("main").innerText;
      document.querySelectorAll("main " + ignore).forEach(e => { text = text.replace(e.innerText, ""); });
      return text; }""", ignore)
    return BARE_IRI.findall(text)
