/**
 * Canonical XML 1.1 (W3C REC xml-c14n11, 2008), without comments, of an
 * element's subtree with one descendant element left out — exactly what an
 * enveloped XML-DSig with `Reference URI=""` (the document minus its
 * Signature) and the SignedInfo element need. Narrow on purpose: the apex's
 * ancestors may not carry xml:* attributes (C14N 1.1 would inherit xml:lang,
 * xml:space and fix up xml:base onto the apex); NVIDIA's RIMs have none, and
 * a document that has them is refused rather than canonicalized differently.
 * Tested byte for byte against the digests of NVIDIA's shipped RIMs.
 */
import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { NVGPU_FORMAT_CODES } from "../codes.ts";
import { XML_NAMESPACE, type XmlElement } from "./xml.ts";

const TEXT_SPECIAL = /[&<>\r]/;
const ATTRIBUTE_SPECIAL = /[&<"\t\n\r]/;

/** Most text and values need no escaping: a test, then the replacement only where it has something to replace. */
function escapeText(s: string): string {
  if (!TEXT_SPECIAL.test(s)) return s;
  return s.replace(/[&<>\r]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&#xD;"));
}

function escapeAttribute(s: string): string {
  if (!ATTRIBUTE_SPECIAL.test(s)) return s;
  return s.replace(/[&<"\t\n\r]/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === '"' ? "&quot;" : c === "\t" ? "&#x9;" : c === "\n" ? "&#xA;" : "&#xD;",
  );
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `rendered`: the namespaces the output parent has. `parentScope`: the output parent's in-scope namespaces, or
 * null for the apex. After an element is rendered, what its children inherit agrees with its in-scope namespaces
 * on every prefix, so a child whose in-scope map is its parent's very map (it declares nothing: xml.ts shares the
 * map) renders no namespace node, and its walk over them is skipped.
 */
function render(
  el: XmlElement,
  rendered: ReadonlyMap<string, string>,
  parentScope: ReadonlyMap<string, string> | null,
  exclude: XmlElement | null,
  out: { s: string },
): void {
  // Namespace nodes are rendered where the output parent does not already have them with the same value (§2.3 / §4.7 of C14N).
  // `here` is what this element's children inherit: `rendered` itself unless this element renders a namespace.
  let here: Map<string, string> | undefined;
  const nsOut: Array<[string, string]> = [];
  if (el.inScope !== parentScope) {
    for (const [prefix, uri] of el.inScope) {
      if (prefix === "xml") continue;
      const parentValue = rendered.get(prefix) ?? (prefix === "" ? "" : undefined);
      if (parentValue !== uri) {
        nsOut.push([prefix, uri]);
        (here ??= new Map(rendered)).set(prefix, uri);
      }
    }
    nsOut.sort((a, b) => byCodePoint(a[0], b[0]));
  }
  const attrs =
    el.attributes.length < 2 ? el.attributes : [...el.attributes].sort((a, b) => byCodePoint(a.ns, b.ns) || byCodePoint(a.local, b.local));
  let open = `<${el.name}`;
  for (const [prefix, uri] of nsOut) open += `${prefix === "" ? " xmlns" : ` xmlns:${prefix}`}="${escapeAttribute(uri)}"`;
  for (const a of attrs) open += ` ${a.name}="${escapeAttribute(a.value)}"`;
  out.s += `${open}>`;
  for (const child of el.children) {
    if (child.type === "text") out.s += escapeText(child.value);
    else if (child !== exclude) render(child, here ?? rendered, el.inScope, exclude, out);
  }
  out.s += `</${el.name}>`;
}

/** The canonical form (UTF-8) of `apex`'s subtree, leaving out `exclude` and its descendants. */
export function canonicalize11(apex: XmlElement, exclude: XmlElement | null = null): Uint8Array {
  for (let a = apex.parent; a !== null; a = a.parent) {
    if (a.attributes.some((x) => x.ns === XML_NAMESPACE)) {
      throw new EvidenceFormatError(
        NVGPU_FORMAT_CODES.NVGPU_RIM_XML_INVALID,
        "RIM XML: xml:* attributes above a signed element are not supported",
        {
          at: { field: a.name },
        },
      );
    }
  }
  const out = { s: "" };
  // The apex's output parent is nothing: every namespace in scope is rendered on it.
  render(apex, new Map(), null, exclude, out);
  return new TextEncoder().encode(out.s);
}
