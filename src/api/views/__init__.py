"""HTML pages (Jinja2 + HTMX); they call the same services as the JSON API."""

from typing import Any

from api.views.accounts import ROUTES as ACCOUNT_ROUTES
from api.views.admin import AdminPages
from api.views.api_keys import ROUTES as API_KEY_ROUTES
from api.views.audit import AuditPages
from api.views.auth import home, login, login_page, logout
from api.views.cases import ROUTES as CASE_ROUTES
from api.views.consent import ROUTES as CONSENT_ROUTES
from api.views.dashboard import overview
from api.views.gdpr import ROUTES as GDPR_ROUTES
from api.views.households import HouseholdPages
from api.views.intake import ROUTES as INTAKE_ROUTES
from api.views.learned import ROUTES as LEARNED_ROUTES
from api.views.links import ROUTES as LINK_ROUTES
from api.views.mailbox import ROUTES as MAILBOX_ROUTES
from api.views.proposals import ROUTES as PROPOSAL_ROUTES
from api.views.rent_limits import RentLimitPages
from api.views.reports import ROUTES as REPORT_ROUTES
from api.views.vacancies import VacancyPages

ROUTES: list[Any] = [
    home,
    login_page,
    login,
    logout,
    overview,
    HouseholdPages,
    *CASE_ROUTES,
    VacancyPages,
    AdminPages,
    *ACCOUNT_ROUTES,
    AuditPages,
    RentLimitPages,
    *GDPR_ROUTES,
    *PROPOSAL_ROUTES,
    *CONSENT_ROUTES,
    *LINK_ROUTES,
    *INTAKE_ROUTES,
    *API_KEY_ROUTES,
    *REPORT_ROUTES,
    *MAILBOX_ROUTES,
    *LEARNED_ROUTES,
]
