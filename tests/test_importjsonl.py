"""Importing Staten-Generaal Digitaal OCR shards (JSON Lines) into the corpus."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.sources import import_jsonl_command
from indexer.acquisition.importjsonl import import_jsonl, record_metadata, record_name

SHARD = Path(__file__).resolve().parents[2] / "shared" / "data" / "sgd-ocr" / "sgd_unique_00.jsonl"
URL = "https://zoek.officielebekendmakingen.nl/{}/ocr"
KAMERSTUK = (
    "Tweede Kamer der Staten-Generaal\n2\nZitting 1982-1983\n12449\nAfsluiting van de "
    "Oosterschelde\nNr 66\nBRIEF VAN DE MINISTER VAN VERKEER EN WATERSTAAT\n"
    "'s-Gravenhage, 21 juni 1983\nDe wijkaanpak in de oude stadswijken gaat voort."
)
HANDELINGEN = (
    "Ingekomen stukken\n20ste vergadering -29 november '61\n303\n20STE VERGADERING\n"
    "VERGADERING VAN WOENSDAG 29 NOVEMBER 1961\nDe Voorzitter opent de vergadering."
)


def write_shard(path: Path) -> Path:
    """A shard with good records and every kind of bad line."""
    lines = [
        json.dumps({"URL": URL.format("0000142774"), "Content": KAMERSTUK, "Source": "SGD"}),
        "",
        '{"URL": "https://zoek.officielebekendmakingen.nl/1/ocr", "Content": "afgebroken',
        json.dumps(["geen", "object"]),
        json.dumps({"Content": "zonder adres"}),
        json.dumps({"URL": URL.format("0000000001"), "Content": "   "}),
        json.dumps({"URL": "javascript:alert(1)", "Content": "tekst"}),
        json.dumps({"URL": URL.format("0000258750"), "Content": HANDELINGEN, "Source": "SGD"}),
        json.dumps({"URL": URL.format("0000142774"), "Content": KAMERSTUK}),  # again
    ]
    path.write_bytes("\n".join(lines).encode("utf-8") + b"\n\xff\xfe{}\n")
    return path


def test_records_become_text_files_with_sidecars_and_bad_lines_are_reported(
    tmp_path: Path,
) -> None:
    shard = write_shard(tmp_path / "shard.jsonl")
    target = tmp_path / "corpus" / "sgd"
    report = import_jsonl([shard], target)
    assert report.written == ["sgd-0000142774", "sgd-0000258750"]
    assert report.present == ["sgd-0000142774"] and report.lines == 10
    assert report.bad == [
        "shard.jsonl, regel 3: geen geldige JSON (fout bij kolom 80)",
        "shard.jsonl, regel 4: geen JSON-object",
        "shard.jsonl, regel 5: het veld URL ontbreekt of is leeg",
        "shard.jsonl, regel 6: het veld Content ontbreekt of is leeg",
        "shard.jsonl, regel 7: het veld URL is geen webadres (javascript:alert(1))",
        "shard.jsonl, regel 10: geen geldige UTF-8",
    ]
    assert report.exit_code == 2
    text = (target / "sgd-0000142774.txt").read_text(encoding="utf-8")
    assert text == KAMERSTUK + "\n"
    meta = json.loads((target / "sgd-0000142774.meta.json").read_text(encoding="utf-8"))
    assert meta == {
        "title": "Afsluiting van de Oosterschelde",
        "type": "kamerstuk",
        "vergaderjaar": "1982-1983",
        "date": "1983-06-21",
        "year": 1983,
        "source": URL.format("0000142774"),
        "bron": "SGD",
        "ocr": True,
    }
    meeting = json.loads((target / "sgd-0000258750.meta.json").read_text(encoding="utf-8"))
    assert (meeting["type"], meeting["title"], meeting["year"]) == (
        "handelingen", "Ingekomen stukken", 1961,
    )  # fmt: skip


def test_import_is_resumable_and_limited(tmp_path: Path) -> None:
    shard = write_shard(tmp_path / "shard.jsonl")
    target = tmp_path / "sgd"
    first = import_jsonl([shard], target, limit=1)
    assert first.written == ["sgd-0000142774"] and first.limited
    second = import_jsonl([shard], target)
    assert second.written == ["sgd-0000258750"]
    assert second.present == ["sgd-0000142774", "sgd-0000142774"]
    third = import_jsonl([shard], target)
    assert third.written == [] and not list(target.glob(".*"))


def test_missing_file_is_reported_not_fatal(tmp_path: Path) -> None:
    shard = write_shard(tmp_path / "shard.jsonl")
    report = import_jsonl([tmp_path / "weg.jsonl", shard], tmp_path / "sgd")
    assert report.bad[0].startswith("weg.jsonl: bestand kan niet gelezen worden")
    assert len(report.written) == 2


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://zoek.officielebekendmakingen.nl/0000142774/ocr", "sgd-0000142774"),
        ("https://zoek.officielebekendmakingen.nl/kst-30995-78.html", "kst-30995-78"),
        ("https://repository.overheid.nl/frbr/sgd/19821983/0000142774/1/pdf", "sgd-0000142774"),
        ("https://example.org/19821983/", "sgd-"),
    ],
)
def test_record_names(url: str, name: str) -> None:
    assert record_name(url).startswith(name)


def test_type_and_year_from_the_url() -> None:
    meta = record_metadata(
        "https://repository.overheid.nl/frbr/sgd/19821983/h-tk-19821983-1234/ocr",
        "Tekst zonder jaar",
    )
    assert (meta["type"], meta["vergaderjaar"], meta["year"]) == ("handelingen", "1982-1983", 1982)
    assert meta["title"] == "Tekst zonder jaar"
    assert record_metadata(URL.format("0000000007"), "12\n3")["title"] == (
        "Staten-Generaal Digitaal 0000000007"
    )


def test_the_first_lines_of_a_real_shard(tmp_path: Path) -> None:
    if not SHARD.is_file():
        pytest.skip("../shared/data ontbreekt (sgd-ocr)")
    sample = tmp_path / "sgd_sample.jsonl"
    with SHARD.open("rb") as handle:
        sample.write_bytes(b"".join(islice(handle, 20)))
    runner = CliRunner()
    target = tmp_path / "corpus" / "sgd"
    result = runner.invoke(import_jsonl_command, [str(sample), "--to", str(target), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert len(report["written"]) == 20 and report["bad"] == []
    metas = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(target.glob("*.meta.json"))]
    assert all(m["title"] and m["type"] in ("kamerstuk", "handelingen") for m in metas)
    assert sum(1 for m in metas if 1814 <= m.get("year", 0) <= 1999) >= 15
    first = json.loads((target / "sgd-0000142774.meta.json").read_text(encoding="utf-8"))
    assert (first["title"], first["vergaderjaar"]) == (
        "Afsluiting van de Oosterschelde",
        "1982-1983",
    )
    again = runner.invoke(import_jsonl_command, [str(sample), "--to", str(target)])
    assert again.exit_code == 0 and "nieuw: 0, al aanwezig: 20" in again.output


def test_imported_texts_are_indexed_with_their_sidecars(tmp_path: Path) -> None:
    from indexer.pipeline import run_index
    from kennisbank.config import load_settings
    from kennisbank.store import Store

    shard = write_shard(tmp_path / "shard.jsonl")
    corpus = tmp_path / "corpus"
    import_jsonl([shard], corpus / "sgd")
    settings = load_settings(corpus_dir=corpus, data_dir=tmp_path / "data", env={})
    report = run_index(settings)
    assert report.skipped == [] and len(report.parsed) == 2
    with Store(settings.db_path) as store:
        docs = {d["id"]: d for d in store.documents()}
    doc = docs["sgd-sgd-0000142774"]
    assert (doc["title"], doc["type"], doc["year"]) == (
        "Afsluiting van de Oosterschelde",
        "kamerstuk",
        1983,
    )
    assert doc["source"] == URL.format("0000142774")


def test_cli_usage_errors_are_dutch(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(import_jsonl_command, [])
    assert result.exit_code == 2 and "FILES" in result.output
    shard = write_shard(tmp_path / "shard.jsonl")
    result = runner.invoke(import_jsonl_command, [str(shard), "--to", str(tmp_path / "sgd")])
    assert result.exit_code == 2 and "onbruikbaar: 6" in result.output
    assert "overgeslagen: shard.jsonl, regel 4: geen JSON-object" in result.output
