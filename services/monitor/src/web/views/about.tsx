import { useRules } from '../queries.js';

export function AboutView() {
  const rules = useRules().data;
  return (
    <section aria-labelledby="about-title" className="card prose">
      <h1 id="about-title">About Kafka Monitor</h1>
      <p>
        Orders are generated (or created here) onto the <code>orders</code> topic. The query processor folds them into
        customers, products, the timeline and all-time totals. The registry processor checks each order against eight
        business rules, publishes the result to <code>registry</code> and registers it: accepted, denied, or pending for
        an operator to approve or deny.
      </p>
      {rules !== undefined && (
        <p data-testid="about-rule-limits">
          Rule thresholds (<code>RULE_*</code>): quantity {rules.limits['min-quantity']} to{' '}
          {rules.limits['max-quantity']}, total {rules.limits['min-total'].toFixed(2)} to{' '}
          {rules.limits['max-total'].toFixed(2)}, price tolerance {rules.limits['price-tolerance'].toFixed(2)}
          {JSON.stringify(rules.limits) === JSON.stringify(rules.defaults) ? ' (the defaults)' : ''}.{' '}
          <a href="#/rules">Rules</a> shows what each rule hit and what other thresholds would change.
        </p>
      )}
      <p>
        Every view equals a recomputation from the <code>orders</code> log: a redelivered or replayed message is never
        counted twice, and a crashed processor resumes where its effects stopped.
      </p>
      <p>
        A message a processor cannot read goes to <code>orders.dlq</code> or <code>registry.dlq</code> with its original
        bytes and the reason. <a href="#/dead-letters">Dead letters</a> groups them by reason; an operator can inspect
        one, redrive it to its topic (after fixing the payload) or discard it, and every action is kept in its audit
        trail.
      </p>
      <p>
        By default everything runs in one process on a durable embedded log and a SQLite store (<code>npm start</code>);
        the same services run on Apache Kafka and Apache Cassandra as separate processes. This page updates live over
        Server-Sent Events and falls back to polling every 5 seconds when the stream is unavailable.
      </p>
      <p>
        API: <a href="/docs">/docs</a> (OpenAPI at <a href="/api/openapi.json">/api/openapi.json</a>), metrics at{' '}
        <a href="/metrics">/metrics</a>.
      </p>
    </section>
  );
}
