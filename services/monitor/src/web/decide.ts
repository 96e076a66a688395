import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { RegisteredOrderDto } from '../contract.js';
import { sendJson } from './api.js';
import { keys, setTimelineStatus } from './queries.js';
import { useToast } from './toasts.js';

/** Approve/deny with an optimistic badge, rolled back with a visible message when the server refuses. */
export function useDecision() {
  const client = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: (input: { orderId: string; status: 'accepted' | 'denied' }) =>
      sendJson<{ data: RegisteredOrderDto }>('PUT', `/api/orders/${encodeURIComponent(input.orderId)}/status`, {
        status: input.status,
        reason: `${input.status === 'accepted' ? 'approved' : 'denied'} from the dashboard`,
      }),
    onMutate: (input) => ({ undo: setTimelineStatus(client, input.orderId, input.status) }),
    onError: (error, input, context) => {
      context?.undo();
      toast(`Could not ${input.status === 'accepted' ? 'approve' : 'deny'} the order: ${error.message}`, 'error');
    },
    onSettled: (_data, _error, input) => {
      void client.invalidateQueries({ queryKey: keys.stats });
      void client.invalidateQueries({ queryKey: ['orders'] });
      void client.invalidateQueries({ queryKey: keys.order(input.orderId) });
      void client.invalidateQueries({ queryKey: keys.history(input.orderId) });
      void client.invalidateQueries({ queryKey: keys.journey(input.orderId) });
    },
  });
}
