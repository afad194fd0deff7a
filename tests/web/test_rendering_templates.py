"""The page templates are compiled once and kept: a running server never reads their files again."""

from __future__ import annotations

import os
from pathlib import Path

from server.web import rendering


def test_a_template_is_compiled_once_and_not_reloaded_when_its_file_changes(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<p>{{ name }}</p>", encoding="utf-8")
    env = rendering._environment(tmp_path)
    first = env.get_template("page.html")
    assert first.render(name="<b>") == "<p>&lt;b&gt;</p>"  # autoescape stays on
    page.write_text("<p>changed</p>", encoding="utf-8")
    later = os.stat(page).st_mtime + 10
    os.utime(page, (later, later))
    again = env.get_template("page.html")
    assert again is first
    assert again.render(name="x") == "<p>x</p>"


def test_every_shipped_template_stays_cached() -> None:
    env = rendering._environment()
    names = env.list_templates(extensions=["html"])
    assert len(names) > 10
    compiled = [env.get_template(name) for name in names]
    assert all(env.get_template(name) is template for name, template in zip(names, compiled, strict=True))
