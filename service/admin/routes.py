"""/admin: JSON for operators, behind the bearer ADMIN_TOKEN."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter

from service.admin.stats import programme_stats
from service.deps import AdminDep, RuntimeDep

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[AdminDep])


@router.get("/stats")
async def stats(runtime: RuntimeDep) -> dict[str, Any]:
    return await anyio.to_thread.run_sync(programme_stats, runtime.engine)
