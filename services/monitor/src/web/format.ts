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
export const shortId = (id: string): string => (id.length > 13 ? `${id.slice(0, 8)}…` : id);
