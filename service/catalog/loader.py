"""Load and check the prompt catalog: plain YAML files that an editor changes by hand.

Layout of the catalog directory: its files are the default language's (English), and each
subfolder with the same files (``es/``...) is another language, named by the folder.

* ``categories.yaml``: ``{categories: {<id>: {label: str, description: str}}}``
* ``<category>.yaml`` for each category: ``{category: <id>, prompts: [{id, text,
  love_language?, tags?}]}``; the file name must equal the category id.
* ``placeholders.yaml``: ``{placeholders: {<name>: <fallback text>}}``
* ``acknowledgements.yaml``: ``{acknowledgements: {<pool>: [str, ...]}}``, the answers to a
  member's reply, a pool for each kind of reply and one of support lines (ACKNOWLEDGEMENT_POOLS
  names them with the fewest texts each needs); plain texts, no placeholders
* ``recaps.yaml``: the weekly recap's templates and words (service/catalog/recaps.py)
* ``replies.yaml``: every system reply (service/catalog/reply_texts.py)
* ``keywords.yaml``, in a language folder: how texters say the keywords in that language
  (service/catalog/vocabulary.py); English's are the contract's, in the parser
* ``safety_resources.yaml``: the reply to a text that shows danger (service/safety/resources.py);
  one file, at the top, for every language

Validation collects every problem before reporting, so an editor fixes a file in one
pass. Texts are stripped of surrounding whitespace on load (YAML block scalars leave a
trailing newline that would otherwise be sent). YAML mappings with a repeated key are an
error instead of silently keeping the last value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter
from types import MappingProxyType
from typing import Final, TypeGuard

from service.catalog.recaps import RECAPS_FILE, Recaps, read_recaps
from service.catalog.reply_texts import REPLIES_FILE, ReplyTexts, read_reply_texts
from service.catalog.shared import SHARED_QUESTIONS_FILE, SharedQuestion, read_shared_questions
from service.catalog.traits import (
    DEPTH_ORDER,
    TRAIT_KEYS,
    Depth,
    Traits,
    read_traits,
    series_problems,
)
from service.catalog.vocabulary import KEYWORDS_FILE, read_vocabulary
from service.catalog.yaml_files import UNREADABLE, placeholder_problems, read_yaml
from service.conversation.vocabulary import Vocabulary
from service.safety.resources import (
    DEFAULT_LANGUAGE,
    RESOURCES_FILE,
    SafetyResources,
    read_resources,
)
from service.sms_encoding import smart_encoded

LOVE_LANGUAGES: Final = ("words", "time", "touch", "acts", "gifts")

CATEGORIES_FILE: Final = "categories.yaml"
PLACEHOLDERS_FILE: Final = "placeholders.yaml"
ACKNOWLEDGEMENTS_FILE: Final = "acknowledgements.yaml"
RESERVED_FILES: Final = frozenset(
    {
        REPLIES_FILE,
        KEYWORDS_FILE,
        SHARED_QUESTIONS_FILE,
        CATEGORIES_FILE,
        PLACEHOLDERS_FILE,
        ACKNOWLEDGEMENTS_FILE,
        RECAPS_FILE,
        RESOURCES_FILE,
    }
)

# Each kind of reply (service/conversation/tone.py, but for a question to the service, which
# gets an answer instead) has its own pool, with the fewest texts that keep it from feeling
# canned; "support" lines follow an acknowledgement after several flops in a row.
ACKNOWLEDGEMENT_POOLS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "went_well": 20,
        "went_badly": 10,
        "mixed": 8,
        "not_yet": 8,
        "hard_moment": 8,
        "neutral": 10,
        "support": 6,
    }
)
SUPPORT_POOL: Final = "support"
MAX_PROMPT_SEGMENTS: Final = 2
MIN_SINGLE_SEGMENT_GSM7_PERCENT: Final = 95

_PROMPT_KEYS: Final = frozenset({"id", "text", "love_language", "tags", *TRAIT_KEYS})
_CATEGORY_KEYS: Final = frozenset({"label", "description"})


@dataclass(frozen=True)
class Prompt:
    id: str
    category: str
    text: str
    love_language: str | None
    tags: tuple[str, ...]
    traits: Traits = field(default_factory=Traits)

    @property
    def idea(self) -> str:
        """Rewordings of one idea share it; a prompt without one is an idea of its own."""
        return self.traits.idea or self.id


@dataclass(frozen=True, slots=True)
class PromptIndex:
    """What choose_prompt needs of a catalog's prompts, computed once (Catalog.prompt_index)."""

    prompts: tuple[Prompt, ...]
    # id -> category; with a repeated id the last prompt wins, as the rotation has always read it.
    category_of: Mapping[str, str]
    # id -> the categories of every prompt with that id (one entry per prompt).
    categories_of_id: Mapping[str, tuple[str, ...]]
    # category -> its prompts in catalog order, which fixes what each rng draw picks.
    by_category: Mapping[str, tuple[Prompt, ...]]
    categories: tuple[str, ...]  # sorted
    distinct_ids: int
    by_id: Mapping[str, Prompt]  # with a repeated id, the last prompt
    series_depth: Mapping[str, Depth]  # a series' deepest part

    @classmethod
    def of(cls, prompts: tuple[Prompt, ...]) -> PromptIndex:
        categories_of_id: dict[str, list[str]] = {}
        by_category: dict[str, list[Prompt]] = {}
        series_depth: dict[str, Depth] = {}
        for prompt in prompts:
            categories_of_id.setdefault(prompt.id, []).append(prompt.category)
            by_category.setdefault(prompt.category, []).append(prompt)
            if (series := prompt.traits.series) is not None:
                depth = series_depth.get(series, Depth.LIGHT)
                series_depth[series] = max(depth, prompt.traits.depth, key=DEPTH_ORDER.index)
        return cls(
            prompts=prompts,
            category_of={prompt.id: prompt.category for prompt in prompts},
            categories_of_id={key: tuple(value) for key, value in categories_of_id.items()},
            by_category={key: tuple(value) for key, value in by_category.items()},
            categories=tuple(sorted(by_category)),
            distinct_ids=len(categories_of_id),
            by_id=MappingProxyType({prompt.id: prompt for prompt in prompts}),
            series_depth=MappingProxyType(series_depth),
        )


