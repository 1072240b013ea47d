/**
 * Composite Keeps in the adapter table: detect the "KLCG" container → parse it and each part with its own
 * kind's adapter → collateral requests (the CPU part's, then each GPU's) → verify every part with its own
 * verifier (any failure refuses the whole) and bind every GPU to the CPU's binding (appraiseComposite). The
 * CPU part's launch policy applies to the composite as it would to the CPU evidence alone.
 */
import type { CollateralRequest } from "../../collateral/types.ts";
import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { TeeAdapter, VerifyContext } from "../adapter.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import type { VerifierContext } from "../verifierContext.ts";
import { appraiseComposite } from "./appraiseComposite.ts";
import { COMPOSITE_FORMAT_CODES, detectCompositeEvidence, parseCompositeEvidence } from "./compositeEvidence.ts";
import { cpuGpuFacts } from "@keepledger/sdk/internal/tee/cpu-gpu/facts";
import { explainCpuGpuMismatch } from "./launchPolicy.ts";
import { COMPOSITE_CPU_KINDS } from "@keepledger/sdk/internal/tee/cpu-gpu/measurement";
import { evidenceKeccak } from "../../util/evidenceKeccak.ts";

export interface CpuGpuAdapterOptions {
  /** The adapters a CPU part may be of (only COMPOSITE_CPU_KINDS are used). */
  cpuAdapters: readonly TeeAdapter[];
  /** The NVIDIA GPU adapter (with the operator's revocation switch). */
  gpuAdapter: TeeAdapter<"nvidia-gpu">;
}

interface Part<P = unknown> {
  bytes: Uint8Array;
  parsed: P;
}

export interface ParsedCpuGpu {
  cpu: Part & { adapter: TeeAdapter };
  gpus: Part[];
}

function formatError(code: string, message: string): never {
  throw new EvidenceFormatError(code, message, {});
}

export function createCpuGpuAdapter(options: CpuGpuAdapterOptions): TeeAdapter<"cpu-gpu", ParsedCpuGpu> {
  const cpuAdapters = options.cpuAdapters.filter((a) => COMPOSITE_CPU_KINDS.includes(a.kind));
  const gpu = options.gpuAdapter;
  const cpuOf = (evidence: VerifiedEvidence<"cpu-gpu">): VerifiedEvidence =>
    ({ ...evidence, tee: evidence.claims.cpu.tee, claims: evidence.claims.cpu.claims }) as VerifiedEvidence;
  return {
    ...cpuGpuFacts,
    detect: detectCompositeEvidence,
    parse(bytes, caches?: VerifierContext): ParsedCpuGpu {
      const container = parseCompositeEvidence(bytes);
      const claimed = cpuAdapters.filter((a) => a.detect(container.cpu));
      if (claimed.length !== 1) {
        formatError(
          COMPOSITE_FORMAT_CODES.COMPOSITE_CPU_EVIDENCE_UNKNOWN,
          `the CPU part is claimed by ${claimed.length === 0 ? "no" : claimed.map((a) => a.kind).join(" and ")} CPU kind`,
        );
      }
      const adapter = claimed[0]!;
      const gpus = container.gpus.map((g, i) => {
        if (!gpu.detect(g)) formatError(COMPOSITE_FORMAT_CODES.COMPOSITE_GPU_EVIDENCE_UNKNOWN, `GPU part ${i} is not NVIDIA GPU evidence`);
        return { bytes: g, parsed: gpu.parse(g, caches) };
      });
      return { cpu: { bytes: container.cpu, parsed: adapter.parse(container.cpu, caches), adapter }, gpus };
    },
    collateralRequests(parsed, caches?: VerifierContext): CollateralRequest[] {
      return [
        ...parsed.cpu.adapter.collateralRequests(parsed.cpu.parsed, caches),
        ...parsed.gpus.flatMap((g) => gpu.collateralRequests(g.parsed, caches)),
      ];
    },
    verify(parsed, context: VerifyContext): VerifiedEvidence<"cpu-gpu"> {
      const cpu = parsed.cpu.adapter.verify(parsed.cpu.parsed, { ...context, evidence: parsed.cpu.bytes });
      const gpus = parsed.gpus.map((g) => gpu.verify(g.parsed, { ...context, evidence: g.bytes }));
      const a = appraiseComposite(cpu, gpus);
      return {
        ok: true,
        tee: "cpu-gpu",
        claims: a.claims,
        tcb: a.tcb,
        debug: a.debug,
        evidenceHash: evidenceKeccak(context.evidence),
        collateralHash: a.collateralHash,
        expiresAt: a.expiresAt,
        verifiedAt: context.at,
        // The CPU part's platform facts (FMSPC, AMD product line and chip), so platform revocations reach the Keep;
        // an SEV-SNP part's CHIP_ID is in its claims, surfaced as amdChipId as for any embedded report.
        platform: {
          ...cpu.platform,
          ...(chipIdOf(cpu.claims) === undefined ? {} : { amdChipId: chipIdOf(cpu.claims) }),
          gpus: gpus.map((g) => g.platform),
        },
        ...(cpu.collateralUsed === undefined ? {} : { collateralUsed: cpu.collateralUsed }),
      };
    },
    checkLaunchPolicy(evidence, launch) {
      const cpu = cpuOf(evidence);
      parsedAdapterFor(cpuAdapters, cpu.tee).checkLaunchPolicy(cpu, launch);
    },
    explainMismatch: explainCpuGpuMismatch,
  };
}

function chipIdOf(claims: unknown): `0x${string}` | undefined {
  return (claims as { chipId?: `0x${string}` }).chipId;
}

function parsedAdapterFor(adapters: readonly TeeAdapter[], kind: string): TeeAdapter {
  const a = adapters.find((x) => x.kind === kind);
  if (a === undefined) throw new Error(`no CPU adapter for ${kind}`);
  return a;
}
