import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { Secret } from '@kafka-monitor/domain';
import { createTlsFixture, type TlsFixture } from '@kafka-monitor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCassandraStore, createStoreOnSession } from './cassandra-store.js';
import {
  CASSANDRA_AUTHENTICATION_FAILED,
  CASSANDRA_AUTHENTICATION_REQUIRED,
  CASSANDRA_CLOSED_BEFORE_ANSWER,
  CASSANDRA_TLS_AGAINST_PLAINTEXT,
  connectionSettingsFailure,
} from './connection-errors.js';
import { replicationMap } from './schema.js';
import { sslOptions, storeFailure, type Session } from './session.js';

// A self-signed certificate made at test time (openssl), and local servers to point clients at.
let fixture: TlsFixture;
let dir: string;
let certFile: string;
let keyFile: string;
beforeAll(() => {
  fixture = createTlsFixture('node.test');
  ({ dir, certFile, keyFile } = fixture);
});
afterAll(() => fixture.remove());
const listen = (server: Server): Promise<string> => fixture.listen(server);

/** Records schema statements; every read finds nothing. */
function recordingSession(ddl: string[]): Session {
  const none = () => Promise.resolve();
  return {
    rows: () => Promise.resolve([]),
    write: none,
    lwt: () => Promise.resolve({ applied: true, current: undefined }),
    lwtBatch: () => Promise.resolve(true),
    writeBatch: none,
    ddl: (cql) => {
      ddl.push(cql.replace(/\s+/g, ' '));
      return Promise.resolve();
    },
    close: none,
  };
}

const noHost = (inner: object) =>
  Object.assign(new Error('All host(s) tried for query failed.'), {
    name: 'NoHostAvailableError',
    innerErrors: { '127.0.0.1:9042': inner },
  });

describe('keyspace replication', () => {
  it('Given a factor per data centre, then the keyspaces are created with NetworkTopologyStrategy', async () => {
    const ddl: string[] = [];
    const store = createStoreOnSession(recordingSession(ddl), {
      contactPoints: ['memory'],
      localDataCenter: 'dc1',
      replication: {
        class: 'NetworkTopologyStrategy',
        dataCenters: [
          { name: 'dc1', factor: 3 },
          { name: 'us-east-2', factor: 2 },
        ],
      },
    });
    await store.migrate();
    const keyspaces = ddl.filter((cql) => cql.startsWith('CREATE KEYSPACE'));
    expect(keyspaces).toEqual(
      ['order_processor', 'query_processor', 'registry_processor'].map(
        (name) =>
          `CREATE KEYSPACE IF NOT EXISTS ${name} WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3, 'us-east-2': 2}`,
      ),
    );
  });

  it('Given no replication, then SimpleStrategy with the factor; names CQL could not take are refused', () => {
    expect(replicationMap({ class: 'SimpleStrategy', factor: 2 })).toBe(
      "{'class': 'SimpleStrategy', 'replication_factor': 2}",
    );
    expect(() =>
      replicationMap({ class: 'NetworkTopologyStrategy', dataCenters: [{ name: "dc1'}", factor: 1 }] }),
    ).toThrow(/invalid data centre name/);
    expect(() =>
      replicationMap({ class: 'NetworkTopologyStrategy', dataCenters: [{ name: 'dc1', factor: 0 }] }),
    ).toThrow(/invalid replication factor/);
    expect(() => replicationMap({ class: 'NetworkTopologyStrategy', dataCenters: [] })).toThrow(/at least one/);
  });
});

