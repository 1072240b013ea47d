/**
 * One peer library in the verification benchmark: which kinds it verifies,
 * and, for a vector, either an operation that verifies it once more or the
 * reason it cannot. Peers are benchmark-only devDependencies: nothing in src/
 * may import them.
 */
import type { Operation } from "../verify/measure.ts";
import type { BenchKind, BenchVector } from "../verify/vectors.ts";

export type PeerSetup =
  | {
      run: Operation;
      /** What one call does, for the table and the JSON (e.g. "one mode: parses and checks everything every call"). */
      note: string;
    }
  | {
      /** Why the peer cannot verify this vector; recorded as absent. */
      absent: string;
    };

export interface Peer {
  /** The npm package name: the `impl` of its rows. */
  name: string;
  kinds: readonly BenchKind[];
  setup(vector: BenchVector): Promise<PeerSetup>;
}
