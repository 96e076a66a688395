import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsFixture {
  /** A scratch directory for the test's own files; removed by `remove`. */
  readonly dir: string;
  /** A self-signed certificate (PEM) naming `dnsName`, valid for a day, and its key. */
  readonly certFile: string;
  readonly keyFile: string;
  /** Listens on a free loopback port; returns `127.0.0.1:<port>`. Closed by `remove`. */
  listen(server: Server): Promise<string>;
  remove(): void;
}

/**
 * Local stand-ins for a broker or a node that a connection test points a client at, with a
 * certificate made at test time by openssl (required: without it the test fails, it does not skip).
 */
export function createTlsFixture(dnsName: string): TlsFixture {
  const dir = mkdtempSync(join(tmpdir(), 'km-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const servers: Server[] = [];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${dnsName}`].concat([
      '-addext',
      `subjectAltName=DNS:${dnsName}`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ]),
    { stdio: 'pipe' },
  );
  return {
    dir,
    certFile,
    keyFile,
    async listen(server) {
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    remove() {
      for (const server of servers) server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
