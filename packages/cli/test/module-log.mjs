// Loaded with `node --import` by bundle.test.ts: registers module hooks (module-log-hooks.mjs)
// that append the URL of every module the process loads to $TASKSCOPE_MODULE_LOG.
import { register } from 'node:module';

register('./module-log-hooks.mjs', import.meta.url);
