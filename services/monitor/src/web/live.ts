import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { ProcessorsData, StatsData, TimelineEntryDto } from '../contract.js';
import type { RebuildStateDto } from '../contract-rebuild.js';
import { keys, setTimelineStatus } from './queries.js';

interface StatusEvent {
  'order-id': string;
  'new-status': string;
}

/**
 * Feeds the query cache from `/api/stream`. EventSource reconnects by itself and sends
 * Last-Event-ID, so nothing is missed; while it is down, views fall back to polling.
 */
export function useLiveStream(enabled: boolean): boolean {
  const client = useQueryClient();
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    if (!enabled) {
      setConnected(false);
      return undefined;
    }
    const source = new EventSource('/api/stream');
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    source.addEventListener('order', (event) => {
      const entry = JSON.parse((event as MessageEvent<string>).data) as TimelineEntryDto;
      for (const [key, size] of [
        [keys.recent, 10],
        [keys.timeline, 100],
      ] as const) {
        client.setQueryData<TimelineEntryDto[]>(key, (list) =>
          list === undefined
            ? list
            : [entry, ...list.filter((e) => e['order-id'] !== entry['order-id'])].slice(0, size),
        );
      }
    });
    source.addEventListener('status', (event) => {
      const change = JSON.parse((event as MessageEvent<string>).data) as StatusEvent;
      setTimelineStatus(client, change['order-id'], change['new-status']);
      void client.invalidateQueries({ queryKey: ['orders'] });
      void client.invalidateQueries({ queryKey: keys.order(change['order-id']) });
      void client.invalidateQueries({ queryKey: keys.history(change['order-id']) });
      void client.invalidateQueries({ queryKey: keys.journey(change['order-id']) });
    });
    source.addEventListener('stats', (event) => {
      client.setQueryData<StatsData>(keys.stats, JSON.parse((event as MessageEvent<string>).data) as StatsData);
    });
    source.addEventListener('processors', (event) => {
      client.setQueryData<ProcessorsData>(
        keys.processors,
        JSON.parse((event as MessageEvent<string>).data) as ProcessorsData,
      );
    });
    source.addEventListener('rebuild', (event) => {
      client.setQueryData<RebuildStateDto>(
        ['rebuild'],
        JSON.parse((event as MessageEvent<string>).data) as RebuildStateDto,
      );
    });
    source.addEventListener('reset', () => void client.invalidateQueries());
    return () => {
      source.close();
      setConnected(false);
    };
  }, [enabled, client]);

  return connected;
}
