// A validator node for the benchmark's `--kind tdx` mode only: `keepledger node` plus the DCAP test
// signer's root CA, which the benchmark made in its own process and hands over as a file named on this
// command line. It is the only way a node process trusts a test root: the node's configuration has no
// such key (its schema is strict, test/node/testRootNotConfigurable.e2e.test.ts), `keepledger node` has no
// such flag, and this script is not in the published package (package.json "files").
//
//   node bench/support/benchNode.ts --config <node.json> --unsafe-test-root <root.der>
import "./withNodeFlags.ts"; // first: the V8 flags `keepledger node` runs with (bin/nodeFlags.mjs)
import { readFileSync } from "node:fs";
import { loadNodeConfig } from "../../src/node/config/loadNodeConfig.ts";
import { startValidatorNode } from "../../src/node/startValidatorNode.ts";
import { parseCertificate } from "../../src/pki/x509/certificate.ts";

const value = (name: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (!v) throw new Error(`--${name} is required`);
  return v;
};

const config = await loadNodeConfig(value("config"));
const root = parseCertificate(new Uint8Array(readFileSync(value("unsafe-test-root"))));
const node = await startValidatorNode({
  config,
  unsafeTrustedRoots: [{ name: "DCAP test signer root (benchmark only)", certificate: root }],
});
process.stderr.write(`benchmark validator ${node.address} at ${node.url}, trusting the DCAP TEST root\n`);
const stop = () => void node.stop().then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
