"""The shared profile: exactly what the landlord sees, frozen when the proposal is sent.

Before the household consents to share identity the landlord sees the reference code,
composition, income basis, cost coverage and the counselor as contact — never a name.
Identity fields (name, phone, e-mail, notes for landlords) are only added when the consent
names them, and are stored encrypted inside the snapshot, as they are on the household. The
internal notes never enter a snapshot; snapshots taken before they were separated may still
hold them under ``notes``, so reading keeps only the fields listed here.
"""

from __future__ import annotations

import json
from typing import Any

from matching.db.models import Consent, Household, Organisation, User
from matching.enums import IncomeBasis, label
from matching.security import crypto

# Household fields a consent can share beyond composition and income: its scope key is the
# field name. The internal notes (``notes``) are never among them, whatever is consented.
IDENTITY_FIELDS = ("name", "phone", "email", "landlord_notes")

COST_COVERAGE_DE: dict[IncomeBasis, str] = {
    IncomeBasis.SGB2: "Kostenübernahme durch Jobcenter (SGB II)",
    IncomeBasis.SGB12: "Kostenübernahme durch Sozialamt (SGB XII)",
    IncomeBasis.ASYLBLG: "Kostenübernahme durch Sozialamt (AsylbLG)",
    IncomeBasis.WOHNGELD: "Mietzahlung aus eigenem Einkommen mit Wohngeld",
    IncomeBasis.OWN_INCOME: "Mietzahlung aus eigenem Einkommen",
}


def build_shared_profile(
    household: Household,
    consent: Consent,
    counselor: User | None,
    counseling_org: Organisation,
) -> dict[str, Any]:
    scope = set(consent.scope)
    profile: dict[str, Any] = {
        "reference_code": household.reference_code,
        "consent_id": consent.id,
        "consent_valid_until": consent.valid_until.isoformat(),
        "scope": sorted(scope),
        "contact": {
            "organisation": counseling_org.name,
            "name": counselor.name if counselor else None,
            "email": (counselor.email if counselor else None) or counseling_org.contact_email,
        },
    }
    if "composition" in scope:
        profile["composition"] = {
            "persons": household.persons,
            "adults": household.adults,
            "children_ages": sorted(household.children_ages or []),
        }
    if "income_basis" in scope:
        basis = IncomeBasis(household.income_basis)
        profile["income_basis"] = {"code": basis.value, "label": label(basis)}
        profile["cost_coverage"] = COST_COVERAGE_DE[basis]
    identity = {
        key: getattr(household, key)
        for key in IDENTITY_FIELDS
        if key in scope and getattr(household, key)
    }
    if identity:
        profile["identity_encrypted"] = crypto.encrypt(json.dumps(identity, ensure_ascii=False))
    return profile


def readable_profile(
    shared_profile: dict[str, Any], *, include_identity: bool = True
) -> dict[str, Any]:
    """The snapshot as the landlord page shows it (identity decrypted when still allowed)."""
    shown = {k: v for k, v in shared_profile.items() if k != "identity_encrypted"}
    token = shared_profile.get("identity_encrypted")
    if include_identity and token:
        identity = json.loads(crypto.decrypt(token))
        shown["identity"] = {k: v for k, v in identity.items() if k in IDENTITY_FIELDS}
    return shown
