/** Figures the benchmark reports, each with its unit and, where one is set, its target. */

export interface Target {
  readonly comparison: "<=" | "<" | ">=";
  readonly value: number;
}

export interface Figure {
  /** Stable key for the JSON report, such as "ingest.eventsPerSecond". */
  readonly id: string;
  readonly section: string;
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: Target;
  /** Whether the value meets the target; absent without a target. */
  readonly pass?: boolean;
  /** Cause of a miss, present only when the value misses its target. */
  readonly cause?: string;
  /** Explanation of what the figure counts and how, where the label alone could mislead. */
  readonly note?: string;
}

export interface FigureInput {
  readonly id: string;
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: Target;
  /** Explanation used only when the value misses the target. */
  readonly missCause?: string;
  readonly note?: string;
}

function meets(value: number, target: Target): boolean {
  switch (target.comparison) {
    case "<=":
      return value <= target.value;
    case "<":
      return value < target.value;
    case ">=":
      return value >= target.value;
  }
}

/** Builds the figures of one section, checking each against its target. */
export function sectionFigures(section: string, inputs: readonly FigureInput[]): Figure[] {
  return inputs.map((input) => {
    const { missCause, ...rest } = input;
    if (!input.target) return { ...rest, section };
    const pass = meets(input.value, input.target);
    return {
      ...rest,
      section,
      pass,
      ...(!pass && { cause: missCause ?? "no cause recorded" }),
    };
  });
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function formatTarget(figure: Figure): string {
  if (!figure.target) return "";
  return `${figure.target.comparison} ${formatNumber(figure.target.value)}`;
}

/** Renders the figures as a plain-text table, one block per section, misses explained below it. */
export function renderTable(figures: readonly Figure[]): string {
  const rows = figures.map((figure) => ({
    section: figure.section,
    label: figure.label,
    value: `${formatNumber(figure.value)} ${figure.unit}`.trim(),
    target: formatTarget(figure),
    result: resultText(figure.pass),
  }));
  const width = (pick: (row: (typeof rows)[number]) => string, header: string) =>
    Math.max(header.length, ...rows.map((row) => pick(row).length));
  const labelWidth = width((row) => row.label, "Figure");
  const valueWidth = width((row) => row.value, "Value");
  const targetWidth = width((row) => row.target, "Target");
  const line = (label: string, value: string, target: string, result: string) =>
    `  ${label.padEnd(labelWidth)}  ${value.padStart(valueWidth)}  ${target.padEnd(targetWidth)}  ${result}`.trimEnd();

  const lines: string[] = [];
  let section = "";
  for (const row of rows) {
    if (row.section !== section) {
      section = row.section;
      lines.push("", section, line("Figure", "Value", "Target", "Result"));
    }
    lines.push(line(row.label, row.value, row.target, row.result));
  }
  const misses = figures.filter((figure) => figure.pass === false);
  if (misses.length > 0) {
    lines.push("", "Misses:");
    for (const miss of misses) lines.push(`  ${miss.label}: ${miss.cause}`);
  }
  return lines.join("\n");
}

/** Returns the value at quantile `q` (0 to 1) of sorted values, by the nearest-rank method. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** Returns "PASS" or "MISS", or nothing for a figure without a target. */
function resultText(pass: boolean | undefined): string {
  if (pass === undefined) return "";
  return pass ? "PASS" : "MISS";
}
