import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderErrorDocs } from "../../scripts/gen-error-docs.ts";

describe("docs/errors.md", () => {
  it("lists exactly the error codes the code declares (run `node scripts/gen-error-docs.ts` after adding one)", async () => {
    const committed = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
    expect(committed).toBe(await renderErrorDocs());
  });
});
