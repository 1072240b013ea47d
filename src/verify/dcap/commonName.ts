/** The CN of an RFC 4514 name string as @peculiar/x509 prints it ("CN=…, O=…"), or "". */
export function commonName(name: string): string {
  const m = /(?:^|,\s*)CN=((?:\\,|[^,])+)/.exec(name);
  return m ? m[1]!.trim() : "";
}
