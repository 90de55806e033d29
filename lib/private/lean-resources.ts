import { TerraformResource, Tokenization } from 'cdktf';
import { Image as ProviderImage } from '@cdktf/provider-docker/lib/image';
import { Network as ProviderNetwork } from '@cdktf/provider-docker/lib/network';
import { Volume as ProviderVolume } from '@cdktf/provider-docker/lib/volume';
import { Password as ProviderPassword } from '@cdktf/provider-random/lib/password';
import { CertRequest as ProviderCertRequest } from '@cdktf/provider-tls/lib/cert-request';
import { LocallySignedCert as ProviderLocallySignedCert } from '@cdktf/provider-tls/lib/locally-signed-cert';
import { PrivateKey as ProviderPrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { SelfSignedCert as ProviderSelfSignedCert } from '@cdktf/provider-tls/lib/self-signed-cert';

/**
 * `value` without the object keys whose value is `undefined`, at any depth
 * of plain objects and arrays; tokens, class instances and array elements
 * are kept as they are. cdktf's resolve drops those keys from the plan
 * anyway (and keeps `{}` and `[]`), so the plan is the same.
 */
export function withoutUndefined(value: unknown): any {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (value === null || typeof value !== 'object' || Tokenization.isResolvable(value)) return value;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const result: { [key: string]: unknown } = {};
  for (const [key, entry] of Object.entries(value)) {
    if (entry !== undefined) result[key] = withoutUndefined(entry);
  }
  return result;
}

type ResourceClass = new (...args: any[]) => TerraformResource;

/**
 * `Base`, handing cdktf only what it sets. A provider class's `toTerraform`
 * lists every argument of the resource type, set or not, and the metadata
 * and meta-arguments it leaves out as `undefined`: a tenth to a quarter of
 * the keys of each of the library's resources. cdktf resolves each key in
 * two passes over the stack (preparing it, then writing it), at the same
 * cost whether its value is set or not (docs/architecture.md, "What
 * synthesis costs").
 */
export function withoutUnsetArguments<T extends ResourceClass>(Base: T): T {
  return class extends Base {
    public toTerraform(): any {
      return withoutUndefined(super.toTerraform());
    }
  };
}

// The provider classes the library creates, with the same construct ids, attributes and plan.
export const Image = withoutUnsetArguments(ProviderImage);
export const Network = withoutUnsetArguments(ProviderNetwork);
export const Volume = withoutUnsetArguments(ProviderVolume);
export const Password = withoutUnsetArguments(ProviderPassword);
export const CertRequest = withoutUnsetArguments(ProviderCertRequest);
export const LocallySignedCert = withoutUnsetArguments(ProviderLocallySignedCert);
export const PrivateKey = withoutUnsetArguments(ProviderPrivateKey);
export const SelfSignedCert = withoutUnsetArguments(ProviderSelfSignedCert);
