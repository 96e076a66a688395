import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { ProcessorsData } from '../contract.js';
import { getJson } from './api.js';

/** Each group's lag over the last hour: the monitor's kept samples, then the live figures appended. */
export interface LagHistory {
  /** Epoch seconds (what uPlot reads), oldest first, shared by every group. */
  readonly times: number[];
  /** Per group, the lag at each time; null where it was not known. */
  readonly lag: Record<string, (number | null)[]>;
}

const HOUR_SECONDS = 3_600;

/** Adds one reading of every group at `time`, keeps the last hour. */
export function appendReading(history: LagHistory, time: number, lags: Record<string, number | null>): LagHistory {
  if ((history.times.at(-1) ?? -Infinity) >= time) return history;
  const groups = new Set([...Object.keys(history.lag), ...Object.keys(lags)]);
  const times = [...history.times, time];
  const keepFrom = times.findIndex((t) => t >= time - HOUR_SECONDS);
  const lag: Record<string, (number | null)[]> = {};
  for (const group of groups) {
    const before = history.lag[group] ?? history.times.map(() => null);
    lag[group] = [...before, lags[group] ?? null].slice(keepFrom);
  }
  return { times: times.slice(keepFrom), lag };
}

/** The kept samples of `/api/processors/status?history=true`, merged on one time axis. */
export function fromKeptHistory(data: ProcessorsData): LagHistory {
  const byTime = new Map<number, Record<string, number | null>>();
  for (const p of data.processors) {
    const group = p['consumer-group'];
    const kept = group?.history;
    if (group === null || kept === undefined) continue;
    kept.times.forEach((at, i) => {
      const row = byTime.get(at) ?? {};
      row[group.group] = kept.lag[i] ?? null;
      byTime.set(at, row);
    });
  }
  let history: LagHistory = { times: [], lag: {} };
  for (const at of [...byTime.keys()].sort((a, b) => a - b))
    history = appendReading(history, at / 1000, byTime.get(at) ?? {});
  return history;
}

/** The hour before the page loaded, from the monitor, then every live reading of the groups. */
export function useLagHistory(live: ProcessorsData | undefined): LagHistory {
  const kept = useQuery({
    queryKey: ['processors', 'history'],
    queryFn: async () => (await getJson<{ data: ProcessorsData }>('/api/processors/status?history=true')).data,
    staleTime: Infinity,
  });
  const [history, setHistory] = useState<LagHistory>({ times: [], lag: {} });
  useEffect(() => {
    if (kept.data !== undefined) setHistory(fromKeptHistory(kept.data));
  }, [kept.data]);
  useEffect(() => {
    if (live === undefined || kept.data === undefined) return;
    const lags: Record<string, number | null> = {};
    for (const p of live.processors) {
      const group = p['consumer-group'];
      if (group !== null) lags[group.group] = group.lag;
    }
    setHistory((previous) => appendReading(previous, live.timestamp / 1000, lags));
  }, [live, kept.data]);
  return history;
}