@dataclass(frozen=True)
class Catalog:
    prompts: tuple[Prompt, ...]
    categories: Mapping[str, str]  # id -> label
    fallbacks: Mapping[str, str]  # placeholder name -> text used when no value is known
    acknowledgements: Mapping[str, tuple[str, ...]]  # ACKNOWLEDGEMENT_POOLS' names -> texts
    recaps: Recaps | None  # None only in catalogs built by hand, as tests do
    safety_resources: SafetyResources | None = None
    language: str = DEFAULT_LANGUAGE
    replies: ReplyTexts | None = None  # None only in catalogs built by hand, as tests do
    # Other languages, each a catalog of its own folder (messages/<language>/).
    translations: Mapping[str, Catalog] = field(default_factory=dict)
    vocabulary: Vocabulary | None = None  # a translation's keywords (keywords.yaml)
    shared_questions: tuple[SharedQuestion, ...] = ()  # for paired members
    prompt_index: PromptIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Read-only views, so a shared Catalog cannot be changed by one of its users.
        object.__setattr__(self, "categories", MappingProxyType(dict(self.categories)))
        object.__setattr__(self, "fallbacks", MappingProxyType(dict(self.fallbacks)))
        acknowledgements = MappingProxyType(dict(self.acknowledgements))
        object.__setattr__(self, "acknowledgements", acknowledgements)
        object.__setattr__(self, "prompt_index", PromptIndex.of(tuple(self.prompts)))

    def prompt(self, prompt_id: str) -> Prompt | None:
        return self.prompt_index.by_id.get(prompt_id)

    @property
    def vocabularies(self) -> tuple[Vocabulary, ...]:
        """Every other language's keywords, for the parser."""
        found = (catalog.vocabulary for catalog in self.translations.values())
        return tuple(vocabulary for vocabulary in found if vocabulary is not None)

    @property
    def languages(self) -> tuple[str, ...]:
        return (self.language, *sorted(self.translations))

    def in_language(self, language: str | None) -> Catalog:
        """This catalog's content in `language`, or in its own language if it has none."""
        if language is None or language == self.language:
            return self
        return self.translations.get(language, self)

    def reply_texts(self) -> ReplyTexts:
        """The texts the conversation answers with; a catalog without them cannot answer."""
        if self.replies is None:
            raise ValueError("this catalog has no replies.yaml: it cannot answer texts")
        return self.replies


