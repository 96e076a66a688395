const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const count = new Intl.NumberFormat('en-US');

export const formatMoney = (value: number): string => money.format(value);
export const formatCount = (value: number): string => count.format(value);
export const formatTime = (epochMs: number | null): string =>
  epochMs === null ? '—' : new Date(epochMs).toLocaleString('en-GB', { hour12: false });
export const formatDuration = (seconds: number): string => {
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
};
const TAIL = 8;
/**
 * The last digits of an order id: time-ordered UUIDs share their first digits with every order of
 * the same minute, their last ones are random, so the tail tells rows apart.
 */
export const orderIdTail = (id: string): string => (id.length > TAIL + 4 ? id.slice(-TAIL) : id);
/** UUIDs are case-insensitive and the API reads them in lower case, as stored. */
export const normaliseOrderId = (id: string): string => id.trim().toLowerCase();
/** Time of day for today's entries, date and time to the minute otherwise; tables give the full time on hover. */
export const formatShortTime = (epochMs: number, now = Date.now()): string => {
  const date = new Date(epochMs);
  const sameDay = date.toDateString() === new Date(now).toDateString();
  return sameDay
    ? date.toLocaleTimeString('en-GB', { hour12: false })
    : date.toLocaleString('en-GB', {
        hour12: false,
        day: '2-digit',
        month: '2-digit',
        year: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      });
};
const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;
export const formatBytes = (bytes: number): string => {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${BYTE_UNITS[unit] ?? 'B'}`;
};
