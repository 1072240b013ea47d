import { dcapQvl } from "./dcapQvl.ts";
import { dcapQvlWeb } from "./dcapQvlWeb.ts";
import { evervault } from "./evervault.ts";
import { litSevSnp } from "./litSevSnp.ts";
import type { Peer } from "./peer.ts";

/** Every peer the verification benchmark runs, in table order. */
export const PEERS: readonly Peer[] = [dcapQvl, dcapQvlWeb, litSevSnp, evervault];
export type { Peer, PeerSetup } from "./peer.ts";
