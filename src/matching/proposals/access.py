"""Proposal access now lives in ``matching.access`` (the one module of access rules).

Kept as a thin alias so imports elsewhere keep working; new code imports ``matching.access``.
"""

from __future__ import annotations

from matching.access import (
    actor_kind_for,
    acts_for_counseling_org,
    household_for_counselor,
)
from matching.access import may_read_proposal as may_read

__all__ = ["actor_kind_for", "acts_for_counseling_org", "household_for_counselor", "may_read"]
