import { useEffect, useState } from 'react';
import { orderIdTail } from '../format.js';
import { useToast } from '../toasts.js';

/**
 * Order ids are time-ordered UUIDs: all orders of one minute share their first digits, so a row
 * shows the last ones (random), with the full id on hover and a button that copies it.
 */
export function OrderId(props: { id: string; onOpen?: (id: string) => void }) {
  const { id } = props;
  const label = `…${orderIdTail(id)}`;
  return (
    <span className="order-id">
      {props.onOpen === undefined ? (
        <a href={`#/orders?id=${encodeURIComponent(id)}`} title={id} data-testid="order-id">
          {label}
        </a>
      ) : (
        <button type="button" className="link" title={id} data-testid="order-id" onClick={() => props.onOpen?.(id)}>
          {label}
        </button>
      )}
      <CopyButton text={id} label={`Copy order id ${id}`} />
    </span>
  );
}

/** The clipboard API exists only in secure contexts; plain http on another host falls back to a selection. */
async function copyText(text: string): Promise<void> {
  if (window.isSecureContext && 'clipboard' in navigator) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  const copied = document.execCommand('copy');
  area.remove();
  if (!copied) throw new Error('the browser refused to copy');
}

export function CopyButton(props: { text: string; label: string }) {
  const toast = useToast();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return undefined;
    const timer = window.setTimeout(() => setCopied(false), 1_500);
    return () => window.clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      className="copy"
      aria-label={props.label}
      title={copied ? 'Copied' : 'Copy the full id'}
      onClick={() =>
        void copyText(props.text).then(
          () => setCopied(true),
          (error: unknown) => toast(`Could not copy (${(error as Error).message}): ${props.text}`, 'error'),
        )
      }
    >
      {copied ? (
        <span aria-hidden="true">✓</span>
      ) : (
        <svg aria-hidden="true" viewBox="0 0 16 16" width="12" height="12">
          <rect x="5" y="5" width="9" height="9" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
          <path d="M3 11V3.5A1.5 1.5 0 0 1 4.5 2H11" fill="none" stroke="currentColor" strokeWidth="1.5" />
        </svg>
      )}
    </button>
  );
}
