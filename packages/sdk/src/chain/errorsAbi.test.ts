/**
 * keepledgerErrorAbi is generated into a file of its own (a dApp's bundle must not carry every contract's
 * ABI to decode a revert): it must still be exactly the custom errors of the contracts a call can reach,
 * each once.
 */
import { describe, expect, it } from "vitest";
import { keepledgerErrorAbi } from "./errorsAbi.ts";
import {
  attestationRegistryAbi,
  attestedGuestbookAbi,
  cpakAllowListAbi,
  keyRegistryAbi,
  validatorSetAbi,
  workloadRegistryAbi,
} from "./generated/index.ts";

const signature = (e: { name: string; inputs: readonly { type: string }[] }) => `${e.name}(${e.inputs.map((i) => i.type).join(",")})`;

describe("keepledgerErrorAbi", () => {
  it("is every custom error of the six contracts, each signature once", () => {
    const all = [workloadRegistryAbi, validatorSetAbi, attestationRegistryAbi, attestedGuestbookAbi, keyRegistryAbi, cpakAllowListAbi]
      .flatMap((abi) => abi.filter((item) => item.type === "error"))
      .map(signature);
    const generated = keepledgerErrorAbi.map(signature);
    expect(new Set(generated).size).toBe(generated.length);
    expect([...generated].sort()).toEqual([...new Set(all)].sort());
    expect(generated).toContain("AttestationRegistrySubjectRevokedEverywhere(address,uint64)");
  });
});
