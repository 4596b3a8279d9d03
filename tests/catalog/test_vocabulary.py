"""Keywords of other languages: read from a language folder, and a new language needs no code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from service.app import PROJECT_ROOT
from service.catalog import CatalogError, load_catalog
from service.catalog.vocabulary import read_vocabulary
from service.conversation.intents import IntentKind, parse_intent

MESSAGES = PROJECT_ROOT / "messages"


def test_spanish_keywords_are_read_from_their_folder() -> None:
    problems: list[str] = []
    spanish = read_vocabulary(MESSAGES / "es", "es", problems)
    assert problems == [] and spanish is not None
    assert "alto" in spanish.opt_out and "no mas" in spanish.opt_out
    assert spanish.in_english("pausa 3 dias") == "pause 3 days"
    assert spanish.in_english("hora 19:30") == "time 19:30"
    assert spanish.in_english("hola") is None
    assert spanish.is_stop_sentence("ya no quiero mensajes")
    assert not spanish.is_stop_sentence("no puedo parar de sonreir")


def test_a_broken_keywords_file_is_reported_not_guessed(tmp_path: Path) -> None:
    folder = tmp_path / "es"
    shutil.copytree(MESSAGES / "es", folder)
    keywords = yaml.safe_load((folder / "keywords.yaml").read_text("utf-8"))
    keywords["commands"]["dormir"] = "sleep"
    keywords["stop_sentences"].append("(unclosed")
    (folder / "keywords.yaml").write_text(yaml.safe_dump(keywords), "utf-8")
    problems: list[str] = []
    assert read_vocabulary(folder, "es", problems) is None
    assert any("unknown command 'sleep'" in problem for problem in problems)
    assert any("stop sentence" in problem for problem in problems)


def test_a_new_language_goes_in_as_a_folder_without_code(tmp_path: Path) -> None:
    catalog_folder = tmp_path / "messages"
    shutil.copytree(MESSAGES, catalog_folder)
    french = catalog_folder / "fr"
    shutil.copytree(catalog_folder / "es", french)
    keywords = yaml.safe_load((french / "keywords.yaml").read_text("utf-8"))
    keywords["opt_out"] = ["arret", "arreter"]
    keywords["language"] = ["francais"]
    (french / "keywords.yaml").write_text(yaml.safe_dump(keywords), "utf-8")

    catalog = load_catalog(catalog_folder)

    assert catalog.languages == ("en", "es", "fr")
    intent = parse_intent("ARRÊT", catalog.vocabularies)
    assert (intent.kind, intent.language) == (IntentKind.OPT_OUT, "fr")
    assert parse_intent("Français", catalog.vocabularies).language == "fr"
    assert catalog.in_language("fr").replies is not None


def test_a_language_folder_without_keywords_is_refused(tmp_path: Path) -> None:
    catalog_folder = tmp_path / "messages"
    shutil.copytree(MESSAGES, catalog_folder)
    (catalog_folder / "es" / "keywords.yaml").unlink()
    with pytest.raises(CatalogError) as refused:
        load_catalog(catalog_folder)
    assert any("es/keywords.yaml" in problem for problem in refused.value.problems)
