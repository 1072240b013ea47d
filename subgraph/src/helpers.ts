// Shared by the three mappings: names of the contracts' enums, entity ids and GovernanceChange records,
// exactly as the keepledger indexer writes them (src/indexer/handlers/, docs/registry.md).
import { Address, BigInt, Bytes, crypto, ethereum } from "@graphprotocol/graph-ts";
import { GovernanceChange } from "../generated/schema";

/** TeeKind codes → the CLI names (packages/sdk/src/ids/enums.ts TEE_KIND_CODES). */
export function teeName(code: i32): string {
  if (code == 1) return "sgx";
  if (code == 2) return "tdx";
  if (code == 3) return "sev-snp";
  if (code == 4) return "nitro";
  if (code == 5) return "debug";
  if (code == 6) return "nvidia-gpu";
  if (code == 7) return "azure-cvm";
  if (code == 8) return "arm-cca";
  if (code == 9) return "cpu-gpu";
  return "unknown";
}

const TCB_STATUSES: string[] = [
  "Unknown",
  "UpToDate",
  "SWHardeningNeeded",
  "ConfigurationNeeded",
  "ConfigurationAndSWHardeningNeeded",
  "OutOfDate",
  "OutOfDateConfigurationNeeded",
  "Revoked",
  "NotApplicable",
];

export function tcbStatusName(code: i32): string {
  return code >= 0 && code < TCB_STATUSES.length ? TCB_STATUSES[code] : "Unknown";
}

export function loggingProfileName(code: i32): string {
  if (code == 0) return "PRODUCTION";
  if (code == 1) return "STAGING";
  return "DEBUG";
}

/** The kinds of an allowedTees mask (16 bits since arm-cca is code 8), in code order. */
export function teeKindsOfMask(mask: i32): string[] {
  const out = new Array<string>(0);
  for (let code = 1; code <= 15; code++) if ((mask & (1 << code)) != 0 && teeName(code) != "unknown") out.push(teeName(code));
  return out;
}

/** The statuses of an acceptedTcbStatuses mask, in code order. */
export function tcbStatusesOfMask(mask: i32): string[] {
  const out = new Array<string>(0);
  for (let code = 1; code <= 8; code++) if ((mask & (1 << code)) != 0) out.push(TCB_STATUSES[code]);
  return out;
}

/** Milan, Genoa, Turin bits of deniedAmdProductLines. */
export function amdProductLines(mask: i32): string[] {
  const out = new Array<string>(0);
  if ((mask & 1) != 0) out.push("Milan");
  if ((mask & 2) != 0) out.push("Genoa");
  if ((mask & 4) != 0) out.push("Turin");
  return out;
}

const HEX = "0123456789abcdef";

/** A number as 8 lowercase hex digits. */
export function hex8(n: i32): string {
  let out = "";
  for (let shift = 28; shift >= 0; shift -= 4) out += HEX.charAt((n >> shift) & 15);
  return out;
}

export function eventId(event: ethereum.Event): string {
  return event.transaction.hash.toHexString() + hex8(event.logIndex.toI32());
}

export function measurementId(workloadId: Bytes, measurementHash: Bytes): string {
  return workloadId.toHexString() + measurementHash.toHexString().slice(2);
}

/** KeyVersion ids: keyId ‖ the version as 8 hex digits. */
export function keyVersionId(keyId: string, version: i32): string {
  return keyId + hex8(version);
}

/** keccak256 of KeyRegistry.RECEIPT_TYPEHASH's type string (src/ids/keyIds.ts). */
function receiptTypehash(): Bytes {
  return Bytes.fromByteArray(
    crypto.keccak256(
      Bytes.fromUTF8(
        "ReleaseReceipt(address validator,bytes32 keyId,uint32 version,address subject,uint64 releasedAt,bytes32 requestHash)",
      ),
    ),
  );
}

/** KeyRegistry.receiptLeaf(validator, receipt). */
export function receiptLeafOf(
  validator: Bytes,
  keyId: Bytes,
  version: BigInt,
  subject: Bytes,
  releasedAt: BigInt,
  requestHash: Bytes,
): Bytes {
  const fields = new Array<ethereum.Value>(0);
  fields.push(ethereum.Value.fromFixedBytes(receiptTypehash()));
  fields.push(ethereum.Value.fromAddress(Address.fromBytes(validator)));
  fields.push(ethereum.Value.fromFixedBytes(keyId));
  fields.push(ethereum.Value.fromUnsignedBigInt(version));
  fields.push(ethereum.Value.fromAddress(Address.fromBytes(subject)));
  fields.push(ethereum.Value.fromUnsignedBigInt(releasedAt));
  fields.push(ethereum.Value.fromFixedBytes(requestHash));
  const encoded = ethereum.encode(ethereum.Value.fromTuple(changetype<ethereum.Tuple>(fields)))!;
  return Bytes.fromByteArray(crypto.keccak256(encoded));
}

export function policyId(workloadId: string, sequence: i32): string {
  return workloadId + hex8(sequence);
}

