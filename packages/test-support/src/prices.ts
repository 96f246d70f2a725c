/**
 * A `--prices FILE` document, as a user writes one: one region, Linux/x86_64 only (so a Linux/ARM
 * or Windows task is not priced by it). The agent's and the CLI's tests write it to a file.
 */
export const TEST_PRICE_TABLE = {
  source: 'our sheet',
  retrievedOn: '2026-11-30',
  regions: {
    'us-east-1': {
      'linux/x86_64': { dollarsPerVcpuHour: 0.05, dollarsPerGbHour: 0.005 },
      dollarsPerEphemeralGbHour: 0,
    },
  },
} as const;
