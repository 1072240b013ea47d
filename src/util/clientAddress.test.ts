import { describe, expect, it } from "vitest";
import { clientAddress, trustedProxyList } from "./clientAddress.ts";

describe("clientAddress", () => {
  const trusted = trustedProxyList(["10.0.0.0/8", "::1"]);
  it.each([
    {
      name: "no trusted proxies: the TCP peer, whatever the header says",
      peer: "203.0.113.7",
      xff: "198.51.100.1",
      trusted: undefined,
      want: "203.0.113.7",
    },
    { name: "an untrusted peer's header is ignored", peer: "203.0.113.7", xff: "198.51.100.1", trusted, want: "203.0.113.7" },
    { name: "a trusted proxy's client", peer: "10.1.2.3", xff: "198.51.100.1", trusted, want: "198.51.100.1" },
    { name: "a forged left part is skipped", peer: "10.1.2.3", xff: "1.2.3.4, 198.51.100.1", trusted, want: "198.51.100.1" },
    { name: "a chain of trusted proxies", peer: "::1", xff: "198.51.100.1, 10.9.9.9", trusted, want: "198.51.100.1" },
    { name: "IPv4-mapped addresses", peer: "::ffff:10.1.2.3", xff: "::ffff:198.51.100.1", trusted, want: "198.51.100.1" },
    { name: "garbage in the header stops the walk", peer: "10.1.2.3", xff: "198.51.100.1, not-an-ip", trusted, want: "10.1.2.3" },
    { name: "only trusted hops: the first", peer: "10.1.2.3", xff: "10.0.0.1, 10.0.0.2", trusted, want: "10.0.0.1" },
    { name: "no header from a trusted proxy", peer: "10.1.2.3", xff: undefined, trusted, want: "10.1.2.3" },
  ])("$name", ({ peer, xff, trusted: list, want }) => {
    expect(clientAddress(peer, xff, list)).toBe(want);
  });

  it("refuses a trusted proxy entry that is not an address or range", () => {
    expect(() => trustedProxyList(["proxy.internal"])).toThrow("not an IP address or CIDR range: proxy.internal");
    expect(() => trustedProxyList(["10.0.0.0/x"])).toThrow("not an IP address or CIDR range");
  });
});
