import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fixtureBytes } from "../../../../test/support/fixtures.ts";
import { canonicalize11 } from "./c14n.ts";
import { childElements, parseXml } from "./xml.ts";
import { DSIG_NS } from "./parseRim.ts";

const SET = "h100-nvtrust-sample-550.90.07-fullrim";
const RIMS = ["NV_GPU_DRIVER_GH100_550.90.07.swidtag", "NV_GPU_VBIOS_1010_0200_882_96009F0001.swidtag"];
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe("C14N 1.1 against NVIDIA's shipped RIMs", () => {
  it.each(RIMS)("reproduces the signed digest of %s byte for byte", (file) => {
    const bytes = fixtureBytes("nvidia-gpu", SET, file);
    const root = parseXml(bytes);
    const signature = childElements(root, DSIG_NS, "Signature")[0]!;
    const canonical = canonicalize11(root, signature);
    const digestValue = /<ds:DigestValue>([^<]+)</.exec(text(bytes))![1];
    expect(createHash("sha384").update(canonical).digest("base64")).toBe(digestValue);
    // The canonical form is the document minus its signature, with empty elements expanded and the trailing newline dropped.
    expect(text(canonical).startsWith('<SoftwareIdentity xmlns="http://standards.iso.org/iso/19770/-2/2015/schema.xsd"')).toBe(true);
    expect(text(canonical).endsWith("    </ns0:Payload>\n</SoftwareIdentity>")).toBe(true);
    expect(text(canonical)).not.toContain("/>");
  });

  it("renders SignedInfo with every namespace in scope on it", () => {
    const root = parseXml(fixtureBytes("nvidia-gpu", SET, RIMS[0]!));
    const signedInfo = childElements(childElements(root, DSIG_NS, "Signature")[0]!, DSIG_NS, "SignedInfo")[0]!;
    const want =
      '<ds:SignedInfo xmlns="http://standards.iso.org/iso/19770/-2/2015/schema.xsd" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:ns0="http://standards.iso.org/iso/19770/-2/2015/schema.xsd" xmlns:ns2="http://www.w3.org/2001/04/xmlenc#sha384"><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2006/12/xml-c14n11"></ds:CanonicalizationMethod>';
    expect(text(canonicalize11(signedInfo)).slice(0, want.length)).toBe(want);
  });
});

describe("C14N 1.1 rules (W3C xml-c14n11 §3 examples, narrowed)", () => {
  it.each([
    { name: "empty elements are expanded", input: "<a><b/></a>", want: "<a><b></b></a>" },
    {
      name: "attributes sort by namespace URI then local name",
      input: '<a xmlns:z="urn:a" xmlns:y="urn:b" c="1" y:b="2" z:b="3" b="4"/>',
      want: '<a xmlns:y="urn:b" xmlns:z="urn:a" b="4" c="1" z:b="3" y:b="2"></a>',
    },
    {
      name: "redundant namespace declarations are dropped",
      input: '<a xmlns="urn:x" xmlns:p="urn:p"><p:b xmlns:p="urn:p" xmlns="urn:x"/></a>',
      want: '<a xmlns="urn:x" xmlns:p="urn:p"><p:b></p:b></a>',
    },
    {
      name: "the default namespace is undeclared where it changes to none",
      input: '<a xmlns="urn:x"><b xmlns=""/></a>',
      want: '<a xmlns="urn:x"><b xmlns=""></b></a>',
    },
    { name: "text escapes &, <, > and CR", input: "<a>&amp;&lt;&gt;&#xD;\"'</a>", want: "<a>&amp;&lt;&gt;&#xD;\"'</a>" },
    {
      name: 'attribute values escape &, <, ", TAB, LF, CR',
      input: '<a b="&amp;&lt;&quot;&#9;&#10;&#13;>\'"/>',
      want: '<a b="&amp;&lt;&quot;&#x9;&#xA;&#xD;>\'"></a>',
    },
    { name: "literal white space in attributes is normalized to spaces", input: '<a b="x\ty\nz"/>', want: '<a b="x y z"></a>' },
    {
      name: "CDATA becomes escaped text, comments and the declaration go",
      input: '<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><a><![CDATA[<x>]]><!-- y --></a>\n',
      want: "<a>&lt;x&gt;</a>",
    },
    { name: "CR LF becomes LF", input: "<a>x\r\ny\rz</a>", want: "<a>x\ny\nz</a>" },
    { name: "CR LF in an attribute value becomes one space", input: '<a b="x\r\ny"/>', want: '<a b="x y"></a>' },
    { name: "a byte order mark is not content", input: "\uFEFF<a>x</a>", want: "<a>x</a>" },
    {
      name: "a namespace is rendered where it is declared, and once",
      input: '<a xmlns:p="urn:p"><b><c xmlns:q="urn:q"><d/><q:e/></c></b><f/></a>',
      want: '<a xmlns:p="urn:p"><b><c xmlns:q="urn:q"><d></d><q:e></q:e></c></b><f></f></a>',
    },
    {
      name: "a default namespace undeclared below an element that declares nothing",
      input: '<a xmlns="urn:x"><b><c xmlns=""><d/></c><e/></b></a>',
      want: '<a xmlns="urn:x"><b><c xmlns=""><d></d></c><e></e></b></a>',
    },
  ])("$name", ({ input, want }) => {
    expect(text(canonicalize11(parseXml(enc(input))))).toBe(want);
  });
});

