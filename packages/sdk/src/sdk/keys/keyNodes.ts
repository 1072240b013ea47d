/** What createKey and releaseKey share: the shareholders' endpoints and a node's key-endpoint answer, typed. */
import type { Deployment } from "../../chain/deploymentTypes.ts";
import { validatorSetAbi } from "../../chain/generated/index.ts";
import type { Rpc } from "../../chain/rpc.ts";
import { PolicyError, UsageError, InfrastructureError, type KeepledgerError } from "../../errors/KeepledgerError.ts";
import { getAddress } from "../../util/address.ts";
import type { Address, Hex } from "../../util/hex.ts";
import { baseUrl, call, type NodeAnswer, type NodeCallOptions } from "../nodeHttp.ts";

/** A validator's on-chain endpoint, as its ValidatorSet record names it. */
export async function endpointOf(rpc: Rpc, deployment: Deployment, validator: Address): Promise<string> {
  const info = await rpc.readContract<{ endpoint: string }>({
    address: deployment.contracts.validatorSet,
    abi: validatorSetAbi,
    functionName: "validatorOf",
    args: [getAddress(validator)],
  });
  return baseUrl(info.endpoint);
}

/** POSTs a key body; a node error keeps its code (KEY_*), typed by its stage. */
export async function postKey(
  base: string,
  keyId: Hex,
  what: "shares" | "release",
  body: unknown,
  o: NodeCallOptions,
): Promise<NodeAnswer["json"]> {
  const answer = await call(
    base,
    `/v1/keys/${keyId}/${what}`,
    { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
    o,
  );
  if (answer.status === 200) return answer.json;
  throw keyNodeError(base, answer);
}

function keyNodeError(base: string, answer: NodeAnswer): KeepledgerError {
  const error = answer.json.error as { code?: string; message?: string; stage?: string; details?: Record<string, unknown> } | undefined;
  const code = typeof error?.code === "string" ? error.code : "KEY_REQUEST_INVALID";
  const message = `${base}: ${error?.message ?? `answered ${answer.status}`}`;
  const options = { details: { status: answer.status, ...(error?.details ?? {}) } };
  if (error?.stage === "policy") return new PolicyError(code, message, options);
  if (answer.status >= 400 && answer.status < 500 && answer.status !== 429) return new UsageError(code, message, options);
  return new InfrastructureError(code, message, options);
}
