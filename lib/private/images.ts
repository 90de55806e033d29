import { TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { Image } from '@cdktf/provider-docker/lib/image';
import { sharedImageIdsOf } from './stack-registry';

/**
 * The image id for containers to run, from one `docker_image` per image
 * reference and stack: databases of the same version share it instead of
 * declaring the same host image several times. `keep_locally` because another
 * database, or another stack, may still run it.
 */
export function imageIdFor(scope: Construct, fallbackId: string, reference: string): string {
  if (Token.isUnresolved(reference)) {
    return new Image(scope, fallbackId, { name: reference, keepLocally: true }).imageId;
  }
  const stack = TerraformStack.of(scope);
  const id = `image-${reference.replace(/[^A-Za-z0-9]+/g, '-')}`;
  const imageIds = sharedImageIdsOf(stack);
  let imageId = imageIds.get(id);
  if (imageId === undefined) {
    // Every attribute read creates a token (and captures a stack trace): read it once per stack.
    imageId = new Image(stack, id, { name: reference, keepLocally: true }).imageId;
    imageIds.set(id, imageId);
  }
  return imageId;
}
