"""Ranking in the domain: household/vacancy snapshots, access rules and the scoring engine."""

from matching.ranking.service import RankingService

__all__ = ["RankingService"]
