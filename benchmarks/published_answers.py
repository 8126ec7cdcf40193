"""Benchmark of the Vraagbaak's published-answer index (:mod:`kennisbank.vraagbaak.search`).

``python -m benchmarks.published_answers [--answers N]`` publishes N answers in a fresh
database in a temporary folder and prints, in one process:

- the first load, the check when nothing changed, and the reload after one more publish
  (only the new answer is analysed again);
- the search time per query, next to the baseline of re-reading every published answer
  before each search (what the index would cost without its change marker).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from kennisbank.vraagbaak import Citation, Vraagbaak, VraagbaakDB, add_user
from kennisbank.vraagbaak.search import PublishedIndex

WORDS = (
    "overlast jongeren wijkagent buurtsport school werkloosheid schulden huurwoning sloop "
    "nieuwbouw speeltuin groen gezondheid integratie taalles"
).split()
QUERIES = (
    "Komen er meer wijkagenten bij?",
    "overlast van jongeren",
    "schulden en werkloosheid",
    "speeltuin in de wijk",
)
CITE = Citation("p", "d", "c")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def run(answers: int = 1000, rounds: int = 25) -> None:
    """Publish ``answers`` answers and print the figures (see the module docstring)."""
    with tempfile.TemporaryDirectory() as folder:
        vb = Vraagbaak(VraagbaakDB.in_data_dir(Path(folder)))
        user = add_user(vb.db, "beheer", None, "beheerder", "een lang genoeg wachtwoord")
        for n in range(answers):
            a, b = WORDS[n % len(WORDS)], WORDS[(n * 7) % len(WORDS)]
            sub = vb.submit_question(f"Vraag {n}: hoe gaat het met {a} en {b} in de wijk?")
            vb.take(user, sub.id)
            vb.answer(user, sub.id, f"Antwoord {n} over {b} en {a}. " * 5, [CITE])
            vb.publish(user, sub.id)
        index = PublishedIndex(vb)
        started = time.perf_counter()
        index.refresh()
        first = time.perf_counter() - started
        index.search("opwarmen")  # reads the thesaurus once
        started = time.perf_counter()
        index.refresh()
        unchanged = time.perf_counter() - started
        sub = vb.submit_question("Nog een vraag over sloop?")
        vb.take(user, sub.id)
        vb.answer(user, sub.id, "Ja, over sloop.", [CITE])
        vb.publish(user, sub.id)
        started = time.perf_counter()
        index.refresh()
        reload_one = time.perf_counter() - started

        def per_query(before: object = None) -> float:
            times = []
            for _ in range(rounds):
                for query in QUERIES:
                    started = time.perf_counter()
                    if before is not None:
                        index._marker = None  # baseline: re-read everything
                        index._cache.clear()
                    index.search(query)
                    times.append(time.perf_counter() - started)
            return statistics.median(times)

        with_marker = per_query()
        baseline = per_query(before=True)
        print(f"Gepubliceerde antwoorden: {answers + 1}")
        print(f"eerste keer laden          {_ms(first)}")
        print(f"controle, niets veranderd  {_ms(unchanged)}")
        print(f"herladen na één publicatie {_ms(reload_one)}")
        print(f"zoeken (mediaan)           {_ms(with_marker)}")
        print(f"basislijn: alles herlezen  {_ms(baseline)} per zoekvraag")


def main() -> None:
    """Command line: ``--answers N`` (default 1,000)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=1000)
    run(parser.parse_args().answers)


if __name__ == "__main__":
    main()
