import { readFileSync } from 'node:fs';
import { createSecureContext, type ConnectionOptions } from 'node:tls';
import { DependencyError, revealSecret, type SecretText } from '@kafka-monitor/domain';
import type { SASLOptions } from 'kafkajs';

/** TLS to the brokers: PEM files by path, read once when the bus is created. */
export interface KafkaTlsOptions {
  /** CA bundle the brokers' certificates must chain to; the system's CAs when absent. */
  readonly caFile?: string | undefined;
  /** Client certificate and key for mutual TLS: both or neither. */
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
  /** Passphrase of an encrypted key. */
  readonly keyPassword?: SecretText | undefined;
  /** The broker's certificate must name the host it was reached at; default true. */
  readonly verifyHostname?: boolean | undefined;
}

export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface KafkaSaslOptions {
  readonly mechanism: KafkaSaslMechanism;
  readonly username: string;
  readonly password: SecretText;
}

/** What kafkajs is given: its `ssl` and `sasl` options (undefined: plaintext, no authentication). */
export interface KafkajsSecurity {
  readonly ssl: ConnectionOptions | undefined;
  readonly sasl: SASLOptions | undefined;
}

function settingError(message: string, cause?: unknown): DependencyError {
  return new DependencyError('bus', `kafka: ${message}`, { cause, misconfigured: true });
}

function pem(what: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw settingError(`cannot read the ${what} '${path}' (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
}

/** Node's TLS options for the brokers: certificates always verified, the host name unless turned off. */
export function tlsConnectionOptions(tls: KafkaTlsOptions): ConnectionOptions {
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw settingError(
      'a client certificate needs its key and a key its certificate (mutual TLS): give both or neither',
    );
  }
  const options: ConnectionOptions = {
    rejectUnauthorized: true,
    ...(tls.caFile === undefined ? {} : { ca: [pem('TLS CA file', tls.caFile)] }),
    ...(tls.certFile === undefined ? {} : { cert: pem('TLS client certificate', tls.certFile) }),
    ...(tls.keyFile === undefined ? {} : { key: pem('TLS client key', tls.keyFile) }),
    ...(tls.keyPassword === undefined ? {} : { passphrase: revealSecret(tls.keyPassword) }),
    // The chain is still verified; only the match of the certificate's names against the host is skipped.
    ...(tls.verifyHostname === false ? { checkServerIdentity: () => undefined } : {}),
  };
  try {
    // Fails now, not at every connection attempt, on a key that does not match its certificate or its
    // passphrase, or on a file that is not PEM. Node's message names the problem, never the key.
    createSecureContext(options);
  } catch (error) {
    throw settingError(`the TLS files cannot be used: ${(error as Error).message}`, error);
  }
  return options;
}

export function kafkajsSecurity(options: {
  readonly tls?: KafkaTlsOptions | undefined;
  readonly sasl?: KafkaSaslOptions | undefined;
}): KafkajsSecurity {
  const sasl = options.sasl;
  return {
    ssl: options.tls === undefined ? undefined : tlsConnectionOptions(options.tls),
    sasl:
      sasl === undefined
        ? undefined
        : {
            mechanism: sasl.mechanism,
            username: sasl.username,
            password: revealSecret(sasl.password),
          },
  };
}
