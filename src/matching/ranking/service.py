"""The ranking service: access rules, cached snapshots and the pure engine, put together.

One instance lives per app process (``app.state.ranking``). It holds the validated policies
(an invalid one stops the app at start) and the snapshots; every method takes the request's
session, so the data-version stamps are read in the caller's transaction.

Access follows the object rules of the households and vacancies services: rankings are for
counselling organisations and the admin; a counselling office ranks and counts only its own
households (the engine never sees another organisation's rows for it); landlords get 404.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

import scoring
from matching import access, clock
from matching.actors import Actor
from matching.db.models import Proposal, Vacancy
from matching.enums import LIVE_PROPOSAL_STATUSES, ProposalStatus
from matching.errors import Forbidden, NotFound
from matching.proposals.checker import PairEvaluation
from matching.ranking.chances import AskedHouseholds, ChanceRecorder, ChanceSource
from matching.ranking.results import (
    AllocationItem,
    AllocationResult,
    ExcludedGroup,
    HouseholdMatch,
    HouseholdMatches,
    PairResult,
    VacancyMatch,
    VacancyMatches,
)
from matching.ranking.snapshot import (
    HouseholdSnapshot,
    ReferenceSnapshot,
    ReferenceTables,
    VacancySnapshot,
    households_from_rows,
    load_household_rows,
)
from matching.vacancies.service import VacancyService
from matching.validation import FieldError, ValidationFailed
from scoring import (
    DEFAULT_POLICY,
    Households,
    Policy,
    Reason,
    ScoringInputError,
    allocate,
    available_policies,
    explain_pair,
    load_policy,
    rank_households,
    rank_vacancies,
)
from scoring.inputs import URGENCIES

__all__ = [
    "EXAMPLE_LIMITS",
    "HARD_TO_PLACE",
    "MAX_LIMIT",
    "RankingService",
    "engine_vacancy",
]

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000
HARD_TO_PLACE = 5
"""At most this many eligible households: the vacancy is "schwer zu vermitteln"."""

EXAMPLE_LIMITS = Reason(
    "RENT_LIMITS_EXAMPLE",
    "Beispielwerte – nicht amtlich: Die Angemessenheitsgrenzen sind Beispielwerte und nicht "
    "die geltende Tabelle des Kreises. Bitte vor einem Vorschlag prüfen.",
)

ALLOCATION_WITHOUT_CHANCE = Reason(
    "ALLOCATION_WITHOUT_CHANCE",
    "Die Zusage-Chance ist in der Zuteilung noch nicht berücksichtigt: Diese Policy gewichtet "
    "sie, hier zählt sie für jedes Paar neutral. Die Ranglisten der einzelnen Wohnungen "
    "berücksichtigen sie.",
)
"""Shown on the allocation under a policy that weighs the acceptance chance: the allocation
does not estimate it yet (every pair counts as neutral), so its points differ from a flat's
ranking."""

_VACANCY_REQUIRED = {
    "municipality_ags": "Die Kommune fehlt",
    "rooms": "Die Zimmerzahl fehlt",
    "living_area": "Die Wohnfläche fehlt",
    "floor": "Das Stockwerk fehlt",
    "net_cold_rent": "Die Nettokaltmiete fehlt",
    "cold_service_charges": "Die kalten Nebenkosten fehlen",
    "available_from": "Das Bezugsdatum fehlt",
}


def _invalid(exc: ScoringInputError) -> ValidationFailed:
    """The engine's field errors as the domain's 422 error."""
    return ValidationFailed([FieldError(e.field, e.message) for e in exc.errors])


def _optional(value: Any) -> float | None:
    return None if value is None else float(value)


def engine_vacancy(vacancy: Vacancy) -> scoring.Vacancy:
    """The engine's view of a vacancy; a missing or absurd value → ValidationFailed naming it."""
    missing = [
        FieldError(name, f"{text} – ohne diese Angabe kann das Angebot nicht gerankt werden.")
        for name, text in _VACANCY_REQUIRED.items()
        if getattr(vacancy, name) in (None, "")
    ]
    if missing:
        raise ValidationFailed(missing)
    result = scoring.Vacancy(
        id=int(vacancy.id),
        municipality_ags=vacancy.municipality_ags,
        rooms=float(vacancy.rooms),
        living_area=float(vacancy.living_area),
        floor=int(vacancy.floor or 0),  # None was refused above
        net_cold_rent=vacancy.net_cold_rent,  # Decimal; exact cents inside the engine
        cold_service_charges=vacancy.cold_service_charges,
        available_from=vacancy.available_from,
        heating_costs=vacancy.heating_costs,
        lat=_optional(vacancy.lat),
        lon=_optional(vacancy.lon),
        lift=bool(vacancy.lift),
        barrier_free=bool(vacancy.barrier_free),
        wheelchair_accessible=bool(vacancy.wheelchair_accessible),
        wbs_required=bool(vacancy.wbs_required),
        pets=str(getattr(vacancy.pets, "value", vacancy.pets)),
        min_persons=vacancy.min_persons,
        max_persons=vacancy.max_persons,
    )
    try:
        scoring.Vacancies.from_vacancies([result])  # validates every value once
    except ScoringInputError as exc:
        raise _invalid(exc) from exc
    return result


