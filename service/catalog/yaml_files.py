"""Reading the catalog's YAML files: strict about repeated keys, and about placeholders."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from string import Formatter
from typing import Any, Final

import yaml

try:
    from yaml import CSafeLoader as _SafeLoaderBase  # libyaml: about 8x faster
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoaderBase  # type: ignore[assignment]


def placeholder_problems(template: str, allowed_names: Iterable[str] | None) -> list[str]:
    """Why `template` cannot be rendered with only `allowed_names`, empty when it can.

    With `allowed_names` None (placeholders.yaml unreadable) only the syntax is checked,
    so one broken file does not bury the report under "unknown placeholder" lines.
    """
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in Formatter().parse(template)
            if name is not None
        ]
    except ValueError as error:
        return [f"malformed braces ({error}); write {{{{ or }}}} for a literal brace"]
    allowed = None if allowed_names is None else sorted(set(allowed_names))
    problems: list[str] = []
    for name, spec, conversion in fields:
        if not name.isidentifier():
            problems.append(f"placeholder {{{name}}} must be a plain name like {{partner}}")
        elif spec or conversion:
            written = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            problems.append(f"placeholder {{{written}}} must be written plainly as {{{name}}}")
        elif allowed is not None and name not in allowed:
            known = ", ".join(f"{{{known_name}}}" for known_name in allowed) or "none"
            problems.append(f"unknown placeholder {{{name}}} (known: {known})")
    return problems


class _StrictYamlLoader(_SafeLoaderBase):
    """Safe YAML that rejects a mapping key written twice (YAML would keep only the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key_node.value!r}", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


# Returned by read_yaml when the file could not be parsed (None means an empty file).
UNREADABLE: Final = object()


def read_yaml(path: Path, problems: list[str]) -> object:
    """Parsed content of `path`, or UNREADABLE after recording why it could not be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(f"{path.name}: file is missing")
        return UNREADABLE
    except (OSError, UnicodeDecodeError) as error:
        problems.append(f"{path.name}: cannot read file ({error})")
        return UNREADABLE
    try:
        return yaml.load(text, Loader=_StrictYamlLoader)  # a SafeLoader: no arbitrary objects
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problems.append(f"{path.name}: invalid YAML: {error.problem}{where}")
    except yaml.YAMLError as error:
        problems.append(f"{path.name}: invalid YAML: {error}")
    return UNREADABLE
