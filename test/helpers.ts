import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS, decodeOrder, type EventBus, type Order, type StoredMessage } from '@kafka-monitor/domain';

export function temporaryDirectory(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A loopback port free right now (bound and released), for a server a test starts in another process. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Every message of a topic, partition by partition, in offset order. */
export async function readTopic(bus: EventBus, topic: string): Promise<StoredMessage[]> {
  const info = (await bus.listTopics()).find((t) => t.name === topic);
  if (info === undefined) throw new Error(`no topic ${topic}`);
  const all: StoredMessage[] = [];
  for (let partition = 0; partition < info.partitions; partition++) {
    for (let offset = 0; ;) {
      const page = await bus.read(topic, partition, offset, 5_000);
      if (page.length === 0) break;
      all.push(...page);
      offset = (page.at(-1)?.offset ?? offset) + 1;
    }
  }
  return all;
}

/** The valid orders of the `orders` log in partition order, and how many messages were poison. */
export async function ordersInLog(bus: EventBus): Promise<{ orders: Order[]; poison: number; messages: number }> {
  const messages = await readTopic(bus, TOPICS.orders);
  const orders: Order[] = [];
  let poison = 0;
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  for (const message of messages) {
    let decoded;
    try {
      decoded = decodeOrder(utf8.decode(message.value));
    } catch {
      decoded = undefined;
    }
    if (decoded?.ok === true) orders.push(decoded.value);
    else poison++;
  }
  return { orders, poison, messages: messages.length };
}

export async function totalLag(bus: EventBus, group: string): Promise<number> {
  const described = await bus.describeGroup(group);
  return described.lag.reduce((sum, p) => sum + p.lag, 0);
}
