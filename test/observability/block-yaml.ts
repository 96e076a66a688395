/**
 * A reader for the plain block YAML of this repository's deployment files (Prometheus and Grafana
 * configuration, single compose services), so tests can check what they reference without a YAML
 * dependency. It knows block mappings and sequences, plain and quoted scalars, one-line flow
 * sequences and comments; anything else (anchors, aliases, merge keys, block scalars, flow mappings,
 * several documents) throws rather than being misread.
 */

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  readonly indent: number;
  readonly text: string;
  readonly number: number;
}

/** `text` up to a ` #` comment outside quotes. */
function withoutComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      return text.slice(0, i);
    }
  }
  return text;
}

function significantLines(source: string): Line[] {
  return source.split('\n').flatMap((raw, index) => {
    if (raw.includes('\t')) throw new Error(`line ${index + 1}: tab character`);
    const text = withoutComment(raw).trimEnd();
    if (text.trim() === '') return [];
    if (text === '---' || text === '...') throw new Error(`line ${index + 1}: several documents are not supported`);
    return [{ indent: text.length - text.trimStart().length, text: text.trimStart(), number: index + 1 }];
  });
}

function scalar(text: string, line: number): YamlValue {
  if (/^[&*!|>{]/.test(text) || text.startsWith('<<')) throw new Error(`line ${line}: unsupported YAML: ${text}`);
  if (text.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(text)) throw new Error(`line ${line}: unterminated string: ${text}`);
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (text.startsWith('"')) {
    if (!/^"(?:[^"\\]|\\.)*"$/.test(text)) throw new Error(`line ${line}: unterminated string: ${text}`);
    return JSON.parse(text) as string;
  }
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) throw new Error(`line ${line}: unterminated flow sequence: ${text}`);
    const inner = text.slice(1, -1).trim();
    return inner === '' ? [] : inner.split(',').map((item) => scalar(item.trim(), line));
  }
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null' || text === '~') return null;
  if (/^-?\d+$/.test(text)) return Number(text);
  return text;
}

const KEY = /^([A-Za-z0-9_./-]+|'[^']*'|"[^"]*"):(?:\s+(.*))?$/;

function keyOf(raw: string): string {
  return raw.startsWith("'") || raw.startsWith('"') ? raw.slice(1, -1) : raw;
}

function isSequenceItem(line: Line | undefined): boolean {
  return line !== undefined && (line.text === '-' || line.text.startsWith('- '));
}

class Reader {
  private index = 0;
  private readonly lines: Line[];

  constructor(lines: Line[]) {
    this.lines = lines;
  }

  read(): YamlValue {
    const first = this.lines[0];
    if (first === undefined) return null;
    const value = this.block(first.indent);
    const rest = this.lines[this.index];
    if (rest !== undefined) throw new Error(`line ${rest.number}: unexpected indentation`);
    return value;
  }

  private block(indent: number): YamlValue {
    return isSequenceItem(this.lines[this.index]) ? this.sequence(indent) : this.mapping(indent);
  }

  private sequence(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    for (let line = this.lines[this.index]; line?.indent === indent && isSequenceItem(line);) {
      const rest = line.text.slice(1).trimStart();
      if (rest === '') {
        this.index += 1;
        items.push(this.nested(indent, line.number));
      } else if (KEY.test(rest)) {
        // `- key: value` opens a mapping whose keys line up with `key`.
        const column = indent + line.text.length - rest.length;
        this.lines[this.index] = { indent: column, text: rest, number: line.number };
        items.push(this.mapping(column));
      } else {
        this.index += 1;
        items.push(scalar(rest, line.number));
      }
      line = this.lines[this.index];
    }
    return items;
  }

  private mapping(indent: number): { [key: string]: YamlValue } {
    const map: { [key: string]: YamlValue } = {};
    for (let line = this.lines[this.index]; line?.indent === indent && !isSequenceItem(line);) {
      const match = KEY.exec(line.text);
      if (match?.[1] === undefined) throw new Error(`line ${line.number}: expected "key: value": ${line.text}`);
      const key = keyOf(match[1]);
      if (key in map) throw new Error(`line ${line.number}: duplicate key ${key}`);
      this.index += 1;
      const next = this.lines[this.index];
      if (match[2] !== undefined) map[key] = scalar(match[2], line.number);
      else if (next?.indent === indent && isSequenceItem(next)) map[key] = this.sequence(indent);
      else map[key] = this.nested(indent, line.number);
      line = this.lines[this.index];
    }
    return map;
  }

  /** The block under a key or dash at `indent`, or null when the next line is not deeper. */
  private nested(indent: number, lineNumber: number): YamlValue {
    const next = this.lines[this.index];
    if (next === undefined || next.indent <= indent) return null;
    const value = this.block(next.indent);
    const after = this.lines[this.index];
    if (after !== undefined && after.indent > indent && after.indent !== next.indent) {
      throw new Error(`line ${after.number}: inconsistent indentation under line ${lineNumber}`);
    }
    return value;
  }
}

export function parseBlockYaml(source: string): YamlValue {
  return new Reader(significantLines(source)).read();
}

/**
 * The lines under `key:` at `indent` in a larger file, e.g. one service of docker-compose.yml,
 * whose other parts may use YAML this reader does not know.
 */
export function blockOf(source: string, key: string, indent: number): string {
  const lines = source.split('\n');
  const start = lines.findIndex((line) => line === `${' '.repeat(indent)}${key}:`);
  if (start < 0) throw new Error(`no "${key}:" at indentation ${indent}`);
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const text = withoutComment(line).trimEnd();
    if (text.trim() !== '' && text.length - text.trimStart().length <= indent) break;
    body.push(line);
  }
  return body.join('\n');
}
