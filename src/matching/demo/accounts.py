"""The demo organisations and logins printed by `make run` (fictional, marked "Demo")."""

from __future__ import annotations

from dataclasses import dataclass

from matching.enums import OrganisationKind, Role


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    organisation: str
    kind: OrganisationKind
    email: str
    password: str
    name: str


FACHSTELLE = "Fachstelle Wohin (Demo)"
COUNSELING_A = "Diakonie Beratungsstelle Minden (Demo)"
COUNSELING_B = "AWO Wohnungsnotfallhilfe Lübbecke (Demo)"
LANDLORD_A = "Mindener Wohnungsbau eG (Demo)"
LANDLORD_B = "Wohnstätten Lübbecker Land GmbH (Demo)"
LANDLORD_C = "Porta Wohnen GmbH (Demo)"

DEMO_ORGANISATIONS: tuple[tuple[str, OrganisationKind, str], ...] = (
    (FACHSTELLE, OrganisationKind.FACHSTELLE, "fachstelle@wohin.example"),
    (COUNSELING_A, OrganisationKind.COUNSELING, "beratung@diakonie-minden.example"),
    (COUNSELING_B, OrganisationKind.COUNSELING, "beratung@awo-luebbecke.example"),
    (LANDLORD_A, OrganisationKind.LANDLORD, "vermietung@mindener-wohnungsbau.example"),
    (LANDLORD_B, OrganisationKind.LANDLORD, "vermietung@wohnstaetten-luebbecke.example"),
    (LANDLORD_C, OrganisationKind.LANDLORD, "vermietung@porta-wohnen.example"),
)

DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(
        Role.ADMIN,
        FACHSTELLE,
        OrganisationKind.FACHSTELLE,
        "admin@wohin.example",
        "Fachstelle-Demo-2026",
        "Anna Admin",
    ),
    DemoLogin(
        Role.COUNSELOR,
        COUNSELING_A,
        OrganisationKind.COUNSELING,
        "berater.minden@diakonie.example",
        "Beratung-Minden-2026",
        "Bernd Berater",
    ),
    DemoLogin(
        Role.COUNSELOR,
        COUNSELING_B,
        OrganisationKind.COUNSELING,
        "beraterin.luebbecke@awo.example",
        "Beratung-Luebbecke-2026",
        "Carla Beraterin",
    ),
    DemoLogin(
        Role.LANDLORD,
        LANDLORD_A,
        OrganisationKind.LANDLORD,
        "vermietung@mindener-wohnungsbau.example",
        "Vermieter-Minden-2026",
        "Dora Vermieterin",
    ),
    DemoLogin(
        Role.LANDLORD,
        LANDLORD_B,
        OrganisationKind.LANDLORD,
        "vermietung@wohnstaetten.example",
        "Vermieter-Luebbecke-2026",
        "Emil Vermieter",
    ),
)
