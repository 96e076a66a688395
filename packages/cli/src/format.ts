import type { StoredMessage } from '@kafka-monitor/domain';

type Cell = string | number;

const formatter = new Intl.NumberFormat('en-US');

/** 10000 → "10,000": counts are read by people first. */
export function count(value: number): string {
  return formatter.format(value);
}

export function plural(value: number, noun: string): string {
  return `${count(value)} ${noun}${value === 1 ? '' : 's'}`;
}

/** Aligned columns; numbers right-aligned so magnitudes line up. */
export function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string[] {
  const text = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? count(cell) : cell)));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...text.map((row) => (row[column] ?? '').length)),
  );
  const numeric = headers.map((_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'));
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => {
        const width = widths[column] ?? cell.length;
        return numeric[column] === true ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [render(headers), render(widths.map((w) => '-'.repeat(w))), ...text.map(render)];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The value as a person wants to read it: indented JSON, else text, else base64 of the raw bytes. */
export function renderValue(value: Uint8Array): string {
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return `<${plural(value.length, 'byte')}, not UTF-8> base64:${Buffer.from(value).toString('base64')}`;
  }
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** A header line locating the message, then its headers if any, then the value. */
export function renderMessage(message: StoredMessage): string[] {
  const lines = [
    `--- ${message.topic}[${message.partition}] @${message.offset}  ${new Date(message.timestamp).toISOString()}  key=${
      message.key ?? '(none)'
    }`,
  ];
  if (Object.keys(message.headers).length > 0) lines.push(`headers: ${JSON.stringify(message.headers)}`);
  lines.push(renderValue(message.value));
  return lines;
}

/** "3.2 s", or "-" when there is nothing unread. */
export function age(oldestUnreadTimestamp: number | null, now: number): string {
  if (oldestUnreadTimestamp === null) return '-';
  return `${Math.max(0, (now - oldestUnreadTimestamp) / 1000).toFixed(1)} s`;
}

/** "4,120 per second"; the elapsed time is floored at 1 ms so an instant run does not divide by zero. */
export function formatRate(items: number, elapsedMs: number): string {
  return `${count(Math.round((items * 1000) / Math.max(1, elapsedMs)))} per second`;
}
