"""The prompt catalog: loading and checking the YAML content, and choosing what to send."""

from service.catalog.check import CatalogReport, PromptReport, check_catalog, format_report
from service.catalog.choice import choose_acknowledgement, choose_prompt
from service.catalog.loader import (
    ACKNOWLEDGEMENT_POOLS,
    LOVE_LANGUAGES,
    Catalog,
    CatalogError,
    Prompt,
    load_catalog,
    render,
)

__all__ = [
    "ACKNOWLEDGEMENT_POOLS",
    "LOVE_LANGUAGES",
    "Catalog",
    "CatalogError",
    "CatalogReport",
    "Prompt",
    "PromptReport",
    "check_catalog",
    "choose_acknowledgement",
    "choose_prompt",
    "format_report",
    "load_catalog",
    "render",
]
