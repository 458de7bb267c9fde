"""README's "Clients" examples are tested code: the Python one runs as written against the
real service, and the TypeScript one is, line for line, the example that
clients/typescript/test/readme.test.ts runs."""

from __future__ import annotations

import re
import textwrap

from graphsvc.auth import mint

from .conftest import ROOT, SECRET


def _block(language: str) -> str:
    section = ROOT.joinpath("README.md").read_text().split("## Clients\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(rf"```{language}\n(.*?)```", section, re.S)
    assert len(blocks) == 1, f"one {language} example in README's Clients section"
    return blocks[0]


def test_the_python_example_runs(server, org, capsys):
    code = _block("python")
    assert len(code.strip().splitlines()) <= 10
    for _ in range(2):  # the second time, the request is already pending
        exec(compile(code, "README.md", "exec"), {"base_url": server.url, "org": org.id,
                                                  "service_token": mint(SECRET, "svc_feed", org.id, "service")})
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 4 and printed[0] == printed[2] == "connections: 0", printed
    assert all(re.fullmatch(r"usr_bob pending \d{4}-\d\d-\d\dT\S+", line) for line in (printed[1], printed[3]))


def test_the_typescript_example_is_the_tested_one():
    source = ROOT.joinpath("clients/typescript/examples/readme.ts").read_text()
    imports = [line for line in source.splitlines() if line.startswith("import ")]
    body = source.split("// README begin\n", 1)[1].split("  // README end", 1)[0]
    assert _block("ts") == "\n".join(imports) + "\n\n" + textwrap.dedent(body)
    assert len(_block("ts").strip().splitlines()) <= 10
