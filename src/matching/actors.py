"""Who is acting: the domain's view of an authenticated principal (no web types here)."""

from __future__ import annotations

from dataclasses import dataclass, field

from matching.enums import OrganisationKind, Role


@dataclass(frozen=True)
class Actor:
    """A logged-in user, an API key or a landlord's secure link, as the services see it."""

    kind: str  # "user" | "api_key" | "link" | "system"
    organisation_id: int | None
    role: Role | None = None
    organisation_kind: OrganisationKind | None = None
    user_id: int | None = None
    api_key_id: int | None = None
    proposal_id: int | None = None  # for a secure link: the one proposal it opens
    scopes: frozenset[str] = field(default_factory=frozenset)
    label: str = "system"
    client_address: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_landlord(self) -> bool:
        """A landlord person or a landlord organisation's program."""
        return self.organisation_kind == OrganisationKind.LANDLORD and self.kind in (
            "user",
            "api_key",
        )

    @property
    def is_counseling(self) -> bool:
        return self.organisation_kind == OrganisationKind.COUNSELING and self.kind in (
            "user",
            "api_key",
        )

    def has_scope(self, scope: str) -> bool:
        return self.kind != "api_key" or scope in self.scopes


SYSTEM = Actor(kind="system", organisation_id=None, label="system")
