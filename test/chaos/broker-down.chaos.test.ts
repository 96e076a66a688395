import { describe, it } from 'vitest';
import { engineOutage } from './engine-outage.js';

describe('chaos: Kafka broker down for 30 s mid-run', () => {
  it('reports the bus degraded, keeps every service up, loses nothing and counts nothing twice', async () => {
    await engineOutage('kafka');
  }, 420_000);
});
