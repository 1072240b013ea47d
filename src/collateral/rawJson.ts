/** Where a top-level member's value is in the text: `text.slice(start, end)` is its exact text. */
export interface JsonSpan {
  start: number;
  end: number;
}

/**
 * Where each top-level member's value is in a JSON object's text, by name, or undefined when the text is not
 * an object this scanner can walk. Intel signs the bytes of the inner object as served, so the signed bytes
 * must be cut out of the document, never re-serialized. A name that occurs twice is refused (an Error): which
 * of the two a JSON parser keeps is not what the signature covers. Scans once, by char code.
 */
export function rawJsonMemberSpans(text: string): Map<string, JsonSpan> | undefined {
  const members = new Map<string, JsonSpan>();
  let i = skipWs(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  i = skipWs(text, i + 1);
  while (i < text.length && text.charCodeAt(i) !== CLOSE_BRACE) {
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = endOfString(text, i);
    if (keyEnd < 0) return undefined;
    const name = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWs(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) return undefined;
    const start = skipWs(text, i + 1);
    const end = endOfValue(text, start);
    if (end < 0) return undefined;
    if (members.has(name)) throw new Error(`the JSON object has the member "${name}" twice`);
    members.set(name, { start, end });
    i = skipWs(text, end);
    if (text.charCodeAt(i) === COMMA) i = skipWs(text, i + 1);
  }
  return members;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipWs(t: string, i: number): number {
  while (i < t.length && isWs(t.charCodeAt(i))) i++;
  return i;
}

/** Index just past the closing quote of the string starting at `i`, or -1. */
function endOfString(t: string, i: number): number {
  for (let j = i + 1; j < t.length; j++) {
    const c = t.charCodeAt(j);
    if (c === BACKSLASH) j++;
    else if (c === QUOTE) return j + 1;
  }
  return -1;
}

/** Index just past the value starting at `i`, or -1. */
function endOfValue(t: string, i: number): number {
  const c = t.charCodeAt(i);
  if (c === QUOTE) return endOfString(t, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    for (let j = i; j < t.length; j++) {
      const d = t.charCodeAt(j);
      if (d === QUOTE) {
        j = endOfString(t, j) - 1;
        if (j < 0) return -1;
      } else if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < t.length) {
    const d = t.charCodeAt(j);
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isWs(d)) break;
    j++;
  }
  return j > i ? j : -1;
}
