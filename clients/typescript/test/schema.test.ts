// The checked-in types were generated from the running server's /openapi.json: the digest
// of the document they were made from (their first lines) is the digest of the one served,
// so a change to the API not followed by `npm run generate` fails the suite.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { BASE_URL } from "./helpers.js";

interface Generator {
  SCHEMA_FILE: string;
  documentDigest(doc: unknown): string;
  recordedDigest(text: string): string | null;
}

test("src/schema.ts is generated from the server's /openapi.json", async () => {
  // Imported by URL, not by name: the generator is a build tool, outside the package's types.
  const generator = (await import(new URL("../../scripts/generate.mjs", import.meta.url).href)) as Generator;
  const served = await (await fetch(`${BASE_URL}/openapi.json`)).json();
  const recorded = generator.recordedDigest(readFileSync(generator.SCHEMA_FILE, "utf8"));
  assert.ok(recorded, "src/schema.ts names no document digest: regenerate it with `npm run generate`");
  assert.ok(recorded === generator.documentDigest(served),
    "src/schema.ts is stale: the server's /openapi.json changed. Run `npm run generate` in clients/typescript " +
    "and commit the result.");
});
