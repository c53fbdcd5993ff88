"""The report on a constructed network: figures, suppression, the supply gap and bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from matching.actors import Actor
from matching.enums import OrganisationKind, Role
from matching.errors import Forbidden
from matching.ranking.snapshot import ReferenceSnapshot
from matching.reports.export import table_csv
from matching.reports.service import Report, build_report
from matching.reports.tables import Table
from matching.validation import ValidationFailed
from scoring.reference import reference_rent_limit
from tests.matching.reports.network import HILLE, MINDEN, YEAR, Network, build_network
from tests.matching.reports.recompute import recomputable

pytestmark = pytest.mark.anyio
TODAY = dt.date(YEAR + 1, 3, 1)


def _actor(net: Network, who: str) -> Actor:
    user = net.world.users[who]
    kinds = {
        "admin": OrganisationKind.FACHSTELLE,
        "counselor_a": OrganisationKind.COUNSELING,
        "landlord_a": OrganisationKind.LANDLORD,
        "landlord_b": OrganisationKind.LANDLORD,
    }
    return Actor(
        kind="user",
        organisation_id=user.organisation_id,
        role=Role(user.role),
        organisation_kind=kinds[who],
        user_id=user.id,
    )


@pytest.fixture
async def net(session: Any) -> Network:
    return await build_network(session)


def _values(table: Table) -> dict[str, list[str]]:
    return {label: [c.text for c in cells] for label, cells in table.rows}


def _table(report: Report, key: str) -> Table:
    table = report.table(key)
    assert table is not None
    return table


async def test_households_by_size_urgency_and_income_basis(session: Any, net: Network) -> None:
    report = await build_report(session, _actor(net, "admin"), {"jahr": str(YEAR)}, TODAY)
    assert report.full and report.period.label == f"Jahr {YEAR}"
    sizes = _values(_table(report, "haushalte-groesse"))
    # 12 + 5 + 6 one-person households, 7 + 3 two-person, 6 three-person; 39 in all.
    assert sizes["1 Person"] == ["23"]
    assert sizes["2 Personen"] == ["10"]
    assert sizes["3 Personen"] == ["6"]
    assert sizes["Gesamt"] == ["39"]
    bases = _values(_table(report, "haushalte-leistungsbezug"))
    assert bases["Bürgergeld (SGB II)"] == ["28"]
    assert bases["eigenes Einkommen"] == ["5"]
    # Sozialhilfe (6) stays; AsylbLG and Wohngeld are zero, not hidden.
    assert bases["AsylbLG"] == ["0"]


async def test_the_small_town_cannot_be_recomputed_anywhere(session: Any, net: Network) -> None:
    report = await build_report(session, _actor(net, "admin"), {"jahr": str(YEAR)}, TODAY)
    table = _table(report, "luecke-haushalte")
    rows = _values(table)
    assert rows["Hille"][1] == "geschützt", "3 two-person households in Hille"
    assert rows["Minden"][2] == "6"
    assert sum(c.hidden for _, cells in table.rows for c in cells) == 4  # one rectangle
    grid = np.array([[c.value for c in cells] for _, cells in table.rows], dtype=float)
    hidden = np.array([[c.hidden for c in cells] for _, cells in table.rows])
    assert recomputable(grid, hidden) == []
    # The gap table hides the same cells, or households = gap + flats would give them back.
    gap = _values(_table(report, "luecke"))
    assert gap["Hille"][1] == "geschützt"
    # The export carries the same protection; the chart's description too.
    csv = table_csv(table).decode("utf-8-sig")
    hille = next(line for line in csv.splitlines() if line.startswith("Hille"))
    assert hille.split(";")[2] == "geschützt"
    svg = str(_table(report, "luecke").chart())
    desc = svg[svg.index("<desc") : svg.index("</desc>")]
    assert "Hille: 1 Person geschützt (nicht ausgewiesen), 2 Personen geschützt" in desc


async def test_supply_gap_uses_the_engines_rent_limit(session: Any, net: Network) -> None:
    report = await build_report(session, _actor(net, "admin"), {"jahr": str(YEAR)}, TODAY)
    reference = await ReferenceSnapshot().get(session)
    expected = []
    for persons in (1, 2, 3):
        limit, _, _ = reference_rent_limit(
            reference.rent_limits, MINDEN, dt.date(YEAR, 6, 1), persons
        )
        assert limit is not None  # cents
        expected.append(sum(1 for rent in (300, 340, 420, 600) if (rent + 100) * 100 <= limit))
    assert 0 < sum(expected) < 12, "the flats must straddle the limits to test anything"
    flats = _values(_table(report, "luecke-wohnungen"))
    assert [int(v) for v in flats["Minden"][:3]] == expected
    gap = _values(_table(report, "luecke"))
    # 6 three-person households (Sozialhilfe) against the flats within their limit.
    assert int(gap["Minden"][2]) == 6 - expected[2]


async def test_flats_proposals_declines_and_durations(session: Any, net: Network) -> None:
    report = await build_report(session, _actor(net, "admin"), {"jahr": str(YEAR)}, TODAY)
    assert _values(_table(report, "wohnungen-kommune"))["Minden"] == ["4"]
    assert _values(_table(report, "wohnungen-kommune"))["Gesamt"] == ["5"]
    stages = _values(_table(report, "vorschlaege-kommune"))
    # 5 sent in Minden, 4 answered, 2 accepted (one let): 2 and 1 are small, so hidden.
    assert stages["Minden"] == ["5", "geschützt", "geschützt", "geschützt"]
    assert stages["Gesamt"] == ["5", "geschützt", "geschützt", "geschützt"]
    declines = _values(_table(report, "absagegruende"))
    assert declines == {"Haustierhaltung nicht möglich": ["geschützt"], "Gesamt": ["geschützt"]}
    # One let flat: far fewer than 5 households, so no median is shown.
    durations = _values(_table(report, "dauer-bis-wohnung"))
    assert durations["Gesamt"] == ["geschützt", "geschützt", "geschützt"]


async def test_a_month_and_a_custom_period(session: Any, net: Network) -> None:
    admin = _actor(net, "admin")
    may = await build_report(
        session, admin, {"zeitraum": "monat", "jahr": "2025", "monat": "5"}, TODAY
    )
    assert may.period.label == "Mai 2025"
    assert _values(_table(may, "wohnungen-kommune"))["Gesamt"] == ["5"]
    assert _values(_table(may, "vorschlaege-kommune"))["Gesamt"] == ["0", "0", "0", "0"]
    custom = await build_report(
        session, admin, {"zeitraum": "frei", "von": "2025-03-01", "bis": "2025-03-31"}, TODAY
    )
    assert _values(_table(custom, "vorschlaege-kommune"))["Minden"][0] == "5"
    q2 = await build_report(
        session, admin, {"zeitraum": "quartal", "jahr": "2025", "quartal": "2"}, TODAY
    )
    assert (q2.period.start, q2.period.end) == (dt.date(2025, 4, 1), dt.date(2025, 6, 30))


async def test_filters_narrow_the_report(session: Any, net: Network) -> None:
    admin = _actor(net, "admin")
    hille = await build_report(session, admin, {"jahr": "2025", "kommune": HILLE}, TODAY)
    assert hille.filter_labels == ("Kommune: Hille",)
    assert _values(_table(hille, "haushalte-groesse"))["Gesamt"] == ["9"]
    org_b = net.world.orgs["counseling_b"].id
    only_b = await build_report(
        session, admin, {"jahr": "2025", "beratungsstelle": str(org_b)}, TODAY
    )
    assert _values(_table(only_b, "haushalte-groesse"))["Gesamt"] == ["13"]
    landlord_b = net.world.orgs["landlord_b"].id
    none = await build_report(session, admin, {"jahr": "2025", "vermieter": str(landlord_b)}, TODAY)
    assert _values(_table(none, "wohnungen-kommune"))["Gesamt"] == ["0"]


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"zeitraum": "frei", "von": "2025-05-01", "bis": "2025-04-01"}, "bis", "vor dem Anfang"),
        ({"zeitraum": "frei", "von": "gestern", "bis": "2025-04-01"}, "von", "als Datum"),
        ({"zeitraum": "monat", "jahr": "2025", "monat": "13"}, "monat", "Monat"),
        ({"zeitraum": "woche"}, "zeitraum", "Monat, Quartal, Jahr"),
        ({"jahr": "2025", "kommune": "05999999"}, "kommune", "Kommune gibt es nicht"),
        ({"jahr": "2025", "beratungsstelle": "999999"}, "beratungsstelle", "gibt es nicht"),
        ({"jahr": "2025", "vermieter": "abc"}, "vermieter", "gibt es nicht"),
    ],
)
async def test_bad_requests_get_a_german_message(
    session: Any, net: Network, raw: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        await build_report(session, _actor(net, "admin"), raw, TODAY)
    assert message in exc.value.as_dict()[field]


async def test_network_members_see_only_the_published_yearly_report(
    session: Any, net: Network
) -> None:
    landlord_a = _actor(net, "landlord_a")
    own = net.world.orgs["landlord_a"].id
    other = net.world.orgs["landlord_b"].id
    report = await build_report(session, landlord_a, {}, TODAY)  # default: last complete year
    assert not report.full and report.period.label == f"Jahr {YEAR}"
    assert report.table("vorschlaege-vermieter") is None  # no other landlords' figures
    mine = await build_report(session, landlord_a, {"jahr": "2025", "vermieter": str(own)}, TODAY)
    assert mine.filter_labels == ("Vermieter: Vermieter A",)
    with pytest.raises(Forbidden, match="anderen Vermieter"):
        await build_report(session, landlord_a, {"jahr": "2025", "vermieter": str(other)}, TODAY)
    with pytest.raises(Forbidden, match="Jahresbericht"):
        await build_report(
            session, landlord_a, {"zeitraum": "monat", "jahr": "2025", "monat": "3"}, TODAY
        )
    with pytest.raises(Forbidden, match="Jahresbericht"):
        await build_report(session, landlord_a, {"jahr": str(TODAY.year)}, TODAY)
    counselor = _actor(net, "counselor_a")
    other_office = net.world.orgs["counseling_b"].id
    with pytest.raises(Forbidden, match="andere Beratungsstelle"):
        await build_report(
            session, counselor, {"jahr": "2025", "beratungsstelle": str(other_office)}, TODAY
        )


async def test_prevention_cases_contacts_and_referrals(session: Any, net: Network) -> None:
    from matching.db.models import Case, CaseContact, CaseReferral
    from matching.enums import ApplicationOutcome, CaseKind, CaseOutcome, ContactKind, ReferralKind

    office = net.world.orgs["counseling_a"].id
    luebbecke = "05770020"
    cases = []
    outcome = [CaseOutcome.HOME_KEPT] * 7 + [CaseOutcome.MOVED] * 5 + [CaseOutcome.HOME_LOST] * 2
    for i, household in enumerate(net.households[:14]):
        cases.append(
            Case(
                household_id=household.id,
                kind=CaseKind.PREVENTION,
                lead_organisation_id=office,
                opened_on=dt.date(YEAR, 2, 1 + i),
                closed_on=dt.date(YEAR, 9, 1),
                outcome=outcome[i],
                application_decided_on=dt.date(YEAR, 4, 1) if i < 6 else None,
                application_outcome=ApplicationOutcome.LOAN if i < 6 else None,
            )
        )
    session.add_all(cases)
    await session.flush()
    for i, case in enumerate(cases):
        session.add(
            CaseContact(
                case_id=case.id,
                occurred_on=dt.date(YEAR, 3, 1),
                kind=ContactKind.CONSULTATION,
                municipality_ags=MINDEN if i < 8 else luebbecke if i < 13 else HILLE,
                organisation_id=office,
            )
        )
        session.add(
            CaseReferral(
                case_id=case.id,
                kind=ReferralKind.DEBT,
                agreed_on=dt.date(YEAR, 3, 2),
                organisation_id=office,
            )
        )
    await session.commit()
    report = await build_report(session, _actor(net, "admin"), {"jahr": str(YEAR)}, TODAY)
    assert _values(_table(report, "faelle-eroeffnet"))["Wohnungssicherung"] == ["14"]
    outcomes = _values(_table(report, "wohnungssicherung-ergebnis"))
    assert outcomes["Wohnung erhalten"] == ["7"]
    assert outcomes["Wohnungsverlust"] == ["geschützt"]  # 2 households …
    assert outcomes["Umzug in andere Wohnung"] == ["geschützt"]  # … and their complement
    assert outcomes["Gesamt"] == ["14"]
    assert _values(_table(report, "antraege"))["bewilligt als Darlehen"] == ["6"]
    contacts = _values(_table(report, "kontakte-kommune"))
    assert contacts["Minden"][0] == "8"
    assert contacts["Hille"][0] == "geschützt"
    assert contacts["Lübbecke"][0] == "geschützt"
    assert _values(_table(report, "vermittlungen"))["Schuldnerberatung"] == ["14"]