def _scope(actor: Actor, what: str) -> int | None:
    """Organisation whose households the actor may rank; ``None`` = all (admin)."""
    return access.household_scope(actor, what)


def _check_page(limit: int, offset: int) -> None:
    errors = []
    if not 1 <= limit <= MAX_LIMIT:
        errors.append(FieldError("limit", f"Der Wert muss zwischen 1 und {MAX_LIMIT} liegen."))
    if not 0 <= offset <= MAX_OFFSET:
        errors.append(FieldError("offset", f"Der Wert muss zwischen 0 und {MAX_OFFSET} liegen."))
    if errors:
        raise ValidationFailed(errors)


class RankingService:
    """Rankings, explanations and the allocation suggestion on cached snapshots."""

    def __init__(
        self,
        default_policy: str | Path = DEFAULT_POLICY,
        *,
        today: Callable[[], dt.date] | None = None,
        chances: ChanceSource | None = None,
    ) -> None:
        """Load and validate every policy now: a broken one raises ``PolicyError`` naming
        the key, so the app refuses to start instead of ranking with it.

        ``chances``: the learned acceptance chance, for policies that weigh it (without it,
        or while no model is shown, every pair counts as having no estimate)."""
        self.policies: dict[str, Policy] = {
            name: load_policy(name) for name in available_policies()
        }
        default = load_policy(default_policy)
        self.policies[default.name] = default
        self.default_policy = default.name
        self.households = HouseholdSnapshot()
        self.vacancies = VacancySnapshot()
        self.reference = ReferenceSnapshot()
        self._today = today or clock.today
        self.chances = chances
        self._allocation_lock = asyncio.Lock()
        self._allocation: tuple[tuple[Any, ...], AllocationResult] | None = None

    # -- policies -------------------------------------------------------------------------
    @property
    def policy_names(self) -> tuple[str, ...]:
        return tuple(sorted(self.policies))

    def policy(self, name: str | None = None) -> Policy:
        """The named policy (default when empty); unknown → 422 naming the available ones."""
        if not name:
            return self.policies[self.default_policy]
        policy = self.policies.get(name)
        if policy is None:
            raise ValidationFailed(
                [
                    FieldError(
                        "policy",
                        f"Unbekannte Policy „{name}“. Verfügbar: {', '.join(self.policy_names)}.",
                    )
                ]
            )
        return policy

    # -- vacancy → households -------------------------------------------------------------
    async def vacancy_matches(
        self,
        session: AsyncSession,
        actor: Actor,
        vacancy_id: int,
        *,
        policy: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> VacancyMatches:
        """Households ranked for one vacancy (the actor's own organisation's, or all)."""
        _scope(actor, "Wohnungsangebot")
        vacancy = await VacancyService(session=session).get_for(actor, vacancy_id)
        return await self.rank_vacancy(
            session, actor, vacancy, policy=policy, limit=limit, offset=offset
        )

    async def rank_vacancy(
        self,
        session: AsyncSession,
        actor: Actor,
        vacancy: Vacancy,
        *,
        policy: str | None = None,
        limit: int = 50,
        offset: int = 0,
        search: str = "",
        named_ids: Collection[int] = (),
        excluded_sample: int = 0,
    ) -> VacancyMatches:
        """As :meth:`vacancy_matches` for a vacancy the caller has already loaded (and
        checked access to).

        ``search`` keeps only households whose reference code contains it or whose id is in
        ``named_ids`` (found by name); ``excluded_sample`` names up to that many excluded
        households per rule.
        """
        scope = _scope(actor, "Wohnungsangebot")
        chosen = self.policy(policy)
        _check_page(limit, offset)
        target = engine_vacancy(vacancy)
        table = await self.households.get(session)
        ref = await self.reference.get(session)
        live, declined = await self._pairs(session, Proposal.vacancy_id == vacancy.id)
        search = search.strip()[:40]
        if search:
            candidates = table.search(scope, search, named_ids)
        else:
            candidates = table.data if scope is None else table.for_organisation(scope)
        today = self._today()
        landlord_id = int(vacancy.organisation_id)
        recorder = await self._household_chances(
            session, chosen, candidates, target, landlord_id, ref, today
        )
        try:
            ranking = rank_households(
                candidates,
                target,
                ref.municipalities,
                ref.rent_limits,
                chosen,
                reference_date=today,
                proposed_ids={h for _, h in live},
                declined_ids={h for _, h in declined},
                limit=limit,
                offset=offset,
                excluded_sample=excluded_sample,
                chances=None if recorder is None else recorder.households,
            )
        except ScoringInputError as exc:
            raise _invalid(exc) from exc
        codes, orgs = table.side["reference_code"], table.side["organisation_id"]
        labels = {s.rule: s for s in ranking.funnel.steps}
        excluded = tuple(
            ExcludedGroup(
                code=rule.value,
                label=labels[rule].label,
                count=labels[rule].excluded,
                households=tuple(
                    (h, str(codes[i])) for h in ids if (i := table.position(h)) is not None
                ),
            )
            for rule, ids in ranking.excluded
        )
        rows = []
        ids = [row.household_id for row in ranking.rows]
        for row in ranking.rows:
            i = table.position(row.household_id)
            assert i is not None  # ranked rows come from this snapshot
            rows.append(
                HouseholdMatch(
                    rank=row.rank,
                    household_id=row.household_id,
                    reference_code=str(codes[i]),
                    urgency=URGENCIES[int(table.data.urgency[i])],
                    persons=int(table.data.persons[i]),
                    total=row.total,
                    components=row.components,
                    warnings=row.warnings,
                    own=scope is None or int(orgs[i]) == scope,
                )
            )
        warnings = []
        if ref.example_applies(target.municipality_ags, target.available_from):
            warnings.append(EXAMPLE_LIMITS)
        if skipped := table.skipped_in(scope):
            warnings.append(
                Reason(
                    "HOUSEHOLDS_SKIPPED",
                    f"{skipped} Haushalte mit ungültigen Angaben wurden nicht berücksichtigt; "
                    "bitte deren Angaben prüfen.",
                )
            )
        return VacancyMatches(
            vacancy_id=int(vacancy.id),
            policy_name=ranking.policy_name,
            policy_version=ranking.policy_version,
            reference_date=today,
            eligible_count=ranking.eligible_count,
            funnel=ranking.funnel,
            rows=tuple(rows),
            offset=offset,
            limit=limit,
            warnings=tuple(warnings),
            scope="all" if scope is None else "organisation",
            vacancy=target,
            landlord_id=landlord_id,
            excluded=excluded,
            search=search,
            used_chances=None if recorder is None else recorder.used(ids),
        )

    async def vacancy_context(
        self,
        session: AsyncSession,
        actor: Actor,
        vacancy: Vacancy,
        *,
        policy: str | None = None,
        limit: int = 20,
        offset: int = 0,
        excluded_sample: int = 0,
    ) -> dict[str, Any]:
        """Template context of the ranking on the vacancy page (``partials/ranking.html``).

        Bad input (a vacancy missing its area, an unknown policy) becomes a message in the
        partial, so the vacancy page itself still shows.
        """
        context: dict[str, Any] = {
            "vacancy_id": int(vacancy.id),
            "policies": self.policy_names,
            "default_policy": self.default_policy,
            "policy": policy or self.default_policy,
            "result": None,
            "errors": [],
            "limit": limit,
            "offset": offset,
        }
        try:
            context["result"] = await self.rank_vacancy(
                session,
                actor,
                vacancy,
                policy=policy,
                limit=limit,
                offset=offset,
                excluded_sample=excluded_sample,
            )
        except ValidationFailed as exc:
            context["errors"] = exc.errors
        return context

    # -- household → vacancies ------------------------------------------------------------
    async def household_matches(
        self,
        session: AsyncSession,
        actor: Actor,
        household_id: int,
        *,
        policy: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> HouseholdMatches:
        """Open vacancies ranked for one household (read fresh: any status works)."""
        scope = _scope(actor, "Haushalt")
        chosen = self.policy(policy)
        _check_page(limit, offset)
        households, code = await self._household(session, household_id, scope)
        table = await self.vacancies.get(session)
        ref = await self.reference.get(session)
        live, declined = await self._pairs(session, Proposal.household_id == household_id)
        today = self._today()
        recorder = None
        if self.chances is not None and chosen.weights.acceptance > 0:
            estimate = await self.chances.vacancy_chances(
                session, households.row(0), table, ref, today
            )
            recorder = None if estimate is None else ChanceRecorder(estimate)
        try:
            ranking = rank_vacancies(
                households,
                household_id,
                table.data,
                ref.municipalities,
                ref.rent_limits,
                chosen,
                reference_date=today,
                proposed_vacancy_ids={v for v, _ in live},
                declined_vacancy_ids={v for v, _ in declined},
                limit=limit,
                offset=offset,
                chances=None if recorder is None else recorder.vacancies,
            )
        except ScoringInputError as exc:
            raise _invalid(exc) from exc
        rows = []
        for row in ranking.rows:
            i = table.position(row.vacancy_id)
            assert i is not None
            ags = str(table.data.municipality_ags[i])
            rows.append(
                VacancyMatch(
                    rank=row.rank,
                    vacancy_id=row.vacancy_id,
                    title=str(table.side["title"][i]) or f"Wohnung {row.vacancy_id}",
                    postal_code=str(table.side["postal_code"][i]),
                    town=ref.town_names.get(ags, ags),
                    total=row.total,
                    components=row.components,
                    warnings=row.warnings,
                )
            )
        return HouseholdMatches(
            household_id=household_id,
            reference_code=code,
            policy_name=ranking.policy_name,
            policy_version=ranking.policy_version,
            reference_date=today,
            eligible_count=ranking.eligible_count,
            funnel=ranking.funnel,
            rows=tuple(rows),
            offset=offset,
            limit=limit,
            warnings=self._general_warnings(ref, today, table.skipped_in(None), "Wohnungen"),
            household=households.row(0),
            used_chances=None
            if recorder is None
            else recorder.used([row.vacancy_id for row in ranking.rows]),
        )

    # -- one pair -------------------------------------------------------------------------
    async def explain(
        self,
        session: AsyncSession,
        actor: Actor,
        vacancy_id: int,
        household_id: int,
        *,
        policy: str | None = None,
    ) -> PairResult:
        """ "Warum?" / "Warum nicht?": every exclusion sentence, or the points per component."""
        scope = _scope(actor, "Wohnungsangebot")
        chosen = self.policy(policy)
        vacancy = await VacancyService(session=session).get_for(actor, vacancy_id)
        households, code = await self._household(session, household_id, scope)
        return await self._explain(session, vacancy, households, code, chosen)

    async def evaluate(
        self, session: AsyncSession, vacancy_id: int, household_id: int
    ) -> PairEvaluation:
        """The proposal workflow's check of one pair (``PairChecker``), default policy.

        The caller has checked access already; this only judges the pair.
        """
        vacancy = await session.get(Vacancy, vacancy_id)
        if vacancy is None:
            raise NotFound("Wohnungsangebot")
        households, code = await self._household(session, household_id, None)
        result = await self._explain(session, vacancy, households, code, self.policy())
        e = result.explanation
        return PairEvaluation(
            exclusions=[(r.code, r.text) for r in e.exclusions],
            score=e.total,
            components={c.component.value: c.points for c in e.components},
            policy_name=e.policy_name,
            policy_version=e.policy_version,
        )

    async def evaluate_pair(
        self, session: AsyncSession, vacancy_id: int, household_id: int
    ) -> PairEvaluation:
        """Alias of :meth:`evaluate` under the name the brief used."""
        return await self.evaluate(session, vacancy_id, household_id)

    async def _explain(
        self,
        session: AsyncSession,
        vacancy: Vacancy,
        households: Households,
        code: str,
        policy: Policy,
    ) -> PairResult:
        target = engine_vacancy(vacancy)
        household_id = int(households.id[0])
        ref = await self.reference.get(session)
        live, declined = await self._pairs(
            session,
            sa.and_(Proposal.vacancy_id == vacancy.id, Proposal.household_id == household_id),
        )
        today = self._today()
        recorder = await self._household_chances(
            session, policy, households, target, int(vacancy.organisation_id), ref, today
        )
        try:
            explanation = explain_pair(
                households,
                household_id,
                target,
                ref.municipalities,
                ref.rent_limits,
                policy,
                reference_date=today,
                proposed=bool(live),
                declined=bool(declined),
                chances=None if recorder is None else recorder.households,
            )
        except ScoringInputError as exc:
            raise _invalid(exc) from exc
        warnings: tuple[Reason, ...] = ()
        if ref.example_applies(target.municipality_ags, target.available_from):
            warnings = (EXAMPLE_LIMITS,)
        return PairResult(
            explanation=explanation,
            reference_code=code,
            vacancy_title=vacancy.title or f"Wohnung {vacancy.id}",
            warnings=warnings,
            used_chances=None if recorder is None else recorder.used([household_id]),
        )

    # -- allocation -----------------------------------------------------------------------
    async def allocation(
        self,
        session: AsyncSession,
        actor: Actor,
        *,
        policy: str | None = None,
        candidates: int = 50,
    ) -> AllocationResult:
        """Suggested one-to-one assignment of active households to open vacancies (admin).

        Runs in a worker thread (seconds for 500 × 100,000) and is kept until households,
        vacancies, proposals, reference data, policy or the day change.
        """
        if not actor.is_admin:
            raise Forbidden("Die Zuteilung ist der Fachstelle vorbehalten.")
        chosen = self.policy(policy)
        async with self._allocation_lock:
            households = await self.households.get(session)
            vacancies = await self.vacancies.get(session)
            ref = await self.reference.get(session)
            live, declined = await self._pairs(session, None)
            today = self._today()
            key = (
                households.stamp,
                vacancies.stamp,
                ref,
                chosen.name,
                chosen.version,
                today,
                candidates,
                frozenset(live),
                frozenset(declined),
            )
            if self._allocation is not None and self._allocation[0] == key:
                return self._allocation[1]
            started = time.perf_counter()
            try:
                allocation = await asyncio.to_thread(
                    allocate,
                    households.data,
                    vacancies.data,
                    ref.municipalities,
                    ref.rent_limits,
                    chosen,
                    reference_date=today,
                    candidates=candidates,
                    proposed_pairs=live,
                    declined_pairs=declined,
                )
            except ScoringInputError as exc:
                raise _invalid(exc) from exc
            seconds = time.perf_counter() - started
            items = []
            for row in allocation.rows:
                j = vacancies.position(row.vacancy_id)
                assert j is not None
                ags = str(vacancies.data.municipality_ags[j])
                code = None
                if row.household_id is not None:
                    i = households.position(row.household_id)
                    code = None if i is None else str(households.side["reference_code"][i])
                items.append(
                    AllocationItem(
                        vacancy_id=row.vacancy_id,
                        title=str(vacancies.side["title"][j]) or f"Wohnung {row.vacancy_id}",
                        town=ref.town_names.get(ags, ags),
                        eligible_count=row.eligible_count,
                        household_id=row.household_id,
                        reference_code=code,
                        total=row.total,
                        hard_to_place=row.eligible_count <= HARD_TO_PLACE,
                    )
                )
            skipped = households.skipped_in(None)
            result = AllocationResult(
                allocation=allocation,
                items=tuple(items),
                reference_date=today,
                household_count=len(households),
                seconds=seconds,
                warnings=self._general_warnings(ref, today, skipped, "Haushalte")
                + ((ALLOCATION_WITHOUT_CHANCE,) if chosen.weights.acceptance > 0 else ()),
            )
            self._allocation = (key, result)
            return result

    # -- helpers --------------------------------------------------------------------------
    async def _household_chances(
        self,
        session: AsyncSession,
        policy: Policy,
        households: Households,
        flat: scoring.Vacancy,
        landlord_id: int,
        ref: ReferenceTables,
        today: dt.date,
    ) -> ChanceRecorder | None:
        """The acceptance chances of ``households`` for one flat, loaded before the engine
        runs; ``None`` when the policy gives them no weight (nothing is loaded then) or no
        model is shown.

        Why a first pass of the engine: the chance reads each household's consent, and an
        office's consents are tens of thousands of rows, while a flat's hard rules leave a
        few thousand households. The first pass (a few ms) names the households that pass;
        only their consents are read (``benchmarks/bench_acceptance.py``, 20,000 households
        of which 2,638 pass: a ranking page took 300 ms reading every consent, 38 ms so)."""
        if self.chances is None or policy.weights.acceptance == 0:
            return None
        asked = AskedHouseholds()
        try:
            rank_households(
                households,
                flat,
                ref.municipalities,
                ref.rent_limits,
                policy,
                reference_date=today,
                limit=1,
                chances=asked,
            )
        except ScoringInputError:
            return None  # the real pass raises it with its German message
        estimate = await self.chances.household_chances(
            session, households, flat, landlord_id, ref, today, asked.ids()
        )
        return None if estimate is None else ChanceRecorder(estimate)

    async def _household(
        self, session: AsyncSession, household_id: int, scope: int | None
    ) -> tuple[Households, str]:
        """One household fresh from the database as a one-row engine table, and its code.

        Another organisation's household answers exactly like an unknown one.
        """
        df = await load_household_rows(session, [household_id])
        if df.height == 0 or (scope is not None and int(df["organisation_id"][0]) != scope):
            raise NotFound("Haushalt")
        try:
            households = households_from_rows(df)
        except ScoringInputError as exc:
            raise _invalid(exc) from exc
        return households, str(df["reference_code"][0])

    @staticmethod
    async def _pairs(
        session: AsyncSession, where: ColumnElement[bool] | None
    ) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
        """(vacancy id, household id) pairs with a live proposal, and those declined before."""
        stmt = sa.select(Proposal.vacancy_id, Proposal.household_id, Proposal.status).where(
            Proposal.status.in_([*LIVE_PROPOSAL_STATUSES, ProposalStatus.DECLINED])
        )
        if where is not None:
            stmt = stmt.where(where)
        live: set[tuple[int, int]] = set()
        declined: set[tuple[int, int]] = set()
        for vacancy_id, household_id, status in (await session.execute(stmt)).all():
            target = declined if status == ProposalStatus.DECLINED else live
            target.add((int(vacancy_id), int(household_id)))
        return live, declined

    @staticmethod
    def _general_warnings(
        ref: ReferenceTables, today: dt.date, skipped: int, unit: str
    ) -> tuple[Reason, ...]:
        """Example rent limits in use; rows left out of the snapshot for invalid values."""
        warnings = []
        if ref.examples_in_use(today):
            warnings.append(EXAMPLE_LIMITS)
        if skipped:
            code = "HOUSEHOLDS_SKIPPED" if unit == "Haushalte" else "VACANCIES_SKIPPED"
            warnings.append(
                Reason(
                    code, f"{skipped} {unit} mit ungültigen Angaben wurden nicht berücksichtigt."
                )
            )
        return tuple(warnings)
