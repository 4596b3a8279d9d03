"""`nudge catalog check`: everything load_catalog checks, plus each text's SMS length and
encoding budget, per language, and the report an editor reads."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from service.catalog.loader import (
    ACKNOWLEDGEMENTS_FILE,
    MAX_PROMPT_SEGMENTS,
    MIN_SINGLE_SEGMENT_GSM7_PERCENT,
    SUPPORT_POOL,
    Catalog,
    read_catalog,
    render,
    shortened,
)
from service.catalog.recaps import RECAPS_FILE, longest_renderings
from service.safety.resources import DEFAULT_LANGUAGE
from service.sms_encoding import Encoding, non_gsm_characters, segment_info, smart_encoded


@dataclass(frozen=True)
class PromptReport:
    """characters: length of the text rendered with the fallbacks, in Unicode characters."""

    prompt_id: str
    encoding: Encoding
    characters: int
    segments: int
    language: str = DEFAULT_LANGUAGE


@dataclass(frozen=True)
class CatalogReport:
    prompts: tuple[PromptReport, ...]
    problems: tuple[str, ...]
    warnings: tuple[str, ...] = ()  # worth a look, never a failure
    catalog: Catalog | None = None  # what was read, usable when the report is ok

    @property
    def ok(self) -> bool:
        return not self.problems


def _encoding_reason(text: str) -> str:
    info = segment_info(text)
    if info.encoding is Encoding.UCS2:
        offenders = " ".join(non_gsm_characters(text))
        return f"UCS-2 because of {offenders}, {info.units} code units"
    return f"GSM-7, {info.units} septets"


def check_catalog(directory: Path) -> CatalogReport:
    """Everything load_catalog checks, plus SMS length and encoding budgets, per language.

    The default language keeps the tight budget its GSM-7 alphabet allows; another language
    may need UCS-2 (Spanish accents) and gets two segments everywhere. Prompts are measured
    rendered with the fallbacks (a real partner name may be longer).
    """
    result = read_catalog(directory)
    problems = list(result.problems)
    reports: list[PromptReport] = []
    warnings: list[str] = []
    for catalog in (result.catalog, *result.catalog.translations.values()):
        prefix = "" if catalog is result.catalog else f"{catalog.language}/"
        language_reports, language_problems = _budget_problems(
            catalog, strict=catalog is result.catalog
        )
        reports += language_reports
        problems += [prefix + problem for problem in language_problems]
        warnings += [prefix + warning for warning in _lone_ucs2_characters(catalog)]
    return CatalogReport(tuple(reports), tuple(problems), tuple(warnings), result.catalog)


def _lone_ucs2_characters(catalog: Catalog) -> list[str]:
    """Prompts that one character alone turns into UCS-2: rewording it may halve the cost."""
    warnings = []
    for prompt in catalog.prompts:
        with suppress(ValueError):  # an unusable placeholder is already a problem
            offenders = set(non_gsm_characters(render(prompt.text, {}, catalog.fallbacks)))
            if len(offenders) == 1:
                warnings.append(
                    f"{prompt.category}.yaml: prompt '{prompt.id}': only {offenders.pop()!r} "
                    "makes it UCS-2"
                )
    return warnings


def _budget_problems(catalog: Catalog, *, strict: bool) -> tuple[list[PromptReport], list[str]]:
    problems: list[str] = []
    reports: list[PromptReport] = []
    over_budget: list[str] = []
    for prompt in catalog.prompts:
        try:
            text = render(prompt.text, {}, catalog.fallbacks)
        except ValueError:
            continue  # placeholders.yaml is unusable, already reported
        info = segment_info(text)
        reports.append(
            PromptReport(prompt.id, info.encoding, len(text), info.segments, catalog.language)
        )
        if info.segments > MAX_PROMPT_SEGMENTS:
            problems.append(
                f"{prompt.category}.yaml: prompt '{prompt.id}': {info.segments} segments "
                f"({_encoding_reason(text)}); at most {MAX_PROMPT_SEGMENTS} allowed"
            )
        if info.encoding is not Encoding.GSM7 or info.segments != 1:
            over_budget.append(f"{prompt.id} ({_encoding_reason(text)})")

    single = len(reports) - len(over_budget)
    if strict and reports and single * 100 < MIN_SINGLE_SEGMENT_GSM7_PERCENT * len(reports):
        problems.append(
            f"only {single} of {len(reports)} prompts ({100 * single / len(reports):.1f}%) "
            f"fit one GSM-7 segment, need {MIN_SINGLE_SEGMENT_GSM7_PERCENT}%; "
            f"the others: {', '.join(over_budget)}"
        )
    segments = 1 if strict else MAX_PROMPT_SEGMENTS
    problems.extend(_acknowledgement_budget_problems(catalog, segments))
    problems.extend(_recap_budget_problems(catalog, segments))
    return reports, problems


def _acknowledgement_budget_problems(catalog: Catalog, segments: int) -> list[str]:
    """Every acknowledgement fits, as sent, with the longest sentence that may follow it: the
    progress sentence (its count in words) or a support line."""
    followers = list(catalog.acknowledgements.get(SUPPORT_POOL, ()))
    if catalog.replies is not None:
        replies = catalog.replies
        followers += [replies.sentence("progress", count=word) for word in replies.numbers]
    sent_followers = [smart_encoded(text) for text in followers]
    longest = max(sent_followers, key=lambda text: segment_info(text).units, default="")
    problems: list[str] = []
    for pool, texts in catalog.acknowledgements.items():
        for text in texts:
            where = f"{ACKNOWLEDGEMENTS_FILE}: {pool} {shortened(text)}"
            sent = smart_encoded(text)
            if pool != SUPPORT_POOL and longest:
                sent = f"{sent} {longest}"
            info = segment_info(sent)
            if segments == 1 and info.encoding is not Encoding.GSM7:
                problems.append(f"{where}: must be GSM-7 ({_encoding_reason(sent)})")
            elif info.segments > segments:
                problems.append(
                    f"{where}: must fit {segments} segment{'' if segments == 1 else 's'} with "
                    f"{shortened(longest)} after it ({_encoding_reason(sent)})"
                )
    return problems


def _recap_budget_problems(catalog: Catalog, segments: int) -> list[str]:
    """Each recap as long as it can get: the longest `did`, count and partner fallback."""
    problems: list[str] = []
    if catalog.recaps is None:
        return problems
    for template, values in longest_renderings(catalog.recaps):
        try:
            rendered = render(template, values, catalog.fallbacks)
        except ValueError:
            continue  # already reported as a placeholder problem
        info = segment_info(rendered)
        if info.segments > segments:
            problems.append(
                f"{RECAPS_FILE}: {shortened(template)}: {info.segments} segments when rendered "
                f"({info.encoding}, {info.units} units); must fit {segments}"
            )
    return problems


def format_report(report: CatalogReport) -> list[str]:
    """Human-readable lines: one per prompt, then the problems, then a summary."""
    id_width = max((len(p.prompt_id) for p in report.prompts), default=0)
    chars_width = max((len(str(p.characters)) for p in report.prompts), default=0)
    lines = [
        f"{p.prompt_id:<{id_width}}  {p.encoding.value:<5}  {p.characters:>{chars_width}} chars"
        f"  {p.segments} segment{'' if p.segments == 1 else 's'}"
        for p in report.prompts
    ]
    lines.extend(f"WARNING: {warning}" for warning in report.warnings)
    lines.extend(f"PROBLEM: {problem}" for problem in report.problems)
    for language in dict.fromkeys(p.language for p in report.prompts):
        own = [p for p in report.prompts if p.language == language]
        ucs2 = [p for p in own if p.encoding is Encoding.UCS2]
        lines.append(
            f"{language}: {len(own)} prompts, {len(ucs2)} need UCS-2, "
            f"{sum(p.segments for p in own)} segments in all"
        )

    total = len(report.prompts)
    single = sum(1 for p in report.prompts if p.encoding is Encoding.GSM7 and p.segments == 1)
    share = f" ({100 * single / total:.1f}%)" if total else ""
    problem_count = len(report.problems)
    verdict = "OK" if report.ok else "FAILED"
    lines.append(
        f"{total} prompts, {single}{share} in one GSM-7 segment, "
        f"{problem_count} problem{'' if problem_count == 1 else 's'}: {verdict}"
    )
    return lines