describe("the narrow XML reader refuses what it does not handle", () => {
  it.each([
    { name: "a DOCTYPE (entity expansion)", input: '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>' },
    { name: "an unknown entity", input: "<a>&x;</a>" },
    { name: "a processing instruction", input: "<a><?pi x?></a>" },
    { name: "an unbound prefix", input: "<p:a/>" },
    { name: "a duplicate attribute", input: '<a b="1" b="2"/>' },
    { name: "the same expanded attribute twice", input: '<a xmlns:p="urn:x" xmlns:q="urn:x" p:b="1" q:b="2"/>' },
    { name: "mismatched tags", input: "<a><b></a></b>" },
    { name: "an unclosed element", input: "<a><b></b>" },
    { name: "content after the document element", input: "<a/><b/>" },
    { name: "a bare ampersand", input: "<a>x & y</a>" },
    { name: "a character reference to a non-character", input: "<a>&#0;</a>" },
    { name: "too deep nesting", input: "<a>".repeat(100) + "</a>".repeat(100) },
    { name: "a non-UTF-8 encoding", input: '<?xml version="1.0" encoding="ISO-8859-1"?><a/>' },
    { name: "a name that starts with a digit", input: "<1a/>" },
    { name: "a name with a character outside the narrow set", input: "<a\u00e9/>" },
    { name: "attributes not separated by white space", input: '<a b="1"c="2"/>' },
  ])("$name", ({ input }) => {
    expect(codeOf(() => parseXml(enc(input)))).toBe("NVGPU_RIM_XML_INVALID");
  });

  it.each([
    ["U+0001", "\u0001"],
    ["U+000B", "\u000b"],
    ["U+001F", "\u001f"],
    ["U+FFFE", "\ufffe"],
    ["U+FFFF", "\uffff"],
  ])("refuses %s, a character XML does not allow, at its offset", (_, char) => {
    const input = `<a>xy${char}</a>`;
    const error = (() => {
      try {
        parseXml(enc(input));
      } catch (e) {
        return e as { code?: string; at?: { offset?: number } };
      }
      return undefined;
    })();
    expect(error?.code).toBe("NVGPU_RIM_XML_INVALID");
    expect(error?.at?.offset).toBe(5);
  });

  it("accepts TAB, LF and CR, the control characters XML allows", () => {
    expect(text(canonicalize11(parseXml(enc("<a>\t\n\r</a>"))))).toBe("<a>\t\n\n</a>");
  });

  it("refuses invalid UTF-8", () => {
    expect(codeOf(() => parseXml(Uint8Array.of(0x3c, 0x61, 0xff, 0x2f, 0x3e)))).toBe("NVGPU_RIM_XML_INVALID");
  });

  it("reads 2,000 one-byte mutations of a real RIM or refuses them with its code; what it reads canonicalizes to a fixed point", () => {
    const bytes = fixtureBytes("nvidia-gpu", SET, RIMS[0]!);
    let seed = 0x2545f491;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    // Bytes that matter to the grammar, and any byte.
    const candidates = [0x3c, 0x3e, 0x2f, 0x22, 0x27, 0x3d, 0x26, 0x3b, 0x3a, 0x20, 0x0a, 0x0d, 0x09, 0x00, 0x21, 0x3f, 0x2d, 0x78];
    let read = 0;
    for (let n = 0; n < 2000; n++) {
      const mutated = Uint8Array.from(bytes);
      mutated[random(mutated.length)] = n % 2 === 0 ? candidates[random(candidates.length)]! : random(256);
      let root: ReturnType<typeof parseXml>;
      try {
        root = parseXml(mutated);
      } catch (e) {
        expect((e as { code?: string }).code, `mutation ${n}`).toBe("NVGPU_RIM_XML_INVALID");
        continue;
      }
      read++;
      const canonical = canonicalize11(root);
      expect(canonicalize11(parseXml(canonical)), `mutation ${n}`).toEqual(canonical);
    }
    // About a third of one-byte changes land in text or attribute values and still read: both paths are exercised.
    expect(read).toBeGreaterThan(400);
  });

  it("fails every truncation of a real RIM with a typed error", () => {
    const bytes = fixtureBytes("nvidia-gpu", SET, RIMS[1]!);
    // The document element closes at the very end; every shorter prefix leaves something open.
    const end = text(bytes).lastIndexOf("</SoftwareIdentity>");
    for (let n = 0; n < end + "</SoftwareIdentity".length; n += 7) {
      expect(
        codeOf(() => parseXml(bytes.subarray(0, n))),
        `cut at ${n}`,
      ).toBe("NVGPU_RIM_XML_INVALID");
    }
  });
});
