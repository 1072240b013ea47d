import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";
import { SGX_LAUNCH_CODES } from "../tee/sgx/launchPolicy.ts";
import { SNP_LAUNCH_CODES } from "../tee/sev-snp/launchPolicy.ts";
import { TDX_LAUNCH_CODES } from "../tee/tdx/launchPolicy.ts";

export const POLICY_CODES = defineErrorCodes("policy", {
  POLICY_TEE_NOT_ALLOWED: { stage: "policy", description: "The workload's policy does not allow this kind of TEE." },
  POLICY_MEASUREMENT_NOT_APPROVED: { stage: "policy", description: "The measured code is not an approved measurement of the workload." },
  POLICY_MEASUREMENT_REVOKED: {
    stage: "policy",
    description: "The measured code matches only measurements the owner or governance revoked.",
  },
  POLICY_MEASUREMENT_MALFORMED: {
    stage: "policy",
    description: "An approved measurement read from the chain has the wrong length for its TEE kind.",
  },
  POLICY_TCB_STATUS_NOT_ACCEPTED: {
    stage: "policy",
    description: "The platform's TCB status is not one the policy accepts (e.g. OutOfDate): update the platform's microcode/firmware.",
  },
  POLICY_ADVISORY_DENIED: { stage: "policy", description: "The platform is affected by an Intel security advisory the policy denies." },
  POLICY_FMSPC_DENIED: { stage: "policy", description: "The policy refuses this Intel platform family (FMSPC)." },
  POLICY_AMD_PRODUCT_DENIED: { stage: "policy", description: "The policy refuses this AMD product line (Milan, Genoa, Turin)." },
  POLICY_DEBUG_NOT_ALLOWED: {
    stage: "policy",
    description: "The evidence comes from a debug TEE or a debug Keep, which only dev policies accept.",
  },
  POLICY_BINDING_REQUIRED: {
    stage: "policy",
    description: "The evidence must bind the Keep's key and a recent block (docs/ids.md); only dev policies accept unbound evidence.",
  },
  POLICY_BINDING_MISMATCH: {
    stage: "policy",
    description:
      "The evidence's report data does not bind this key, chain, registry and block: it was made for something else or replayed.",
  },
  POLICY_EVIDENCE_TOO_OLD: {
    stage: "policy",
    description:
      "The block the evidence is bound to is older than the policy's maximum evidence age: fetch a fresh nonce and attest again.",
  },
  POLICY_SUBJECT_REVOKED: {
    stage: "policy",
    description:
      "Governance revoked this subject (a Keep's key) in this workload or in every workload: no validator signs for it until governance lifts the revocation.",
  },
  POLICY_FMSPC_REVOKED: {
    stage: "policy",
    description: "Governance put this Intel platform family (FMSPC) on the on-chain revocation list.",
  },
  POLICY_AMD_CHIP_REVOKED: { stage: "policy", description: "Governance put this AMD chip (CHIP_ID) on the on-chain revocation list." },
  POLICY_AMD_PRODUCT_LINE_REVOKED: {
    stage: "policy",
    description: "Governance put this AMD product line (Milan, Genoa, Turin) on the on-chain revocation list.",
  },
  POLICY_CPAK_NOT_ALLOWED: {
    stage: "policy",
    description:
      "The Arm CCA platform token is signed by a CPAK (platform attestation key) whose identity (sha256 of its SubjectPublicKeyInfo) is not on the workload's on-chain allow-list, or is listed but not yet in force (allowing a CPAK waits for the policy delay): `keepledger workload cpak allow`.",
  },
  POLICY_TEE_KIND_REVOKED: { stage: "policy", description: "Governance put this kind of TEE on the on-chain revocation list." },
  NODE_TCB_DOWNGRADED: {
    stage: "policy",
    description:
      "Newer Intel collateral (a TCB recovery) downgrades this platform below the policy and the policy's tcbGracePeriod has passed: validators no longer countersign it (decideTcbGrace.ts; the name is kept from when the node decided it). Update the platform.",
  },
  POLICY_VERDICT_WOULD_EXPIRE: { stage: "policy", description: "The evidence or its collateral expires before a verdict could be issued." },
});

/** Launch parameters and firmware levels outside the measurement (policy `launch`): each kind declares its own in src/tee/<kind>/launchPolicy.ts. */
export const LAUNCH_POLICY_CODES = { ...SNP_LAUNCH_CODES, ...TDX_LAUNCH_CODES, ...SGX_LAUNCH_CODES };
