"""The project's own Neo4j launcher (graphsvc/ops/localdb.py): which Java it runs on.

The server needs Java 21 or newer while a machine's default Java may be older (these
machines default to 17 with a Temurin 25 beside it), so the launcher looks past the
default. Fake `java` scripts that print a version stand in for JDKs here; every other
test runs the real server on the Java this picks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.ops import localdb


def fake_java(home: Path, version: str) -> Path:
    """A JDK home whose bin/java prints `version` the way `java -version` does."""
    java = home / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f'#!/bin/sh\necho \'openjdk version "{version}" 2026-04-21\' >&2\n')
    java.chmod(0o755)
    return java


@pytest.fixture
def jdks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No Java but the fakes: an empty PATH, no JAVA_HOME, JDKs only under tmp_path/jvm."""
    for name in ("GRAPHSVC_JAVA", "JAVA_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    monkeypatch.setattr(localdb, "JDKS", tmp_path / "jvm")
    localdb._java_binary.cache_clear()
    yield tmp_path / "jvm"
    localdb._java_binary.cache_clear()


@pytest.mark.parametrize(("printed", "major"), [("25.0.3", 25), ("21", 21), ("17.0.15", 17), ("1.8.0_402", 8),
                                                 ("garbage", 0)])
def test_the_major_version_is_read_from_what_java_prints(tmp_path: Path, printed: str, major: int):
    assert localdb._java_major(str(fake_java(tmp_path / "jdk", printed))) == major


def test_an_older_default_java_is_passed_over_for_the_newest_installed(jdks: Path, monkeypatch):
    default = fake_java(jdks.parent / "default", "17.0.15")
    monkeypatch.setenv("JAVA_HOME", str(default.parent.parent))
    fake_java(jdks / "java-17-openjdk-amd64", "17.0.15")
    fake_java(jdks / "temurin-21-jdk-amd64", "21.0.9")
    newest = fake_java(jdks / "temurin-25-jdk-amd64", "25.0.3")
    assert localdb._java_binary() == str(newest)


def test_a_java_named_by_the_operator_is_used_when_new_enough(jdks: Path, monkeypatch):
    chosen = fake_java(jdks.parent / "chosen", "21.0.9")
    fake_java(jdks / "temurin-25-jdk-amd64", "25.0.3")
    monkeypatch.setenv("GRAPHSVC_JAVA", str(chosen))
    assert localdb._java_binary() == str(chosen)


def test_without_a_new_enough_java_the_launcher_says_what_to_set(jdks: Path):
    fake_java(jdks / "java-17-openjdk-amd64", "17.0.15")
    with pytest.raises(SystemExit, match="Java 21 or newer.*GRAPHSVC_JAVA or JAVA_HOME"):
        localdb._java_binary()
