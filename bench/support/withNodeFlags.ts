// Imported first by the benchmarks and profiles of verification, so that its side effect runs before any other
// module is evaluated: they run with the V8 flags `keepledger node` runs with (bin/nodeFlags.mjs), however
// they were started (npm script, `node bench/…`, bench/all.ts). KEEPLEDGER_V8_FLAGS=off measures V8's defaults.
import { execWithNodeFlags } from "../../bin/nodeFlags.mjs";

execWithNodeFlags();
