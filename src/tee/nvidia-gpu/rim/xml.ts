/**
 * A narrow, strict XML 1.0 reader for NVIDIA's RIMs (SWID tags): elements,
 * attributes, character data, CDATA, comments (dropped, as C14N without
 * comments drops them), the XML declaration, the five predefined entities and
 * character references. A DOCTYPE (entity expansion), other processing
 * instructions, unbound prefixes, duplicate attributes and mismatched tags are
 * refused. Namespaces are resolved so the canonicalizer and the readers can
 * work on (namespace URI, local name).
 */
import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { NVGPU_FORMAT_CODES } from "../codes.ts";

export const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";
const MAX_DEPTH = 64;
/** NVIDIA's RIMs are ~20 KiB; a megabyte leaves room without inviting abuse. */
export const MAX_RIM_BYTES = 1 << 20;

export interface XmlAttribute {
  /** The qualified name as written. */
  name: string;
  prefix: string | null;
  local: string;
  /** Resolved namespace URI ("" for unprefixed attributes). */
  ns: string;
  value: string;
}

export interface XmlElement {
  type: "element";
  name: string;
  prefix: string | null;
  local: string;
  ns: string;
  /** Attributes other than namespace declarations, in document order. */
  attributes: XmlAttribute[];
  /** Namespace declarations made on this element: prefix ("" = default) → URI. */
  declarations: Map<string, string>;
  /** Every namespace in scope here (inherited ones included). */
  inScope: ReadonlyMap<string, string>;
  children: XmlNode[];
  parent: XmlElement | null;
}

export interface XmlText {
  type: "text";
  value: string;
}

export type XmlNode = XmlElement | XmlText;

function fail(message: string, offset: number): never {
  throw new EvidenceFormatError(NVGPU_FORMAT_CODES.NVGPU_RIM_XML_INVALID, `RIM XML: ${message}`, { at: { field: "RIM", offset } });
}

/** The names this reader accepts: [A-Za-z_] then [A-Za-z0-9._:-]* (ASCII only; NVIDIA's RIMs use no other). */
function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x3a || c === 0x2d;
}

function decodeUtf8(bytes: Uint8Array): string {
  if (bytes.length > MAX_RIM_BYTES) fail(`larger than ${MAX_RIM_BYTES} bytes`, 0);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return fail("not UTF-8", 0);
  }
}

class Reader {
  pos = 0;
  readonly s: string;
  constructor(s: string) {
    this.s = s;
  }

  startsWith(t: string): boolean {
    return this.s.startsWith(t, this.pos);
  }
  /** Skips [ \t\n]* (CR is gone: parseXml normalizes line ends first); whether it moved. */
  space(): boolean {
    const from = this.pos;
    let c = this.s.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x09 || c === 0x0a) c = this.s.charCodeAt(++this.pos);
    return this.pos > from;
  }
  /** [A-Za-z_][A-Za-z0-9._:-]*, read by char code (a sticky pattern's match array per name was a fifth of the parse). */
  name(): string {
    const from = this.pos;
    if (!isNameStart(this.s.charCodeAt(from))) fail("a name was expected", from);
    let end = from + 1;
    while (isNameChar(this.s.charCodeAt(end))) end++;
    this.pos = end;
    return this.s.slice(from, end);
  }
  expect(t: string): void {
    if (!this.startsWith(t)) fail(`"${t}" was expected`, this.pos);
    this.pos += t.length;
  }
  until(t: string, what: string): string {
    const end = this.s.indexOf(t, this.pos);
    if (end < 0) fail(`unterminated ${what}`, this.pos);
    const out = this.s.slice(this.pos, end);
    this.pos = end + t.length;
    return out;
  }
}

