"""Statements are files with known parameters, and code passes them nothing but parameters.

A static proof over the source: every statement the service, the tools and the bench
send is a `cypher/` file named as `S.<folder>.<file>`, every call site's keywords are
exactly that file's `$parameters` (a renamed parameter fails here, not in a request),
and no driver call takes Cypher text built from anything else unless audited below.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from graphsvc.db import S
from graphsvc.db.statements import CYPHER_DIR, MissingStatement, Statement, parameters

from .conftest import ROOT

SOURCES = sorted([*(ROOT / "graphsvc").rglob("*.py"), *(ROOT / "bench").rglob("*.py")])

# Driver calls whose Cypher is not a Statement, each audited:
AUDITED = {
    # The one place a Statement reaches the driver.
    ("statements.py", "run"): "Statement.run sends its own file's text",
    # Database.query's stand-in for a transaction: passes on what Statement.run hands it.
    ("database.py", "run"): "OneStatement.run sends a Statement's text",
    # cypher/schema/*.cypher, split by schema_statements(): files only.
    ("schema.py", "apply_one"): "schema statements from files",
    ("schema.py", "apply_schema_async"): "schema statements from files",
    # The analyst's own Cypher is the product of POST /analytics/cypher and `graphsvc cypher`:
    # analyst role only, read-only transaction, EXPLAIN-checked, logged (CONTRACT.md, Analysts).
    ("run.py", "explain"): "analyst Cypher by design",
    ("run.py", "fetch"): "analyst Cypher by design",
    ("run.py", "stream"): "analyst Cypher by design",
    ("cli_cypher.py", "run"): "analyst Cypher by design (command line)",
    # `RETURN 1`: whether Bolt answers at all (localdb) and the bench's round-trip floor.
    ("localdb.py", "_bolt_answers"): "RETURN 1",
    # A fixed probe of the local instance before `graphsvc db restore` replaces it: any node at all?
    ("localdb.py", "holds_data"): "MATCH (n) RETURN 1 LIMIT 1",
    ("bench.py", "floor"): "RETURN 1",
    ("scale.py", "floor"): "RETURN 1",
    # The bench picks its subjects (hubs, counts) before it times anything; not the service.
    ("bench.py", "find_subjects"): "bench set-up",
    ("scale.py", "loaded"): "bench set-up",
    ("scale.py", "profile"): "bench set-up",
    ("scale.py", "match_followed"): "bench set-up",
    ("suggestion_classes.py", "classify"): "bench set-up",
    ("hub_writes.py", "main"): "bench set-up",
    # A friend made for a timed FRIEND_TOP refresh, in a transaction that is rolled back.
    ("hub_writes.py", "cycle"): "bench scaffold, rolled back",
}

# Call sites that pick one of several statements at run time, with the keywords they pass.
DYNAMIC = {
    "importer writes a batch": ([st for st in S.importer if st is not S.importer.page_counts],
                                {"org", "rows"}),
    "check reads one invariant": ([S.check.page_counters, S.check.people, S.check.connections,
                                   S.check.live_pairs, S.check.audience_keys,
                                   S.check.followers_keys, S.check.friend_edges, S.check.cross_org],
                                  {"org", "cap"}),
}


def _ref(node: ast.expr) -> str | None:
    """"a/b" for an expression `S.a.b`, else None."""
    if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
            and isinstance(node.value.value, ast.Name) and node.value.value.id == "S"):
        return f"{node.value.attr}/{node.attr}"
    return None


def _profiled(node: ast.expr) -> str | None:
    """"a/b" for `"PROFILE " + S.a.b.text`, the way the bench profiles a statement."""
    if isinstance(node, ast.BinOp) and isinstance(node.right, ast.Attribute) and node.right.attr == "text":
        return _ref(node.right.value)
    return None


def _by_name() -> dict[str, Statement]:
    return {st.name: st for st in S}


def call_site_problems(source: str, where: str) -> list[str]:
    """Every `S.a.b` in `source` names a file, and calls that pass one (`one(tx, S.a.b, k=...)`,
    `S.a.b.run(tx, k=...)`, `driver.execute_query("PROFILE " + S.a.b.text, {...})`) give exactly
    its parameters, as keywords or a dict literal (the driver's own keywords end in `_`)."""
    known, problems = _by_name(), []
    for node in ast.walk(ast.parse(source)):
        ref = _ref(node) if isinstance(node, ast.Attribute) else None
        if ref is not None and ref not in known:
            problems.append(f"{where}:{node.lineno}: no cypher/{ref}.cypher")
        if not isinstance(node, ast.Call):
            continue
        refs = [r for r in (*map(_ref, node.args), *map(_profiled, node.args)) if r]
        if isinstance(node.func, ast.Attribute) and node.func.attr == "run" and _ref(node.func.value):
            refs.append(_ref(node.func.value))
        if len(refs) != 1 or refs[0] not in known:
            continue
        if any(k.arg is None for k in node.keywords):
            continue  # **params: checked by DYNAMIC or at run time
        given = {k.arg for k in node.keywords if not k.arg.endswith("_")}
        given |= {k.value for arg in node.args if isinstance(arg, ast.Dict) for k in arg.keys
                  if isinstance(k, ast.Constant)}
        wanted = known[refs[0]].params
        if given != wanted:
            problems.append(f"{where}:{node.lineno}: {refs[0]} takes {sorted(wanted)}, the call gives {sorted(given)}")
    return problems


def test_names_are_the_files():
    files = {p.relative_to(CYPHER_DIR).with_suffix("").as_posix() for p in CYPHER_DIR.rglob("*.cypher")}
    assert {st.name for st in S} == files
    assert S.connections.list.name == "connections/list"
    with pytest.raises(MissingStatement):
        S.connections.drop_everything  # noqa: B018
    with pytest.raises(MissingStatement):
        S.nowhere.list  # noqa: B018


def test_parameters_are_read_from_the_text():
    text = ("// $notParam in a comment\nMATCH (p:Person {org: $org, id: $id}) "
            "WHERE p.name <> '$notEither' AND p.`$quoted` IS NULL RETURN $limit AS l /* $nor */")
    assert parameters(text) == {"org", "id", "limit"}


def test_every_call_site_gives_exactly_the_statement_parameters():
    problems = []
    for path in SOURCES:
        problems += call_site_problems(path.read_text(), str(path.relative_to(ROOT)))
    assert not problems, "\n".join(problems)
    for what, (statements, given) in DYNAMIC.items():
        assert statements, what
        for st in statements:
            assert st.params == given, f"{what}: {st.name} takes {sorted(st.params)}, the call gives {sorted(given)}"


def test_a_renamed_parameter_fails_the_check():
    """The check itself can fail: a call with a stale keyword, or a missing file."""
    wanted = sorted(S.pages.get.params)
    assert call_site_problems("one(tx, S.pages.get, org=org, pageId=p)", "ok.py") == []
    stale = call_site_problems("one(tx, S.pages.get, org=org, page_id=p)", "stale.py")
    assert stale == [f"stale.py:1: pages/get takes {wanted}, the call gives ['org', 'page_id']"]
    assert call_site_problems("await S.pages.gone.run(tx, org=org)", "gone.py") == ["gone.py:1: no cypher/pages/gone.cypher"]
    profiled = 'driver.execute_query("PROFILE " + S.pages.get.text, {"org": o, "page_id": p}, database_="neo4j")'
    assert call_site_problems(profiled, "profile.py") == [
        f"profile.py:1: pages/get takes {wanted}, the call gives ['org', 'page_id']"]


def test_files_are_static_statements():
    """Input reaches a statement as $parameters only: no string-formatting placeholders,
    no APOC that evaluates strings as Cypher, and each file says why it exists."""
    for st in S:
        assert st.text.lstrip().startswith("//"), f"{st.name}: starts with a comment saying why"
        body = "\n".join(line for line in st.text.splitlines() if not line.strip().startswith("//"))
        for bad in ("{}", "%s", "{0}", "apoc.cypher.run", "apoc.cypher.doIt", "apoc.cypher.runMany"):
            assert bad not in body, f"{st.name}: {bad}"


def _driver_calls(path: Path) -> list[tuple[str, ast.Call]]:
    found = []
    for fn in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in ("run", "execute_query") and node.args):
                    found.append((fn.name, node))
    return found


def test_no_user_string_becomes_cypher_text():
    """Every driver call sends a Statement (`S.a.b.run(tx, ...)`) or is audited above."""
    unaudited = []
    for path in SOURCES:
        for fn, call in _driver_calls(path):
            receiver = call.func.value
            if isinstance(receiver, ast.Name) and receiver.id in ("asyncio", "uvicorn", "subprocess", "importer", "statement"):
                continue  # not the driver, or a Statement chosen from S
            if _ref(receiver) or (path.name, fn) in AUDITED:
                continue
            if (isinstance(call.args[0], ast.BinOp) and isinstance(call.args[0].right, ast.Attribute)
                    and call.args[0].right.attr == "text" and _ref(call.args[0].right.value)):
                continue  # "PROFILE " + S.a.b.text in the bench
            unaudited.append(f"{path.relative_to(ROOT)}:{call.lineno} in {fn}(): {ast.unparse(call)[:120]}")
    assert not unaudited, "driver calls with Cypher that is not a statement file:\n" + "\n".join(unaudited)
