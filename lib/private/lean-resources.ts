import { TerraformResource, Tokenization } from 'cdktf';
import { Image as ProviderImage } from '@cdktf/provider-docker/lib/image';
import { Network as ProviderNetwork } from '@cdktf/provider-docker/lib/network';
import { Volume as ProviderVolume } from '@cdktf/provider-docker/lib/volume';
import { Password as ProviderPassword } from '@cdktf/provider-random/lib/password';
import { CertRequest as ProviderCertRequest } from '@cdktf/provider-tls/lib/cert-request';
import { LocallySignedCert as ProviderLocallySignedCert } from '@cdktf/provider-tls/lib/locally-signed-cert';
import { PrivateKey as ProviderPrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { SelfSignedCert as ProviderSelfSignedCert } from '@cdktf/provider-tls/lib/self-signed-cert';

/** A copy of `object` without its keys whose value is `undefined`, or `object` when it is not a plain object. */
function withoutUndefinedKeys(object: unknown): any {
  if (typeof object !== 'object' || object === null || Array.isArray(object) || Tokenization.isResolvable(object)) return object;
  const prototype = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) return object;
  const result: { [key: string]: unknown } = {};
  for (const key of Object.keys(object)) {
    const value = (object as { [key: string]: unknown })[key];
    if (value !== undefined) result[key] = value;
  }
  return result;
}

/** `value`, and each element when it is an array, without undefined keys: an argument, or a block or a list of blocks. */
function argumentWithoutUndefined(value: unknown): any {
  return Array.isArray(value) ? value.map(withoutUndefinedKeys) : withoutUndefinedKeys(value);
}

/**
 * A resource's `toTerraform()` without the keys whose value is `undefined`
 * where cdktf and the provider classes leave them: beside the resource
 * (`moved`, `import`), among its arguments and meta-arguments, in its
 * metadata, and in its blocks. cdktf's resolve drops those keys from the
 * plan anyway (it keeps `{}` and `[]`), so the plan is the same. Only
 * those levels are visited: a walk of every value costs as much as cdktf
 * spends on the keys it removes.
 */
export function withoutUndefined(fragment: { [key: string]: any }): any {
  const result = withoutUndefinedKeys(fragment);
  if (result.resource === undefined) return result;
  const resource: { [type: string]: { [name: string]: unknown } } = {};
  for (const [type, byName] of Object.entries<{ [name: string]: unknown }>(result.resource)) {
    resource[type] = {};
    for (const [name, resourceAttributes] of Object.entries(byName)) {
      const attributes = withoutUndefinedKeys(resourceAttributes);
      for (const key of Object.keys(attributes)) attributes[key] = argumentWithoutUndefined(attributes[key]);
      if (attributes['//']?.metadata) attributes['//'] = { ...attributes['//'], metadata: withoutUndefinedKeys(attributes['//'].metadata) };
      resource[type][name] = attributes;
    }
  }
  return { ...result, resource };
}

type ResourceClass = new (...args: any[]) => TerraformResource;

/**
 * `Base`, handing cdktf only what it sets. A provider class's `toTerraform`
 * lists every argument of the resource type, set or not, and the metadata
 * and meta-arguments it leaves out as `undefined`: a tenth to over a quarter
 * of the keys of each of the library's resources. cdktf resolves each key in
 * two passes over the stack (preparing it, then writing it), at the same
 * cost whether its value is set or not (docs/architecture.md, "What
 * synthesis costs").
 */
export function withoutUnsetArguments<T extends ResourceClass>(Base: T): T {
  const Lean = class extends Base {
    public toTerraform(): any {
      return withoutUndefined(super.toTerraform());
    }
  };
  // Messages that name a construct's class (constructs' id clashes, cdktf's Testing) name the provider's.
  Object.defineProperty(Lean, 'name', { value: Base.name });
  return Lean;
}

// The provider classes the library creates, with the same construct ids, attributes and plan; each
// type is the provider class's instance type, so one import serves construction and annotations.
export const Image = withoutUnsetArguments(ProviderImage);
export type Image = ProviderImage;
export const Network = withoutUnsetArguments(ProviderNetwork);
export type Network = ProviderNetwork;
export const Volume = withoutUnsetArguments(ProviderVolume);
export type Volume = ProviderVolume;
export const Password = withoutUnsetArguments(ProviderPassword);
export type Password = ProviderPassword;
export const CertRequest = withoutUnsetArguments(ProviderCertRequest);
export type CertRequest = ProviderCertRequest;
export const LocallySignedCert = withoutUnsetArguments(ProviderLocallySignedCert);
export type LocallySignedCert = ProviderLocallySignedCert;
export const PrivateKey = withoutUnsetArguments(ProviderPrivateKey);
export type PrivateKey = ProviderPrivateKey;
export const SelfSignedCert = withoutUnsetArguments(ProviderSelfSignedCert);
export type SelfSignedCert = ProviderSelfSignedCert;