/** Replaces entity and character references; `&` must start one. Most text has none: it is returned as it is. */
function unescape(raw: string, offset: number): string {
  if (!raw.includes("&")) return raw;
  return raw.replace(/&([^;]*);|&/g, (whole, ref: string | undefined) => {
    if (ref === undefined) fail("a bare '&'", offset);
    switch (ref) {
      case "lt":
        return "<";
      case "gt":
        return ">";
      case "amp":
        return "&";
      case "quot":
        return '"';
      case "apos":
        return "'";
    }
    const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
    if (!m) fail(`unknown entity reference ${whole}`, offset);
    const code = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
    const allowed =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    if (!allowed) fail(`character reference ${whole} is not an XML character`, offset);
    return String.fromCodePoint(code);
  });
}

function splitName(qname: string, offset: number): { prefix: string | null; local: string } {
  const i = qname.indexOf(":");
  if (i < 0) return { prefix: null, local: qname };
  const prefix = qname.slice(0, i);
  const local = qname.slice(i + 1);
  if (prefix === "" || local === "" || local.includes(":")) fail(`"${qname}" is not a qualified name`, offset);
  return { prefix, local };
}

function parseElement(r: Reader, parent: XmlElement | null, depth: number): XmlElement {
  if (depth > MAX_DEPTH) fail(`elements nested deeper than ${MAX_DEPTH}`, r.pos);
  const start = r.pos;
  r.expect("<");
  const name = r.name();
  const raw: Array<{ name: string; value: string; offset: number }> = [];
  for (;;) {
    const hadSpace = r.space();
    if (r.startsWith("/>") || r.startsWith(">")) break;
    if (!hadSpace) fail("attributes must be separated by white space", r.pos);
    const offset = r.pos;
    const attrName = r.name();
    r.space();
    r.expect("=");
    r.space();
    const quote = r.s[r.pos];
    if (quote !== '"' && quote !== "'") fail("an attribute value must be quoted", r.pos);
    r.pos++;
    const value = r.until(quote, "attribute value");
    if (value.includes("<")) fail("'<' in an attribute value", offset);
    // Attribute-value normalization (XML 1.0 §3.3.3, CDATA type): literal white space becomes a space; references do not.
    const literal = value.includes("\t") || value.includes("\n") ? value.replace(/[\t\n]/g, " ") : value;
    raw.push({ name: attrName, value: unescape(literal, offset), offset });
  }
  const declarations = new Map<string, string>();
  for (const a of raw) {
    if (a.name === "xmlns") declarations.set("", a.value);
    else if (a.name.startsWith("xmlns:")) {
      const p = a.name.slice(6);
      if (p === "" || a.value === "") fail(`namespace declaration ${a.name} is not allowed`, a.offset);
      declarations.set(p, a.value);
    }
  }
  // An element that declares nothing has its parent's namespaces: the parent's map, shared (never changed after
  // its element is made), rather than a copy per element.
  let inScope: ReadonlyMap<string, string>;
  if (parent !== null && declarations.size === 0) inScope = parent.inScope;
  else {
    const own = new Map(parent?.inScope ?? [["xml", XML_NAMESPACE]]);
    for (const [p, uri] of declarations) own.set(p, uri);
    inScope = own;
  }
  const resolve = (prefix: string | null, offset: number, isAttribute: boolean): string => {
    if (prefix === null) return isAttribute ? "" : (inScope.get("") ?? "");
    const uri = inScope.get(prefix);
    if (uri === undefined) fail(`prefix "${prefix}" is not bound`, offset);
    return uri;
  };
  const { prefix, local } = splitName(name, start);
  const attributes: XmlAttribute[] = [];
  const seen = new Set<string>();
  for (const a of raw) {
    if (seen.has(a.name)) fail(`attribute ${a.name} appears twice`, a.offset);
    seen.add(a.name);
    if (a.name === "xmlns" || a.name.startsWith("xmlns:")) continue;
    const n = splitName(a.name, a.offset);
    const ns = resolve(n.prefix, a.offset, true);
    if (attributes.some((b) => b.ns === ns && b.local === n.local && ns !== ""))
      fail(`attribute {${ns}}${n.local} appears twice`, a.offset);
    attributes.push({ name: a.name, prefix: n.prefix, local: n.local, ns, value: a.value });
  }
  const element: XmlElement = {
    type: "element",
    name,
    prefix,
    local,
    ns: resolve(prefix, start, false),
    attributes,
    declarations,
    inScope,
    children: [],
    parent,
  };
  if (r.startsWith("/>")) {
    r.pos += 2;
    return element;
  }
  r.expect(">");
  let text = "";
  const flush = (): void => {
    if (text !== "") element.children.push({ type: "text", value: text });
    text = "";
  };
  for (;;) {
    if (r.pos >= r.s.length) fail(`element <${name}> is not closed`, start);
    const lt = r.s.indexOf("<", r.pos);
    if (lt < 0) fail(`element <${name}> is not closed`, start);
    if (lt > r.pos) {
      const chunk = r.s.slice(r.pos, lt);
      if (chunk.includes("]]>")) fail("']]>' in character data", r.pos);
      text += unescape(chunk, r.pos);
      r.pos = lt;
    }
    if (r.startsWith("</")) {
      r.pos += 2;
      const end = r.name();
      if (end !== name) fail(`</${end}> closes <${name}>`, r.pos);
      r.space();
      r.expect(">");
      flush();
      return element;
    }
    if (r.startsWith("<!--")) {
      r.pos += 4;
      const body = r.until("-->", "comment");
      if (body.includes("--")) fail("'--' inside a comment", r.pos);
      continue;
    }
    if (r.startsWith("<![CDATA[")) {
      r.pos += 9;
      text += r.until("]]>", "CDATA section");
      continue;
    }
    if (r.startsWith("<?") || r.startsWith("<!"))
      fail("processing instructions and declarations are not accepted inside the document", r.pos);
    flush();
    element.children.push(parseElement(r, element, depth + 1));
  }
}

