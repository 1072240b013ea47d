export * from "./certificate.ts";
export * from "./codes.ts";
export * from "./der.ts";
export * from "./signatureAlgorithm.ts";
export * from "./verifyCertificateChain.ts";
export * from "./pkiCaches.ts";
