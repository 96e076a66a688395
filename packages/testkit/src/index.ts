export { waitFor } from './wait-for.js';
export { describeEventBusContract, type BusFixture } from './event-bus-contract.js';
export { describeEventBusAdminContract, type BusAdminFixture } from './event-bus-admin-contract.js';
export { describeStoreContract, type StoreFixture, type StoreContractOptions } from './store-contract.js';
export { makeOrder, orderArbitrary } from './arbitraries.js';
export { snapshotViews, expectedViews } from './snapshot.js';
export { createTlsFixture, type TlsFixture } from './tls-fixture.js';
export { describeMessageTracingContract } from './message-tracing-contract.js';
