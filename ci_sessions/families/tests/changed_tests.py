"""Which tests of a changed test module changed, for affected-test selection: the tests
whose own code changed, or every test of the module when what they share changed (its
module-level code, a fixture or helper it defines, a class's set-up). Pure."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

from ci_sessions.families.tests.fingerprints import FileFingerprint, fingerprint


def node_key(test_id: str) -> str:
    """`tests/a.py::TestBox::test_size[2]` -> `tests/a.py::TestBox.test_size`: the test's
    function as the module's fingerprint names it (parameters left out)."""
    path, _, rest = test_id.partition("::")
    return f"{path}::{rest.partition('[')[0].replace('::', '.')}"


def is_test_module(path: str) -> bool:
    name = PurePosixPath(path).name
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def fingerprints_of(tests: Iterable[str], read: Callable[[str], str]) -> dict[str, FileFingerprint]:
    """The fingerprints of the test modules the tests live in."""
    found = {}
    for path in sorted({test.split("::")[0] for test in tests}):
        if not is_test_module(path):
            continue
        try:
            made = fingerprint(read(path))
        except OSError:
            continue  # gone since the run: a change of it runs its tests, as without a map
        if made is not None:
            found[path] = made
    return found


def changed_tests(path: str, before: FileFingerprint | None, text: str) -> set[str] | None:
    """The node keys (`path::name`) of the tests whose code changed, or that read a
    module-level constant that changed; None when every test of the module must run (no
    fingerprint of it in the map, it does not parse, its module-level code changed, a
    constant read at import changed, or a function that is not a test changed: a fixture
    or a helper any of its tests may use)."""
    now = fingerprint(text)
    if before is None or now is None or now.skeleton != before.skeleton:
        return None
    constants = {
        name
        for name in before.constants.keys() | now.constants.keys()
        if before.constants.get(name) != now.constants.get(name)
    }
    if constants & (before.module_reads | now.module_reads):
        return None  # read at import: a decorator's argument, a parametrization
    changed = {
        key
        for key in before.functions.keys() | now.functions.keys()
        if key not in now.functions
        or key not in before.functions
        or now.functions[key].digest != before.functions[key].digest
        or now.functions[key].reads & constants
    }
    if any(not key.split("#")[0].rsplit(".", 1)[-1].startswith("test") for key in changed):
        return None
    return {f"{path}::{key.split('#')[0]}" for key in changed}
