/**
 * The listen failures `agent` and `mock` must each report in one line naming the setting, the
 * value and why (issue #10): an address in use (`port`, which the test holds), TEST-NET-1
 * (192.0.2.0/24, RFC 5737: never an address of this host), a host that cannot resolve, and
 * the address from the command's own variable (`listenEnv`).
 */
export function listenFailureCases(
  port: number,
  listenEnv: string,
): Array<[args: string[], env: Record<string, string>, message: string]> {
  return [
    [
      ['--listen', `127.0.0.1:${port}`],
      {},
      `--listen 127.0.0.1:${port}: address in use (another process listens there)`,
    ],
    [['--listen', '192.0.2.1:0'], {}, '--listen 192.0.2.1:0: not an address of this host'],
    [['--listen', '999.1.1.1:0'], {}, '--listen 999.1.1.1:0: not an IP address or a host name that resolves'],
    [
      [],
      { [listenEnv]: `127.0.0.1:${port}` },
      `${listenEnv} 127.0.0.1:${port}: address in use (another process listens there)`,
    ],
  ];
}

/** What every listen failure's line ends with. */
export const LISTEN_EXPECTED = '; expected a free port on an address of this host (port 0 picks one)\n';