/** The verdict id: the EIP-712 struct hash of the verdict's ten fields. */
export function verdictIdOf(
  workloadId: Bytes,
  measurementHash: Bytes,
  tee: i32,
  tcbStatus: i32,
  subject: Bytes,
  evidenceHash: Bytes,
  collateralHash: Bytes,
  issuedAt: BigInt,
  expiresAt: BigInt,
  freshnessBlock: BigInt,
): string {
  const fields = new Array<ethereum.Value>(0);
  fields.push(ethereum.Value.fromFixedBytes(verdictTypehash()));
  fields.push(ethereum.Value.fromFixedBytes(workloadId));
  fields.push(ethereum.Value.fromFixedBytes(measurementHash));
  fields.push(ethereum.Value.fromUnsignedBigInt(BigInt.fromI32(tee)));
  fields.push(ethereum.Value.fromUnsignedBigInt(BigInt.fromI32(tcbStatus)));
  fields.push(ethereum.Value.fromAddress(Address.fromBytes(subject)));
  fields.push(ethereum.Value.fromFixedBytes(evidenceHash));
  fields.push(ethereum.Value.fromFixedBytes(collateralHash));
  fields.push(ethereum.Value.fromUnsignedBigInt(issuedAt));
  fields.push(ethereum.Value.fromUnsignedBigInt(expiresAt));
  fields.push(ethereum.Value.fromUnsignedBigInt(freshnessBlock));
  const encoded = ethereum.encode(ethereum.Value.fromTuple(changetype<ethereum.Tuple>(fields)))!;
  return crypto.keccak256(encoded).toHexString();
}

/** keccak256 of the EIP-712 type string of Verdict (src/ids/verdict.ts). */
function verdictTypehash(): Bytes {
  return Bytes.fromByteArray(
    crypto.keccak256(
      Bytes.fromUTF8(
        "Verdict(bytes32 workloadId,bytes32 measurementHash,uint8 tee,uint8 tcbStatus,address subject,bytes32 evidenceHash,bytes32 collateralHash,uint64 issuedAt,uint64 expiresAt,uint64 freshnessBlock)",
      ),
    ),
  );
}

// ===== GovernanceChange.data: the event's arguments as JSON, like JSON.stringify =====

function hexDigit(n: i32): string {
  return HEX.charAt(n & 15);
}

export function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) out += '\\"';
    else if (c == 0x5c) out += "\\\\";
    else if (c == 0x08) out += "\\b";
    else if (c == 0x0c) out += "\\f";
    else if (c == 0x0a) out += "\\n";
    else if (c == 0x0d) out += "\\r";
    else if (c == 0x09) out += "\\t";
    else if (c < 0x20) out += "\\u00" + hexDigit(c >> 4) + hexDigit(c);
    else out += s.charAt(i);
  }
  return out + '"';
}

/** Builds a JSON object in insertion order (the ABI order of the event's arguments). */
export class JsonObject {
  parts: string[] = new Array<string>(0);

  string(key: string, value: string): JsonObject {
    this.parts.push(jsonString(key) + ":" + jsonString(value));
    return this;
  }

  bytes(key: string, value: Bytes): JsonObject {
    return this.string(key, value.toHexString());
  }

  integer(key: string, value: BigInt): JsonObject {
    return this.string(key, value.toString());
  }

  object(key: string, value: JsonObject): JsonObject {
    this.parts.push(jsonString(key) + ":" + value.toString());
    return this;
  }

  boolean(key: string, value: boolean): JsonObject {
    this.parts.push(jsonString(key) + ":" + (value ? "true" : "false"));
    return this;
  }

  toString(): string {
    return "{" + this.parts.join(",") + "}";
  }
}

export function recordGovernanceChange(
  event: ethereum.Event,
  kind: string,
  data: JsonObject,
  actor: Bytes | null,
  effectiveAt: BigInt | null,
): void {
  const change = new GovernanceChange(eventId(event));
  change.kind = kind;
  change.contract = event.address;
  change.actor = actor;
  change.data = data.toString();
  change.effectiveAt = effectiveAt === null ? event.block.timestamp : (effectiveAt as BigInt);
  change.timestamp = event.block.timestamp;
  change.txHash = event.transaction.hash;
  change.blockNumber = event.block.number;
  change.save();
}

export function recordRoleChange(event: ethereum.Event, kind: string, role: Bytes, account: Bytes, sender: Bytes): void {
  recordGovernanceChange(event, kind, new JsonObject().bytes("role", role).bytes("account", account).bytes("sender", sender), sender, null);
}

export function recordRoleAdminChange(event: ethereum.Event, role: Bytes, previousAdminRole: Bytes, newAdminRole: Bytes): void {
  recordGovernanceChange(
    event,
    "RoleAdminChanged",
    new JsonObject().bytes("role", role).bytes("previousAdminRole", previousAdminRole).bytes("newAdminRole", newAdminRole),
    null,
    null,
  );
}

/** AccessControlDefaultAdminRules: a scheduled admin transfer or delay change (effectiveAt: when it may apply), or its cancellation. */
export function recordAdminRulesChange(event: ethereum.Event, kind: string, data: JsonObject, effectiveAt: BigInt | null): void {
  recordGovernanceChange(event, kind, data, null, effectiveAt);
}

export function recordWiring(event: ethereum.Event, attestationRegistry: Bytes): void {
  recordGovernanceChange(event, "AttestationRegistryWired", new JsonObject().bytes("attestationRegistry", attestationRegistry), null, null);
}
