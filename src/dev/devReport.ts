/** What `keepledger dev` prints once ready: for people (URLs, addresses, queries, curl) or as one JSON object. */
import { relative } from "node:path";
import type { DevNetwork } from "./startDevNetwork.ts";
import { factsOf } from "@keepledger/sdk/internal/tee/kindFacts";

/** Auditor queries, copy-pasteable into GraphiQL, with this run's ids filled in. */
export function exampleQueries(net: DevNetwork): { title: string; query: string }[] {
  const debugKeep = net.seeded.find((s) => factsOf(s.tee).vendor === "none")!;
  // The GPU kinds among the seeded verdicts (nvidia-gpu and the CPU + GPU composite), read from the facts.
  const gpuKinds = [...new Set(net.seeded.map((s) => s.tee).filter((t) => factsOf(t).vendor === "nvidia"))];
  return [
    {
      title:
        "The demo workloads' verdicts (the real SGX, TDX, SEV-SNP and Arm CCA vectors, a test-signed GPU, a TDX + GPU composite and the debug Keep)",
      query: `{
  workloads(where: { name_starts_with: "demo-" }, orderBy: name) {
    name
    verdicts(orderBy: issuedAt, orderDirection: desc) {
      id subject tee tcbStatus status issuedAt expiresAt
      evidence { available size collateral { name size } }
    }
  }
}`,
    },
    {
      title: "isAttested for the seeded debug Keep (debug Keep — INSECURE)",
      query: `{
  attestedAt(subject: "${debugKeep.subject.toLowerCase()}", workload: "${debugKeep.workloadId.toLowerCase()}") {
    attested expiresAt block
    verdict { id tee status }
  }
}`,
    },
    {
      title: "The validators with their own verdicts (each a debug Keep — INSECURE)",
      query: `{
  validators(orderBy: addedAt) {
    id endpoint loggingProfile bootstrap active
    verdict { id tee status expiresAt }
  }
}`,
    },
    {
      title: "The GPU and CPU + GPU verdicts with their kind and approved measurement (test-signed GPU — INSECURE)",
      query: `{
  verdicts(where: { tee_in: ${JSON.stringify(gpuKinds)} }, orderBy: tee) {
    id tee tcbStatus status unbound workload { name }
    measurement { hash tee value version }
  }
}`,
    },
    {
      title: `The demo key "${net.demoKey.name}": its versions (belowThreshold: fewer than t shareholders still count) and which Keeps received it, from which validators, when`,
      query: `{
  key(id: "${net.demoKey.keyId.toLowerCase()}") {
    name status workload { name owner } acceptedTcbStatuses allowDebug
    versions { version threshold status liveShareholders belowThreshold shareholders { id } }
    releases(orderBy: releasedAt) { subject validator { id } version releasedAt batchRoot leafIndex txHash }
  }
}`,
    },
  ];
}

export function submitCommands(net: DevNetwork): { curl: string; cli: string } {
  const rel = (p: string) => {
    const r = relative(process.cwd(), p);
    return r.startsWith("..") ? p : r;
  };
  const node = net.nodes[0]!.url;
  return {
    curl: `curl -sS -X POST ${node}/v1/evidence -H 'content-type: application/json' --data @${rel(net.sample.requestFile)}`,
    cli: `npx keepledger submit ${rel(net.sample.evidenceFile)} --workload ${net.sample.workloadId} --node ${node} --key ${net.sample.publicKey} --freshness-block ${net.sample.freshnessBlock}`,
  };
}

export function devReportJson(net: DevNetwork, startupMs: number): Record<string, unknown> {
  return {
    ready: true,
    startupMs,
    chain: { chainId: net.chainId, rpcUrl: net.rpcUrl },
    graphqlUrl: net.graphqlUrl,
    explorerUrl: net.explorerUrl,
    evidenceAccess: "full",
    dataDir: net.dataDir,
    contracts: net.deployment.contracts,
    deployBlock: net.deployment.deployBlock,
    workloads: net.workloads,
    nodes: net.nodes.map((n) => ({ ...n, insecure: true, selfAttestation: "none (debug Keep, no TEE)" })),
    seeded: net.seeded,
    demoKey: net.demoKey,
    sample: net.sample,
    queries: exampleQueries(net),
    submit: submitCommands(net),
  };
}

export function devReportLines(net: DevNetwork): string[] {
  const c = net.deployment.contracts;
  const { curl, cli } = submitCommands(net);
  return [
    "",
    "INSECURE — development only: the 3 validators are debug Keeps (no TEE), the chain lives in memory, the registry serves raw evidence.",
    "",
    `Chain JSON-RPC        ${net.rpcUrl}   (chain id ${net.chainId}; e.g. cast block-number --rpc-url ${net.rpcUrl})`,
    `GraphQL / GraphiQL    ${net.graphqlUrl}   (evidence access: full — dev only)`,
    `Registry explorer     ${net.explorerUrl}`,
    ...net.nodes.map((n, i) => `Validator node ${i}      ${n.url}   ${n.address}   debug Keep — INSECURE, no TEE; log ${n.logFile}`),
    "",
    `WorkloadRegistry      ${c.workloadRegistry}`,
    `ValidatorSet          ${c.validatorSet}`,
    `AttestationRegistry   ${c.attestationRegistry}`,
    ...(c.keyRegistry ? [`KeyRegistry           ${c.keyRegistry}`] : []),
    ...Object.entries(net.workloads).map(([name, id]) => `workload ${name.padEnd(21)}${id}`),
    `key "${net.demoKey.name}"      ${net.demoKey.keyId}   v${net.demoKey.version}, ${net.demoKey.threshold} of ${net.demoKey.shareholders.length}; released to debug Keep ${net.demoKey.keep} (INSECURE) by ${net.demoKey.releasedBy.join(", ")}`,
    "",
    "Demo verdicts (finalized on chain):",
    ...net.seeded.map(
      (s) =>
        `  ${s.workload.padEnd(20)} ${s.tee.padEnd(10)} ${s.tcbStatus.padEnd(34)} ${s.verdictId}${s.insecure ? `   INSECURE: ${s.insecure}` : ""}`,
    ),
    "",
    ...exampleQueries(net).flatMap((q, i) => [`# Query ${i + 1}: ${q.title}`, q.query, ""]),
    `# Submit fresh debug Keep evidence (INSECURE, for a new key; bound to block ${net.sample.freshnessBlock}, valid for a day of chain time):`,
    curl,
    `# or with the CLI, which also waits for the verdict:`,
    cli,
    "",
  ];
}
