import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { describe, expect, it } from 'vitest';
import { createReadiness } from '@kafka-monitor/runtime';
import type { MonitorApp } from '../app-types.js';
import { registerHealthRoutes } from './health-routes.js';

describe('health routes on the API port', () => {
  it("answer the process's readiness: 503 with the reason until ready, 200, then 503 while stopping", async () => {
    const app: MonitorApp = Fastify().withTypeProvider<TypeBoxTypeProvider>();
    const readiness = createReadiness('starting the services');
    registerHealthRoutes(app, { readiness: () => readiness.current() });
    const ready = async () => {
      const response = await app.inject({ method: 'GET', url: '/health/ready' });
      return { status: response.statusCode, body: response.json<unknown>() };
    };
    expect(await ready()).toEqual({ status: 503, body: { status: 'down', reason: 'starting the services' } });
    readiness.ready();
    expect(await ready()).toEqual({ status: 200, body: { status: 'ready' } });
    readiness.down('stopping');
    expect(await ready()).toEqual({ status: 503, body: { status: 'down', reason: 'stopping' } });
    const live = await app.inject({ method: 'GET', url: '/health/live' });
    expect(live.statusCode).toBe(200);
    expect(live.json()).toEqual({ status: 'up' });
    await app.close();
  });
});
