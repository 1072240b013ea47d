// The three GraphQL queries of the registry benchmark (issue 14), shared by bench/registry.ts (latency
// over HTTP) and bench/profileRegistry.ts (CPU per request in process).
import type { Address, Hex } from "viem";

/** The ids a generated chain samples for the queries (bench/registry.ts, `Generated.sample`). */
export interface RegistrySample {
  sample: { verdictId: Hex; subject: Address; workload: Hex };
}

export const BENCH_QUERIES = (g: RegistrySample) => [
  {
    name: "verdictsByWorkload",
    query: `query($w: String!) { verdicts(where: { workload: $w }, orderBy: issuedAt, orderDirection: desc, first: 100) { id subject tee tcbStatus issuedAt expiresAt status } }`,
    variables: { w: g.sample.workload },
  },
  {
    name: "verdictById",
    query: `query($id: ID!) { verdict(id: $id) { id workload { name } measurement { tee version revoked } status signers { id endpoint } batch { id count } txHash blockNumber } }`,
    variables: { id: g.sample.verdictId },
  },
  {
    name: "attestedAt",
    query: `query($s: ID!, $w: ID!) { attestedAt(subject: $s, workload: $w) { attested expiresAt verdict { id status } } }`,
    variables: { s: g.sample.subject, w: g.sample.workload },
  },
];
