"""Parse-time benchmark of the vacancy intake (no database).

Prints the time to parse 10,000 vacancies as CSV, XLSX and OpenImmo XML, and the peak memory of
parsing a 50,000-row CSV. Run: ``.venv/bin/python benchmarks/bench_intake_parse.py``.

Targets for the full import incl. database writes (issue 5): CSV ≤ 3 s, XLSX ≤ 5 s,
OpenImmo ≤ 10 s for 10,000 vacancies; 50,000-row CSV within 300 MB.
"""

from __future__ import annotations

import contextlib
import gc
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from matching.intake import (  # noqa: E402
    MunicipalityIndex,
    VacancyRecord,
    export_vacancies_csv,
    export_vacancies_xlsx,
    load_municipalities_csv,
    parse_vacancy_file,
)

TODAY = date(2026, 5, 1)
STREETS = [
    "Marienstraße",
    "Bäckerstraße",
    "Portastraße",
    "Kaiserstraße",
    "Lange Straße",
    "Ringstr.",
]
WORDS = [
    "hell",
    "ruhig",
    "Balkon",
    "Keller",
    "Dusche",
    "Wanne",
    "Laminat",
    "Fliesen",
    "renoviert",
    "zentral",
    "Garten",
]


def make_records(n: int, municipalities: MunicipalityIndex, seed: int = 7) -> list[VacancyRecord]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        m = rnd.choice(municipalities.items)
        rooms = rnd.choice([1, 1.5, 2, 2.5, 3, 3.5, 4, 5])
        area = round(rooms * rnd.uniform(18, 30) + 10, 1)
        rent = round(area * rnd.uniform(5.2, 8.9), 2)
        out.append(
            VacancyRecord(
                external_id=f"WHG-{i:06d}",
                title=f"{rooms:g}-Zimmer-Wohnung in {m.name}",
                street=rnd.choice(STREETS),
                house_number=str(rnd.randint(1, 120)),
                postal_code=rnd.choice(m.postal_codes),
                town=m.name,
                municipality_ags=None,
                lat=None if i % 3 else round(m.lat + rnd.uniform(-0.02, 0.02), 5),
                lon=None if i % 3 else round(m.lon + rnd.uniform(-0.02, 0.02), 5),
                rooms=float(rooms),
                living_area=area,
                floor=rnd.randint(-1, 6),
                lift=rnd.random() < 0.3,
                barrier_free=rnd.random() < 0.2,
                wheelchair_accessible=rnd.random() < 0.05,
                net_cold_rent=rent,
                cold_service_charges=round(area * 2.1, 2),
                heating_costs=round(area * 1.2, 2),
                deposit=round(rent * 3, 2),
                available_from=TODAY + timedelta(days=rnd.randint(0, 120)),
                wbs_required=rnd.random() < 0.4,
                pets=rnd.choice(["yes", "no", "on_request"]),
                min_persons=None,
                max_persons=rnd.choice([None, 2, 3, 4, 5]),
                description=" ".join(rnd.choices(WORDS, k=30)),
            )
        )
    return out


def _b(value: bool) -> str:
    return "true" if value else "false"


