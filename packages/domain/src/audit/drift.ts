/** Which stored view a difference was found in. */
export type DriftView = 'customer' | 'product' | 'totals' | 'registered-order' | 'registry-totals';

/** A value as the report shows it; `null` stands for a row that does not exist on that side. */
export type DriftValue = string | number | boolean | null;

/**
 * One stored value that is not what the log says it must be: the row (`view` and `key`), the field
 * (`row` when the whole row is missing or extra), and both values, the log's first.
 */
export interface Drift {
  readonly view: DriftView;
  readonly key: string;
  readonly field: string;
  readonly expected: DriftValue;
  readonly stored: DriftValue;
}

/**
 * Every field in which `stored` differs from `expected`, for rows of one kind. A row on one side only
 * is one difference on the field `row`, with null on the side that lacks it.
 */
export function rowDrifts<T extends object>(
  view: DriftView,
  key: string,
  expected: T | undefined,
  stored: T | undefined,
  fields: readonly (keyof T & string)[],
): Drift[] {
  if (expected === undefined && stored === undefined) return [];
  if (expected === undefined || stored === undefined) {
    return [
      {
        view,
        key,
        field: 'row',
        expected: expected === undefined ? null : 'present',
        stored: stored === undefined ? null : 'present',
      },
    ];
  }
  const drifts: Drift[] = [];
  for (const field of fields) {
    const want = expected[field] as DriftValue;
    const have = stored[field] as DriftValue;
    if (want !== have) drifts.push({ view, key, field, expected: want, stored: have });
  }
  return drifts;
}
