/**
 * The stand-in for `cdktf deploy` (Terraform with the docker, random and tls
 * providers), which cannot be installed on these machines: `StandIn` applies,
 * refreshes, re-plans and destroys a synthesized stack, on every Docker engine
 * its provider configurations name. See standin/standin.ts for what it models
 * and docs/architecture.md for why it exists.
 */
import { engineFor, EngineResponse } from './standin/engine';
import { TEST_ENGINE } from './test-engine';

export { StandIn } from './standin/standin';
export type { PlannedChange } from './standin/standin';
export { engineFor } from './standin/engine';
export { TEST_ENGINE } from './test-engine';

/** One Engine API call on the suites' engine (test-engine.ts), with the negotiated API version. */
export function dockerApi(method: string, path: string, body?: unknown, raw?: Buffer, timeoutMs?: number): Promise<EngineResponse> {
  return engineFor(TEST_ENGINE.host).call(method, path, { body, tar: raw, timeoutMs });
}

/** One Engine API call on the suites' engine that must succeed. */
export function dockerOk(method: string, path: string, body?: unknown, raw?: Buffer, timeoutMs?: number): Promise<any> {
  return engineFor(TEST_ENGINE.host).ok(method, path, { body, tar: raw, timeoutMs });
}
