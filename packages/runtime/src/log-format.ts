/**
 * One JSON log line (pino's) as a line a person reads on a terminal:
 * `14:03:07.123 WARN  heartbeat not stored processor=query-processor err="timeout"`.
 */

const ansi = (code: number): string => `\u001b[${code}m`;
const DIM = ansi(2);
const YELLOW = ansi(33);
const RED = ansi(31);
const RESET = ansi(0);

const LEVELS: Readonly<Record<number, { name: string; color: string | undefined }>> = {
  10: { name: 'TRACE', color: DIM },
  20: { name: 'DEBUG', color: DIM },
  30: { name: 'INFO', color: undefined },
  40: { name: 'WARN', color: YELLOW },
  50: { name: 'ERROR', color: RED },
  60: { name: 'FATAL', color: RED },
};

/** Fields every line of a process carries (the banner says them once) and the ones the line is made of. */
const NOT_SHOWN = new Set(['level', 'time', 'msg', 'service', 'instance', 'pid', 'hostname', 'err']);
/** A value shown bare: nothing a reader could take for a separator, a quote or another field. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is kept out
const BARE = /^[^\s"=\\\u0000-\u001f\u007f]+$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
const CONTROL = /[\u0000-\u001f\u007f]/;

export interface PrettyOptions {
  /** ANSI colours for the level and the field names (the terminal supports them). */
  readonly colors: boolean;
}

interface ErrorFields {
  readonly message?: unknown;
  readonly stack?: unknown;
}

const paint = (text: string, color: string | undefined, options: PrettyOptions): string =>
  options.colors && color !== undefined ? `${color}${text}${RESET}` : text;

function value(field: unknown): string {
  if (typeof field === 'string') return BARE.test(field) ? field : JSON.stringify(field);
  if (typeof field === 'number' || typeof field === 'boolean' || field === null) return String(field);
  // JSON has no form for undefined, functions or symbols, which pino never writes anyway.
  return JSON.stringify(field) ?? typeof field;
}

/** A message on one line: a newline in it must not look like the start of another entry. */
const oneLine = (message: string): string => (CONTROL.test(message) ? JSON.stringify(message).slice(1, -1) : message);

const clock = (time: number): string => {
  const at = new Date(time);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, '0')}`;
};

/**
 * The readable form of one entry; an error's stack follows on indented lines at level error and above,
 * where someone will want to know where it came from. A line that is not a JSON object is kept as it is.
 */
export function prettyLogLine(json: string, options: PrettyOptions): string {
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return json.trimEnd();
    entry = parsed as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const level = typeof entry.level === 'number' ? entry.level : 30;
  const { name, color } = LEVELS[level] ?? { name: `L${level}`, color: undefined };
  const time = typeof entry.time === 'number' ? clock(entry.time) : '--:--:--.---';
  const parts = [time, paint(name.padEnd(5), color, options)];
  if (typeof entry.msg === 'string' && entry.msg !== '') parts.push(oneLine(entry.msg));
  const error = typeof entry.err === 'object' && entry.err !== null ? (entry.err as ErrorFields) : undefined;
  if (error !== undefined) parts.push(`${paint('err', DIM, options)}=${value(error.message ?? 'unknown error')}`);
  for (const [key, field] of Object.entries(entry)) {
    if (NOT_SHOWN.has(key) || field === undefined) continue;
    parts.push(`${paint(key, DIM, options)}=${value(field)}`);
  }
  const line = parts.join(' ');
  if (level < 50 || typeof error?.stack !== 'string') return line;
  const frames = error.stack
    .split('\n')
    .slice(1)
    .map((frame) => `    ${frame.trim()}`);
  return [line, ...frames].join('\n');
}
