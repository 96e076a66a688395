export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status.replace(/[^a-z]/g, '')}`}>{status}</span>;
}

/** A timeline entry's status once registered; before that the registry has not decided anything. */
export function EntryStatus({ status, registered }: { status: string; registered: boolean }) {
  return registered ? (
    <StatusBadge status={status} />
  ) : (
    <span className="badge badge-unregistered" title="In the timeline; the registry has not applied it yet">
      not registered
    </span>
  );
}
