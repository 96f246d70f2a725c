/**
 * The eight network counters of one interface, all 0: what the agent reports for an
 * interface whose payload has none (rx/tx errors absent on Windows, an empty `{}`). A fresh
 * object each call, so tests can spread it and override one counter.
 */
export function zeroNetworkCounters() {
  return {
    rxBytes: 0,
    rxPackets: 0,
    rxErrors: 0,
    rxDropped: 0,
    txBytes: 0,
    txPackets: 0,
    txErrors: 0,
    txDropped: 0,
  };
}
