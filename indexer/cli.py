"""The ``kennisbank`` command line: thin commands over the library.

Each command parses options, calls one library function and turns a
:class:`~kennisbank.errors.KennisbankError` into a Dutch message and exit code 1.
This module is the composition root: it is the only place in ``indexer`` that
imports ``web`` (lazily, in ``serve``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from kennisbank import __version__
from kennisbank.config import Settings, load_settings
from kennisbank.errors import KennisbankError
from kennisbank.refs import find_refs
from kennisbank.store import Store

_DATA_DIR_HELP = (
    "Map van de index (standaard: $KENNISBANK_DATA_DIR, anders data/ naast het corpus)."
)
_CORPUS_HELP = "Map met de documenten (standaard: $KENNISBANK_CORPUS, anders corpus/)."
_JSON_HELP = "Uitvoer als JSON (machineleesbaar)."


def _settings(corpus: str | None, data_dir: str | None) -> Settings:
    try:
        return load_settings(corpus_dir=corpus, data_dir=data_dir)
    except KennisbankError as exc:
        raise click.ClickException(str(exc)) from exc


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _progress(paths: list[Path]) -> Iterable[Path]:
    from tqdm import tqdm

    return tqdm(paths, desc="Indexeren", unit="bestand", file=sys.stderr, disable=None)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kennisbank", message="%(prog)s %(version)s")
def cli() -> None:
    """Kennisbank Wijkenaanpak: zoeken in wat er in de wijken beloofd, geprobeerd en geleerd is.

    Kennisbank Wijkenaanpak: a Dutch knowledge base for the neighbourhood approach.
    """


@cli.command()
@click.option("--corpus", "corpus", type=click.Path(file_okay=False), help=_CORPUS_HELP)
@click.option("--data-dir", type=click.Path(file_okay=False), help=_DATA_DIR_HELP)
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
@click.option("--full", is_flag=True, help="Bouw alles opnieuw, ook ongewijzigde bestanden.")
def index(corpus: str | None, data_dir: str | None, as_json: bool, full: bool) -> None:
    """Indexeer het corpus: lees, ontleed en bewaar nieuwe en gewijzigde documenten.

    Eindigt met code 0 als alle bestanden gelezen zijn, 2 als er bestanden zijn
    overgeslagen (elk met de reden) en 3 als er al een indexering draait.
    """
    from indexer.pipeline import run_index
    from kennisbank.lock import IndexLocked

    settings = _settings(corpus, data_dir)
    try:
        report = run_index(settings, progress=None if as_json else _progress, full=full)
    except IndexLocked as exc:
        click.echo(str(exc), err=True)
        sys.exit(exc.exit_code)
    except KennisbankError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        _echo_json(report.to_dict())
    else:
        _print_report(report.to_dict(), settings)
        for line in report.summary_lines():
            click.echo(line)
    sys.exit(report.exit_code)


@cli.command()
@click.option("--corpus", "corpus", type=click.Path(file_okay=False), help=_CORPUS_HELP)
@click.option("--data-dir", type=click.Path(file_okay=False), help=_DATA_DIR_HELP)
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
def status(corpus: str | None, data_dir: str | None, as_json: bool) -> None:
    """Toon de live index: generatie, bouwtijd, aantallen, gewijzigde corpusbestanden, slot.

    Eindigt met code 0 als er een bruikbare index is en 1 als die ontbreekt of beschadigd is.
    """
    from indexer.status import format_status, index_status, status_exit_code

    data = index_status(_settings(corpus, data_dir))
    if as_json:
        _echo_json(data)
    else:
        for line in format_status(data):
            click.echo(line)
    sys.exit(status_exit_code(data))


def _print_report(data: dict[str, Any], settings: Settings) -> None:
    click.echo(f"Corpus: {settings.corpus_dir}")
    click.echo(f"Index:  {settings.data_dir}")
    click.echo(
        f"Bestanden gezien: {data['files_seen']}, gelezen: {len(data['parsed'])}, "
        f"ongewijzigd: {len(data['unchanged'])}, overgeslagen: {len(data['skipped'])}, "
        f"verwijderd: {len(data['removed'])}"
    )
    for item in data["skipped"]:
        click.echo(f"  overgeslagen: {item['path']}: {item['reason']}")
    for warning in data["warnings"]:
        click.echo(f"  waarschuwing: {warning}")
    click.echo(
        f"Documenten: {data.get('documents', 0)}, passages: {data.get('passages', 0)}, "
        f"secties: {data.get('sections', 0)}, verwijzingen: {data.get('refs', 0)}"
    )
    click.echo(
        f"Entiteiten: {data.get('entities', 0)}, vermeldingen: {data.get('mentions', 0)}, "
        f"relaties: {data.get('links', 0)}, toezeggingen: {data.get('commitments', 0)}"
    )


@cli.command()
@click.option("--corpus", "corpus", type=click.Path(file_okay=False), help=_CORPUS_HELP)
@click.option("--data-dir", type=click.Path(file_okay=False), help=_DATA_DIR_HELP)
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
@click.argument("doc_id", required=False)
def docs(corpus: str | None, data_dir: str | None, as_json: bool, doc_id: str | None) -> None:
    """Toon de geïndexeerde documenten, of met DOC_ID één document met zijn passages."""
    settings = _settings(corpus, data_dir)
    try:
        with Store(settings.db_path) as store:
            if doc_id:
                data: Any = {**store.document(doc_id), "passages": store.passages(doc_id)}
                data.pop("text", None)
            else:
                data = store.documents()
    except KennisbankError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        _echo_json(data)
    elif doc_id:
        click.echo(f"{data['title']} ({data['type']}, {data['year'] or 'jaar onbekend'})")
        for p in data["passages"]:
            where = " › ".join(p["section_path"])
            click.echo(f"\n[{p['id']}] {p['kind']} — {where}\n{p['text']}")
    else:
        for doc in data:
            click.echo(
                f"{doc['id']}  {doc['title']}  [{doc['type']}, {doc['year'] or '?'}]"
                f"  {doc['passages']} passages"
            )
            for section in doc["sections"]:
                click.echo(f"{'  ' * section['level']}- {section['title']}")


@cli.command()
@click.argument("text", required=False)
@click.option(
    "--file", "file_", type=click.Path(dir_okay=False), help="Lees de tekst uit een bestand."
)
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
def ref(text: str | None, file_: str | None, as_json: bool) -> None:
    """Vind Kamerstukverwijzingen in TEXT (of in --file, of '-' voor standaardinvoer).

    Voorbeeld: kennisbank ref "Kamerstukken II 2009/10, 30 995, nr. 78"
    """
    source = _ref_input(text, file_)
    refs = [r.to_dict() for r in find_refs(source)]
    if as_json:
        _echo_json(refs)
        return
    if not refs:
        click.echo("Geen Kamerstukverwijzing gevonden.")
        return
    for r in refs:
        click.echo(
            f"{r['citation']}\n  id: {r['identifier']}  dossier: {r['dossier']}  "
            f'nr: {r["ondernummer"]}\n  {r["url"]}\n  gevonden: "{r["text"]}"'
        )


def _ref_input(text: str | None, file_: str | None) -> str:
    if file_:
        try:
            raw = Path(file_).read_bytes()
        except OSError as exc:
            raise click.ClickException(f"Kan {file_} niet lezen: {exc.strerror}.") from exc
        if b"\x00" in raw[:4096]:
            raise click.ClickException(f"{file_} is een binair bestand, geen tekst.")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise click.ClickException(f"{file_} is geen geldige UTF-8-tekst.") from exc
    if text is None or text == "-":
        if sys.stdin.isatty() and text is None:
            raise click.ClickException(
                'Geef een tekst mee, bijvoorbeeld: kennisbank ref "kst-30995-78".'
            )
        return sys.stdin.read()
    return text


@cli.command()
@click.option(
    "--type",
    "entity_type",
    default=None,
    help="Alleen dit type: wijk, gemeente, buurt, experiment, partner, thema, "
    "organisatie, persoon.",
)
@click.option("--data-dir", type=click.Path(file_okay=False), help=_DATA_DIR_HELP)
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
def entities(entity_type: str | None, data_dir: str | None, as_json: bool) -> None:
    """Toon alle entiteiten met type, naam, aliassen, kenmerken en aantallen vermeldingen.

    Voorbeeld: kennisbank entities --type experiment
    """
    from kennisbank.graph import list_entities

    settings = _settings(None, data_dir)
    try:
        with Store(settings.db_path) as store:
            rows = list_entities(store.conn, entity_type)
    except KennisbankError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        _echo_json(rows)
        return
    if not rows:
        click.echo("Geen entiteiten gevonden.")
    for row in rows:
        aliases = ", ".join(a["text"] if isinstance(a, dict) else a for a in row["aliases"][:4])
        click.echo(
            f"{row['id']}  {row['name']}  [{row['type']}]  {row['mentions']} vermeldingen"
            f" in {row['documents']} documenten" + (f"  (ook: {aliases})" if aliases else "")
        )


@cli.command()
@click.argument("name_or_id")
@click.option("--data-dir", type=click.Path(file_okay=False), help=_DATA_DIR_HELP)
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
def entity(name_or_id: str, data_dir: str | None, as_json: bool) -> None:
    """Toon de kaart van één entiteit: kenmerken met bronnen, relaties, passages, toezeggingen.

    Voorbeeld: kennisbank entity Kanaleneiland
    """
    from kennisbank.graph import EntityNotFound, entity_card

    settings = _settings(None, data_dir)
    try:
        with Store(settings.db_path) as store:
            card = entity_card(store.conn, name_or_id)
    except EntityNotFound as exc:
        if as_json:
            _echo_json({"fout": str(exc), "suggesties": exc.suggestions})
        else:
            click.echo(str(exc), err=True)
        sys.exit(1)
    except KennisbankError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        _echo_json(card)
    else:
        _print_card(card)


def _print_card(card: dict[str, Any]) -> None:
    click.echo(f"{card['name']}  [{card['type']}]  {card['id']}")
    click.echo(f"{card['mentions']} vermeldingen in {card['documents']} documenten")
    for key, value in card["attributes"].items():
        click.echo(f"  {key}: {value}")
    for source in card["sources"][:5]:
        where = source.get("document") or source.get("source") or ""
        click.echo(f"  bron ({source.get('fact', '')}): {where} {source.get('where', '')}".rstrip())
    for label, items in card["links"].items():
        click.echo(f"{label}:")
        for item in items:
            click.echo(
                f"  - {item['name']} ({item['id']}) bewijs: {', '.join(item['evidence'][:3])}"
            )
            if item["quote"]:
                click.echo(f'      "{item["quote"]}"')
    if card["passages"]:
        click.echo("Passages:")
        for p in card["passages"]:
            click.echo(f"  [{p['document_id']}#p-{p['id']}] {p['text'][:160]}")
    if card["commitments"]:
        click.echo("Toezeggingen:")
        for c in card["commitments"]:
            click.echo(f"  - {c['text'][:200]} ({', '.join(c['refs'])})")


def _live_engine(settings: Settings) -> Any:
    from kennisbank.live import LiveSearch

    return LiveSearch(settings.data_dir).engine()


def _parse_filters(values: tuple[str, ...]) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for item in values:
        field_name, sep, value = item.partition("=")
        if not sep or not field_name.strip() or not value.strip():
            raise click.BadParameter(f"'{item}' is geen veld=waarde.", param_hint="--filter")
        filters.setdefault(field_name.strip(), []).append(value.strip())
    return filters


def _plain_snippet(snippet_html: str) -> str:
    import html
    import re

    marked = re.sub(r"<mark>(.*?)</mark>", r"«\1»", snippet_html)
    return html.unescape(re.sub(r"<[^>]+>", "", marked))


@cli.command()
@click.argument("query")
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="VELD=WAARDE",
    help="Filter, herhaalbaar: type, jaar, gemeente, wijk, experiment, partner, "
    "thema, dossier, kst, kind (bijv. --filter gemeente=gemeente/utrecht).",
)
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(0, 10_000), default=0, show_default=True)
@click.option(
    "--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True
)
@click.option("--data-dir", type=click.Path(file_okay=False), help=_DATA_DIR_HELP)
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
def search(
    query: str,
    filters: tuple[str, ...],
    limit: int,
    offset: int,
    sort: str,
    data_dir: str | None,
    as_json: bool,
) -> None:
    """Zoek passages: woorden, "zinnen", EN/OF/NIET, woord*, veld:waarde of een Kamerstuk.

    Voorbeeld: kennisbank search "Welke gemeenten doen mee aan Gezonde Wijk?"
    """
    settings = _settings(None, data_dir)
    try:
        result = _live_engine(settings).search(
            query, filters=_parse_filters(filters), limit=limit, offset=offset, sort=sort
        )
    except KennisbankError as exc:
        raise click.ClickException(str(exc)) from exc
    data = result.to_dict()
    if as_json:
        _echo_json(data)
        return
    for note in data["notes"]:
        click.echo(f"Let op: {note}")
    if data.get("suggestion"):
        click.echo(f"Bedoelde u: {data['suggestion']}?")
    click.echo(f"{data['total']} passages gevonden voor: {data['parsed'] or query}")
    for n, hit in enumerate(data["hits"], start=offset + 1):
        where = " › ".join(hit["section_path"])
        click.echo(f"\n{n}. {hit['document_title']} ({hit.get('year') or '?'}) — {where}")
        click.echo(f"   {_plain_snippet(hit['snippet_html'])}")
        click.echo(f"   /document/{hit['document_id']}#p-{hit['passage_id']}")
    for field_name, values in data["facets"].items():
        top = ", ".join(f"{v['label']} ({v['count']})" for v in values[:5])
        if top:
            click.echo(f"[{field_name}] {top}")


@cli.command(name="eval")
@click.argument("queries_file", type=click.Path(dir_okay=False))
@click.option(
    "--baseline",
    type=click.Choice(["fts5"]),
    default=None,
    help="Vergelijk in dezelfde run met SQLite FTS5 (unicode61, bm25).",
)
@click.option("--data-dir", type=click.Path(file_okay=False), help=_DATA_DIR_HELP)
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
def eval_command(
    queries_file: str, baseline: str | None, data_dir: str | None, as_json: bool
) -> None:
    """Meet de zoekkwaliteit op beoordeelde zoekvragen: MRR@10, Success@1/@10, nDCG@10.

    Voorbeeld: kennisbank eval ../shared/eval/dev-queries.jsonl --baseline fts5
    """
    from kennisbank.baseline import Fts5Baseline
    from kennisbank.evaluate import evaluate, format_report, load_queries

    settings = _settings(None, data_dir)
    try:
        queries = load_queries(queries_file)
        engine = _live_engine(settings)
        with Store(settings.db_path) as store:
            corpus = [p.text for p in store.all_passages()]
            base_engine = Fts5Baseline.from_store(store) if baseline else None

        def engine_fn(text: str, k: int) -> list[str]:
            result = engine.search(text, limit=k, facets=False, snippets=False)
            return [hit.text for hit in result.hits]

        report = evaluate(queries, engine_fn, corpus_texts=corpus, label="kennisbank")
        base_report = (
            evaluate(queries, base_engine.search, corpus_texts=corpus, label="fts5")
            if base_engine
            else None
        )
    except KennisbankError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        out: dict[str, Any] = {"kennisbank": report.to_dict()}
        if base_report:
            out["baseline"] = base_report.to_dict()
            out["delta_mrr"] = round(report.overall.mrr - base_report.overall.mrr, 4)
        _echo_json(out)
    else:
        click.echo(format_report(report, base_report))


@cli.command()
@click.option("--host", default=None, help="Adres (standaard $KENNISBANK_HOST of 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Poort (standaard $KENNISBANK_PORT of 8000).")
@click.option("--corpus", "corpus", type=click.Path(file_okay=False), help=_CORPUS_HELP)
@click.option("--data-dir", type=click.Path(file_okay=False), help=_DATA_DIR_HELP)
def serve(host: str | None, port: int | None, corpus: str | None, data_dir: str | None) -> None:
    """Start de webinterface (waitress). Bouwt eerst de index als die ontbreekt of beschadigd is."""
    from waitress import serve as waitress_serve

    from indexer.status import ensure_index
    from web import create_app

    settings = _settings(corpus, data_dir).with_overrides(host=host, port=port)
    try:
        report = ensure_index(settings, lambda line: click.echo(line, err=True), _progress)
    except KennisbankError as exc:
        raise click.ClickException(str(exc)) from exc
    if report is not None:
        _print_report(report.to_dict(), settings)
    app = create_app({"KENNISBANK_SETTINGS": settings})
    click.echo(f"Kennisbank draait op http://{settings.host}:{settings.port}/ (Ctrl+C stopt)")
    waitress_serve(app, host=settings.host, port=settings.port, threads=8, ident="kennisbank")


def _register_source_commands() -> None:
    from indexer.cli_sources import harvest_command, import_jsonl_command

    cli.add_command(harvest_command)
    cli.add_command(import_jsonl_command)
    from indexer.cli_bench import bench_command

    cli.add_command(bench_command)


_register_source_commands()


def main() -> None:
    """Entry point of the ``kennisbank`` console script."""
    cli(prog_name="kennisbank")
