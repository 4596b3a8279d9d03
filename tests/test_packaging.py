"""What ships: the installed package and the Docker image hold the service, not test code.

The wheel is not built here: offline, pip can only build it without isolation, with the
virtualenv's own setuptools, which may be older than pyproject.toml asks for and lack
bdist_wheel. So the package list comes from the same discovery the build runs, driven by
pyproject.toml's [tool.setuptools.packages.find].
"""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path

import setuptools

REPO_ROOT = Path(__file__).resolve().parents[1]
TEST_ONLY_MODULE = "fake_twilio"
TEST_ONLY_CLASS = "class FakeTwilio"


def shipped_packages() -> dict[str, Path]:
    """Each package the build would put in the wheel, with its directory."""
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    find = config["tool"]["setuptools"]["packages"]["find"]
    # pyproject.toml's default, unlike setup.py's: directories without __init__.py count.
    discover = (
        setuptools.find_namespace_packages
        if find.get("namespaces", True)
        else setuptools.find_packages
    )
    packages: dict[str, Path] = {}
    for where in find.get("where", ["."]):
        root = REPO_ROOT / where
        for name in discover(
            where=str(root), include=find.get("include", ["*"]), exclude=find.get("exclude", [])
        ):
            packages[name] = root.joinpath(*name.split("."))
    return packages


def test_the_package_holds_the_service_and_no_test_code() -> None:
    packages = shipped_packages()

    assert "service" in packages and "service.transport" in packages
    assert not [name for name in packages if name.split(".")[0] in {"tests", "bench"}]
    modules = [path for directory in packages.values() for path in directory.glob("*.py")]
    assert len(modules) > 20
    assert not [path for path in modules if path.stem == TEST_ONLY_MODULE]
    assert not [path for path in modules if TEST_ONLY_CLASS in path.read_text()]


def context_sources(dockerfile: str) -> list[str]:
    """What the Dockerfile's COPY and ADD instructions take from the build context."""
    sources: list[str] = []
    for line in dockerfile.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if not words or words[0].upper() not in {"COPY", "ADD"}:
            continue
        if any(word.startswith("--from=") for word in words[1:]):
            continue  # from another build stage, not from the context
        arguments = [word for word in words[1:] if not word.startswith("--")]
        sources += arguments[:-1]  # the last one is the destination
    return sources


def test_the_image_copies_only_the_service_and_its_messages() -> None:
    sources = context_sources((REPO_ROOT / "Dockerfile").read_text())

    directories = {source.rstrip("/") for source in sources if (REPO_ROOT / source).is_dir()}
    assert directories == {"service", "messages"}
    files = {source for source in sources if (REPO_ROOT / source).is_file()}
    assert files <= {"pyproject.toml", "README.md"}
    assert len(directories) + len(files) == len(sources)  # no globs or missing paths


def test_context_sources_reads_copy_and_add_but_not_other_stages() -> None:
    dockerfile = (
        "FROM python:3.11-slim\n"
        "COPY --chown=app:app pyproject.toml README.md ./\n"
        "ADD service \\\n    ./service\n"
        "COPY --from=builder /wheels /wheels\n"
        "RUN cp tests /tmp  # not a copy from the context\n"
    )

    assert context_sources(dockerfile) == ["pyproject.toml", "README.md", "service"]
