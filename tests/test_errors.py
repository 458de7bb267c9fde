"""Errors have one owner: the catalogue in graphsvc/errors.py.

Every code the service can send is a `Code` there; code raises the catalogue's
constants (never a code spelt out elsewhere), the Python client has a typed error
for each, and /openapi.json shows them as examples of their status.
"""

from __future__ import annotations

import ast

from graphsvc.client.errors import BY_STATUS, error_for
from graphsvc.errors import CATALOGUE

from .conftest import ROOT


def test_every_code_the_server_can_send_has_its_client_error():
    missing = []
    for c in CATALOGUE.values():
        err = error_for(c.status, {"error": {"code": c.code, "message": c.message}})
        family = BY_STATUS.get(c.status)
        assert err.code == c.code and err.status == c.status, c
        if type(err).code != c.code or (family is not None and not isinstance(err, family)):
            missing.append(f"{c.status} {c.code} -> {type(err).__name__}")
    assert not missing, "codes without a typed client error:\n" + "\n".join(missing)


def test_codes_are_spelt_only_in_the_catalogue():
    """No `code="..."` literal outside graphsvc/errors.py: a new code must enter the catalogue."""
    spelt = []
    for path in sorted((ROOT / "graphsvc").rglob("*.py")):
        if path == ROOT / "graphsvc" / "errors.py" or "client" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg == "code" and isinstance(kw.value, ast.Constant):
                        spelt.append(f"{path.relative_to(ROOT)}:{node.lineno}: code={kw.value.value!r}")
    assert not spelt, "\n".join(spelt)


def test_openapi_lists_the_catalogue_codes_per_status(http):
    doc = http.get("/openapi.json").json()
    respond = doc["paths"]["/client/community/connections/{id}/respond"]["put"]["responses"]
    assert {"not_pending", "not_live", "already_connected"} <= set(respond["409"]["content"]["application/json"]["examples"])
    assert "not_target" in respond["403"]["content"]["application/json"]["examples"]
    for status, response in respond.items():
        for name, example in response.get("content", {}).get("application/json", {}).get("examples", {}).items():
            if name in CATALOGUE:
                assert CATALOGUE[name].status == int(status), (name, status)