class CatalogError(Exception):
    """The catalog cannot be used; `problems` lists every problem found, one per entry."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = len(problems)
        heading = f"{count} problem{'' if count == 1 else 's'} in the message catalog:"
        super().__init__("\n  - ".join([heading, *problems]))


# --- rendering ---------------------------------------------------------------------------


def render(template: str, values: Mapping[str, str | None], fallbacks: Mapping[str, str]) -> str:
    """Fill `{name}` placeholders; a missing, None or blank value uses the fallback.

    Values are inserted verbatim (never re-parsed), so a name containing braces is safe. The
    result is smart-encoded (curly quotes and the like become GSM-7), as Twilio sends it.
    Raises ValueError for malformed braces, a format spec or conversion, or a placeholder
    with neither a value nor a fallback.
    """
    pieces: list[str] = []
    for literal, name, format_spec, conversion in Formatter().parse(template):
        pieces.append(literal)
        if name is None:
            continue
        if format_spec or conversion:
            raise ValueError(f"placeholder {{{name}}} must not have a format spec or conversion")
        value = values.get(name)
        if value is not None and value.strip():
            pieces.append(value.strip())
        elif name in fallbacks:
            pieces.append(fallbacks[name])
        else:
            raise ValueError(f"no value and no fallback for placeholder {{{name}}}")
    return smart_encoded("".join(pieces))


def _read_top_mapping(path: Path, key: str, problems: list[str]) -> object | None:
    """The value under the single top-level `key` of `path`, None after recording problems."""
    content = read_yaml(path, problems)
    if content is UNREADABLE:
        return None
    if content is None:
        problems.append(f"{path.name}: file is empty (expected '{key}:')")
        return None
    if not isinstance(content, dict):
        problems.append(f"{path.name}: expected a mapping with '{key}:' at the top")
        return None
    for unknown in sorted(str(k) for k in content if k != key):
        problems.append(f"{path.name}: unknown key '{unknown}'")
    if key not in content:
        problems.append(f"{path.name}: missing '{key}:'")
        return None
    value: object = content[key]
    return value


def shortened(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _is_filled_string(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value.strip())


# --- the individual files ----------------------------------------------------------------


def _read_categories(directory: Path, problems: list[str]) -> dict[str, str] | None:
    """Category id -> label; None when the file itself is unusable."""
    value = _read_top_mapping(directory / CATEGORIES_FILE, "categories", problems)
    if value is None:
        return None
    if not isinstance(value, dict) or not value:
        problems.append(f"{CATEGORIES_FILE}: 'categories' must map category ids to details")
        return None
    categories: dict[str, str] = {}
    for category_id, details in value.items():
        where = f"{CATEGORIES_FILE}: category '{category_id}'"
        if not _is_filled_string(category_id):
            problems.append(f"{where}: the id must be a non-empty string")
            continue
        if not isinstance(details, dict):
            problems.append(f"{where}: expected 'label' and 'description'")
            continue
        for unknown in sorted(str(k) for k in details if k not in _CATEGORY_KEYS):
            problems.append(f"{where}: unknown key '{unknown}'")
        for required in sorted(_CATEGORY_KEYS):
            if not _is_filled_string(details.get(required)):
                problems.append(f"{where}: '{required}' must be a non-empty string")
        label = details.get("label")
        categories[category_id] = label.strip() if isinstance(label, str) else category_id
    return categories


def _read_fallbacks(directory: Path, problems: list[str]) -> dict[str, str] | None:
    """Placeholder name -> fallback text; None when the file itself is unusable."""
    value = _read_top_mapping(directory / PLACEHOLDERS_FILE, "placeholders", problems)
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.append(f"{PLACEHOLDERS_FILE}: 'placeholders' must map names to fallback text")
        return None
    fallbacks: dict[str, str] = {}
    for name, fallback in value.items():
        if not isinstance(name, str) or not name.isidentifier():
            problems.append(f"{PLACEHOLDERS_FILE}: '{name}' is not a valid placeholder name")
        elif not _is_filled_string(fallback):
            problems.append(f"{PLACEHOLDERS_FILE}: placeholder {{{name}}} has no fallback text")
            # Still a known name, so prompts using it are not reported a second time.
            fallbacks[name] = ""
        else:
            fallbacks[name] = fallback.strip()
    return fallbacks


def _read_text_list(
    directory: Path, file_name: str, key: str, problems: list[str]
) -> list[tuple[int, str]] | None:
    """Non-empty texts under `key` with their 1-based positions; None if the file is unusable."""
    value = _read_top_mapping(directory / file_name, key, problems)
    if value is None:
        return None
    if not isinstance(value, list):
        problems.append(f"{file_name}: '{key}' must be a list of texts")
        return None
    return _distinct_texts(value, f"{file_name}:", set(), problems)


def _distinct_texts(
    items: list[object], where: str, seen: set[str], problems: list[str]
) -> list[tuple[int, str]]:
    """The non-empty texts of `items`, stripped, with their 1-based positions, each text once
    (`seen` holds the texts read before, and takes these)."""
    texts: list[tuple[int, str]] = []
    for position, item in enumerate(items, start=1):
        if not _is_filled_string(item):
            problems.append(f"{where} item {position} must be a non-empty text")
            continue
        text = item.strip()
        if text in seen:
            problems.append(f"{where} item {position} repeats {shortened(text)}")
            continue
        seen.add(text)
        texts.append((position, text))
    return texts


def _read_acknowledgements(directory: Path, problems: list[str]) -> dict[str, tuple[str, ...]]:
    """Each pool's plain texts: no placeholders, none repeated, enough of each for variety."""
    name = ACKNOWLEDGEMENTS_FILE
    value = _read_top_mapping(directory / name, "acknowledgements", problems)
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(f"{name}: 'acknowledgements' must map each pool to a list of texts")
        return {}
    problems.extend(
        f"{name}: unknown pool '{pool}' (expected {', '.join(ACKNOWLEDGEMENT_POOLS)})"
        for pool in value
        if pool not in ACKNOWLEDGEMENT_POOLS
    )
    pools: dict[str, tuple[str, ...]] = {}
    seen: set[str] = set()
    for pool, minimum in ACKNOWLEDGEMENT_POOLS.items():
        texts = value.get(pool)
        if not isinstance(texts, list):
            problems.append(f"{name}: pool '{pool}' is missing (a list of texts)")
            continue
        kept = _distinct_texts(texts, f"{name}: {pool}", seen, problems)
        problems.extend(
            f"{name}: {pool} item {position} {shortened(text)}: cannot use placeholders or braces"
            for position, text in kept
            if "{" in text or "}" in text
        )
        if len(kept) < minimum:
            problems.append(
                f"{name}: {len(kept)} in {pool}, need at least {minimum} so replies do not "
                "feel canned"
            )
        pools[pool] = tuple(text for _, text in kept)
    return pools


