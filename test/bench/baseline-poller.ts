/*
 * Baseline 2 of the agent bench: the least a poller can do, fetch the same task stats payload
 * once a second and JSON.parse it (global fetch, keep-alive). The agent's CPU is compared
 * with this one's: what it spends beyond it is validation, computation and exporting.
 */
const url = process.argv[2];
if (!url) throw new Error('usage: baseline-poller <task stats URL>');
let polls = 0;
let bytes = 0;
const timer = setInterval(async () => {
  const response = await fetch(url);
  const payload = JSON.parse(await response.text()) as Record<string, unknown>;
  polls += 1;
  bytes += Object.keys(payload).length;
}, 1000);
process.on('SIGTERM', () => {
  clearInterval(timer);
  process.stdout.write(`polls ${polls} containers ${bytes / Math.max(1, polls)}\n`);
  process.exit(0);
});
