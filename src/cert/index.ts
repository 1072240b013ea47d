export * from "./certificateRequest.ts";
export * from "./issueKeepCertificate.ts";
export * from "./verifyKeepCertificate.ts";
export { KEEP_ATTESTATION_OID } from "./keepCertificateExtension.ts";
export { CERT_CODES } from "./codes.ts";
