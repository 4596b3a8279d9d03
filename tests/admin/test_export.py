"""CSV exports: weekly figures and the consent log."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from service.admin.erased import tombstone_phone
from service.admin.export import csv_lines, safe_cell
from tests.admin.conftest import AUTH
from tests.admin.factories import NOW, A


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_cells_never_become_formulas() -> None:
    assert safe_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-2+3") == "'-2+3"
    assert safe_cell("we hugged") == "we hugged"
    assert safe_cell(None) == ""


def test_csv_lines_flush_in_chunks() -> None:
    rows = [("x" * 1000,)] * 200
    chunks = list(csv_lines(["col"], rows))
    assert len(chunks) > 1
    assert "".join(chunks).count("\r\n") == 201


def test_weekly_stats_csv_covers_the_whole_programme(
    client: TestClient, programme: dict[str, int]
) -> None:
    client.app.state.runtime.clock = lambda: NOW  # type: ignore[attr-defined]
    response = client.get("/admin/export/stats.csv", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = _rows(response.text)
    assert [r["week_start"] for r in rows] == ["2026-03-02", "2026-03-09", "2026-03-16"]
    assert [r["active"] for r in rows] == ["1", "1", "2"]
    assert [r["wins"] for r in rows] == ["1", "0", "2"]


def test_consent_log_csv(client: TestClient, programme: dict[str, int]) -> None:
    response = client.get("/admin/export/consent.csv", headers=AUTH)
    assert response.status_code == 200
    rows = _rows(response.text)
    assert len(rows) == 8
    a_rows = [r for r in rows if r["phone"] == A]
    assert [(r["kind"], r["text"]) for r in a_rows] == [("opt_in", "JOIN"), ("confirmation", "YES")]
    assert a_rows[0]["occurred_at"] == "2026-03-03T09:00:00+00:00"

    client.delete(f"/admin/subscribers/{programme['A']}", headers=AUTH)
    after = _rows(client.get("/admin/export/consent.csv", headers=AUTH).text)
    assert not [r for r in after if r["phone"] == A]
    tomb = [r for r in after if r["phone"] == tombstone_phone(A)]
    assert [r["kind"] for r in tomb] == ["opt_in", "confirmation", "opt_out"]
    assert all(r["text"] == "" for r in tomb)
