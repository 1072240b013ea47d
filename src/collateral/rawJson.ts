/**
 * Returns the exact text of a top-level member's value in a JSON object, or
 * undefined. Intel signs the bytes of the inner object as served, so the
 * signed bytes must be cut out of the document, never re-serialized.
 */
export function rawJsonMember(text: string, key: string): string | undefined {
  let i = skipWs(text, 0);
  if (text[i] !== "{") return undefined;
  i = skipWs(text, i + 1);
  while (i < text.length && text[i] !== "}") {
    if (text[i] !== '"') return undefined;
    const keyEnd = endOfString(text, i);
    if (keyEnd < 0) return undefined;
    const name = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWs(text, keyEnd);
    if (text[i] !== ":") return undefined;
    const start = skipWs(text, i + 1);
    const end = endOfValue(text, start);
    if (end < 0) return undefined;
    if (name === key) return text.slice(start, end);
    i = skipWs(text, end);
    if (text[i] === ",") i = skipWs(text, i + 1);
  }
  return undefined;
}

function skipWs(t: string, i: number): number {
  while (i < t.length && (t[i] === " " || t[i] === "\n" || t[i] === "\r" || t[i] === "\t")) i++;
  return i;
}

/** Index just past the closing quote of the string starting at `i`, or -1. */
function endOfString(t: string, i: number): number {
  for (let j = i + 1; j < t.length; j++) {
    if (t[j] === "\\") j++;
    else if (t[j] === '"') return j + 1;
  }
  return -1;
}

/** Index just past the value starting at `i`, or -1. */
function endOfValue(t: string, i: number): number {
  const c = t[i];
  if (c === '"') return endOfString(t, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    for (let j = i; j < t.length; j++) {
      const d = t[j];
      if (d === '"') {
        j = endOfString(t, j) - 1;
        if (j < 0) return -1;
      } else if (d === "{" || d === "[") depth++;
      else if (d === "}" || d === "]") {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < t.length && !",}] \n\r\t".includes(t[j]!)) j++;
  return j > i ? j : -1;
}
