"""The weekly retraining job (run by the scheduler under its lease)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from matching.acceptance.service import AcceptanceService, model_directory
from matching.config import Settings

log = logging.getLogger(__name__)


async def train_acceptance(
    factory: async_sessionmaker[AsyncSession], settings: Settings, now: datetime
) -> int:
    """Retrain and store the model; returns the answered proposals it learned from (0: none).

    Every app process picks the new file up on its next check (see ``AcceptanceService``).
    """
    service = AcceptanceService(model_directory(settings.var_dir))
    async with factory() as session:
        try:
            card = await service.train_from(session, now)
        except ValueError as exc:
            log.info("acceptance model not trained: %s", exc)
            return 0
    return card.answered
