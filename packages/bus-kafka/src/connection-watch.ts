import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { DependencyError } from '@kafka-monitor/domain';
import { CLOSED_BEFORE_ANSWER, SASL_REQUIRED, TLS_AGAINST_PLAINTEXT, tlsFailure } from './errors.js';

const KEEP_ALIVE_DELAY_MS = 60_000;
/** Closes in a row (before any answer, or right after the first) that make the listener the explanation. */
const CLOSES_IN_A_ROW = 2;

export type SocketFactory = (target: { host: string; port: number; onConnect: () => void }) => Socket;

/**
 * Watches the sockets of one bus for failures that retrying cannot fix: a certificate not trusted, a
 * TLS client at a plaintext listener, a plaintext client at a TLS listener. kafkajs reports those as
 * retriable connection errors and retries for a minute; a caller going through `guard` learns the cause at
 * the first failed handshake. Only the cause is kept, never what was sent.
 */
export class ConnectionWatch {
  private listeners = new Set<(problem: DependencyError) => void>();
  private closesBeforeAnswer = 0;
  private closesAfterFirstAnswer = 0;
  /** Whether this client authenticates with SASL (then a SASL listener is not the explanation). */
  private readonly sasl: boolean;

  constructor(options: { sasl: boolean }) {
    this.sasl = options.sasl;
  }
  /** The last problem seen, for a caller that gave up waiting. */
  last: DependencyError | undefined;
  /** Set when the bus closed: no socket opens any more. */
  closed = false;

  /**
   * kafkajs keeps retrying a connect that failed (for a minute with the bus's defaults) even after its
   * client disconnected; once the bus is closed those retries must not reach the brokers, or every
   * failed start of a service would leave a stream of connection attempts behind.
   */
  close(): void {
    this.closed = true;
  }

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
      if (this.closed) throw new Error('the bus is closed');
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
    let answers = 0;
    socket.on('data', (chunk: Buffer) => {
      // A TLS alert record (content type 21, version 3.x) where a Kafka answer should be.
      if (answers === 0 && chunk[0] === 0x15 && chunk[1] === 0x03) this.report(CLOSED_BEFORE_ANSWER);
      answers++;
      if (answers === 1) this.closesBeforeAnswer = 0;
      if (answers === 2) {
        this.closesAfterFirstAnswer = 0;
        this.last = undefined;
      }
    });
    // 'end' is the server hanging up (the client's own close does not emit it). A TLS listener hangs up
    // before answering; a SASL listener answers ApiVersions, then hangs up at the next request.
    socket.once('end', () => {
      if (answers === 0) this.count('closesBeforeAnswer', CLOSED_BEFORE_ANSWER);
      else if (answers === 1 && !this.sasl) this.count('closesAfterFirstAnswer', SASL_REQUIRED);
    });
  }

  private count(counter: 'closesBeforeAnswer' | 'closesAfterFirstAnswer', message: string): void {
    this[counter]++;
    if (this[counter] >= CLOSES_IN_A_ROW) this.report(message);
    else this.remember(message);
  }
}
