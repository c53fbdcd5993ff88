import pytest

from tests.matching.proposals.factories import (  # noqa: F401  (fixtures)
    db,
    postgres_url,
    session,
    sqlite_template,
    world,
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


from tests.matching.notifications.smtp_fixtures import smtp_server  # noqa: E402, F401
