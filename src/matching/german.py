"""German forms shared by the pages and the e-mails: counts with the right noun form.

Why here and not in the web layer: the e-mail templates are rendered by the domain's outbox,
and both must say "1 Erwachsene(r)" and "3 Kinder" the same way.
"""

from __future__ import annotations

from typing import Any

from scoring.fields import HOUSEHOLD_FIELDS, VACANCY_FIELDS
from scoring.formatting import format_number

# German names of the fields people fill in or read about (forms' error summaries, audit
# entries, data access); one list so a field is called the same everywhere. The numbers the
# engine ranks on are named by their field contract (scoring.fields), as on the forms.
FIELD_LABELS: dict[str, str] = {
    "name": "Name",
    "phone": "Telefon",
    "email": "E-Mail",
    "notes": "Notizen (intern)",
    "adults": "Erwachsene",
    "children_ages": "Alter der Kinder",
    "income_basis": "Leistungsbezug",
    "wbs_valid_until": "WBS gültig bis",
    "wbs_rooms": "WBS-Zimmer",
    "needs_barrier_free": "barrierefrei",
    "needs_wheelchair": "rollstuhlgerecht",
    "needs_ground_floor": "Erdgeschoss",
    "has_pets": "Haustier",
    "preferred_ags": "Wunschorte",
    "preferences_hard": "nur Wunschorte",
    "earliest_move_in": "Einzug frühestens",
    "urgency": "Dringlichkeit",
    "notice_date": "Kündigung",
    "eviction_date": "Räumungstermin",
    "homeless_since": "wohnungslos seit",
    "status": "Status",
    "composition": "Zusammensetzung",
    "cost_coverage": "Kostenübernahme",
    "needs": "Bedarfe",
    "identity": "Name und Kontakt",
    "landlord_notes": "Hinweise für Vermieter",
    "title": "Titel",
    "available_from": "frei ab",
    "description": "Beschreibung",
    "is_active": "aktiv",
    "password": "Passwort",  # nosec B105 - a German label, not a secret
    "current_password": "Bisheriges Passwort",  # nosec B105 - a German label, not a secret
    "new_password": "Neues Passwort",  # nosec B105 - a German label, not a secret
    "organisation_id": "Organisation",
    "kind": "Art",
    "contact_email": "Kontakt-E-Mail",
    "is_org_admin": "verwaltet die eigene Organisation",
    "external_id": "Ihre Objektnummer",
    "street": "Straße",
    "house_number": "Hausnummer",
    "postal_code": "PLZ",
    "municipality_ags": "Kommune",
    "lift": "Aufzug",
    "barrier_free": "barrierefrei",
    "wheelchair_accessible": "rollstuhlgerecht",
    "wbs_required": "WBS erforderlich",
    "pets": "Haustiere",
    "scope": "Geteilt werden dürfen",
    "recipients": "Empfänger",
    "recipient_organisation_ids": "Vermieter",
    "given_at": "erteilt am",
    "form_reference": "Formular",
    "scopes": "Berechtigungen",
    "version": "Stand",
    "reference_code": "Kennung",
    "persons": "Personen",
    "registered_at": "registriert am",
    "closed_at": "abgeschlossen am",
    "anonymised_at": "anonymisiert am",
    "counselor_id": "Beraterin/Berater",
    "created_at": "angelegt",
    "updated_at": "zuletzt geändert",
    **{name: spec.label for name, spec in {**VACANCY_FIELDS, **HOUSEHOLD_FIELDS}.items()},
}


def count(value: Any, singular: str, plural: str) -> str:
    """3, "Kind", "Kinder" -> "3 Kinder"; 1 -> "1 Kind"; 1200 -> "1.200 Kinder".

    A list, set or mapping counts its items, so ``ages|count("Kind", "Kinder")`` works.
    """
    amount: Any = 0 if value is None or value == "" else value
    if isinstance(amount, (list, tuple, set, dict)):
        amount = len(amount)
    return f"{format_number(float(amount), 0)} {singular if amount == 1 else plural}"
