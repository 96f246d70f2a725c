/*
 * The page's entry: the token from the address (removed from it at once), the SDK's client
 * on the page's own origin, and the dashboard in #app.
 */
import { createTaskscopeClient } from '@taskscope/sdk';
import './styles.css';
import { startDashboard } from './app.js';
import { takeToken } from './token.js';

const token = takeToken(window.location, window.history);
// './' keeps a path prefix a proxy may put the agent under (/taskscope/ → /taskscope/api/v1/…).
const client = createTaskscopeClient({
  baseUrl: new URL('./', window.location.href),
  ...(token === undefined ? {} : { token }),
});
startDashboard({
  root: document.getElementById('app')!,
  client,
  now: () => performance.now(),
});
