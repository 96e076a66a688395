import { useState, type ReactNode } from 'react';

export interface Column<T> {
  readonly key: string;
  readonly label: string;
  readonly value: (row: T) => number | string;
  readonly render?: (row: T) => ReactNode;
  readonly numeric?: boolean;
}

/** A table whose headers sort it (click or Enter; again to reverse), announced through aria-sort. */
export function SortableTable<T>(props: {
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  initialSort: { key: string; descending: boolean };
  label: string;
}) {
  const [sort, setSort] = useState(props.initialSort);
  const column = props.columns.find((c) => c.key === sort.key) ?? props.columns[0];
  const rows = [...props.rows].sort((a, b) => {
    if (column === undefined) return 0;
    const x = column.value(a);
    const y = column.value(b);
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return sort.descending ? -order : order;
  });
  return (
    <div className="table-wrap">
      <table aria-label={props.label}>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th
                key={c.key}
                aria-sort={c.key === sort.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}
                className={c.numeric === true ? 'num' : undefined}
              >
                <button
                  type="button"
                  className="sort"
                  onClick={() =>
                    setSort((s) => ({ key: c.key, descending: s.key === c.key ? !s.descending : c.numeric === true }))
                  }
                >
                  {c.label}
                  <span aria-hidden="true">{c.key === sort.key ? (sort.descending ? ' ▼' : ' ▲') : ''}</span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={props.rowKey(row)}>
              {props.columns.map((c) => (
                <td key={c.key} className={c.numeric === true ? 'num' : undefined}>
                  {c.render?.(row) ?? c.value(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
