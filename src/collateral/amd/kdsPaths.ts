import { UsageError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { isAllZero, tryFromHex } from "@keepledger/sdk/internal/util/bytes";
import type { AmdProductLine } from "../../pki/roots.ts";
import type { CollateralRequest } from "../types.ts";
import { KDS_CODES } from "./codes.ts";

type AmdRequest = Extract<CollateralRequest, { vendor: "amd" }>;

const PRODUCT_LINES: readonly AmdProductLine[] = ["Milan", "Genoa", "Turin"];

function unsupported(message: string, details: Record<string, unknown>): never {
  throw new UsageError(KDS_CODES.KDS_REQUEST_UNSUPPORTED, message, { details });
}

function spl(name: string, v: number | undefined): number {
  if (v === undefined || !Number.isInteger(v) || v < 0 || v > 255) unsupported(`${name} must be a byte`, { [name]: v });
  return v;
}

/** `/vcek/v1/{product}/cert_chain` or `/vlek/v1/{product}/cert_chain`: the ASK (ASVK) then the ARK, PEM. */
export function kdsCertChainPath(productLine: AmdProductLine, signingKey: "vcek" | "vlek"): string {
  return `/${signingKey}/v1/${productLine}/cert_chain`;
}

/** `/vcek/v1/{product}/crl` or `/vlek/v1/{product}/crl`: the ARK's CRL, DER. */
export function kdsCrlPath(productLine: AmdProductLine, signingKey: "vcek" | "vlek"): string {
  return `/${signingKey}/v1/${productLine}/crl`;
}

/**
 * `/vcek/v1/{product}/{hwid}?blSPL=..&teeSPL=..&snpSPL=..&ucodeSPL=..`, the
 * VCEK for a chip and REPORTED_TCB. Turin: the hwid is the first 8 bytes of
 * CHIP_ID (the rest must be zero) and fmcSPL comes first.
 */
export function kdsVcekPath(request: AmdRequest): string {
  const { productLine, reportedTcb: t } = request;
  if (!PRODUCT_LINES.includes(productLine)) unsupported(`unknown AMD product line ${String(productLine)}`, { productLine });
  const chip = tryFromHex(request.chipId);
  if (chip?.length !== 64) unsupported("CHIP_ID must be 64 bytes of hex", { chipId: request.chipId });
  if (isAllZero(chip)) unsupported("CHIP_ID is masked (all zero): KDS cannot serve a VCEK for it", { chipId: request.chipId });
  const params: string[] = [];
  let hwid: Uint8Array = chip;
  if (productLine === "Turin") {
    if (!isAllZero(chip.subarray(8))) unsupported("a Turin CHIP_ID has 8 significant bytes, then zeros", { chipId: request.chipId });
    hwid = chip.subarray(0, 8);
    params.push(`fmcSPL=${spl("fmcSPL", t.fmc)}`);
  } else if (t.fmc !== undefined) {
    unsupported(`a ${productLine} TCB has no FMC SPL`, { fmc: t.fmc });
  }
  params.push(
    `blSPL=${spl("blSPL", t.bootloader)}`,
    `teeSPL=${spl("teeSPL", t.tee)}`,
    `snpSPL=${spl("snpSPL", t.snp)}`,
    `ucodeSPL=${spl("ucodeSPL", t.microcode)}`,
  );
  return `/vcek/v1/${productLine}/${Buffer.from(hwid).toString("hex")}?${params.join("&")}`;
}
