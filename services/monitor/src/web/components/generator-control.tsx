import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { GeneratorDto } from '../../contract.js';
import { getJson, sendJson } from '../api.js';
import { useToast } from '../toasts.js';

const KEY = ['generator'] as const;

/** Reads and changes the order generator's rate and anomaly rate; the generator applies it within a second. */
export function GeneratorControl() {
  const client = useQueryClient();
  const toast = useToast();
  const settings = useQuery({
    queryKey: KEY,
    queryFn: async () => (await getJson<{ data: GeneratorDto }>('/api/generator')).data,
  });
  const [draft, setDraft] = useState<{ rate: string; anomaly: string } | null>(null);
  const save = useMutation({
    mutationFn: (body: GeneratorDto) => sendJson<{ data: GeneratorDto }>('PUT', '/api/generator', body),
    onSuccess: (response) => {
      client.setQueryData(KEY, response.data);
      setDraft(null);
      toast(
        `Generator set to ${response.data['order-rate']} orders/s, ${(response.data['anomaly-rate'] * 100).toFixed(0)}% anomalies.`,
      );
    },
    onError: (error) => toast(`Could not change the generator: ${error.message}`, 'error'),
  });
  const current = settings.data;
  const rate = draft?.rate ?? String(current?.['order-rate'] ?? '');
  const anomaly = draft?.anomaly ?? String(current?.['anomaly-rate'] ?? '');
  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate({ 'order-rate': Number(rate), 'anomaly-rate': Number(anomaly) });
  }
  return (
    <form className="card row generator" onSubmit={submit} aria-label="Order generator" data-testid="generator">
      <strong>Generator</strong>
      <label>
        Orders/s{' '}
        <input
          type="number"
          min={0}
          max={100000}
          step="any"
          value={rate}
          onChange={(e) => setDraft({ rate: e.target.value, anomaly })}
        />
      </label>
      <label>
        Anomaly rate{' '}
        <input
          type="number"
          min={0}
          max={1}
          step={0.01}
          value={anomaly}
          onChange={(e) => setDraft({ rate, anomaly: e.target.value })}
        />
      </label>
      <button type="submit" disabled={save.isPending || current === undefined}>
        Apply
      </button>
    </form>
  );
}
