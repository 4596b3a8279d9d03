"""The operator dashboard (/): server-rendered pages behind a session cookie.

Routes stay thin: they check the session, fetch figures through service.admin, shape them with
service.dashboard.views and render a template. Nothing here is in the OpenAPI schema.
"""

from __future__ import annotations

import datetime
import functools
import math
import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import anyio
from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, Response
from fastapi.responses import RedirectResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from service.admin.catalog_stats import catalog_figures
from service.admin.erase import erase_subscriber
from service.admin.export import check_ins_csv, consent_csv, weeks_csv
from service.admin.pair_figures import PairState
from service.admin.pairs import (
    PairFilter,
    couples_figures,
    end_pair_by_operator,
    pair_detail,
    pairs_report,
)
from service.admin.stats import programme_stats
from service.admin.subscribers import SubscriberFilter, list_subscribers, subscriber_history
from service.checkins.service import closeness
from service.dashboard import session
from service.dashboard.closeness import closeness_view
from service.dashboard.pair_views import couples_view
from service.dashboard.revocation import is_revoked, revoke
from service.dashboard.throttle import (
    recent_failures,
    record_failure,
    retry_after_seconds,
    wait_before_next_try,
)
from service.dashboard.views import PAGE_SIZE, overview, page_links, timeline, when
from service.deps import NowDep, Runtime, RuntimeDep, token_matches
from service.safety.flags import act_on_flag, audit_csv, list_flags
from service.safety.models import AuditAction
from service.subscribers.models import SubscriberStatus

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["when"] = when
templates.env.filters["percent"] = lambda value: f"{value * 100:.0f}%"

# Pages show personal data: never cached, never framed, scripts and styles only from here.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    # same-origin, not no-referrer: under no-referrer browsers send "Origin: null" with our
    # own forms, which same_origin must refuse.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}

router = APIRouter(include_in_schema=False)
FLAGS_SHOWN = 200
FLAG_ACTIONS = {
    "reviewed": AuditAction.REVIEWED,
    "keep_paused": AuditAction.KEPT_PAUSED,
    "resume": AuditAction.RESUMED,
}


def static_files() -> StaticFiles:
    return StaticFiles(directory=HERE / "static")


def _admin_token(runtime: Runtime) -> str | None:
    token = runtime.settings.admin_token
    return token.get_secret_value() if token is not None else None


