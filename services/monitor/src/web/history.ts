import { useEffect, useState } from 'react';
import type { ProcessorsData } from '../contract.js';

export interface ProcessorHistory {
  readonly times: number[];
  readonly throughput: Record<string, number[]>;
  readonly lag: Record<string, number[]>;
}

const KEEP = 120;

/** Keeps the last samples of each processor's throughput and lag, for the live charts. */
export function useProcessorHistory(data: ProcessorsData | undefined): ProcessorHistory {
  const [history, setHistory] = useState<ProcessorHistory>({ times: [], throughput: {}, lag: {} });
  useEffect(() => {
    if (data === undefined) return;
    setHistory((previous) => {
      const time = data.timestamp / 1000;
      if (previous.times.at(-1) === time) return previous;
      const throughput: Record<string, number[]> = {};
      const lag: Record<string, number[]> = {};
      for (const p of data.processors) {
        throughput[p.name] = [...(previous.throughput[p.name] ?? []), p['throughput-per-second']].slice(-KEEP);
        lag[p.name] = [...(previous.lag[p.name] ?? []), p['consumer-group']?.lag ?? 0].slice(-KEEP);
      }
      return { times: [...previous.times, time].slice(-KEEP), throughput, lag };
    });
  }, [data]);
  return history;
}

export const PROCESSOR_COLORS: Readonly<Record<string, string>> = {
  'order-processor': '#38bdf8',
  'query-processor': '#a78bfa',
  'registry-processor': '#34d399',
};
