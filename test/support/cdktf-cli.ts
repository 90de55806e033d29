import { execFileSync } from 'child_process';
import * as path from 'path';

export const repoRoot = path.join(__dirname, '..', '..');

/**
 * Runs this repository's `cdktf` CLI in `cwd`. No Terraform runs for synth; the
 * empty CLI config keeps cdktf from warning about a missing ~/.terraformrc and
 * CI=true keeps it from prompting.
 */
export function runCdktf(cwd: string, args: string[], timeoutMs = 120_000): string {
  return execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'cdktf'), args, {
    cwd,
    env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: 'true', TF_CLI_CONFIG_FILE: '/dev/null' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
  });
}
