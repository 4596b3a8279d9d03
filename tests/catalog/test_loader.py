from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from service.catalog import (
    ACKNOWLEDGEMENT_POOLS,
    Catalog,
    CatalogError,
    CatalogReport,
    Prompt,
    PromptReport,
    check_catalog,
    format_report,
    load_catalog,
    render,
)
from service.catalog.loader import SUPPORT_POOL
from service.conversation.tone import ReplyTone
from service.sms_encoding import Encoding, smart_encoded

REAL_CATALOG = Path(__file__).resolve().parents[2] / "messages"

FileContent = dict[str, object] | str | None  # a mapping to dump, raw YAML text, or no file


def prompt_entry(
    prompt_id: str, text: str = "Ask {partner} about their day.", **extra: object
) -> dict[str, object]:
    return {"id": prompt_id, "text": text, **extra}


def category_file(category: str, *prompts: dict[str, object]) -> dict[str, object]:
    return {"category": category, "prompts": list(prompts)}


def recaps_with(template: str) -> dict[str, object]:
    recaps = valid_files()["recaps.yaml"]
    assert isinstance(recaps, dict)
    return {**recaps, "recaps": [template]}


def pools(**changes: list[str]) -> dict[str, object]:
    """acknowledgements.yaml with just enough texts in every pool, some pools replaced."""
    texts = {
        pool: [f"Lovely, {pool} number {n}." for n in range(1, minimum + 1)]
        for pool, minimum in ACKNOWLEDGEMENT_POOLS.items()
    }
    return {"acknowledgements": texts | changes}


def valid_files() -> dict[str, FileContent]:
    return {
        "categories.yaml": {
            "categories": {
                "appreciation": {"label": "Appreciation", "description": "Saying thanks."},
                "play": {"label": "Play", "description": "Being silly together."},
            }
        },
        "placeholders.yaml": {"placeholders": {"partner": "your partner"}},
        "acknowledgements.yaml": pools(),
        "recaps.yaml": {
            "recaps": ["This week you {did}, {tries} with {partner}."],
            "together": ["You both answered {questions}."],
            "did": {
                "appreciation": "said thanks",
                "play": "played",
                "together": "answered",
                "any": "showed up",
            },
            "tries": ["one try", "two tries"],
            "tries_many": "{count} tries",
            "questions": ["one question"],
            "questions_many": "{count} questions",
        },
        "safety_resources.yaml": (REAL_CATALOG / "safety_resources.yaml").read_text("utf-8"),
        "replies.yaml": (REAL_CATALOG / "replies.yaml").read_text("utf-8"),
        "appreciation.yaml": category_file(
            "appreciation",
            prompt_entry(
                "appreciation-001",
                "Thank {partner} for one thing today.",
                love_language="words",
                tags=["quick", "evening"],
            ),
            prompt_entry("appreciation-002", "Tell {partner} one thing you admire."),
        ),
        "play.yaml": category_file(
            "play",
            prompt_entry("play-001", "Challenge {partner} to a silly race.", love_language="time"),
            prompt_entry("play-002", "Hide a funny note for {partner}.", love_language="gifts"),
        ),
    }


def write_catalog(directory: Path, changes: Mapping[str, FileContent] | None = None) -> Path:
    """A valid small catalog in `directory`, with some files replaced (None removes one)."""
    files = valid_files() | dict(changes or {})
    for name, content in files.items():
        if content is None:
            continue
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def test_valid_catalog_loads_everything(tmp_path: Path) -> None:
    catalog = load_catalog(write_catalog(tmp_path))

    assert [p.id for p in catalog.prompts] == [
        "appreciation-001",
        "appreciation-002",
        "play-001",
        "play-002",
    ]
    assert catalog.prompts[0] == Prompt(
        id="appreciation-001",
        category="appreciation",
        text="Thank {partner} for one thing today.",
        love_language="words",
        tags=("quick", "evening"),
    )
    assert catalog.prompts[1].love_language is None
    assert catalog.prompts[1].tags == ()
    assert dict(catalog.categories) == {"appreciation": "Appreciation", "play": "Play"}
    assert dict(catalog.fallbacks) == {"partner": "your partner"}
    assert set(catalog.acknowledgements) == set(ACKNOWLEDGEMENT_POOLS)
    assert len(catalog.acknowledgements["went_well"]) == 20
    assert catalog.recaps is not None
    assert catalog.recaps.week == ("This week you {did}, {tries} with {partner}.",)
    assert catalog.recaps.did["play"] == "played"