def _read_prompt(
    entry: object,
    position: int,
    path: Path,
    fallbacks: Mapping[str, str] | None,
    problems: list[str],
) -> Prompt | None:
    """One prompt entry, recording its problems.

    Returns None only when the id or text is unusable; a prompt with other problems is
    still returned (so the check can measure its length) with the bad field left out.
    """
    if not isinstance(entry, dict):
        problems.append(f"{path.name}: prompt #{position}: expected a mapping with id and text")
        return None
    prompt_id = entry.get("id")
    id_ok = _is_filled_string(prompt_id) and not any(c.isspace() for c in prompt_id)
    where = f"{path.name}: prompt '{prompt_id}'" if id_ok else f"{path.name}: prompt #{position}"
    if not id_ok:
        problems.append(f"{where}: 'id' must be a non-empty string without spaces")
    for unknown in sorted(str(k) for k in entry if k not in _PROMPT_KEYS):
        problems.append(f"{where}: unknown key '{unknown}'")

    text = entry.get("text")
    text_problems = (
        placeholder_problems(text, fallbacks)
        if _is_filled_string(text)
        else ["'text' must be a non-empty string"]
    )
    problems.extend(f"{where}: {problem}" for problem in text_problems)

    love_language = entry.get("love_language")
    if love_language is not None and love_language not in LOVE_LANGUAGES:
        problems.append(
            f"{where}: unknown love_language {love_language!r} "
            f"(expected one of {', '.join(LOVE_LANGUAGES)})"
        )
        love_language = None

    tags = entry.get("tags", [])
    if not isinstance(tags, list) or not all(_is_filled_string(tag) for tag in tags):
        problems.append(f"{where}: 'tags' must be a list of non-empty strings")
        tags = []

    traits = read_traits(entry, where, problems)
    if not isinstance(prompt_id, str) or not id_ok or not isinstance(text, str) or text_problems:
        return None
    return Prompt(
        id=prompt_id,
        category=path.stem,
        text=text.strip(),
        love_language=love_language,
        tags=tuple(tag.strip() for tag in tags),
        traits=traits,
    )


