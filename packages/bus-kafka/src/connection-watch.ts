import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { DependencyError } from '@kafka-monitor/domain';
import { CLOSED_BEFORE_ANSWER, TLS_AGAINST_PLAINTEXT, tlsFailure } from './errors.js';

const KEEP_ALIVE_DELAY_MS = 60_000;
/** Closes before any answer, in a row, that make "the listener is TLS" the explanation. */
const CLOSES_BEFORE_ANSWER = 2;

export type SocketFactory = (target: { host: string; port: number; onConnect: () => void }) => Socket;

/**
 * Watches the sockets of one bus for failures that retrying cannot fix: a certificate not trusted, a
 * TLS client at a plaintext listener, a plaintext client at a TLS listener. kafkajs reports those as
 * retriable connection errors and retries for a minute; a caller racing `settled` learns the cause at
 * the first failed handshake. Only the cause is kept, never what was sent.
 */
export class ConnectionWatch {
  private listeners = new Set<(problem: DependencyError) => void>();
  private closesBeforeAnswer = 0;
  /** The last problem seen, for a caller that gave up waiting. */
  last: DependencyError | undefined;

  report(message: string, cause?: unknown): void {
    const problem = this.remember(message, cause);
    for (const listener of [...this.listeners]) listener(problem);
  }

  /** A likely cause, not yet certain: kept for a caller that gave up waiting, without failing anyone. */
  private remember(message: string, cause?: unknown): DependencyError {
    this.last = new DependencyError('bus', message, { cause, misconfigured: true });
    return this.last;
  }

  /** Settles as `work` does, or rejects at once with the first problem reported meanwhile. */
  async guard<T>(work: Promise<T>): Promise<T> {
    let listener: ((problem: DependencyError) => void) | undefined;
    const failed = new Promise<never>((_, reject) => {
      listener = reject;
      this.listeners.add(reject);
    });
    try {
      return await Promise.race([work, failed]);
    } finally {
      if (listener !== undefined) this.listeners.delete(listener);
    }
  }

  /** Opens sockets as kafkajs's own factory does (TLS when `tls` is given), and watches them. */
  socketFactory(tls: ConnectionOptions | undefined): SocketFactory {
    return ({ host, port, onConnect }) => {
      const socket =
        tls === undefined
          ? netConnect({ host, port }, onConnect)
          : tlsConnect({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}), ...tls }, onConnect);
      socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
      if (tls === undefined) this.watchPlain(socket);
      else this.watchTls(socket);
      return socket;
    };
  }

  private watchTls(socket: Socket): void {
    let secured = false;
    socket.once('secureConnect', () => {
      secured = true;
      this.last = undefined;
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const failure = tlsFailure(error, secured);
      if (failure !== undefined) this.report(failure, error);
    });
    // A plaintext listener reads the TLS hello as an oversized request and hangs up without a word.
    socket.once('end', () => {
      if (!secured) this.report(TLS_AGAINST_PLAINTEXT);
    });
  }

  private watchPlain(socket: Socket): void {
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      // A TLS alert record (content type 21, version 3.x) where a Kafka answer should be.
      if (!answered && chunk[0] === 0x15 && chunk[1] === 0x03) this.report(CLOSED_BEFORE_ANSWER);
      else if (!answered) {
        this.closesBeforeAnswer = 0;
        this.last = undefined;
      }
      answered = true;
    });
    // 'end' is the server hanging up (the client's own close does not emit it).
    socket.once('end', () => {
      if (answered) return;
      this.closesBeforeAnswer++;
      if (this.closesBeforeAnswer >= CLOSES_BEFORE_ANSWER) this.report(CLOSED_BEFORE_ANSWER);
      else this.remember(CLOSED_BEFORE_ANSWER);
    });
  }
}
