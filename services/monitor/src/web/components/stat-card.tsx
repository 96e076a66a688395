export function StatCard(props: { label: string; value: string; tone: string; testId: string }) {
  return (
    <div className={`card stat stat-${props.tone}`} data-testid={props.testId}>
      <div className="stat-label">{props.label}</div>
      <div className="stat-value">{props.value}</div>
    </div>
  );
}
