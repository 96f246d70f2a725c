// The agent's only view of this package: where the built page is. The page itself is
// src/, built by Vite into dist/ at build time (no build step at run time).
import { fileURLToPath } from 'node:url';

export const dashboardDistDir = fileURLToPath(new URL('./dist/', import.meta.url));