def _read_category_file(
    path: Path,
    categories: Mapping[str, str] | None,
    fallbacks: Mapping[str, str] | None,
    problems: list[str],
) -> list[Prompt]:
    content = read_yaml(path, problems)
    if content is UNREADABLE:
        return []
    if content is None:
        problems.append(f"{path.name}: file is empty (expected 'category:' and 'prompts:')")
        return []
    if not isinstance(content, dict):
        problems.append(f"{path.name}: expected a mapping with 'category:' and 'prompts:'")
        return []
    for unknown in sorted(str(k) for k in content if k not in ("category", "prompts")):
        problems.append(f"{path.name}: unknown key '{unknown}'")

    declared = content.get("category")
    if declared is None:
        problems.append(f"{path.name}: missing 'category: {path.stem}'")
    elif declared != path.stem:
        problems.append(
            f"{path.name}: says 'category: {declared}' but the file name needs it to be "
            f"'{path.stem}'"
        )
    if categories is not None and path.stem not in categories:
        problems.append(f"{path.name}: unknown category '{path.stem}' (not in {CATEGORIES_FILE})")

    entries = content.get("prompts")
    if not isinstance(entries, list) or not entries:
        problems.append(f"{path.name}: 'prompts' must be a non-empty list of prompts")
        return []
    prompts = [
        _read_prompt(entry, position, path, fallbacks, problems)
        for position, entry in enumerate(entries, start=1)
    ]
    usable = [prompt for prompt in prompts if prompt is not None]
    problems.extend(series_problems(usable, path.name))
    return usable


@dataclass(frozen=True)
class ReadResult:
    """Everything that could be read, plus every problem; usable prompts only."""

    catalog: Catalog
    problems: tuple[str, ...]


def _category_file_order(path: Path, categories: Mapping[str, str] | None) -> tuple[int, str]:
    categories = categories or {}
    order = list(categories)
    return (order.index(path.stem) if path.stem in categories else len(order), path.name)


def read_catalog(directory: Path, language: str = DEFAULT_LANGUAGE) -> ReadResult:
    """One language's catalog: `directory` itself for the default language, with every
    subfolder that has a categories file as another language."""
    problems: list[str] = []
    if not directory.is_dir():
        problems.append(f"{directory}: catalog directory not found")
        return ReadResult(Catalog((), {}, {}, {}, None), tuple(problems))

    categories = _read_categories(directory, problems)
    fallbacks = _read_fallbacks(directory, problems)
    acknowledgements = _read_acknowledgements(directory, problems)
    recaps = read_recaps(directory, set(categories or {}), fallbacks or {}, problems)
    replies = read_reply_texts(directory, problems)
    # One resources file for every language: it holds each country's lines per language.
    is_default = language == DEFAULT_LANGUAGE
    safety_resources = read_resources(directory, problems) if is_default else None

    problems.extend(
        f"{path.name}: use the .yaml extension so the catalog picks it up"
        for path in sorted(directory.glob("*.yml"))
    )
    category_files = sorted(
        (path for path in directory.glob("*.yaml") if path.name not in RESERVED_FILES),
        key=lambda path: _category_file_order(path, categories),
    )
    prompts: list[Prompt] = []
    file_of_id: dict[str, str] = {}
    for path in category_files:
        for prompt in _read_category_file(path, categories, fallbacks, problems):
            if prompt.id in file_of_id:
                problems.append(
                    f"{path.name}: prompt '{prompt.id}': duplicate id "
                    f"(also in {file_of_id[prompt.id]})"
                )
            else:
                file_of_id[prompt.id] = path.name
            prompts.append(prompt)

    files_present = {path.stem for path in category_files}
    for category_id in categories or {}:
        if category_id not in files_present:
            problems.append(
                f"{CATEGORIES_FILE}: category '{category_id}' has no prompts file "
                f"({category_id}.yaml)"
            )

    catalog = Catalog(
        prompts=tuple(prompts),
        categories=categories or {},
        fallbacks=fallbacks or {},
        acknowledgements=acknowledgements,
        recaps=recaps,
        safety_resources=safety_resources,
        language=language,
        replies=replies,
        translations=_read_translations(directory, problems) if is_default else {},
        vocabulary=None if is_default else read_vocabulary(directory, language, problems),
        shared_questions=read_shared_questions(directory, problems),
    )
    return ReadResult(catalog, tuple(problems))


def _read_translations(directory: Path, problems: list[str]) -> dict[str, Catalog]:
    """Each language folder's catalog; their problems are named after the folder."""
    translations: dict[str, Catalog] = {}
    for folder in sorted(directory.iterdir()):
        if not (folder / CATEGORIES_FILE).is_file():
            continue
        result = read_catalog(folder, folder.name)
        problems.extend(f"{folder.name}/{problem}" for problem in result.problems)
        translations[folder.name] = result.catalog
    return translations


# --- public entry points -----------------------------------------------------------------


def load_catalog(directory: Path) -> Catalog:
    """The catalog in `directory`; raises CatalogError listing every problem found."""
    result = read_catalog(directory)
    if result.problems:
        raise CatalogError(list(result.problems))
    return result.catalog
