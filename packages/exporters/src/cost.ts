/**
 * The task's on-demand price and cost so far in US dollars: the agent's cost meter (Fargate
 * only), which every exporter translates under its own names (docs/contract.md, "Metrics").
 */
export interface TaskCostSample {
  readonly dollarsPerHour: number;
  /** Since `PullStartedAt`, with the platform's minimum; absent without a pull start. */
  readonly estimatedDollarsSoFar?: number | undefined;
}