def test_prompt_looks_up_by_id(tmp_path: Path) -> None:
    catalog = load_catalog(write_catalog(tmp_path))

    found = catalog.prompt("play-002")
    assert found is not None
    assert found.text == "Hide a funny note for {partner}."
    assert catalog.prompt("retired-999") is None


def test_prompts_follow_the_category_order_of_categories_yaml(tmp_path: Path) -> None:
    reordered: dict[str, object] = {
        "categories": {
            "play": {"label": "Play", "description": "Being silly together."},
            "appreciation": {"label": "Appreciation", "description": "Saying thanks."},
        }
    }
    catalog = load_catalog(write_catalog(tmp_path, {"categories.yaml": reordered}))

    assert [p.category for p in catalog.prompts] == ["play", "play", "appreciation", "appreciation"]


def test_block_scalar_text_loses_its_trailing_newline(tmp_path: Path) -> None:
    play = (
        "category: play\n"
        "prompts:\n"
        "  - id: play-001\n"
        "    text: >\n"
        "      Challenge {partner}\n"
        "      to a silly race.\n"
    )
    catalog = load_catalog(write_catalog(tmp_path, {"play.yaml": play}))

    assert catalog.prompts[-1].text == "Challenge {partner} to a silly race."


def test_catalog_mappings_are_read_only(tmp_path: Path) -> None:
    catalog = load_catalog(write_catalog(tmp_path))

    with pytest.raises(TypeError):
        catalog.fallbacks["partner"] = "someone"  # type: ignore[index]


