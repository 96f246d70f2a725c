// The hooks module-log.mjs registers. They run on node's loader thread, which has the same
// environment; appendFileSync keeps the order and loses nothing if the process is killed.
import { appendFileSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  appendFileSync(process.env.TASKSCOPE_MODULE_LOG, `${url}\n`);
  return nextLoad(url, context);
}
