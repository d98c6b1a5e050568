/**
 * Global setup of the e2e project: the console's build is current (scripts/lib/ensure.sh
 * ensure_console: vite build when console/dist is older than its sources) and Debian's Chromium
 * is installed (ensure_chromium), the same steps scripts/test.sh takes.
 */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync('bash', ['-c', '. scripts/lib/ensure.sh && ensure_console && ensure_chromium'], { stdio: 'inherit' });
}
