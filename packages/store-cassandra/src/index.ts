export {
  createCassandraStore,
  type CassandraReplication,
  type CassandraStoreOptions,
  type CassandraTlsOptions,
  type ConsistencyName,
} from './cassandra-store.js';
