import { CONFIG_VARIABLES, type ConfigVariable } from '@kafka-monitor/runtime';

/** The "Examples:" block of a help text; `help.test.ts` runs every line of it against the embedded log. */
export const examples = (...lines: string[]): string => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

function shownDefault(variable: ConfigVariable): string {
  if (variable.default === null || variable.default === '') return variable.unset ?? 'unset';
  return variable.default;
}

/**
 * The environment section of `help`, printed from the configuration table the parser reads, so it
 * lists every variable with its real default. Secrets are marked; their values are never printed.
 */
export function environmentHelp(): string {
  const width = Math.max(...CONFIG_VARIABLES.map((v) => v.name.length));
  const lines = CONFIG_VARIABLES.map(
    (v) => `  ${v.name.padEnd(width)}  ${v.description} (default: ${shownDefault(v)})${v.secret ? ' [secret]' : ''}`,
  );
  return [
    '',
    'Environment (read by the CLI and the services alike; -b/--bootstrap-server overrides BUS and KAFKA_BROKERS):',
    ...lines,
    '  A *_FILE variable names a file holding the secret (one trailing newline dropped); set it or the',
    '  variable, not both. Secrets are never printed.',
    '',
  ].join('\n');
}

export const EXIT_CODES_HELP = `
Exit codes: 0 done, 1 the command failed, 2 wrong arguments or configuration, including credentials
or TLS settings the bus or the store refused.
`;

/** Kafka is named in prose, not as an example: the examples run against the embedded log. */
export const KAFKA_HELP = `
On Kafka: kafka-monitor -b host:9092[,host2:9092] <command> (or BUS=kafka with KAFKA_BROKERS), with the
KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_* and KAFKA_SSL_* variables for a secured cluster.
`;
