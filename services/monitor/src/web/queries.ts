import { useQuery, type QueryClient } from '@tanstack/react-query';
import { createContext, useContext } from 'react';

import type {
  CustomerDto,
  ProcessorsData,
  ProductDto,
  RegisteredOrderDto,
  StatsData,
  StatusUpdateDto,
  TimelineEntryDto,
} from '../contract.js';
import type { StoreStatusDto } from '../contract-store-status.js';
import type { JourneyDto } from '../contract-journey.js';
import type { RuleStatsDto, RulesDto } from '../contract-rules.js';
import { getJson } from './api.js';

export type OrderStatus = RegisteredOrderDto['status'];

interface Envelope<T> {
  success: true;
  data: T;
  count?: number;
}

/** Whether views poll: auto-refresh on and no live stream to push updates. */
export interface LiveState {
  readonly autoRefresh: boolean;
  readonly streamConnected: boolean;
}
export const LiveContext = createContext<LiveState>({ autoRefresh: true, streamConnected: false });

const POLL_MS = 5_000;

function usePolling(): number | false {
  const live = useContext(LiveContext);
  return live.autoRefresh && !live.streamConnected ? POLL_MS : false;
}

export const keys = {
  stats: ['stats'] as const,
  recent: ['timeline', 10] as const,
  timeline: ['timeline', 100] as const,
  processors: ['processors'] as const,
  store: ['store'] as const,
  customers: ['customers'] as const,
  products: ['products'] as const,
  byStatus: (status: string) => ['orders', 'by-status', status] as const,
  order: (id: string) => ['order', id] as const,
  history: (id: string) => ['history', id] as const,
  journey: (id: string) => ['journey', id] as const,
  rules: ['rules'] as const,
  ruleStats: ['rules', 'stats'] as const,
};

const data = async <T>(path: string): Promise<T> => (await getJson<Envelope<T>>(path)).data;

export const useStats = () =>
  useQuery({ queryKey: keys.stats, queryFn: () => data<StatsData>('/api/stats'), refetchInterval: usePolling() });
export const useRecent = () =>
  useQuery({
    queryKey: keys.recent,
    queryFn: () => data<TimelineEntryDto[]>('/api/timeline?limit=10'),
    refetchInterval: usePolling(),
  });
export const useTimeline = () =>
  useQuery({
    queryKey: keys.timeline,
    queryFn: () => data<TimelineEntryDto[]>('/api/timeline?limit=100'),
    refetchInterval: usePolling(),
  });
export const useProcessors = () =>
  useQuery({
    queryKey: keys.processors,
    queryFn: () => data<ProcessorsData>('/api/processors/status'),
    refetchInterval: usePolling(),
  });
/** The stream carries no store status, so the store card polls while auto-refresh is on. */
export const useStoreStatus = () =>
  useQuery({
    queryKey: keys.store,
    queryFn: () => data<StoreStatusDto>('/api/store'),
    refetchInterval: useContext(LiveContext).autoRefresh ? 10_000 : false,
  });
export const useCustomers = () =>
  useQuery({
    queryKey: keys.customers,
    queryFn: () => data<CustomerDto[]>('/api/customers/top?limit=1000'),
    refetchInterval: usePolling(),
  });
export const useProducts = () =>
  useQuery({
    queryKey: keys.products,
    queryFn: () => data<ProductDto[]>('/api/products/top?limit=1000'),
    refetchInterval: usePolling(),
  });
export const useByStatus = (status: OrderStatus) =>
  useQuery({
    queryKey: keys.byStatus(status),
    queryFn: () => data<RegisteredOrderDto[]>(`/api/orders/by-status/${status}?limit=100`),
    refetchInterval: usePolling(),
  });
/** An order as far as it got: registered (with failed rules), or only in the timeline so far. */
export type FoundOrder =
  | { readonly source: 'registered'; readonly data: RegisteredOrderDto }
  | { readonly source: 'timeline'; readonly data: TimelineEntryDto };

export const findOrder = (id: string): Promise<FoundOrder> =>
  getJson<FoundOrder>(`/api/orders/search/${encodeURIComponent(id)}`);

export const useOrder = (id: string) =>
  useQuery({ queryKey: keys.order(id), queryFn: () => findOrder(id), retry: false });
export const useHistory = (id: string, enabled: boolean) =>
  useQuery({
    queryKey: keys.history(id),
    queryFn: () => data<StatusUpdateDto[]>(`/api/orders/${encodeURIComponent(id)}/history`),
    retry: false,
    enabled,
  });

/**
 * The order's journey. It polls while the order is still on its way (the stream reports status
 * changes, not every step), and stops once it waits for nothing but an operator or is done.
 */
export const useJourney = (id: string) => {
  const polling = usePolling();
  return useQuery({
    queryKey: keys.journey(id),
    queryFn: () => data<JourneyDto>(`/api/orders/${encodeURIComponent(id)}/journey`),
    retry: false,
    refetchInterval: (query) => (query.state.data?.state.stage === 'waiting' ? JOURNEY_POLL_MS : polling),
  });
};
const JOURNEY_POLL_MS = 1_000;

/** Sets an order's status wherever timeline lists hold it; returns a function that undoes it. */
export function setTimelineStatus(client: QueryClient, orderId: string, status: string): () => void {
  const snapshots = [keys.recent, keys.timeline].map(
    (key) => [key, client.getQueryData<TimelineEntryDto[]>(key)] as const,
  );
  for (const [key, list] of snapshots) {
    if (list !== undefined) {
      client.setQueryData<TimelineEntryDto[]>(
        key,
        list.map((e) => (e['order-id'] === orderId ? { ...e, status } : e)),
      );
    }
  }
  return () => {
    for (const [key, list] of snapshots) client.setQueryData(key, list);
  };
}

/** The configured limits never change while the monitor runs. */
export const useRules = () =>
  useQuery({ queryKey: keys.rules, queryFn: () => data<RulesDto>('/api/rules'), staleTime: Infinity });
/** A scan of the registry log: refreshed every 30 s at most, whatever the live stream does. */
export const useRuleStats = () =>
  useQuery({
    queryKey: keys.ruleStats,
    queryFn: () => data<RuleStatsDto>('/api/rules/stats'),
    refetchInterval: 30_000,
  });
