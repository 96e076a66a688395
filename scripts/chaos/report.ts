import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/*
 * Prints the figures of the chaos scenarios (one JSON file each, written by test/chaos/harness.ts) as a
 * Markdown table; with CHAOS_WRITE_DOC=1 it also replaces the table in docs/reliability.md.
 * Usage: tsx scripts/chaos/report.ts <results directory>
 */

interface Figures {
  readonly scenario: string;
  readonly fault: string;
  readonly produced: number;
  readonly lost: number;
  readonly countedTwice: number;
  readonly logDuplicates: number;
  readonly producerRetries: number;
  readonly faultSeconds: number;
  readonly recoverySeconds: number;
  readonly duringFault: string;
}

const ORDER = [
  'broker-down',
  'cassandra-down',
  'processor-kill',
  'processor-down-alert',
  'rebalance-storm',
  'monitor-restart',
];
const START = '<!-- chaos-table:start -->';
const END = '<!-- chaos-table:end -->';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: report.ts <results directory>');
const figures = readdirSync(dir)
  .filter((name) => name.endsWith('.json'))
  .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as Figures)
  .sort((a, b) => ORDER.indexOf(a.scenario) - ORDER.indexOf(b.scenario));

const rows = figures.map(
  (f) =>
    `| ${f.scenario} | ${f.fault} | ${f.produced} | ${f.lost} | ${f.countedTwice} | ${f.faultSeconds.toFixed(1)} s | ` +
    `${f.recoverySeconds.toFixed(1)} s | ${f.logDuplicates} | ${f.duringFault} |`,
);
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const machine =
  `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} cores (${cpu}), ` +
  `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const table = [
  `Run of ${machine}.`,
  '',
  '| Scenario | Fault | Orders produced | Lost | Counted twice | Fault lasted | Recovery | Copies in the log | Reported during the fault |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ...rows,
].join('\n');
console.log(table);
if (figures.length < ORDER.length) {
  console.log(`(${ORDER.length - figures.length} of ${ORDER.length} scenarios recorded no figures)`);
}

if (process.env.CHAOS_WRITE_DOC === '1') {
  const doc = new URL('../../docs/reliability.md', import.meta.url);
  const text = readFileSync(doc, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) throw new Error(`docs/reliability.md lacks the ${START} … ${END} markers`);
  writeFileSync(doc, `${text.slice(0, from + START.length)}\n${table}\n${text.slice(to)}`);
  console.log('docs/reliability.md updated');
}
