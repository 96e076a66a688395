/**
 * Disk use of the embedded log under steady traffic, with a short retention and with none:
 * `npx tsx scripts/bench/retention-disk.ts [seconds] [messages per second]` (defaults 60 and 2000).
 * Messages are order-sized (~600 bytes); the log has 3 partitions and is checked every 500 ms.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';

const seconds = Number(process.argv[2] ?? 60);
const rate = Number(process.argv[3] ?? 2000);
const body = JSON.stringify({ note: 'x'.repeat(560) });

function sizeOf(file: string): number {
  let total = 0;
  for (const f of [file, `${file}-wal`]) {
    try {
      total += statSync(f).size;
    } catch {
      // no WAL yet
    }
  }
  return total;
}

async function run(label: string, retentionMs: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'retention-disk-'));
  const file = join(dir, 'log.db');
  const bus = createEmbeddedEventBus({
    file,
    backgroundCheckpoints: true,
    retention: { ms: retentionMs, bytes: -1 },
    retentionCheckIntervalMs: 500,
  });
  await bus.ensureTopics([{ name: 'orders', partitions: 3 }]);
  const started = Date.now();
  let sent = 0;
  const samples: string[] = [];
  while (Date.now() - started < seconds * 1000) {
    const due = Math.floor(((Date.now() - started) / 1000) * rate);
    if (due > sent) {
      const n = Math.min(500, due - sent);
      await bus.publish(
        'orders',
        Array.from({ length: n }, (_, i) => ({ key: `k${sent + i}`, value: body })),
      );
      sent += n;
    } else await sleep(5);
    const elapsed = Math.floor((Date.now() - started) / 1000);
    if (elapsed > 0 && elapsed % 10 === 0 && samples.length < elapsed / 10) {
      samples.push(`${elapsed}s ${(sizeOf(file) / 1e6).toFixed(1)} MB`);
    }
  }
  const offsets = await bus.topicOffsets('orders');
  const config = await bus.brokerConfig();
  const page = (n: string): string => config.find((c) => c.name === n)?.value ?? '?';
  console.log(
    `${label}: ${sent} messages in ${seconds} s; file+WAL ${(sizeOf(file) / 1e6).toFixed(1)} MB; ` +
      `log start ${offsets.map((o) => o.earliest).join('/')} of end ${offsets.map((o) => o.end).join('/')}; ` +
      `pages ${page('sqlite.page_count')} (free ${page('sqlite.freelist_count')}); ${samples.join(', ')}`,
  );
  await bus.close();
  rmSync(dir, { recursive: true, force: true });
}

await run('retention.ms=5000', 5_000);
await run('unlimited', -1);