BROKEN_CATALOGS: list[tuple[str, dict[str, FileContent], str]] = [
    (
        "yaml syntax error",
        {"play.yaml": "category: play\nprompts: [\n  {id: play-001\n"},
        "play.yaml: invalid YAML",
    ),
    (
        "yaml key written twice",
        {"placeholders.yaml": "placeholders:\n  partner: you\n  partner: them\n"},
        "placeholders.yaml: invalid YAML: duplicate key 'partner'",
    ),
    ("empty file", {"play.yaml": ""}, "play.yaml: file is empty"),
    ("missing categories file", {"categories.yaml": None}, "categories.yaml: file is missing"),
    (
        "missing placeholders file",
        {"placeholders.yaml": None},
        "placeholders.yaml: file is missing",
    ),
    (
        "unknown top-level key",
        {"recaps.yaml": {"recaps": ["{count} wins!"], "recap": ["typo"]}},
        "recaps.yaml: unknown key 'recap'",
    ),
    (
        "unknown prompt key",
        {"play.yaml": category_file("play", prompt_entry("play-001", txt="oops"))},
        "play.yaml: prompt 'play-001': unknown key 'txt'",
    ),
    (
        "missing text",
        {"play.yaml": category_file("play", {"id": "play-001"})},
        "play.yaml: prompt 'play-001': 'text' must be a non-empty string",
    ),
    (
        "missing id",
        {"play.yaml": category_file("play", {"text": "Dance with {partner}."})},
        "play.yaml: prompt #1: 'id' must be a non-empty string",
    ),
    (
        "number as id",
        {"play.yaml": category_file("play", prompt_entry(101))},  # type: ignore[arg-type]
        "play.yaml: prompt #1: 'id' must be a non-empty string",
    ),
    (
        "duplicate id across files",
        {"play.yaml": category_file("play", prompt_entry("appreciation-002"))},
        "play.yaml: prompt 'appreciation-002': duplicate id (also in appreciation.yaml)",
    ),
    (
        "file for an unknown category",
        {"romance.yaml": category_file("romance", prompt_entry("romance-001"))},
        "romance.yaml: unknown category 'romance'",
    ),
    (
        "category field differs from the file name",
        {"play.yaml": category_file("games", prompt_entry("play-001"))},
        "play.yaml: says 'category: games'",
    ),
    (
        "category without a file",
        {"play.yaml": None},
        "categories.yaml: category 'play' has no prompts file (play.yaml)",
    ),
    (
        "category without a description",
        {
            "categories.yaml": {
                "categories": {"appreciation": {"label": "A"}, "play": {"label": "P"}}
            }
        },
        "categories.yaml: category 'play': 'description' must be a non-empty string",
    ),
    (
        "category file without prompts",
        {"play.yaml": category_file("play")},
        "play.yaml: 'prompts' must be a non-empty list",
    ),
    (
        "unknown love language",
        {"play.yaml": category_file("play", prompt_entry("play-001", love_language="hugs"))},
        "play.yaml: prompt 'play-001': unknown love_language 'hugs'",
    ),
    (
        "tags not a list",
        {"play.yaml": category_file("play", prompt_entry("play-001", tags="quick"))},
        "play.yaml: prompt 'play-001': 'tags' must be a list",
    ),
    (
        "unknown placeholder",
        {"play.yaml": category_file("play", prompt_entry("play-001", "Hug {partner_name}."))},
        "play.yaml: prompt 'play-001': unknown placeholder {partner_name}",
    ),
    (
        "placeholder without fallback",
        {"placeholders.yaml": {"placeholders": {"partner": ""}}},
        "placeholders.yaml: placeholder {partner} has no fallback text",
    ),
    (
        "unclosed brace",
        {"play.yaml": category_file("play", prompt_entry("play-001", "Hug {partner today."))},
        "play.yaml: prompt 'play-001': malformed braces",
    ),
    (
        "stray closing brace",
        {"play.yaml": category_file("play", prompt_entry("play-001", "Hug partner} today."))},
        "play.yaml: prompt 'play-001': malformed braces",
    ),
    (
        "positional placeholder",
        {"play.yaml": category_file("play", prompt_entry("play-001", "Hug {} today."))},
        "play.yaml: prompt 'play-001': placeholder {} must be a plain name",
    ),
    (
        "placeholder with a conversion",
        {"play.yaml": category_file("play", prompt_entry("play-001", "Hug {partner!r}."))},
        "play.yaml: prompt 'play-001': placeholder {partner!r} must be written plainly",
    ),
    (
        "too few acknowledgements in a pool",
        {"acknowledgements.yaml": pools(went_well=["Nice!", "Great!"])},
        "acknowledgements.yaml: 2 in went_well, need at least 20",
    ),
    (
        "a pool missing",
        {"acknowledgements.yaml": {"acknowledgements": {"went_well": ["Nice!"]}}},
        "acknowledgements.yaml: pool 'support' is missing",
    ),
    (
        "an unknown pool",
        {"acknowledgements.yaml": pools(cheerful=["Yay!"])},
        "acknowledgements.yaml: unknown pool 'cheerful'",
    ),
    (
        "acknowledgements as one list, as they once were",
        {"acknowledgements.yaml": {"acknowledgements": [f"Nice one {n}!" for n in range(20)]}},
        "acknowledgements.yaml: 'acknowledgements' must map each pool to a list of texts",
    ),
    (
        "acknowledgement with a placeholder",
        {
            "acknowledgements.yaml": pools(
                mixed=[f"Nice one {n}!" for n in range(8)] + ["Go {partner}!"]
            )
        },
        "acknowledgements.yaml: mixed item 9 'Go {partner}!': cannot use placeholders",
    ),
    (
        "repeated acknowledgement, in a pool or across two",
        {"acknowledgements.yaml": pools(neutral=["Lovely, went_well number 1."] * 11)},
        "acknowledgements.yaml: neutral item 1 repeats 'Lovely, went_well number 1.'",
    ),
    (
        "recap with an unknown placeholder",
        {"recaps.yaml": {"recaps": ["{total} wins this week!"]}},
        "recaps.yaml: recaps item 1: unknown placeholder {total}",
    ),
    ("no recaps", {"recaps.yaml": {"recaps": []}}, "recaps.yaml: at least one recap is needed"),
    (
        "unknown form",
        {"play.yaml": category_file("play", prompt_entry("play-001", form="quiz"))},
        "play.yaml: prompt 'play-001': form 'quiz' is not one of act, reflect, poll",
    ),
    (
        "unknown depth",
        {"play.yaml": category_file("play", prompt_entry("play-001", depth="bottomless"))},
        "play.yaml: prompt 'play-001': depth 'bottomless' is not one of light, medium, deep",
    ),
    (
        "series part without its series",
        {"play.yaml": category_file("play", prompt_entry("play-001", form="series", part=1))},
        "play.yaml: prompt 'play-001': a series part needs form: series, 'series' and 'part'",
    ),
    (
        "series with a missing part",
        {
            "play.yaml": category_file(
                "play",
                prompt_entry("play-001", form="series", series="s", part=1),
                prompt_entry("play-002", form="series", series="s", part=3),
            )
        },
        "play.yaml: series 's' has parts [1, 3]; expected 1 to 2, at least 2",
    ),
    (
        "idea with spaces",
        {"play.yaml": category_file("play", prompt_entry("play-001", idea="two words"))},
        "play.yaml: prompt 'play-001': 'idea' must be a slug without spaces",
    ),
    (
        "yml extension",
        {"touch.yml": category_file("touch", prompt_entry("touch-001"))},
        "touch.yml: use the .yaml extension",
    ),
]


