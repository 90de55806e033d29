import { TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { Image } from '@cdktf/provider-docker/lib/image';

/**
 * One `docker_image` per image reference and stack: databases of the same
 * version share it instead of declaring the same host image several times.
 * `keep_locally` because another database, or another stack, may still run it.
 */
export function imageFor(scope: Construct, fallbackId: string, reference: string): Image {
  if (Token.isUnresolved(reference)) {
    return new Image(scope, fallbackId, { name: reference, keepLocally: true });
  }
  const stack = TerraformStack.of(scope);
  const id = `image-${reference.replace(/[^A-Za-z0-9]+/g, '-')}`;
  const existing = stack.node.tryFindChild(id);
  if (existing) return existing as Image;
  return new Image(stack, id, { name: reference, keepLocally: true });
}
