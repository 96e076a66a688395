import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { OrderDto } from '../../contract.js';
import { ApiError, sendJson } from '../api.js';

const FIELDS = [
  { name: 'customer-id', label: 'Customer id', placeholder: '1–100', numeric: true, required: true },
  { name: 'product-id', label: 'Product id', placeholder: 'PROD-001', numeric: false, required: true },
  { name: 'quantity', label: 'Quantity', placeholder: '1', numeric: true, required: true },
  { name: 'unit-price', label: 'Unit price', placeholder: '19.99', numeric: true, required: true },
  { name: 'total', label: 'Total (optional: quantity × price)', placeholder: '', numeric: true, required: false },
] as const;

type Values = Record<(typeof FIELDS)[number]['name'], string>;

export function CreateOrderView() {
  const client = useQueryClient();
  const [values, setValues] = useState<Values>({
    'customer-id': '',
    'product-id': 'PROD-001',
    quantity: '1',
    'unit-price': '',
    total: '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [created, setCreated] = useState<OrderDto | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setFailure(null);
    setCreated(null);
    const body: Record<string, unknown> = {};
    for (const field of FIELDS) {
      const raw = values[field.name].trim();
      if (raw === '' && !field.required) continue;
      body[field.name] = field.numeric && raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
    }
    try {
      // One key per submission: a double click or a retried request cannot create a second order.
      const response = await sendJson<{ data: OrderDto }>('POST', '/api/orders', body, {
        'idempotency-key': crypto.randomUUID(),
      });
      setCreated(response.data);
      void client.invalidateQueries();
    } catch (error) {
      if (error instanceof ApiError) {
        setErrors(error.fields);
        setFailure(error.message);
      } else setFailure((error as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="create-title">
      <h1 id="create-title">Create Order</h1>
      <form className="card form" onSubmit={(e) => void submit(e)} noValidate data-testid="create-form">
        {FIELDS.map((field) => (
          <div key={field.name} className="field">
            <label htmlFor={`field-${field.name}`}>{field.label}</label>
            <input
              id={`field-${field.name}`}
              name={field.name}
              value={values[field.name]}
              placeholder={field.placeholder}
              inputMode={field.numeric ? 'decimal' : 'text'}
              aria-invalid={errors[field.name] !== undefined}
              aria-describedby={errors[field.name] === undefined ? undefined : `error-${field.name}`}
              onChange={(e) => setValues((v) => ({ ...v, [field.name]: e.target.value }))}
            />
            {errors[field.name] !== undefined && (
              <span className="field-error" id={`error-${field.name}`} data-testid={`error-${field.name}`}>
                {errors[field.name]}
              </span>
            )}
          </div>
        ))}
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create order'}
        </button>
        {failure !== null && (
          <p className="message message-error" role="alert">
            {failure}
          </p>
        )}
        {created !== null && (
          <p className="message message-info" role="status" data-testid="created">
            Created order{' '}
            <a href={`#/orders?id=${created['order-id']}`} data-testid="created-link">
              {created['order-id']}
            </a>{' '}
            (total {created.total}).
          </p>
        )}
      </form>
    </section>
  );
}
