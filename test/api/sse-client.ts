export interface SseEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: any;
  readonly receivedAt: number;
}

export interface SseConnection {
  readonly events: SseEvent[];
  readonly status: number;
  /** Comment frames received (the server's heartbeats). */
  heartbeats(): number;
  /** Whether the server ended the stream (close() does not count). */
  ended(): boolean;
  close(): void;
}

/** A minimal EventSource over fetch, so a test can send Last-Event-ID and read every frame. */
export async function connectSse(url: string, lastEventId?: string): Promise<SseConnection> {
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
  const response = await fetch(url, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  let heartbeats = 0;
  let ended = false;
  const body = response.body;
  if (body !== null) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of body) {
          buffer += decoder.decode(chunk as Uint8Array, { stream: true });
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
            let id: string | undefined;
            let event = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) heartbeats++;
              else if (line.startsWith('id: ')) id = line.slice(4);
              else if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
            }
            if (data.length > 0) events.push({ id, event, data: JSON.parse(data.join('\n')), receivedAt: Date.now() });
          }
        }
        ended = !controller.signal.aborted;
      } catch {
        // Aborted by close().
      }
    })();
  }
  return {
    events,
    status: response.status,
    heartbeats: () => heartbeats,
    ended: () => ended,
    close: () => controller.abort(),
  };
}
