"""datasets.py: data files declared once, typed by column, with every problem at its file:line, all at once."""
from __future__ import annotations

import pytest

from site_builder.errors import BuildErrors
from site_builder.compute.project import Project, load_content

from conftest import copy_project

DECLARATION = """datasets:
  - id: jobs
    file: jobs.{ext}
    title: Jobs by month
    source: agency
    license: Public domain
    retrieved: 2026-12-01
    time: month
    key: [month]
    columns:
      month: {{type: month}}
      total: {{type: number, unit: jobs, scale: thousands}}
      sector: {{type: category}}
"""


def data_project(tmp_path, data: str | bytes, ext: str = "csv"):
    root = copy_project(tmp_path / "p", "mini")
    (root / "content" / "datasets.yaml").write_text(DECLARATION.format(ext=ext), encoding="utf-8")
    folder = root / "content" / "data"
    folder.mkdir()
    path = folder / f"jobs.{ext}"
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return Project.at(root)


def problems_of(project) -> list[str]:
    with pytest.raises(BuildErrors) as exc:
        load_content(project)
    return [str(p) for p in exc.value.problems]


def test_a_csv_is_typed_by_its_declared_columns(tmp_path):
    content = load_content(data_project(tmp_path, "month,total,sector,extra\n2006-01,\"135,450\",all,x\n2006-02-01,5840.4,all,y\n"))
    table = content.tables["jobs"]
    assert table.columns == ("month", "total", "sector")
    assert table.rows == (("2006-01", 135_450_000, "all"), ("2006-02", 5_840_400, "all"))
    assert table.lines == (2, 3)


def test_cell_problems_and_duplicate_time_keys(tmp_path):
    problems = problems_of(data_project(tmp_path, "month,total,sector\n2006-01,12,a\n2006-13,x1,b\n2006-01,4,c\n"))
    assert problems == [
        "content/data/jobs.csv:3: column 'month': '2006-13' is not a real date",
        "content/data/jobs.csv:3: column 'total': 'x1' is not a number",
        "content/data/jobs.csv:4: duplicate key (month 2006-01): also at line 2",
    ]


def test_a_ragged_row_is_reported_at_its_line(tmp_path):
    assert problems_of(data_project(tmp_path, "month,total,sector\n2006-01,12,a\n2006-02,3\n")) == [
        "content/data/jobs.csv:3: row has 2 cells; the header has 3"]


def test_a_missing_column_names_what_the_file_has(tmp_path):
    assert problems_of(data_project(tmp_path, "month,sector\n2006-01,a\n")) == [
        "content/data/jobs.csv:1: dataset 'jobs': missing column 'total' (the file has 'month', 'sector')"]


def test_an_encoding_error_is_reported_at_its_line(tmp_path):
    assert problems_of(data_project(tmp_path, b"month,total,sector\n2006-01,12,caf\xe9\n")) == [
        "content/data/jobs.csv:2: data file is not valid UTF-8 (byte 0xe9); save it as UTF-8"]


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    project = data_project(tmp_path, "month,total,sector\n")
    with open(project.content / "data" / "jobs.csv", "r+b") as f:
        f.truncate(1 << 30)  # a sparse gigabyte: refused by its size, never read
    [problem] = problems_of(project)
    assert problem.startswith("content/data/jobs.csv:1: data file is 1,073,741,824 bytes; the limit is 50,000,000")


def test_json_records_keep_their_lines(tmp_path):
    data = '[\n  {"month": "2006-01", "total": 1, "sector": "a"},\n  {"month": "2006-02",\n   "total": "n", "sector": "b"}\n]\n'
    assert problems_of(data_project(tmp_path, data, "json")) == ["content/data/jobs.json:3: column 'total': 'n' is not a number"]


def test_yaml_records_keep_their_lines(tmp_path):
    data = "- {month: 2006-01, total: 1, sector: a}\n- month: 2006-02-30\n  total: 2\n  sector: b\n"
    assert problems_of(data_project(tmp_path, data, "yaml")) == [
        "content/data/jobs.yaml:2: cannot read '2006-02-30': day is out of range for month"]


def test_a_declaration_must_name_a_source_and_real_columns(tmp_path):
    project = data_project(tmp_path, "month,total,sector\n2006-01,1,a\n")
    path = project.content / "datasets.yaml"
    path.write_text(path.read_text().replace("    source: agency\n", "").replace("key: [month]", "key: [months]"))
    assert problems_of(project) == [
        "content/datasets.yaml:2: dataset 'jobs': needs `source` (or `sources`): where the data was published",
        "content/datasets.yaml:8: dataset 'jobs': key column 'months' is not declared under `columns`",
    ]


def test_a_failed_build_leaves_the_previous_site(tmp_path):
    from site_builder.commands.build_command import build_site
    project = data_project(tmp_path, "month,total,sector\n2006-01,1,a\n")
    build_site(project)
    before = {p: p.read_bytes() for p in project.out.rglob("*") if p.is_file()}
    (project.content / "data" / "jobs.csv").write_text("month,total,sector\n2006-01,one,a\n")
    with pytest.raises(BuildErrors):
        build_site(project)
    assert {p: p.read_bytes() for p in project.out.rglob("*") if p.is_file()} == before


