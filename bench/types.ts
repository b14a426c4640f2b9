/** One row of `npm run bench`: a figure measured side by side with its baseline in the same run. */
export interface BenchRow {
  name: string;
  unit: string;
  baseline: number;
  value: number;
  /** value / baseline for higher-is-better rows; baseline / value when `lowerIsBetter`. */
  ratio: number;
  /** The least acceptable ratio. */
  target: number;
  lowerIsBetter?: boolean;
  note?: string;
}

/** A benchmark module (`bench/<name>.bench.ts`) default-exports one of these. */
export type Bench = (options: { quick: boolean }) => Promise<BenchRow[]>;

export function row(r: Omit<BenchRow, 'ratio'>): BenchRow {
  const ratio = r.lowerIsBetter ? r.baseline / r.value : r.value / r.baseline;
  return { ...r, ratio: Math.round(ratio * 1000) / 1000 };
}
