"""How to cite a thing: ``/cite/{path}``, the path of its IRI under the base (``/cite/id/persoon/kim-putters``,
``/cite/def/Advies``), as of the current release or of an earlier one that stays answerable (``?release=V``,
:mod:`server.web.archive`).

Three forms, negotiated by ``Accept`` or named by ``?format=``: a citation for people (``text/plain``, in
Dutch or English by the language helpers), a BibTeX ``@misc`` entry (``application/x-bibtex``) and CSL-JSON
(``application/vnd.citationstyles.csl+json``, CSL 1.0.2 data schema: an array of one ``dataset`` item).
Each names the thing by its label (never its bare IRI), the dataset, the release and its date, the
persistent IRI, and the release's DOI when setting ``release_doi`` gives one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlencode

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from server.errors import ProtocolError, StoreError
from server.rdf import negotiation
from server.rdf.formats import Format
from server.settings import Settings
from server.store.base import ReleaseInfo
from server.web import addresses, caching, language, rendering
from server.web.archive import PARAMETER, utc
from server.web.context import Context
from server.web.labels import pick
from server.web.notfound import METHODS, not_found
from server.web.site import Site

PREFIX = "/cite/"
PUBLISHER = "Sociaal-Economische Raad (SER)"
MAX_FORMAT = 64  # characters of a format parameter

TEXT = Format("text", "text/plain", "txt", None, False, 1.0, "Text")
BIBTEX = Format("bibtex", "application/x-bibtex", "bib", None, False, 0.9, "BibTeX")
CSL = Format("csl", "application/vnd.citationstyles.csl+json", "json", None, False, 0.9, "CSL-JSON")
FORMATS = (TEXT, BIBTEX, CSL)
FORMAT_NAMES = {**{f.name: f for f in FORMATS}, **{f.media_type: f for f in FORMATS}, **{f.suffix: f for f in FORMATS},
                "csl-json": CSL, "csljson": CSL}

# BibTeX's special characters, written so that the field's braces stay balanced (BibTeX counts \{ too).
BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
                  "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
BIBTEX_SPECIAL = re.compile("|".join(re.escape(c) for c in BIBTEX_ESCAPES))
VERBATIM_SPECIAL = re.compile(r"[{}\\%\s]")


@dataclass(frozen=True)
class Citation:
    """What every form of a citation says: the thing, the release it is cited as of."""

    iri: str
    path: str  # the IRI's path under the base: id/persoon/kim-putters
    name: str
    version: str
    issued: date
    doi: str | None


def iri_of(path: str, base: str) -> str | None:
    """The IRI a ``/cite/`` path names, when it is one this dataset could have minted."""
    kind, _, rest = path.partition("/")
    if (kind == "id" and addresses.valid_thing_path(rest)) or (kind == "def" and addresses.valid_def_path(rest)):
        return base + path
    return None


def release_doi(settings: Settings, version: str) -> str | None:
    return settings.release_doi.replace("{version}", version) or None


def cite(site: Site, release: ReleaseInfo, settings: Settings, path: str, lang: str) -> Citation | None:
    """The citation of the thing at ``path`` in ``site``'s release; None when the release does not know it
    (blocking: it asks the store)."""
    iri = iri_of(path, site.base)
    if iri is None or not site.descriptions.status(iri).exists:
        return None
    label = pick(site.descriptions.describe(iri).own_labels, lang)
    name = (str(label) if label is not None else site.vocab.name(iri, lang) if iri in site.vocab.terms
            else addresses.readable(iri))
    return Citation(iri, path, " ".join(name.split()), release.version, utc(release.created).date(),
                    release_doi(settings, release.version))


def text(citation: Citation, lang: str) -> str:
    """The citation for people: name, dataset, release and date, IRI, DOI."""
    issued = language.human_date(citation.issued.isoformat(), "date", lang)
    parts = [f"{citation.name}.", f"{language.word('site', lang)}, "
             f"{language.word('cite_release', lang).format(version=citation.version, date=issued)}.",
             f"{citation.iri}."]
    if citation.doi:
        parts.append(f"DOI: {citation.doi}")
    return " ".join(parts)


def bibtex_escape(value: str) -> str:
    return BIBTEX_SPECIAL.sub(lambda m: BIBTEX_ESCAPES[m.group()], value)


def bibtex_verbatim(value: str) -> str:
    """A value of a verbatim field (url, doi: read as written, so TeX escapes would show): the characters
    that would end the field, escape or comment are percent-encoded, as in a URL, and nothing else."""
    return VERBATIM_SPECIAL.sub(lambda m: quote(m.group(), safe=""), value)


def bibtex_key(citation: Citation) -> str:
    """A key that stays the same for one thing and release: letters, digits, ':', '-' and '.' only."""
    stem = re.sub(r"[^A-Za-z0-9.-]+", "-", citation.path.removeprefix("id/"))
    return f"ser-kg:{stem}:{re.sub(r'[^A-Za-z0-9.-]+', '-', citation.version)}"


def bibtex(citation: Citation) -> str:
    fields = [
        ("title", "{" + bibtex_escape(citation.name) + "}"),  # doubled braces keep its capitals
        ("author", "{" + bibtex_escape(PUBLISHER) + "}"),
        ("publisher", bibtex_escape(PUBLISHER)),
        ("howpublished", r"\url{" + bibtex_verbatim(citation.iri) + "}"),
        ("url", bibtex_verbatim(citation.iri)),
        ("version", bibtex_escape(citation.version)),
        ("note", bibtex_escape(f"SER Linked Data, release {citation.version} of {citation.issued.isoformat()}")),
        ("year", str(citation.issued.year)),
        ("month", str(citation.issued.month)),
    ]
    if citation.doi:
        fields.append(("doi", bibtex_verbatim(citation.doi)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{bibtex_key(citation)},\n{body}\n}}\n"


def csl_json(citation: Citation) -> str:
    item: dict[str, object] = {
        "id": bibtex_key(citation),
        "type": "dataset",
        "title": citation.name,
        "author": [{"literal": PUBLISHER}],
        "publisher": PUBLISHER,
        "container-title": "SER Linked Data",
        "URL": citation.iri,
        "version": citation.version,
        "issued": {"date-parts": [[citation.issued.year, citation.issued.month, citation.issued.day]]},
    }
    if citation.doi:
        item["DOI"] = citation.doi
    return json.dumps([item], ensure_ascii=False, indent=1) + "\n"


def href(path: str, version: str, fmt: Format | None = None) -> str:
    """Where the citation of the thing at ``path`` as of release ``version`` is (in ``fmt``)."""
    params = {PARAMETER: version, **({"format": fmt.name} if fmt is not None else {})}
    return f"{PREFIX}{path}?{urlencode(params)}"


@dataclass(frozen=True)
class Block:
    """The "Cite this" block of a thing's page: the citation for people and where the other forms are."""

    text: str
    links: tuple[tuple[str, str, str], ...]  # (href, media type, label)


