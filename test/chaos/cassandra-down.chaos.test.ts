import { describe, it } from 'vitest';
import { engineOutage } from './engine-outage.js';

describe('chaos: Cassandra down for 30 s mid-run', () => {
  it('reports the store degraded, keeps every service up, loses nothing and counts nothing twice', async () => {
    await engineOutage('cassandra');
  }, 420_000);
});
