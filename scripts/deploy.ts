// `npm run deploy -- [--rpc <url>] [--out <file>] [--dev] …`: the same as `keepledger deploy`.
// Without --rpc it deploys to an in-process chain (a dry run that ends with the script); with --rpc
// the deployer key comes from KEEPLEDGER_DEPLOYER_KEY.
import { main } from "../src/cli/main.ts";

await main(["deploy", ...process.argv.slice(2)]);