def page(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    response = templates.TemplateResponse(
        request,
        template,
        {"program_name": _program(request), "form_token": _form_token(request), **context},
        status_code=status_code,
    )
    response.headers.update(SECURITY_HEADERS)
    return response


def _form_token(request: Request) -> str:
    runtime: Runtime = request.app.state.runtime
    admin_token, cookie = _admin_token(runtime), request.cookies.get(session.COOKIE_NAME)
    return session.form_token(admin_token, cookie) if admin_token and cookie else ""


def _program(request: Request) -> str:
    runtime: Runtime = request.app.state.runtime
    return runtime.settings.program_name


async def _session_is_live(request: Request, runtime: Runtime, now: datetime.datetime) -> bool:
    cookie = request.cookies.get(session.COOKIE_NAME)
    if cookie is None or not session.is_valid(cookie, _admin_token(runtime), now):
        return False
    return not await anyio.to_thread.run_sync(is_revoked, runtime.engine, cookie)


async def signed_in(request: Request, runtime: RuntimeDep, now: NowDep) -> None:
    if not await _session_is_live(request, runtime, now):
        raise HTTPException(303, "Sign in first.", headers={"Location": "/login"})


async def same_origin(request: Request) -> None:
    """Forms post only from our own pages (the SameSite=Strict cookie already insists). An
    opaque origin ("null": a sandboxed frame, a data: page) is nobody's page of ours."""
    origin = request.headers.get("origin")
    if origin and (origin == "null" or urlsplit(origin).netloc != request.url.netloc):
        raise HTTPException(403, "Cross-site form posts are refused.")


async def from_our_page(
    request: Request, runtime: RuntimeDep, form_token: Annotated[str, Form(max_length=128)] = ""
) -> None:
    """A signed-in form carries this session's form token (see session.form_token)."""
    cookie = request.cookies.get(session.COOKIE_NAME)
    if not session.form_token_matches(form_token, _admin_token(runtime), cookie):
        raise HTTPException(403, "This form is out of date: reload the page and try again.")


SignedIn = Depends(signed_in)
SameOrigin = Depends(same_origin)
FromOurPage = Depends(from_our_page)


@router.get("/login")
async def login_form(request: Request, runtime: RuntimeDep, now: NowDep) -> Response:
    if await _session_is_live(request, runtime, now):
        return RedirectResponse("/", status_code=303)
    return page(request, "login.html", {"configured": bool(_admin_token(runtime))})


@router.post("/login", dependencies=[SameOrigin])
async def login(
    request: Request,
    runtime: RuntimeDep,
    now: NowDep,
    token: Annotated[str, Form(max_length=512)] = "",
) -> Response:
    admin_token = _admin_token(runtime)
    # Behind a proxy this is the proxy unless uvicorn trusts its X-Forwarded-For (README).
    address = request.client.host if request.client else "unknown"
    failures = await anyio.to_thread.run_sync(recent_failures, runtime.engine, address, now)
    wait = wait_before_next_try(failures, now)
    if wait is not None:
        seconds = retry_after_seconds(wait)
        error = f"Too many wrong tokens. Try again in {math.ceil(seconds / 60)} min."
        context = {"configured": bool(admin_token), "error": error}
        response = page(request, "login.html", context, status_code=429)
        response.headers["Retry-After"] = str(seconds)
        return response
    if admin_token is None or not token_matches(token, admin_token):
        await anyio.to_thread.run_sync(record_failure, runtime.engine, address, now)
        context = {"configured": bool(admin_token), "error": "That token is not right."}
        return page(request, "login.html", context, status_code=401)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        session.COOKIE_NAME,
        session.issue(admin_token, now, secrets.token_hex(8)),
        max_age=int(session.LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        secure=runtime.settings.public_base_url.startswith("https://"),
    )
    return response


@router.post("/logout", dependencies=[SameOrigin, FromOurPage])
async def logout(request: Request, runtime: RuntimeDep, now: NowDep) -> Response:
    cookie = request.cookies.get(session.COOKIE_NAME)
    if cookie is not None and session.is_valid(cookie, _admin_token(runtime), now):
        # Deleting the cookie only asks the browser; a copy of it must stop working too.
        await anyio.to_thread.run_sync(revoke, runtime.engine, cookie, now)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(session.COOKIE_NAME, path="/", httponly=True, samesite="strict")
    return response


@router.get("/", dependencies=[SignedIn])
async def overview_page(request: Request, runtime: RuntimeDep, now: NowDep) -> Response:
    stats = await anyio.to_thread.run_sync(
        programme_stats, runtime.engine, runtime.catalog, now, 12
    )
    couples = await anyio.to_thread.run_sync(couples_figures, runtime.engine, now)
    check_ins = await anyio.to_thread.run_sync(closeness, runtime.engine)
    context = {
        "view": overview(stats),
        "stats": stats,
        "couples": couples_view(couples),
        "closeness": closeness_view(check_ins),
    }
    return page(request, "overview.html", context)


@router.get("/subscribers", dependencies=[SignedIn])
async def subscribers_page(
    request: Request,
    runtime: RuntimeDep,
    number: Annotated[str, Query(max_length=40)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
) -> Response:
    chosen = status if status in {s.value for s in SubscriberStatus} else ""
    wanted = SubscriberFilter(
        status=SubscriberStatus(chosen) if chosen else None,
        number=number or None,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    found = await anyio.to_thread.run_sync(list_subscribers, runtime.engine, wanted)
    return page(
        request,
        "subscribers.html",
        {
            "found": found,
            "number": number,
            "status": chosen,
            "statuses": [s.value for s in SubscriberStatus],
            "links": page_links(found, {"number": number, "status": chosen}),
            "erased": request.query_params.get("erased") == "1",
        },
    )


@router.get("/subscribers/{subscriber_id}", dependencies=[SignedIn])
async def subscriber_page(request: Request, runtime: RuntimeDep, subscriber_id: int) -> Response:
    if not 1 <= subscriber_id < 2**31:
        return page(request, "missing.html", {}, status_code=404)
    history = await anyio.to_thread.run_sync(subscriber_history, runtime.engine, subscriber_id)
    if history is None:
        return page(request, "missing.html", {}, status_code=404)
    return page(
        request,
        "subscriber.html",
        {"history": history, "entries": timeline(history), "person": history.subscriber},
    )


@router.post("/subscribers/{subscriber_id}/erase", dependencies=[SignedIn, SameOrigin, FromOurPage])
async def erase_page(
    request: Request,
    runtime: RuntimeDep,
    now: NowDep,
    subscriber_id: int,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    if not 1 <= subscriber_id < 2**31:
        return page(request, "missing.html", {}, status_code=404)
    if confirm != "yes":
        return RedirectResponse(f"/subscribers/{subscriber_id}", status_code=303)
    erased = await anyio.to_thread.run_sync(erase_subscriber, runtime.engine, subscriber_id, now)
    if erased is None:
        return page(request, "missing.html", {}, status_code=404)
    return RedirectResponse("/subscribers?erased=1", status_code=303)


@router.get("/catalog", dependencies=[SignedIn])
async def catalog_page(request: Request, runtime: RuntimeDep) -> Response:
    prompts = await anyio.to_thread.run_sync(catalog_figures, runtime.engine, runtime.catalog)
    return page(request, "catalog.html", {"prompts": prompts})


@router.get("/flags", dependencies=[SignedIn])
async def flags_page(request: Request, runtime: RuntimeDep, now: NowDep) -> Response:
    actor = session.actor(request.cookies.get(session.COOKIE_NAME))
    flags = await anyio.to_thread.run_sync(
        functools.partial(list_flags, runtime.engine, limit=FLAGS_SHOWN, actor=actor, now=now)
    )
    done = request.query_params.get("done", "")
    return page(request, "flags.html", {"flags": flags, "done": done})


@router.post("/flags/{flag_id}", dependencies=[SignedIn, SameOrigin, FromOurPage])
async def flag_action(
    request: Request,
    runtime: RuntimeDep,
    now: NowDep,
    flag_id: int,
    action: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    chosen = FLAG_ACTIONS.get(action)
    if chosen is None or not 1 <= flag_id < 2**31:
        return page(request, "missing.html", {}, status_code=404)
    act = functools.partial(
        act_on_flag,
        runtime.engine,
        flag_id=flag_id,
        action=chosen,
        note=note.strip() or None,
        actor=session.actor(request.cookies.get(session.COOKIE_NAME)),
        window=runtime.settings.send_window,
        now=now,
    )
    if not await anyio.to_thread.run_sync(act):
        return page(request, "missing.html", {}, status_code=404)
    return RedirectResponse(f"/flags?done={chosen.value}#flag-{flag_id}", status_code=303)


@router.get("/pairs", dependencies=[SignedIn])
async def pairs_page(
    request: Request,
    runtime: RuntimeDep,
    now: NowDep,
    state: Annotated[str, Query(max_length=20)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
) -> Response:
    chosen = state if state in {s.value for s in PairState} else ""
    wanted = PairFilter(
        state=PairState(chosen) if chosen else None,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    report = await anyio.to_thread.run_sync(pairs_report, runtime.engine, wanted, now)
    return page(
        request,
        "pairs.html",
        {
            "report": report,
            "couples": couples_view(report.figures),
            "state": chosen,
            "states": [s.value for s in PairState],
            "links": page_links(report, {"state": chosen}),
        },
    )


@router.get("/pairs/{pair_id}", dependencies=[SignedIn])
async def pair_page(request: Request, runtime: RuntimeDep, now: NowDep, pair_id: int) -> Response:
    if not 1 <= pair_id < 2**31:
        return page(request, "missing.html", {}, status_code=404)
    pair = await anyio.to_thread.run_sync(pair_detail, runtime.engine, pair_id, now)
    if pair is None:
        return page(request, "missing.html", {}, status_code=404)
    ended = request.query_params.get("ended") == "1"
    return page(request, "pair.html", {"pair": pair, "ended": ended})


@router.post("/pairs/{pair_id}/end", dependencies=[SignedIn, SameOrigin, FromOurPage])
async def end_pair_page(
    request: Request,
    runtime: RuntimeDep,
    now: NowDep,
    pair_id: int,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    if not 1 <= pair_id < 2**31:
        return page(request, "missing.html", {}, status_code=404)
    if confirm != "yes":
        return RedirectResponse(f"/pairs/{pair_id}", status_code=303)
    end = functools.partial(
        end_pair_by_operator, runtime.engine, runtime.settings, runtime.catalog, pair_id, now
    )
    ending = await anyio.to_thread.run_sync(end)
    if ending is None:
        return page(request, "missing.html", {}, status_code=404)
    done = "?ended=1" if ending.ended_now else ""  # ended by someone else first: the page says
    return RedirectResponse(f"/pairs/{pair_id}{done}", status_code=303)


def _download(chunks: Any, filename: str) -> StreamingResponse:
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/export/stats.csv", dependencies=[SignedIn])
async def export_stats(runtime: RuntimeDep, now: NowDep) -> StreamingResponse:
    stats = await anyio.to_thread.run_sync(
        programme_stats, runtime.engine, runtime.catalog, now, None
    )
    return _download(weeks_csv(stats.weeks), "nudge-weekly-stats.csv")


@router.get("/export/consent.csv", dependencies=[SignedIn])
async def export_consent(runtime: RuntimeDep) -> StreamingResponse:
    return _download(consent_csv(runtime.engine), "nudge-consent-log.csv")


@router.get("/export/safety-audit.csv", dependencies=[SignedIn])
async def export_safety_audit(runtime: RuntimeDep) -> StreamingResponse:
    return _download(audit_csv(runtime.engine), "nudge-safety-audit.csv")


@router.get("/export/check-ins.csv", dependencies=[SignedIn])
async def export_check_ins(runtime: RuntimeDep) -> StreamingResponse:
    return _download(check_ins_csv(runtime.engine), "nudge-check-ins.csv")
