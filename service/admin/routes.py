"""/admin: JSON (and CSV) for operators, behind the bearer ADMIN_TOKEN. Thin: each route hands
its inputs to one function in this package and returns what it gets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import anyio
from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import StreamingResponse

from service.admin.catalog_stats import PromptFigures, catalog_figures
from service.admin.erase import Erasure, erase_subscriber
from service.admin.export import check_ins_csv, consent_csv, weeks_csv
from service.admin.pairs import (
    PairEnding,
    PairFilter,
    PairsReport,
    end_pair_by_operator,
    pairs_report,
)
from service.admin.stats import ProgrammeStats, programme_stats
from service.admin.subscribers import (
    SubscriberFilter,
    SubscriberHistory,
    SubscriberPage,
    list_subscribers,
    subscriber_history,
)
from service.deps import AdminDep, NowDep, RuntimeDep

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[AdminDep])

SubscriberId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PairId = Annotated[int, Path(ge=1, le=2**31 - 1)]
CSV = "text/csv; charset=utf-8"


def _csv_response(chunks: Iterator[str], filename: str) -> StreamingResponse:
    return StreamingResponse(
        chunks,
        media_type=CSV,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/stats", summary="Programme figures")
async def stats(
    runtime: RuntimeDep,
    now: NowDep,
    weeks: Annotated[int, Query(ge=1, le=104, description="weeks of weekly figures")] = 12,
) -> ProgrammeStats:
    return await anyio.to_thread.run_sync(
        programme_stats, runtime.engine, runtime.catalog, now, weeks
    )


@router.get("/subscribers", summary="Subscribers, filtered and paged; numbers masked")
async def subscribers(
    runtime: RuntimeDep, wanted: Annotated[SubscriberFilter, Query()]
) -> SubscriberPage:
    return await anyio.to_thread.run_sync(list_subscribers, runtime.engine, wanted)


@router.get(
    "/subscribers/{subscriber_id}",
    summary="One subscriber's prompts, replies and consent log",
    responses={404: {"description": "No such subscriber"}},
)
async def subscriber(runtime: RuntimeDep, subscriber_id: SubscriberId) -> SubscriberHistory:
    history = await anyio.to_thread.run_sync(subscriber_history, runtime.engine, subscriber_id)
    if history is None:
        raise HTTPException(404, "No such subscriber.")
    return history


@router.delete(
    "/subscribers/{subscriber_id}",
    summary="Erase a subscriber, keeping an anonymised consent tombstone",
    responses={404: {"description": "No such subscriber"}},
)
async def erase(runtime: RuntimeDep, now: NowDep, subscriber_id: SubscriberId) -> Erasure:
    erasure = await anyio.to_thread.run_sync(erase_subscriber, runtime.engine, subscriber_id, now)
    if erasure is None:
        raise HTTPException(404, "No such subscriber.")
    return erasure


@router.get("/catalog", summary="Prompts with their send and reply counts, best first")
async def catalog(runtime: RuntimeDep) -> list[PromptFigures]:
    return await anyio.to_thread.run_sync(catalog_figures, runtime.engine, runtime.catalog)


@router.get(
    "/pairs",
    summary="Couples figures and pairs (suspended first, then active, then ended); numbers masked",
)
async def pairs(
    runtime: RuntimeDep, now: NowDep, wanted: Annotated[PairFilter, Query()]
) -> PairsReport:
    return await anyio.to_thread.run_sync(pairs_report, runtime.engine, wanted, now)


@router.post(
    "/pairs/{pair_id}/end",
    summary="End a pair; both members are told it ended, as when one texts UNPAIR",
    responses={404: {"description": "No such pair"}, 409: {"description": "Already ended"}},
)
async def end_pair(runtime: RuntimeDep, now: NowDep, pair_id: PairId) -> PairEnding:
    ending = await anyio.to_thread.run_sync(
        end_pair_by_operator, runtime.engine, runtime.settings, runtime.catalog, pair_id, now
    )
    if ending is None:
        raise HTTPException(404, "No such pair.")
    if not ending.ended_now:
        raise HTTPException(409, f"The pair already ended at {ending.ended_at.isoformat()}.")
    return ending


@router.get(
    "/export/stats.csv",
    summary="Weekly programme figures since the first sign-up, as CSV",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export_stats(runtime: RuntimeDep, now: NowDep) -> StreamingResponse:
    figures = await anyio.to_thread.run_sync(
        programme_stats, runtime.engine, runtime.catalog, now, None
    )
    return _csv_response(weeks_csv(figures.weeks), "nudge-weekly-stats.csv")


@router.get(
    "/export/consent.csv",
    summary="The consent log (opt-ins, confirmations, opt-outs), as CSV",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export_consent(runtime: RuntimeDep) -> StreamingResponse:
    return _csv_response(consent_csv(runtime.engine), "nudge-consent-log.csv")


@router.get(
    "/export/check-ins.csv",
    summary="Closeness check-in answers, one row per answer, members pseudonymous, as CSV",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export_check_ins(runtime: RuntimeDep) -> StreamingResponse:
    return _csv_response(check_ins_csv(runtime.engine), "nudge-check-ins.csv")
