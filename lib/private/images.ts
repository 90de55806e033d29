import { TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { Image } from './lean-resources';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { dockerHostKey } from './docker-hosts';
import { sharedImageIdsOf } from './stack-registry';

/**
 * The image id for containers to run, from one `docker_image` per image
 * reference, stack and Docker host: databases of the same version on a host
 * share it instead of declaring the same host image several times, and each
 * host pulls its own. `keep_locally` because another database, or another
 * stack, may still run it.
 */
export function imageIdFor(scope: Construct, fallbackId: string, reference: string, provider: DockerProvider | undefined): string {
  if (Token.isUnresolved(reference)) {
    return new Image(scope, fallbackId, { name: reference, keepLocally: true, provider }).imageId;
  }
  const stack = TerraformStack.of(scope);
  const hostKey = dockerHostKey(provider);
  // The default host's ids are the ones every stack had before hosts were distinguished.
  const id = `image-${`${reference}${hostKey === '' ? '' : ` on ${hostKey}`}`.replace(/[^A-Za-z0-9]+/g, '-')}`;
  const imageIds = sharedImageIdsOf(stack);
  let imageId = imageIds.get(id);
  if (imageId === undefined) {
    // Every attribute read creates a token (and captures a stack trace): read it once per stack.
    imageId = new Image(stack, id, { name: reference, keepLocally: true, provider }).imageId;
    imageIds.set(id, imageId);
  }
  return imageId;
}