def block(site: Site, iri: str, lang: str) -> Block | None:
    """The block for the page of ``iri`` in ``site``'s release, as of that release; None for what has no
    ``/cite/`` address (blocking: it asks the store)."""
    path = iri[len(site.base):] if iri.startswith(site.base) else ""
    release = site.store.release
    found = cite(site, release, site.settings, path, lang) if path else None
    if found is None:
        return None
    return Block(text(found, lang), tuple((href(path, release.version, f), f.media_type, f.label)
                                          for f in (BIBTEX, CSL)))


def choose(request: Request) -> Format:
    """The form asked for: ``?format=`` when given (one, known), else the Accept header's choice."""
    named = request.query_params.getlist("format")
    if named:
        fmt = FORMAT_NAMES.get(named[0].strip().lower()) if len(named) == 1 and len(named[0]) <= MAX_FORMAT else None
        if fmt is None:
            raise ProtocolError(400, "parameter format: give one of " + ", ".join(f.name for f in FORMATS))
        return fmt
    fmt = negotiation.choose(FORMATS, request.headers.get("accept"), {})
    if fmt is None:
        raise ProtocolError(406, "Not acceptable. Available: " + ", ".join(f.media_type for f in FORMATS))
    return fmt


def body(citation: Citation, fmt: Format, lang: str) -> str:
    if fmt is BIBTEX:
        return bibtex(citation)
    if fmt is CSL:
        return csl_json(citation)
    return text(citation, lang) + "\n"


def router(context: Context) -> APIRouter:
    settings, archive, current = context.settings, context.archive, context.store.release.version
    api = APIRouter()

    @api.api_route(PREFIX + "{path:path}", methods=METHODS, include_in_schema=False)
    async def citation(request: Request, path: str) -> Response:
        lang = rendering.language_of(request).lang
        versions = request.query_params.getlist(PARAMETER)
        try:
            if len(versions) > 1:
                raise ProtocolError(400, f"give at most one '{PARAMETER}' parameter")
            fmt = choose(request)
            async with archive.lease(versions[0] if versions else current) as (release, _store, site, _entry):
                found = await run_in_threadpool(cite, site, release, settings, path, lang)
                if found is None:
                    return not_found(request, site, iri_of(path, site.base))
        except ProtocolError as exc:
            return PlainTextResponse(f"{exc}\n", status_code=exc.http_status)
        except StoreError as exc:
            return PlainTextResponse(f"{exc}\n", status_code=exc.http_status)
        variant = f"cite-{fmt.name}-{lang}"
        headers = {**caching.headers(release, variant), "Vary": "Accept, Accept-Language, Cookie",
                   "Content-Language": lang}
        if caching.not_modified(request, release, variant):
            return Response(status_code=304, headers=headers)
        media_type = f"{fmt.media_type}; charset=utf-8"
        return Response(body(found, fmt, lang).encode("utf-8"), media_type=media_type, headers=headers)

    return api
