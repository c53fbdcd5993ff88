"""Türöffner scoring engine: hard rules, transparent scores, rankings and allocation.

Pure functions over columnar numpy arrays (no web or database imports). Typical use::

    households = Households.from_polars(snapshot_frame)
    ranking = rank_households(households, vacancy, municipalities, rent_limits,
                              load_policy("dringlichkeit"), reference_date=date.today())
"""

from scoring.allocation import allocate
from scoring.codes import Component, Rule, WarningCode
from scoring.errors import FieldError, PolicyError, ScoringInputError
from scoring.inputs import HouseholdRow, Households, Municipalities, Vacancies, Vacancy
from scoring.limits import AreaLimits, LimitLookup, RentLimits, RentLimitTable
from scoring.policy import DEFAULT_POLICY, Policy, available_policies, load_policy
from scoring.rank import explain_pair, rank_households, rank_vacancies, score_matrix
from scoring.results import (
    Allocation,
    AllocationRow,
    ComponentScore,
    Funnel,
    FunnelStep,
    HouseholdRanking,
    PairExplanation,
    RankedHousehold,
    RankedVacancy,
    Reason,
    ScoreMatrix,
    VacancyRanking,
)
from scoring.rulebook import RULEBOOK, HardRule, Rulebook, WarningRule

__all__ = [
    "DEFAULT_POLICY",
    "RULEBOOK",
    "Allocation",
    "AllocationRow",
    "AreaLimits",
    "Component",
    "ComponentScore",
    "FieldError",
    "Funnel",
    "FunnelStep",
    "HardRule",
    "HouseholdRanking",
    "HouseholdRow",
    "Households",
    "LimitLookup",
    "Municipalities",
    "PairExplanation",
    "Policy",
    "PolicyError",
    "RankedHousehold",
    "RankedVacancy",
    "Reason",
    "RentLimitTable",
    "RentLimits",
    "Rule",
    "Rulebook",
    "ScoreMatrix",
    "ScoringInputError",
    "Vacancies",
    "Vacancy",
    "VacancyRanking",
    "WarningCode",
    "WarningRule",
    "allocate",
    "available_policies",
    "explain_pair",
    "load_policy",
    "rank_households",
    "rank_vacancies",
    "score_matrix",
]