def make_openimmo(records: list[VacancyRecord]) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<openimmo>\n'
        '<uebertragung art="ONLINE" umfang="VOLL" version="1.2.7" sendersoftware="bench" '
        'senderversion="1"/>\n<anbieter><firma>Bench</firma><openimmo_anid>B1</openimmo_anid>\n'
    ]
    for r in records:
        coords = (
            f'<geokoordinaten breitengrad="{r.lat}" laengengrad="{r.lon}"/>'
            if r.lat is not None
            else ""
        )
        parts.append(
            '<immobilie><objektkategorie><nutzungsart WOHNEN="true" GEWERBE="false"/>'
            '<vermarktungsart MIETE_PACHT="true" KAUF="false"/><objektart><wohnung/></objektart>'
            f"</objektkategorie><geo><plz>{r.postal_code}</plz><ort>{escape(r.town or '')}</ort>"
            f"<strasse>{escape(r.street or '')}</strasse><hausnummer>{r.house_number}</hausnummer>"
            f"{coords}<etage>{r.floor}</etage></geo>"
            "<kontaktperson><name>V</name><email_zentrale>v@example.org</email_zentrale>"
            f"</kontaktperson><preise><nettokaltmiete>{r.net_cold_rent:.2f}</nettokaltmiete>"
            f"<nebenkosten>{r.cold_service_charges:.2f}</nebenkosten>"
            f"<heizkosten>{r.heating_costs:.2f}</heizkosten><kaution>{r.deposit:.2f}</kaution>"
            f"</preise><flaechen><wohnflaeche>{r.living_area}</wohnflaeche>"
            f"<anzahl_zimmer>{r.rooms}</anzahl_zimmer></flaechen><ausstattung>"
            f'<fahrstuhl PERSONEN="{_b(r.lift)}"/><barrierefrei>{_b(r.barrier_free)}</barrierefrei>'
            f"<rollstuhlgerecht>{_b(r.wheelchair_accessible)}</rollstuhlgerecht></ausstattung>"
            f"<freitexte><objekttitel>{escape(r.title or '')}</objekttitel>"
            f"<objektbeschreibung><![CDATA[{r.description}]]></objektbeschreibung></freitexte>"
            f"<verwaltung_objekt><abdatum>{r.available_from.isoformat()}</abdatum>"
            f"<wbs_sozialwohnung>{_b(r.wbs_required)}</wbs_sozialwohnung>"
            + (f"<haustiere>{_b(r.pets == 'yes')}</haustiere>" if r.pets != "on_request" else "")
            + (f"<max_personen>{r.max_persons}</max_personen>" if r.max_persons else "")
            + "</verwaltung_objekt><verwaltung_techn>"
            f'<openimmo_obid>{r.external_id}</openimmo_obid><aktion aktionart="CHANGE"/>'
            "<stand_vom>2026-04-30</stand_vom></verwaltung_techn></immobilie>\n"
        )
    parts.append("</anbieter>\n</openimmo>\n")
    return "".join(parts).encode("utf-8")


def timed(label: str, data: bytes, filename: str, municipalities: MunicipalityIndex) -> None:
    walls, cpus = [], []
    for _ in range(3):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        result = parse_vacancy_file(data, filename, today=TODAY, municipalities=municipalities)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        assert result.ok, result.errors
        assert not result.rejected_rows
    print(
        f"{label:<28} {len(data) / 1e6:5.1f} MB  {len(result.rows):>6} rows  "
        f"best wall {min(walls):5.2f} s  best CPU {min(cpus):5.2f} s"
    )


def _peak_rss_kb() -> int:
    """VmHWM (Linux), else ru_maxrss (which survives exec, so it may include the parent)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak_rss_kb() -> int:
    """Reset the peak-RSS mark to the current RSS (Linux ``clear_refs``); return it."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return _peak_rss_kb()


def memory_child(path: str) -> None:
    """Run in a fresh process: parse the big CSV, print RSS and tracemalloc figures."""
    index = MunicipalityIndex(
        load_municipalities_csv(ROOT / "src/matching/reference/municipalities.csv")
    )
    data = Path(path).read_bytes()
    parse_vacancy_file(data[:2000], "warmup.csv", today=TODAY, municipalities=index)
    gc.collect()
    base = _reset_peak_rss_kb()
    start = time.perf_counter()
    result = parse_vacancy_file(data, "big.csv", today=TODAY, municipalities=index)
    elapsed = time.perf_counter() - start
    peak = _peak_rss_kb()
    assert result.ok
    assert len(result.rows) == 50_000
    rows = len(result.rows)
    del result
    gc.collect()
    tracemalloc.start()
    kept = parse_vacancy_file(data, "big.csv", today=TODAY, municipalities=index)
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert kept.ok
    print(
        f"{'CSV 50,000 rows':<28} {len(data) / 1e6:5.1f} MB  {rows:>6} rows  "
        f"wall {elapsed:5.2f} s\n"
        f"  peak RSS of the process {peak / 1024:.0f} MB (after imports and reading the file: "
        f"{base / 1024:.0f} MB); Python allocations during the parse (tracemalloc, incl. the "
        f"result kept): {traced / 1e6:.0f} MB"
    )


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--memory-child":
        memory_child(sys.argv[2])
        return
    index = MunicipalityIndex(
        load_municipalities_csv(ROOT / "src/matching/reference/municipalities.csv")
    )
    records = make_records(10_000, index)
    print(f"Python {sys.version.split()[0]}; parse only (no database); best of 3 runs")
    timed("CSV 10,000 rows", export_vacancies_csv(records), "bench.csv", index)
    timed("XLSX 10,000 rows", export_vacancies_xlsx(records), "bench.xlsx", index)
    timed("OpenImmo 10,000 immobilien", make_openimmo(records), "bench.xml", index)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        path.write_bytes(export_vacancies_csv(make_records(50_000, index, seed=11)))
        subprocess.run(  # noqa: S603 - our own script
            [sys.executable, __file__, "--memory-child", str(path)], check=True
        )


if __name__ == "__main__":
    main()