describe('TLS and credentials', () => {
  it('Given TLS files, then the driver gets PEM text with certificates verified, the host name unless turned off', () => {
    const options = sslOptions({ caFile: certFile, certFile, keyFile });
    expect(options).toMatchObject({ rejectUnauthorized: true, ca: [expect.stringContaining('BEGIN CERTIFICATE')] });
    expect(options.checkServerIdentity).toBeUndefined();
    expect(sslOptions({ verifyHostname: false }).checkServerIdentity?.('x', {} as never)).toBeUndefined();
    expect(() => sslOptions({ keyFile })).toThrow(/both or neither/);
    expect(() => sslOptions({ caFile: join(dir, 'missing') })).toThrow(
      `Cassandra store: cannot read the TLS CA file '${join(dir, 'missing')}' (ENOENT)`,
    );
    expect(() => createCassandraStore({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc', username: 'u' })).toThrow(
      /needs a password/,
    );
  });

  it('Given what cassandra-driver reports for each bad setting, then one line names it', () => {
    const authError = { name: 'AuthenticationError', message: 'Provided username u and/or password are incorrect' };
    expect(connectionSettingsFailure(noHost(authError), false)).toBe(CASSANDRA_AUTHENTICATION_FAILED);
    expect(
      connectionSettingsFailure(
        noHost({ name: 'AuthenticationError', message: 'Authentication provider not set' }),
        true,
      ),
    ).toBe(CASSANDRA_AUTHENTICATION_REQUIRED);
    expect(connectionSettingsFailure(noHost({ message: 'x', code: 'SELF_SIGNED_CERT_IN_CHAIN' }), true)).toBe(
      "Cassandra's TLS certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN): set CASSANDRA_SSL_CA_FILE to the CA that signed it",
    );
    expect(connectionSettingsFailure(noHost({ message: 'Socket was closed' }), false)).toBe(
      CASSANDRA_CLOSED_BEFORE_ANSWER,
    );
    expect(connectionSettingsFailure(noHost({ message: 'Socket was closed' }), true)).toBeUndefined();
    const timedOut = {
      name: 'OperationTimedOutError',
      message: 'The host 127.0.0.1:9042 did not reply before timeout',
    };
    expect(connectionSettingsFailure(noHost(timedOut), false)).toBe(CASSANDRA_CLOSED_BEFORE_ANSWER);
    expect(connectionSettingsFailure(noHost({ message: 'x', code: 'ERR_SSL_WRONG_VERSION_NUMBER' }), true)).toBe(
      CASSANDRA_TLS_AGAINST_PLAINTEXT,
    );
    expect(
      connectionSettingsFailure(noHost({ message: 'connect ECONNREFUSED', code: 'ECONNREFUSED' }), false),
    ).toBeUndefined();
    // A connection lost in the middle of work is not a setting.
    expect(connectionSettingsFailure(new Error('Socket was closed'), false)).toBeUndefined();
    const failure = storeFailure('select', noHost(authError), false);
    expect(failure).toMatchObject({ message: CASSANDRA_AUTHENTICATION_FAILED, misconfigured: true, retryable: false });
  });
});

describe('connecting with the wrong settings, against local servers', () => {
  const pingFailure = async (contactPoint: string, tls: Parameters<typeof createCassandraStore>[0]['tls']) => {
    const store = createCassandraStore({
      contactPoints: [contactPoint],
      localDataCenter: 'dc1',
      username: 'u',
      password: new Secret('known-password'),
      tls,
      requestTimeoutMs: 1_500,
    });
    try {
      await store.ping();
      throw new Error('ping succeeded');
    } catch (error) {
      return error as Error & { misconfigured?: boolean };
    } finally {
      await store.close().catch(() => undefined);
    }
  };

  it('Given a plaintext client at a port that drops it (an encrypted native port does), then it says so', async () => {
    const address = await listen(createTcpServer((socket) => socket.once('data', () => socket.destroy())));
    const error = await pingFailure(address, undefined);
    expect(error.message).toBe(CASSANDRA_CLOSED_BEFORE_ANSWER);
    expect(error.misconfigured).toBe(true);
  });

  it('Given a TLS client at a port that does not speak TLS, then it says so', async () => {
    const address = await listen(createTcpServer((socket) => socket.once('data', () => socket.end('not tls\n'))));
    const error = await pingFailure(address, {});
    expect(error.message).toBe(CASSANDRA_TLS_AGAINST_PLAINTEXT);
  });

  it('Given a node certificate not signed by a trusted CA, then it says so', async () => {
    const server = createTlsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (s) => s.end());
    const error = await pingFailure(await listen(server), {});
    expect(error.message).toBe(
      "Cassandra's TLS certificate is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT): set CASSANDRA_SSL_CA_FILE to the CA that signed it",
    );
    expect(error.message).not.toContain('known-password');
  });
});
