export { createCassandraStore, type CassandraStoreOptions, type ConsistencyName } from './cassandra-store.js';
