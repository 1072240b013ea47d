// `npm run bench:codec`: a micro-benchmark of the verdict codec (packages/sdk/src/ids/verdictCodec.ts) on the paths the
// node, the indexer and the audit take — the verdict id as hex and as a leaf, a batch's leaves and root,
// the EIP-712 digest — next to viem's generic EIP-712 encoder (hashStruct / hashTypedData), the reference
// the codec is tested against. 1,000 random verdicts (one group for the batch cases); each case runs 9
// rounds over all of them after 5 warm-up rounds and prints the median and the fastest round in ns per
// verdict. Single-threaded and in-process: no chain, no I/O. Prints only; writes no results file.
//
//   node bench/verdictCodec.ts
import { randomBytes } from "node:crypto";
import { bytesToHex, getAddress, hashStruct, hashTypedData } from "viem";
import {
  batchLeaves,
  batchRoot,
  keepledgerDomain,
  normalizeVerdict,
  verdictDigester,
  verdictId,
  verdictIdBytes,
  verdictTypedData,
  VERDICT_TYPES,
  type Verdict,
  type VerdictGroup,
} from "@keepledger/sdk/internal/ids/index";

const N = 1000;
const hex = (n: number) => bytesToHex(randomBytes(n));
const verdicts: Verdict[] = Array.from({ length: N }, (_, i) => ({
  workloadId: hex(32),
  measurementHash: hex(32),
  tee: 2,
  tcbStatus: 1,
  subject: getAddress(hex(20)),
  evidenceHash: hex(32),
  collateralHash: hex(32),
  issuedAt: 1_767_225_600n + BigInt(i),
  expiresAt: 1_767_830_400n,
  freshnessBlock: 21_000_000n + BigInt(i),
}));
const group: VerdictGroup = {
  ...verdicts[0]!,
  items: verdicts.map((v) => ({ subject: v.subject, evidenceHash: v.evidenceHash, freshnessBlock: v.freshnessBlock })),
};
const domain = keepledgerDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
const digests = verdictDigester(domain);

let sink = 0;
function bench(name: string, run: () => void): void {
  for (let i = 0; i < 5; i++) run();
  const rounds: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t = process.hrtime.bigint();
    run();
    rounds.push(Number(process.hrtime.bigint() - t) / N);
  }
  rounds.sort((a, b) => a - b);
  console.log(`${name.padEnd(52)} ${rounds[4]!.toFixed(0).padStart(7)} ns/verdict   (fastest round ${rounds[0]!.toFixed(0)})`);
}

bench("verdictId (hex)", () => {
  for (const v of verdicts) sink ^= verdictId(v).length;
});
bench("verdictIdBytes (leaf)", () => {
  for (const v of verdicts) sink ^= verdictIdBytes(v)[0]!;
});
bench("batchLeaves, one group of 1,000", () => {
  sink ^= batchLeaves([group]).length;
});
bench("batchRoot(batchLeaves), one group of 1,000", () => {
  sink ^= batchRoot(batchLeaves([group])).length;
});
bench("verdictDigester(domain).verdict", () => {
  for (const v of verdicts) sink ^= digests.verdict(v).length;
});
bench("reference: viem hashStruct(normalizeVerdict(v))", () => {
  for (const v of verdicts) sink ^= hashStruct({ data: normalizeVerdict(v), primaryType: "Verdict", types: VERDICT_TYPES }).length;
});
bench("reference: viem hashTypedData(verdictTypedData(v))", () => {
  for (const v of verdicts) sink ^= hashTypedData(verdictTypedData(v, domain)).length;
});
if (sink === 0.5) console.log(sink);
