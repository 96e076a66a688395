import type { EventBus, EventBusAdmin, Store } from '@kafka-monitor/domain';
import type { Config } from '@kafka-monitor/runtime';
import type { Adapters, BusConnection, StoreConnection } from './adapters.js';
import { CliError, withDeadline } from './errors.js';

/**
 * The connections of one command, opened on first use (a command that needs only the bus never
 * touches the store) and closed together at its end. Opening the bus waits for it to answer a ping,
 * bounded by the timeout, so every command fails in bounded time when the bus is unreachable.
 */
export class Session {
  private busConnection: Promise<BusConnection> | undefined;
  private storeConnection: Promise<StoreConnection> | undefined;

  readonly config: Config;
  readonly timeoutMs: number;
  private readonly adapters: Adapters;

  constructor(config: Config, adapters: Adapters, timeoutMs: number) {
    this.config = config;
    this.adapters = adapters;
    this.timeoutMs = timeoutMs;
  }

  private connection(): Promise<BusConnection> {
    this.busConnection ??= this.openBus();
    return this.busConnection;
  }

  private async openBus(): Promise<BusConnection> {
    const connection = await this.adapters.openBus(this.config);
    try {
      await withDeadline(connection.bus.ping(), this.timeoutMs, `the bus (${connection.target})`);
    } catch (error) {
      // Not awaited: closing a client that never connected may itself wait on the unreachable broker.
      connection.close().catch(() => undefined);
      throw error;
    }
    return connection;
  }

  async bus(): Promise<EventBus> {
    return (await this.connection()).bus;
  }

  async busTarget(): Promise<string> {
    return (await this.connection()).target;
  }

  /** The admin role; a clear error when the configured adapter does not offer it. */
  async admin(purpose: string): Promise<EventBusAdmin> {
    const connection = await this.connection();
    if (connection.admin === undefined) {
      throw new CliError(`${purpose} needs bus administration, which the adapter for ${connection.target} lacks`);
    }
    return connection.admin;
  }

  /** The admin role when the adapter has one, for commands that can do without it. */
  async optionalAdmin(): Promise<EventBusAdmin | undefined> {
    return (await this.connection()).admin;
  }

  async store(): Promise<Store> {
    return (await this.storeSession()).store;
  }

  async storeTarget(): Promise<string> {
    return (await this.storeSession()).target;
  }

  private storeSession(): Promise<StoreConnection> {
    this.storeConnection ??= this.adapters.openStore(this.config).then(async (connection) => {
      try {
        await withDeadline(connection.store.ping(), this.timeoutMs, `the store (${connection.target})`);
      } catch (error) {
        connection.store.close().catch(() => undefined);
        throw error;
      }
      return connection;
    });
    return this.storeConnection;
  }

  /** Closes what was opened; bounded too, so a dead broker cannot hold the process at exit. */
  async close(): Promise<void> {
    const closing: Promise<void>[] = [];
    const bus = this.busConnection;
    const store = this.storeConnection;
    this.busConnection = undefined;
    this.storeConnection = undefined;
    if (bus !== undefined) closing.push(bus.then((c) => c.close()).catch(() => undefined));
    if (store !== undefined) closing.push(store.then((c) => c.store.close()).catch(() => undefined));
    await withDeadline(Promise.all(closing), this.timeoutMs, 'closing the connections').catch(() => undefined);
  }
}
