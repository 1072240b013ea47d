/**
 * The recognizer parses a PCS-form Intel document whole, to find its members; the verifier then reads the
 * signed body it cut out, and only those bytes (src/tee/dcap/intelCollateral.ts) — which meant parsing the same
 * JSON twice, ~25 µs of a cold DCAP verification (TCB Info and QE Identity, 6 KB of JSON).
 *
 * This hands the value the recognizer already has to the first verifier that reads that body. It is exactly
 * the body's own parse: a member of the whole document's parse is the parse of that member's text, and the
 * document has no member twice (rawJsonMemberSpans refuses that). It is keyed by the body's bytes object, which the
 * recognizer creates and no one else holds before the entry is written, and taken once: the reader owns it,
 * as it owned its own parse, and nothing else refers to it (the document's `value` is a separate parse, made
 * when read). A later reader of the same body parses it itself.
 */
const handoffs = new WeakMap<Uint8Array, unknown>();

/** Offers `value`, the parse of `body`'s text, to the first reader of `body`. */
export function offerParsedBody(body: Uint8Array, value: unknown): void {
  if (value !== undefined) handoffs.set(body, value);
}

/** The parse of `body` the recognizer offered, if no reader has taken it yet (undefined otherwise). */
export function takeParsedBody(body: Uint8Array): unknown {
  const value = handoffs.get(body);
  if (value !== undefined) handoffs.delete(body);
  return value;
}
