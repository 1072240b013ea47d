import type { CollateralRequest } from "../../collateral/types.ts";
import { acrossVerifications, type VerifierContext } from "../verifierContext.ts";
import type { DcapQuote } from "./types.ts";
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";

import { DCAP_CODES } from "./codes.ts";
import { commonName } from "../../pki/x509/names.ts";
import { parseCertificate } from "../../pki/x509/certificate.ts";
import { parsePckExtensions } from "./parsePckExtensions.ts";

export type DcapCollateralRequest = Extract<CollateralRequest, { vendor: "intel" }>;

/**
 * What to fetch for a quote: the TCB Info of its FMSPC, the QE Identity, and the CRL of the CA that issued its
 * PCK certificate. A pure function of the TEE and the PCK chain, so a context remembers it by the chain's
 * digest (the SHA-256 of its exact PEM text): a known platform's quote is not asked for its leaf again.
 */
export function collateralRequestFor(quote: DcapQuote, context?: VerifierContext): DcapCollateralRequest {
  const cache = acrossVerifications(context)?.dcapRequests;
  if (!cache) return requestOf(quote, context);
  const key = `${quote.tee}:${quote.signature.pckChain.digest}`;
  const known = cache.get(key);
  // A copy: the caller owns what it is handed (a provider may annotate the request).
  if (known) return { ...known };
  return { ...cache.set(key, requestOf(quote, context)) };
}

function requestOf(quote: DcapQuote, context?: VerifierContext): DcapCollateralRequest {
  const leaf = parseCertificate(quote.signature.pckChain.certificates[0]!, "PCK certificate chain[0]", context?.pki);
  const issuer = commonName(leaf.issuer);
  const pckCa = issuer === "Intel SGX PCK Platform CA" ? "platform" : issuer === "Intel SGX PCK Processor CA" ? "processor" : undefined;
  if (!pckCa) {
    throw new VerificationError(
      DCAP_CODES.DCAP_PCK_CERT_INVALID,
      "the PCK certificate is not issued by the PCK Platform CA or the PCK Processor CA",
      {
        at: { field: "quote.signature.pckChain" },
        details: { issuer: leaf.issuer },
      },
    );
  }
  return { vendor: "intel", tee: quote.tee, fmspc: parsePckExtensions(leaf, context).fmspc, pckCa };
}
