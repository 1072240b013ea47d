/**
 * The address a request comes from, for per-client rate limits. Behind a reverse proxy every request
 * comes from the proxy, so the proxy's X-Forwarded-For names the client — but a client can send that
 * header too, so it is believed only when the connection comes from a configured trusted proxy, and only
 * as far as trusted proxies appended to it: the list is read from the right, skipping trusted proxies,
 * and the first address that is not one is the client (what nginx's real_ip_recursive does).
 */
import { BlockList, isIP } from "node:net";

/** Addresses ("10.0.0.5", "::1") and CIDR ranges ("10.0.0.0/8", "fd00::/8") of trusted proxies. */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split("/", 2) as [string, string | undefined];
    const family = isIP(address);
    if (family === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits))) throw new Error(`not an IP address or CIDR range: ${entry}`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

function normalize(address: string): string {
  // An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d.
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function isTrusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
}

export function clientAddress(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: BlockList | undefined,
): string {
  const peer = normalize(remoteAddress ?? "unknown");
  if (!trusted || !isTrusted(trusted, peer) || forwardedFor === undefined) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
    .split(",")
    .map((h) => normalize(h.trim()))
    .filter((h) => h !== "");
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    // Garbage where an address should be: the chain cannot be followed further; key on what is known.
    if (isIP(hop) === 0) return hops[i + 1] ?? peer;
    if (!isTrusted(trusted, hop)) return hop;
  }
  return hops[0] ?? peer;
}
