/**
 * The registry's public GraphQL API, nothing else: queries over POST, subscriptions as server-sent
 * events (the API's own transport) over fetch, so the explorer works against any keepledger registry.
 */
export class GraphqlError extends Error {}

/** The endpoint: /graphql on the origin that served the explorer, unless <meta name="keepledger-graphql"> says otherwise. */
export function endpoint(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="keepledger-graphql"]');
  return new URL(meta?.content || "/graphql", location.href).toString();
}

export async function query<T>(text: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(endpoint(), {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query: text, variables }),
  });
  const body = (await response.json().catch(() => ({}))) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new GraphqlError(body.errors.map((e) => e.message).join("; "));
  if (!response.ok || body.data === undefined) throw new GraphqlError(`the registry answered HTTP ${response.status}`);
  return body.data;
}

export interface Subscription {
  /** Resolves when the stream is open (the server accepted the subscription). */
  opened: Promise<void>;
  close(): void;
}

/** Follows a subscription; `onData` gets each event's data, `onEnd` the reason the stream ended. */
export function subscribe<T>(
  text: string,
  variables: Record<string, unknown>,
  onData: (data: T) => void,
  onEnd: (error?: Error) => void,
): Subscription {
  const abort = new AbortController();
  let markOpen: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (markOpen = resolve));
  void (async () => {
    try {
      const response = await fetch(endpoint(), {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ query: text, variables }),
        signal: abort.signal,
      });
      if (!response.ok || !response.body) throw new GraphqlError(`the registry answered HTTP ${response.status}`);
      markOpen();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split("\n")
            .filter((l) => l.startsWith("data:"))
            .map((l) => l.slice(5).trim())
            .join("\n");
          if (!data) continue;
          const event = JSON.parse(data) as { data?: T; errors?: { message: string }[] };
          if (event.errors?.length) throw new GraphqlError(event.errors.map((e) => e.message).join("; "));
          if (event.data) onData(event.data);
        }
      }
      onEnd();
    } catch (error) {
      if (!abort.signal.aborted) onEnd(error instanceof Error ? error : new Error(String(error)));
    }
  })();
  return { opened, close: () => abort.abort() };
}