@pytest.mark.parametrize(
    ("changes", "expected_problem"),
    [(changes, expected) for _, changes, expected in BROKEN_CATALOGS],
    ids=[case for case, _, _ in BROKEN_CATALOGS],
)
def test_broken_catalog_is_refused_with_a_precise_problem(
    tmp_path: Path, changes: dict[str, FileContent], expected_problem: str
) -> None:
    directory = write_catalog(tmp_path, changes)

    with pytest.raises(CatalogError) as raised:
        load_catalog(directory)
    report = check_catalog(directory)

    assert any(expected_problem in problem for problem in raised.value.problems), raised.value
    assert expected_problem in str(raised.value)
    assert not report.ok
    assert any(expected_problem in problem for problem in report.problems), report.problems


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    directory = write_catalog(
        tmp_path,
        {
            "play.yaml": category_file(
                "play",
                prompt_entry("play-001", love_language="hugs"),
                prompt_entry("play-002", "Hug {partner_name}."),
            ),
            "recaps.yaml": "recaps: [unclosed\n",
            "acknowledgements.yaml": pools(support=["Nice!"]),
        },
    )

    with pytest.raises(CatalogError) as raised:
        load_catalog(directory)

    problems = raised.value.problems
    assert len(problems) == 4, problems
    assert any("play.yaml: prompt 'play-001': unknown love_language" in p for p in problems)
    assert any("play.yaml: prompt 'play-002': unknown placeholder" in p for p in problems)
    assert any(p.startswith("recaps.yaml: invalid YAML") for p in problems)
    assert any(p.startswith("acknowledgements.yaml: 1 in support") for p in problems)
    assert str(raised.value).startswith("4 problems in the message catalog:")


def test_missing_directory_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    report = check_catalog(tmp_path / "nowhere")

    assert report.problems == (f"{tmp_path / 'nowhere'}: catalog directory not found",)
    with pytest.raises(CatalogError):
        load_catalog(tmp_path / "nowhere")


def test_check_of_a_valid_catalog_reports_each_prompt_rendered_with_fallbacks(
    tmp_path: Path,
) -> None:
    report = check_catalog(write_catalog(tmp_path))

    assert report.ok
    assert report.problems == ()
    assert report.prompts[0] == PromptReport(
        prompt_id="appreciation-001",
        encoding=Encoding.GSM7,
        characters=len("Thank your partner for one thing today."),
        segments=1,
    )
    assert [p.prompt_id for p in report.prompts] == [
        "appreciation-001",
        "appreciation-002",
        "play-001",
        "play-002",
    ]


def many_prompts(count: int, ucs2_count: int) -> dict[str, FileContent]:
    """The play category with `count` short prompts, the first `ucs2_count` of them UCS-2."""
    entries = [
        prompt_entry(f"play-{n:03}", "Smile at {partner}ós joke." if n < ucs2_count else "Hi!")
        for n in range(count)
    ]
    return {"play.yaml": category_file("play", *entries)}


