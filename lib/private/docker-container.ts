import { Container } from '@cdktf/provider-docker/lib/container';

/**
 * Only the attributes that are set, in plain objects and lists; tokens and
 * other values pass as they are. Terraform's JSON drops unset ones anyway.
 */
function setOnly(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(setOnly);
  if (value === null || typeof value !== 'object' || value.constructor !== Object) return value;
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (entry !== undefined) result[key] = setOnly(entry);
  }
  return result;
}

/**
 * The provider's `docker_container` as every container of this library
 * declares it, with the same Terraform JSON. The provider's class hands
 * synthesis every one of its 70 attributes, set or not, and cdktf resolves
 * each of them in each of its passes over the stack: with the unset ones
 * left out, a container takes about half the time to synthesize
 * (docs/architecture.md, "What synthesis costs").
 */
export class DockerContainer extends Container {
  protected synthesizeAttributes(): { [name: string]: any } {
    return setOnly(super.synthesizeAttributes()) as { [name: string]: any };
  }
}
