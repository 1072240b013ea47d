// docs/contracts.md must name every event and custom error the contracts can emit, so the reference
// cannot fall behind the code.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  attestationRegistryAbi,
  attestedGuestbookAbi,
  keyRegistryAbi,
  validatorSetAbi,
  workloadRegistryAbi,
} from "@keepledger/sdk/internal/chain/generated/index";

const doc = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "docs", "contracts.md"), "utf8");
// Inherited from OpenZeppelin and documented by it (roles, EIP-5267, ShortStrings).
const inherited = new Set([
  "RoleAdminChanged",
  "RoleGranted",
  "RoleRevoked",
  "EIP712DomainChanged",
  "AccessControlBadConfirmation",
  "InvalidShortString",
  "StringTooLong",
]);

const names = [workloadRegistryAbi, validatorSetAbi, attestationRegistryAbi, attestedGuestbookAbi, keyRegistryAbi]
  .flatMap((abi) => abi.filter((i) => i.type === "event" || i.type === "error").map((i) => (i as { name: string }).name))
  .filter((n, i, all) => all.indexOf(n) === i && !inherited.has(n));

describe("docs/contracts.md", () => {
  it.each(names)("documents %s", (name) => {
    expect(doc).toMatch(new RegExp(`\`${name}[\`(]`));
  });
});