@pytest.mark.parametrize(
    ("changes", "expected_problem"),
    [
        (
            {"play.yaml": category_file("play", prompt_entry("play-001", "Dance! " * 50))},
            "play.yaml: prompt 'play-001': 3 segments (GSM-7, 349 septets); at most 2",
        ),
        (
            {"play.yaml": category_file("play", prompt_entry("play-001", "Danceós " * 20))},
            "play.yaml: prompt 'play-001': 3 segments (UCS-2 because of ó, 159 code units)",
        ),
        (
            many_prompts(count=36, ucs2_count=2),  # plus 2 appreciation prompts: 36 of 38 fit
            "only 36 of 38 prompts (94.7%) fit one GSM-7 segment, need 95%; the others: "
            "play-000 (UCS-2 because of ó, 29 code units), "
            "play-001 (UCS-2 because of ó, 29 code units)",
        ),
        (
            {"acknowledgements.yaml": pools(went_well=[f"Itós win {n}!" for n in range(20)])},
            "acknowledgements.yaml: went_well 'Itós win 0!': must be GSM-7 (UCS-2 because of ó",
        ),
        (
            {"acknowledgements.yaml": pools(not_yet=[f"{n} " + "w" * 158 for n in range(8)])},
            "acknowledgements.yaml: not_yet '0 wwww",
        ),
        (
            # 100 characters, then a support line of 60: the flop's answer is 161 in all.
            {
                "acknowledgements.yaml": pools(
                    went_badly=[f"{n:02} " + "w" * 97 for n in range(10)],
                    support=[f"{n} " + "s" * 58 for n in range(6)],
                )
            },
            "acknowledgements.yaml: went_badly '00 wwww",
        ),
        (
            {"recaps.yaml": recaps_with("{tries} " + "w" * 151)},
            "recaps.yaml: '{tries} www",
        ),
    ],
    ids=[
        "prompt over two GSM-7 segments",
        "prompt over two UCS-2 segments",
        "under 95% single-segment GSM-7",
        "acknowledgement not GSM-7",
        "acknowledgement over one segment",
        "acknowledgement over one segment with a support line after it",
        "recap over one segment once rendered",
    ],
)
def test_check_flags_texts_over_their_sms_budget(
    tmp_path: Path, changes: dict[str, FileContent], expected_problem: str
) -> None:
    directory = write_catalog(tmp_path, changes)

    report = check_catalog(directory)

    assert not report.ok
    assert any(expected_problem in problem for problem in report.problems), report.problems
    load_catalog(directory)  # length budgets are a check, not a reason to refuse to run


@pytest.mark.parametrize(
    ("prompt_count", "ucs2_count", "ok"),
    [(18, 1, True), (17, 1, False), (38, 2, True), (37, 2, False), (20, 0, True)],
)
def test_at_least_95_percent_of_prompts_must_fit_one_gsm7_segment(
    tmp_path: Path, prompt_count: int, ucs2_count: int, ok: bool
) -> None:
    # The two appreciation prompts are single-segment GSM-7 too.
    report = check_catalog(write_catalog(tmp_path, many_prompts(prompt_count, ucs2_count)))

    assert report.ok is ok, report.problems


@pytest.mark.parametrize(
    ("recap", "ok"),
    [
        ("{tries} " + "w" * 150, True),  # "two tries " + 150 = 160 septets
        ("{tries} " + "w" * 151, False),
        ("{partner}: {did} " + "w" * 134, True),  # "your partner: said thanks " + 134 = 160
        ("{partner}: {did} " + "w" * 135, False),
    ],
)
def test_recaps_are_measured_with_their_longest_values_and_fallbacks(
    tmp_path: Path, recap: str, ok: bool
) -> None:
    report = check_catalog(write_catalog(tmp_path, {"recaps.yaml": recaps_with(recap)}))

    assert report.ok is ok, report.problems


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        ("Hug {partner}.", {"partner": "Sam"}, "Hug Sam."),
        ("Hug {partner}.", {"partner": None}, "Hug your partner."),
        ("Hug {partner}.", {"partner": ""}, "Hug your partner."),
        ("Hug {partner}.", {"partner": "   "}, "Hug your partner."),
        ("Hug {partner}.", {"partner": " Sam "}, "Hug Sam."),
        ("Hug {partner}.", {}, "Hug your partner."),
        ("Hug {partner}.", {"partner": "{count}"}, "Hug {count}."),
        ("{count} wins with {partner}", {"count": "3"}, "3 wins with your partner"),
        ("Draw a {{heart}} for {partner}", {"partner": "Ana"}, "Draw a {heart} for Ana"),
        ("No placeholders", {"partner": "Sam"}, "No placeholders"),
    ],
)
def test_render(template: str, values: dict[str, str | None], expected: str) -> None:
    assert render(template, values, {"partner": "your partner"}) == expected