function skipMisc(r: Reader): void {
  for (;;) {
    r.space();
    if (r.startsWith("<!--")) {
      r.pos += 4;
      r.until("-->", "comment");
    } else return;
  }
}

/** XML 1.0 §2.2 Char: control characters other than TAB, LF and CR, and U+FFFE/U+FFFF, are not characters. */
// eslint-disable-next-line no-control-regex -- the control characters are what the pattern looks for
const NON_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

/** Where the first of those is, or -1 (one pattern search: a third of what a loop by char code took). */
function firstNonXmlChar(text: string): number {
  return text.search(NON_XML_CHAR);
}

/** Parses a whole XML document and returns its document element. */
export function parseXml(bytes: Uint8Array): XmlElement {
  // XML 1.0 §2.11: every CR LF and lone CR becomes LF before parsing.
  const decoded = decodeUtf8(bytes);
  const unmarked = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  const text = unmarked.includes("\r") ? unmarked.replace(/\r\n?/g, "\n") : unmarked;
  const bad = firstNonXmlChar(text);
  if (bad >= 0) fail("a character XML does not allow", bad);
  const r = new Reader(text);
  if (r.startsWith("<?xml")) {
    r.pos += 5;
    const decl = r.until("?>", "XML declaration");
    if (/encoding\s*=\s*["'](?!utf-8["'])/i.test(decl)) fail("only UTF-8 documents are accepted", 0);
  }
  skipMisc(r);
  if (r.startsWith("<!DOCTYPE") || r.startsWith("<?")) fail("DOCTYPE and processing instructions are not accepted", r.pos);
  const root = parseElement(r, null, 0);
  skipMisc(r);
  if (r.pos !== text.length) fail("content after the document element", r.pos);
  return root;
}

/** The child elements of `parent` with this namespace and local name. */
export function childElements(parent: XmlElement, ns: string, local: string): XmlElement[] {
  return parent.children.filter((n): n is XmlElement => n.type === "element" && n.ns === ns && n.local === local);
}

/** The text content of an element that holds only text. */
export function textOf(el: XmlElement): string {
  return el.children.map((n) => (n.type === "text" ? n.value : fail(`<${el.name}> must hold text only`, 0))).join("");
}

export function attributeOf(el: XmlElement, local: string, ns = ""): string | undefined {
  return el.attributes.find((a) => a.ns === ns && a.local === local)?.value;
}
