/**
 * keepledger's NVIDIA test roots: the device-identity and RIM-signing roots of the test composite the dev network
 * seeds (data/dev-vectors/cpu-gpu/keepledger-test-tdx-gh100, written by scripts/dev/make-cpu-gpu-vector.ts with
 * the test signer; their private keys were not kept). Like Arm's published CCA test keys: evidence chaining to
 * them verifies, so that a development network can show GPU Keeps, but it proves nothing about hardware — it
 * is labelled insecure (`debug: true`), which only dev policies accept.
 */
import { parsePemCertificates, type ParsedCertificate } from "../../pki/x509/certificate.ts";
import type { TrustedRoot } from "../../pki/x509/verifyCertificateChain.ts";

const DEVICE_PEM = `-----BEGIN CERTIFICATE-----
MIIBojCCASigAwIBAgICEAEwCgYIKoZIzj0EAwMwKTEnMCUGA1UEAxMeVGVzdCBO
VklESUEgRGV2aWNlIElkZW50aXR5IENBMB4XDTIwMDEwMTAwMDAwMFoXDTQ5MDEw
MTAwMDAwMFowKTEnMCUGA1UEAxMeVGVzdCBOVklESUEgRGV2aWNlIElkZW50aXR5
IENBMHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEWwlrYGqZGfcHRdVfJOLMzsAbrq1i
euZo6G0KqXenXlmxdKLpdrx+hm65pX5JkSh0f7QKyU/dYW+xk3pt64ZeWMRUZm8/
nu2hlF2kTpO1vqZvOeu3CNl2e6eDlNbMNCq9oyMwITAPBgNVHRMBAf8EBTADAQH/
MA4GA1UdDwEB/wQEAwIBBjAKBggqhkjOPQQDAwNoADBlAjAL1XipL7QtmEhXYnZ1
qawzOnLUCldQrburtvE0J7iadxyI8C38+nHALybXOlgr8XwCMQDaC0QXMpL7b3ML
ivgIPCKp4lctOh65sKhJC+UJirEMG9fGDqoTbPXHJY9jnOC2HtQ=
-----END CERTIFICATE-----
`;

const RIM_PEM = `-----BEGIN CERTIFICATE-----
MIIBqTCCAS6gAwIBAgICEAYwCgYIKoZIzj0EAwMwLDEqMCgGA1UEAxMhVGVzdCBO
VklESUEgQ29SSU0gc2lnbmluZyBSb290IENBMB4XDTIwMDEwMTAwMDAwMFoXDTQ5
MDEwMTAwMDAwMFowLDEqMCgGA1UEAxMhVGVzdCBOVklESUEgQ29SSU0gc2lnbmlu
ZyBSb290IENBMHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE4kT4PYqyGpzhwQruTk7e
ZvW3S5HhpScg7rjaMG2bjnpikKvKMccudm4AL3lWZSO/FQPZ9MxXzUv/ho8inCS4
h8Y2/ysRYLlrIFKiBusmAgN2GgclfLnoEwfThDiglccJoyMwITAPBgNVHRMBAf8E
BTADAQH/MA4GA1UdDwEB/wQEAwIBBjAKBggqhkjOPQQDAwNpADBmAjEAnvOz9Co0
f9HAIcrdDXYBKIPl6olOyMgu1AQ/4wLL0jJQxnMiDhiZK3lPCGlFZozkAjEA8NWH
qU1yjrd+1GvM/pAOoRlLJLLyb54LmZ0gdKNdzBrbLpM+4qjh9cb1MM08ZGts
-----END CERTIFICATE-----
`;

function root(name: string, pem: string): TrustedRoot {
  return { name, certificate: parsePemCertificates(pem)[0]! };
}

export const NVIDIA_TEST_ROOTS: { readonly device: readonly TrustedRoot[]; readonly rim: readonly TrustedRoot[] } = {
  device: [root("keepledger test NVIDIA Device Identity CA (insecure)", DEVICE_PEM)],
  rim: [root("keepledger test NVIDIA CoRIM signing Root CA (insecure)", RIM_PEM)],
};

const TEST_ROOT_FINGERPRINTS: ReadonlySet<string> = new Set(
  [...NVIDIA_TEST_ROOTS.device, ...NVIDIA_TEST_ROOTS.rim].map((r) => r.certificate.fingerprint),
);

/** Whether a certificate (a chain's root) is one of keepledger's NVIDIA test roots: by its DER's SHA-256. */
export function isNvidiaTestRoot(certificate: ParsedCertificate): boolean {
  return TEST_ROOT_FINGERPRINTS.has(certificate.fingerprint);
}
