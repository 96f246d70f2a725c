import { HOURS_PER_MONTH, type PricedSize, type Recommendation } from '@taskscope/fargate';

/*
 * The text form of a recommendation: one fact a line, labels in one column, under 80 columns
 * but for the warnings' sentences, which wrap as the terminal wraps them.
 */

const dollarsHour = (value: number | null) => (value === null ? 'not priced' : `$${value.toFixed(4)}/h`);
const dollarsMonth = (value: number) => `$${value.toFixed(2)}`;
const vcpu = (value: number) => `${Number(value.toFixed(4))}`;
const mib = (value: number) => `${Math.round(value)} MiB`;

function size(priced: PricedSize): string {
  const month =
    priced.dollarsPerHour === null ? '' : `  ${dollarsMonth(priced.dollarsPerHour * HOURS_PER_MONTH)}/month`;
  return `${priced.cpu} CPU units, ${priced.memory} MiB  ${dollarsHour(priced.dollarsPerHour)}${month}`;
}

/** `2026-12-03 10:00:00Z`. */
const time = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;

/** The recommendation as the lines `taskscope rightsize` prints; `source` says what it rests on. */
export function formatRecommendation(r: Recommendation, source: string): string {
  const { observed } = r;
  const tasks = observed.tasks === 1 ? '1 task' : `${observed.tasks} tasks`;
  const saving =
    r.savingsDollarsPerMonth === null
      ? 'unknown (a size without a price)'
      : r.savingsDollarsPerMonth >= 0
        ? `${dollarsMonth(r.savingsDollarsPerMonth)} a month (${HOURS_PER_MONTH} h)`
        : `none: ${dollarsMonth(-r.savingsDollarsPerMonth)} a month more (${HOURS_PER_MONTH} h)`;
  const lines = [
    `Right-sizing ${r.platform} from ${source}`,
    `  data         ${tasks}, ${observed.samples} samples, ${time(observed.windowStart)} to ${time(observed.windowEnd)}`,
    `  current      ${r.current === null ? 'unknown (no task size in the data)' : size(r.current)}`,
    `  CPU          p50 ${vcpu(observed.cpuP50Vcpu)}, p${r.percentile} ${vcpu(observed.cpuPercentileVcpu)}, peak ${vcpu(observed.cpuPeakVcpu)} vCPU`,
    `  memory       peak ${mib(observed.memoryPeakMiB)} (working set)`,
    `  required     ${vcpu(r.requiredCpuVcpu)} vCPU and ${r.requiredMemoryMiB} MiB (+${r.headroomPercent} % headroom)`,
    `  recommended  ${size(r.recommended)}${r.undersized ? '  (undersized now)' : ''}`,
    `  saving       ${saving}`,
  ];
  if (r.pricedRegion !== r.region) lines.push(`  prices       ${r.pricedRegion}'s (none for ${r.region})`);
  if (r.containers.length > 0) {
    lines.push('', 'Containers (suggested cpu and memoryReservation, within the recommended size):');
    const width = Math.max(...r.containers.map((c) => c.name.length));
    for (const c of r.containers)
      lines.push(
        `  ${c.name.padEnd(width)}  cpu ${String(c.cpu).padStart(5)}  memoryReservation ${String(c.memoryReservation).padStart(6)}  (p${r.percentile} ${vcpu(c.cpuPercentileVcpu)} vCPU, peak ${mib(c.memoryPeakMiB)})`,
      );
  }
  if (r.warnings.length > 0) lines.push('', 'Warnings:', ...r.warnings.map((warning) => `  - ${warning}`));
  return `${lines.join('\n')}\n`;
}
