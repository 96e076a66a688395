import type { ServerResponse } from 'node:http';
import type { Logger, RegistryChange, Store } from '@kafka-monitor/domain';
import type { ProcessorsData, StatsData } from '../contract.js';
import { timelineDto } from './dto.js';

export interface LiveStreamOptions {
  readonly store: Store;
  readonly logger: Logger;
  readonly readStats: () => Promise<StatsData>;
  readonly readProcessors: () => Promise<ProcessorsData>;
  readonly feedPollMs?: number;
  readonly statsIntervalMs?: number;
  readonly processorsIntervalMs?: number;
  readonly heartbeatMs?: number;
  /** Most missed changes replayed on a resume; a client further behind is told to reload. */
  readonly maxReplay?: number;
}

interface Client {
  readonly response: ServerResponse;
  /** Cursor of the last change written to this client; older ones are never sent again. */
  lastSent: number;
  /** Frames that arrived while the client's replay was still being written. */
  backlog: { cursor: number | undefined; text: string }[] | undefined;
}

export interface LiveStream {
  /** Streams to one response until it closes; `lastEventId` resumes after a change cursor. */
  attach(response: ServerResponse, lastEventId: number | undefined): Promise<void>;
  clientCount(): number;
  /** Sends an event (no id: not resumable) to every client listening now. */
  publish(event: string, data: unknown): void;
  close(): void;
}

function frame(event: string, data: unknown, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function changeFrame(change: RegistryChange): string {
  if (change.kind === 'registered') {
    return frame('order', timelineDto(change.order, change.status), change.cursor);
  }
  return frame(
    'status',
    {
      'order-id': change.orderId,
      'previous-status': change.previousStatus,
      'new-status': change.status,
      version: change.version,
      'updated-at': change.at,
    },
    change.cursor,
  );
}

/**
 * Server-Sent Events fed by the registry's change feed. Event ids are change cursors, so a client that
 * reconnects with Last-Event-ID gets exactly what it missed from the store, even across a monitor
 * restart. Timers run only while someone listens.
 */
export function createLiveStream(options: LiveStreamOptions): LiveStream {
  const clients = new Set<Client>();
  const timers: NodeJS.Timeout[] = [];
  let cursor = 0;
  let polling = false;
  let lastStats = '';

  function send(client: Client, text: string, changeCursor?: number): void {
    if (client.backlog !== undefined) {
      client.backlog.push({ cursor: changeCursor, text });
      return;
    }
    if (changeCursor !== undefined) {
      if (changeCursor <= client.lastSent) return;
      client.lastSent = changeCursor;
    }
    client.response.write(text);
  }

  function broadcast(text: string, changeCursor?: number): void {
    for (const client of clients) send(client, text, changeCursor);
  }

  async function pollChanges(): Promise<void> {
    if (polling) return;
    polling = true;
    try {
      for (;;) {
        const changes = await options.store.registry.changesSince(cursor, 500);
        for (const change of changes) broadcast(changeFrame(change), change.cursor);
        cursor = changes.at(-1)?.cursor ?? cursor;
        if (changes.length < 500) break;
      }
    } finally {
      polling = false;
    }
  }

  const guard = (work: () => Promise<void>) => (): void => {
    work().catch((error: unknown) => options.logger.warn({ err: error }, 'live stream update failed'));
  };

  async function sendStats(): Promise<void> {
    const stats = await options.readStats();
    const key = JSON.stringify({ ...stats, timestamp: 0 });
    if (key === lastStats) return;
    lastStats = key;
    broadcast(frame('stats', stats));
  }

  async function sendProcessors(): Promise<void> {
    broadcast(frame('processors', await options.readProcessors()));
  }

  async function startTimers(): Promise<void> {
    cursor = await options.store.registry.latestCursor();
    lastStats = '';
    timers.push(
      setInterval(guard(pollChanges), options.feedPollMs ?? 150),
      // Stats at most twice a second, and only when they changed.
      setInterval(guard(sendStats), options.statsIntervalMs ?? 500),
      setInterval(guard(sendProcessors), options.processorsIntervalMs ?? 3_000),
      setInterval(() => broadcast(': heartbeat\n\n'), options.heartbeatMs ?? 15_000),
    );
  }

  function stopTimers(): void {
    for (const timer of timers.splice(0)) clearInterval(timer);
  }

  async function replay(client: Client, after: number): Promise<void> {
    const maxReplay = options.maxReplay ?? 5_000;
    const missed = await options.store.registry.changesSince(after, maxReplay + 1);
    if (missed.length > maxReplay) {
      client.response.write(frame('reset', { reason: `more than ${maxReplay} changes missed; reload` }));
      client.lastSent = await options.store.registry.latestCursor();
      return;
    }
    for (const change of missed) client.response.write(changeFrame(change));
    client.lastSent = missed.at(-1)?.cursor ?? after;
  }

  return {
    async attach(response, lastEventId) {
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      response.write('retry: 2000\n\n');
      if (clients.size === 0 && timers.length === 0) await startTimers();
      // Join the broadcast first and hold its frames until the replay is written, so nothing falls
      // between the two and nothing is sent twice.
      const client: Client = { response, lastSent: lastEventId ?? cursor, backlog: [] };
      clients.add(client);
      if (lastEventId !== undefined) await replay(client, lastEventId);
      const backlog = client.backlog ?? [];
      client.backlog = undefined;
      for (const held of backlog) send(client, held.text, held.cursor);
      response.write(frame('stats', await options.readStats()));
      response.on('close', () => {
        clients.delete(client);
        if (clients.size === 0) stopTimers();
      });
    },
    clientCount: () => clients.size,
    publish: (event, data) => broadcast(frame(event, data)),
    close() {
      stopTimers();
      for (const client of clients) client.response.end();
      clients.clear();
    },
  };
}
