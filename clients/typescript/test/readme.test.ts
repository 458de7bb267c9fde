// The README's TypeScript example runs as written against the real service.

import assert from "node:assert/strict";
import { test } from "node:test";

import { readmeExample } from "../examples/readme.js";
import { BASE_URL, mint, newOrg } from "./helpers.js";

test("the README example runs, twice (the second request is already pending)", async (t) => {
  const org = newOrg();
  const token = mint("svc_feed", org, "service");
  const printed = t.mock.method(console, "log", () => undefined);
  for (let run = 1; run <= 2; run++) {
    await readmeExample(BASE_URL, org, token);
    const lines = printed.mock.calls.map((call) => call.arguments.join(" "));
    assert.equal(lines.length, 2 * run);
    assert.equal(lines.at(-2), "connections: 0");
    assert.match(lines.at(-1) ?? "", /^usr_bob pending \d{4}-\d\d-\d\dT/);
  }
});
