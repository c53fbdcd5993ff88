"""HTML pages (Jinja2 + HTMX); they call the same services as the JSON API."""

from typing import Any

from api.views.admin import AdminPages
from api.views.auth import home, login, login_page, logout
from api.views.dashboard import overview
from api.views.households import HouseholdPages
from api.views.vacancies import VacancyPages

ROUTES: list[Any] = [
    home,
    login_page,
    login,
    logout,
    overview,
    HouseholdPages,
    VacancyPages,
    AdminPages,
]
