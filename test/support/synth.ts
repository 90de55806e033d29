import { App, Testing, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { inlineLocals } from '../e2e/standin/expressions';

/** A stack with the Docker provider configured, as every user's stack has. */
export function dockerStack(): TerraformStack {
  const app: App = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new DockerProvider(stack, 'docker', {});
  return stack;
}

/** Synthesizes the stack and parses it, for assertions on the whole plan. */
export function synthJson(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack));
}

/**
 * The resources of one type in a synthesized stack, keyed by logical id, with
 * the text of the plan's locals in place of references to them: what
 * Terraform gives the resources.
 */
export function resourcesOf(stack: TerraformStack, type: string): Record<string, any> {
  return inlineLocals(synthJson(stack)).resource?.[type] ?? {};
}

/** The single resource of `type` whose construct path ends with `pathSuffix` (logical ids are the path plus a hash). */
export function resourceAt(stack: TerraformStack, type: string, pathSuffix: string): any {
  const logicalId = new RegExp(`(^|_)${pathSuffix.replace(/\//g, '_')}_[0-9A-F]{8}$`);
  const matches = Object.entries(resourcesOf(stack, type))
    .filter(([id]) => logicalId.test(id))
    .map(([, resource]) => resource);
  if (matches.length !== 1) {
    throw new Error(`expected one ${type} at */${pathSuffix}, found ${matches.length}`);
  }
  return matches[0];
}

/** The uploaded file content of a container resource. */
export function uploadOf(container: any, file: string): string {
  const upload = (container.upload as any[]).find((u) => u.file === file);
  if (!upload) throw new Error(`no upload ${file} in container ${container.name}`);
  return upload.content;
}

/** Warning annotations added anywhere under `scope`. */
export function warningsUnder(scope: IConstruct): string[] {
  return scope.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((entry) => entry.type === '@cdktf/warn')
    .map((entry) => String(entry.data));
}

/** The message `build` throws; fails the test when it does not throw. */
export function errorOf(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the construct to throw');
}
