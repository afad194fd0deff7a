"""data/README.md documents every record type and field exactly as the record table defines them."""

from server.pipeline.sources.recorddocs import BEGIN, END, field_tables
from server.settings import PROJECT_ROOT


def test_data_readme_holds_the_generated_field_tables() -> None:
    readme = (PROJECT_ROOT / "data" / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(BEGIN), readme.index(END) + len(END)
    assert readme[start:end] + "\n" == field_tables(), (
        "data/README.md is out of date: paste the output of "
        "`python -c 'from server.pipeline.sources.recorddocs import field_tables; print(field_tables())'`"
    )