def test_an_unparseable_date_is_reported_at_its_line(tmp_path):
    problems = problems_of(data_project(tmp_path, "month,total,sector\n2006-01,1,a\nJan 2006,2,b\n2006/03,3,c\n"))
    assert [p.split(": ", 1)[0] for p in problems] == ["content/data/jobs.csv:3", "content/data/jobs.csv:4"]
    assert all("column 'month'" in p for p in problems), problems


BAD_FILES = {  # file: (its text, the line and the start of the message the author gets)
    "missing.csv": ("month,sector\n2006-01,a\n", 1, "dataset 'missing': missing column 'total'"),
    "text.csv": ("month,total,sector\n2006-01,12,a\n2006-02,twelve,b\n", 3, "column 'total': 'twelve' is not a number"),
    "twice.csv": ("month,total,sector\n2006-01,1,a\n2006-02,2,b\n2006-01,3,c\n", 4, "duplicate key (month 2006-01)"),
    "dates.csv": ("month,total,sector\n2006-01,1,a\nsometime,2,b\n", 3, "column 'month':"),
    "ragged.csv": ("month,total,sector\n2006-01,1,a\n2006-02,2\n", 3, "row has 2 cells; the header has 3"),
    "latin1.csv": (b"month,total,sector\n2006-01,1,a\n2006-02,2,caf\xe9\n", 3, "data file is not valid UTF-8"),
    "huge.csv": ("month,total,sector\n", 1, "data file is 1,073,741,824 bytes; the limit is 50,000,000"),
    # the same faults in JSON and YAML records
    "text.json": ('[{"month": "2006-01", "total": 1, "sector": "a"},\n {"month": "2006-02", "total": "twelve", "sector": "b"}]',
                  2, "column 'total': 'twelve' is not a number"),
    "broken.json": ('[{"month": "2006-01", "total": 1, "sector": "a"},\n {"month": "2006-02", "total": }]', 2,
                    "JSON cannot be read"),
    "latin1.json": (b'[{"month": "2006-01", "total": 1, "sector": "caf\xe9"}]', 1, "data file is not valid UTF-8"),
    "twice.yaml": ("- {month: '2006-01', total: 1, sector: a}\n- {month: '2006-01', total: 2, sector: b}\n", 2,
                   "duplicate key (month 2006-01)"),
    "missing.yaml": ("- {month: '2006-01', sector: a}\n", 1, "dataset 'missing-yaml': missing column 'total'"),
}


def test_every_bad_data_file_is_reported_at_once_and_the_previous_site_stays(tmp_path, monkeypatch):
    from pathlib import Path

    from site_builder.commands.build_command import build_site
    project = data_project(tmp_path, "month,total,sector\n2006-01,1,a\n")
    declaration = (project.content / "datasets.yaml").read_text()
    (project.content / "datasets.yaml").write_text(declaration + "".join(
        declaration.split("datasets:\n", 1)[1].replace("id: jobs", f"id: {name.replace('.csv', '').replace('.', '-')}")
        .replace("jobs.csv", name)
        for name in BAD_FILES))
    good = {".csv": "month,total,sector\n2006-01,1,a\n", ".json": '[{"month": "2006-01", "total": 1, "sector": "a"}]',
            ".yaml": "- {month: '2006-01', total: 1, sector: a}\n"}
    for name in BAD_FILES:
        (project.content / "data" / name).write_text(good[name[name.rindex("."):]])
    build_site(project)  # every file good: a site to keep
    before = {p: p.read_bytes() for p in project.out.rglob("*") if p.is_file()}
    for name, (text, _, _) in BAD_FILES.items():
        (project.content / "data" / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    huge = project.content / "data" / "huge.csv"
    with open(huge, "r+b") as f:
        f.truncate(1 << 30)  # a sparse gigabyte
    read_bytes, read_text = Path.read_bytes, Path.read_text
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read the huge file") if self == huge else read_bytes(self))
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: pytest.fail("read the huge file") if self == huge
                        else read_text(self, *a, **k))
    with pytest.raises(BuildErrors) as exc:
        build_site(project)
    found = [str(p) for p in exc.value.problems]
    for name, (_, line, message) in BAD_FILES.items():
        assert any(p.startswith(f"content/data/{name}:{line}: {message}") for p in found), (name, found)
    assert {p: p.read_bytes() for p in project.out.rglob("*") if p.is_file()} == before


def test_bad_data_files_are_reported_by_the_command_line_without_a_traceback(tmp_path, cli):
    project = data_project(tmp_path, "month,total,sector\n2006-01,1,a\n2006-02,x,b\n2006-02,3\n")
    result = cli("build", "--root", str(project.root))
    assert result.returncode == 1
    assert "content/data/jobs.csv:4: row has 2 cells; the header has 3" in result.stderr
    assert "Traceback" not in result.stderr
