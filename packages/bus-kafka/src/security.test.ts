import { writeFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { inspect } from 'node:util';
import { Secret } from '@kafka-monitor/domain';
import { createTlsFixture, type TlsFixture } from '@kafka-monitor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSED_BEFORE_ANSWER, SASL_REQUIRED, TLS_AGAINST_PLAINTEXT } from './errors.js';
import { createKafkaEventBus } from './kafka-event-bus.js';
import { kafkajsSecurity, tlsConnectionOptions } from './security.js';

// A self-signed certificate made at test time (openssl), and local servers to point clients at.
let fixture: TlsFixture;
let dir: string;
let certFile: string;
let keyFile: string;
beforeAll(() => {
  fixture = createTlsFixture('broker.test');
  ({ dir, certFile, keyFile } = fixture);
});
afterAll(() => fixture.remove());
const listen = (server: Server): Promise<string> => fixture.listen(server);

const pingFailure = async (options: Parameters<typeof createKafkaEventBus>[0]) => {
  const bus = createKafkaEventBus({ connectionTimeoutMs: 2_000, pingTimeoutMs: 8_000, ...options });
  const startedAt = Date.now();
  try {
    await bus.ping();
    throw new Error('ping succeeded');
  } catch (error) {
    return { error: error as Error & { misconfigured?: boolean }, elapsedMs: Date.now() - startedAt };
  } finally {
    await bus.close().catch(() => undefined);
  }
};

describe('kafkajs security options', () => {
  it('Given a CA, a client certificate, a key password and SCRAM, then kafkajs gets PEM text, verification on and the revealed password', () => {
    const security = kafkajsSecurity({
      tls: { caFile: certFile, certFile, keyFile },
      sasl: { mechanism: 'scram-sha-512', username: 'monitor', password: new Secret('pw') },
    });
    expect(security.ssl).toMatchObject({
      rejectUnauthorized: true,
      ca: [expect.stringContaining('BEGIN CERTIFICATE')],
    });
    expect(security.ssl?.checkServerIdentity).toBeUndefined();
    expect(security.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'monitor', password: 'pw' });
    expect(kafkajsSecurity({})).toEqual({ ssl: undefined, sasl: undefined });
    const lax = tlsConnectionOptions({ verifyHostname: false });
    expect(lax.rejectUnauthorized).toBe(true);
    expect(lax.checkServerIdentity?.('other.host', {} as never)).toBeUndefined();
  });

  it('Given unusable TLS files, then creating the bus fails at once, naming the file and not its content', () => {
    const notPem = join(dir, 'not-pem');
    writeFileSync(notPem, 'PRIVATE-KEY-CONTENT');
    expect(() => tlsConnectionOptions({ caFile: join(dir, 'missing') })).toThrow(
      `kafka: cannot read the TLS CA file '${join(dir, 'missing')}' (ENOENT)`,
    );
    expect(() => tlsConnectionOptions({ certFile })).toThrow(/give both or neither/);
    let caught: unknown;
    try {
      createKafkaEventBus({ brokers: ['127.0.0.1:1'], tls: { certFile, keyFile: notPem } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ name: 'DependencyError', misconfigured: true, retryable: false });
    expect((caught as Error).message).toMatch(/^kafka: the TLS files cannot be used: /);
    expect(inspect(caught)).not.toContain('PRIVATE-KEY-CONTENT');
  });
});

describe('connection failures caused by the settings, against local servers', () => {
  it('Given a TLS client at a listener that hangs up (a plaintext Kafka listener does), then ping fails fast naming it', async () => {
    const address = await listen(createTcpServer((socket) => socket.destroy()));
    const { error, elapsedMs } = await pingFailure({ brokers: [address], tls: {} });
    expect(error.message).toBe(TLS_AGAINST_PLAINTEXT);
    expect(error.misconfigured).toBe(true);
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it('Given a start that failed on its settings, then once the bus is closed kafkajs retries open no more connections', async () => {
    let connections = 0;
    const address = await listen(
      createTcpServer((socket) => {
        connections++;
        socket.destroy();
      }),
    );
    const { error } = await pingFailure({ brokers: [address], tls: {}, retry: { initialMs: 100, retries: 8 } });
    expect(error.message).toBe(TLS_AGAINST_PLAINTEXT);
    const afterClose = connections;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(connections).toBe(afterClose);
  });

  it('Given a plaintext client at a listener that closes without answering (a TLS listener does), then ping fails naming it', async () => {
    const address = await listen(createTcpServer((socket) => socket.once('data', () => socket.end())));
    const { error, elapsedMs } = await pingFailure({ brokers: [address], retry: { initialMs: 50, retries: 5 } });
    expect(error.message).toBe(CLOSED_BEFORE_ANSWER);
    expect(error.misconfigured).toBe(true);
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it('Given a plaintext client at a listener that answers once, then hangs up (a SASL listener does), then ping fails naming it', async () => {
    // Any bytes do as the first answer: kafkajs waits for the rest of it, and the hang-up comes first.
    const address = await listen(
      createTcpServer((socket) => socket.once('data', () => socket.end(Buffer.from([0, 0, 0, 64, 0, 0, 0, 0])))),
    );
    const { error, elapsedMs } = await pingFailure({ brokers: [address], retry: { initialMs: 50, retries: 5 } });
    expect(error.message).toBe(SASL_REQUIRED);
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it('Given a plaintext client answered with a TLS alert, then ping fails at once naming it', async () => {
    const alert = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a]);
    const address = await listen(createTcpServer((socket) => socket.once('data', () => socket.end(alert))));
    const { error } = await pingFailure({ brokers: [address] });
    expect(error.message).toBe(CLOSED_BEFORE_ANSWER);
  });

  it('Given a broker certificate not signed by a trusted CA, then ping fails fast saying so', async () => {
    const { readFileSync } = await import('node:fs');
    const server = createTlsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (s) => s.end());
    const address = await listen(server);
    const { error, elapsedMs } = await pingFailure({ brokers: [address], tls: {} });
    expect(error.message).toBe(
      "kafka: the broker's TLS certificate is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT): set KAFKA_SSL_CA_FILE to the CA that signed it",
    );
    expect(elapsedMs).toBeLessThan(5_000);
    // Trusted, but reached at an address the certificate does not name.
    const misnamed = await pingFailure({ brokers: [address], tls: { caFile: certFile } });
    expect(misnamed.error.message).toMatch(
      /^kafka: the broker's TLS certificate does not name the address it was reached at \(ERR_TLS_CERT_ALTNAME_INVALID\)/,
    );
  });
});