@pytest.mark.parametrize(
    "template",
    ["Hug {friend}.", "Hug {partner.", "Hug partner}.", "Hug {partner!r}.", "{count:>5}"],
)
def test_render_refuses_unknown_or_malformed_placeholders(template: str) -> None:
    with pytest.raises(ValueError):
        render(template, {"count": "3"}, {"partner": "your partner"})


@given(st.text().filter(lambda name: name.strip() != ""))
def test_render_inserts_any_name_verbatim(name: str) -> None:
    rendered = render("Hi {partner}, hug!", {"partner": name}, {"partner": "your partner"})

    assert rendered == f"Hi {smart_encoded(name.strip())}, hug!"


def test_format_report_lines() -> None:
    report = CatalogReport(
        prompts=(
            PromptReport("appreciation-001", Encoding.GSM7, 142, 1),
            PromptReport("play-12", Encoding.UCS2, 9, 2),
            PromptReport("es-play-1", Encoding.UCS2, 80, 2, "es"),
        ),
        problems=("play.yaml: prompt 'play-12': too long",),
        warnings=("es/play.yaml: prompt 'es-play-1': only 'í' makes it UCS-2",),
    )

    assert format_report(report) == [
        "appreciation-001  GSM-7  142 chars  1 segment",
        "play-12           UCS-2    9 chars  2 segments",
        "es-play-1         UCS-2   80 chars  2 segments",
        "WARNING: es/play.yaml: prompt 'es-play-1': only 'í' makes it UCS-2",
        "PROBLEM: play.yaml: prompt 'play-12': too long",
        "en: 2 prompts, 1 need UCS-2, 3 segments in all",
        "es: 1 prompts, 1 need UCS-2, 2 segments in all",
        "3 prompts, 1 (33.3%) in one GSM-7 segment, 1 problem: FAILED",
    ]


@pytest.mark.parametrize(
    ("report", "summary"),
    [
        (CatalogReport((), ()), "0 prompts, 0 in one GSM-7 segment, 0 problems: OK"),
        (
            CatalogReport((PromptReport("a", Encoding.GSM7, 5, 1),), ()),
            "1 prompts, 1 (100.0%) in one GSM-7 segment, 0 problems: OK",
        ),
        (
            CatalogReport((), ("x", "y")),
            "0 prompts, 0 in one GSM-7 segment, 2 problems: FAILED",
        ),
    ],
)
def test_format_report_ends_with_a_summary(report: CatalogReport, summary: str) -> None:
    lines = format_report(report)

    assert lines[-1] == summary
    languages = {prompt.language for prompt in report.prompts}  # a line each
    assert len(lines) == len(report.prompts) + len(report.problems) + len(languages) + 1


def test_catalog_equality_ignores_the_lookup_index() -> None:
    prompt = Prompt("a-1", "a", "Hi", None, ())
    first = Catalog((prompt,), {"a": "A"}, {}, {}, ())
    second = Catalog((prompt,), {"a": "A"}, {}, {}, ())

    assert first == second
    assert first.prompt("a-1") is prompt


def test_the_real_catalog_passes_the_check_once_written() -> None:
    report = check_catalog(REAL_CATALOG)

    if (REAL_CATALOG / "categories.yaml").exists():
        assert report.ok, "\n".join(report.problems)
        catalog = load_catalog(REAL_CATALOG)
        languages = [catalog, *catalog.translations.values()]
        assert len(report.prompts) == sum(len(language.prompts) for language in languages)
    else:
        # Content not written yet: the check must say so rather than pass or crash.
        assert not report.ok


def test_acknowledgements_read_well_before_the_progress_sentence() -> None:
    """The progress sentence starts "That's three tries..."; an acknowledgement starting the
    same way would read "That's lovely. That's three tries this week."."""
    catalog = load_catalog(REAL_CATALOG)
    texts = [text for pool in catalog.acknowledgements.values() for text in pool]
    assert [text for text in texts if text.startswith("That")] == []


def test_every_kind_of_reply_but_a_question_has_a_pool() -> None:
    pools_named = {tone.value for tone in ReplyTone if tone is not ReplyTone.SERVICE_QUESTION}
    assert pools_named | {SUPPORT_POOL} == set(ACKNOWLEDGEMENT_POOLS)
