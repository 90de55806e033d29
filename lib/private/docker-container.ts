import {
  booleanToHclTerraform, booleanToTerraform, hashMapper, hashMapperHcl, listMapper, listMapperHcl, numberToHclTerraform, numberToTerraform,
  stringToHclTerraform, stringToTerraform, TerraformResource, Token,
} from 'cdktf';
import { Construct } from 'constructs';
import {
  Container, containerCapabilitiesToHclTerraform, containerCapabilitiesToTerraform, ContainerConfig, containerHealthcheckToHclTerraform, containerHealthcheckToTerraform, containerLabelsToHclTerraform,
  containerLabelsToTerraform, containerNetworksAdvancedToHclTerraform, containerNetworksAdvancedToTerraform, containerPortsToHclTerraform,
  containerPortsToTerraform, containerUlimitToHclTerraform, containerUlimitToTerraform, containerUploadToHclTerraform, containerUploadToTerraform,
  containerVolumesToHclTerraform, containerVolumesToTerraform,
} from '@cdktf/provider-docker/lib/container';
import { withoutUndefined } from './lean-resources';

/** How one argument of `docker_container` is written, in JSON and in HCL, as the provider's `Container` writes it. */
interface Argument {
  readonly name: string;
  readonly json: (value: any) => any;
  readonly hcl: (value: any) => any;
  readonly isBlock: boolean;
  readonly type: string;
  readonly storageClassType: string;
}

const simple = (name: string, json: (v: any) => any, hcl: (v: any) => any, storageClassType: string): Argument =>
  ({ name, json, hcl, isBlock: false, type: 'simple', storageClassType });
const strings = (name: string, type: 'list' | 'set'): Argument =>
  ({ name, json: listMapper(stringToTerraform, false), hcl: listMapperHcl(stringToHclTerraform, false), isBlock: false, type, storageClassType: 'stringList' });
const stringMap = (name: string): Argument =>
  ({ name, json: hashMapper(stringToTerraform), hcl: hashMapperHcl(stringToHclTerraform), isBlock: false, type: 'map', storageClassType: 'stringMap' });
const blocks = (name: string, json: (v: any) => any, hcl: (v: any) => any, type: 'list' | 'set', storageClassType: string): Argument =>
  ({ name, json: listMapper(json, true), hcl: listMapperHcl(hcl, true), isBlock: true, type, storageClassType });

/** The arguments the library's containers set, by their `ContainerConfig` name. */
const ARGUMENTS = {
  name: simple('name', stringToTerraform, stringToHclTerraform, 'string'),
  image: simple('image', stringToTerraform, stringToHclTerraform, 'string'),
  entrypoint: strings('entrypoint', 'list'),
  command: strings('command', 'list'),
  user: simple('user', stringToTerraform, stringToHclTerraform, 'string'),
  groupAdd: strings('group_add', 'set'),
  hostname: simple('hostname', stringToTerraform, stringToHclTerraform, 'string'),
  networkMode: simple('network_mode', stringToTerraform, stringToHclTerraform, 'string'),
  memory: simple('memory', numberToTerraform, numberToHclTerraform, 'number'),
  memorySwap: simple('memory_swap', numberToTerraform, numberToHclTerraform, 'number'),
  restart: simple('restart', stringToTerraform, stringToHclTerraform, 'string'),
  mustRun: simple('must_run', booleanToTerraform, booleanToHclTerraform, 'boolean'),
  stopTimeout: simple('stop_timeout', numberToTerraform, numberToHclTerraform, 'number'),
  destroyGraceSeconds: simple('destroy_grace_seconds', numberToTerraform, numberToHclTerraform, 'number'),
  securityOpts: strings('security_opts', 'set'),
  tmpfs: stringMap('tmpfs'),
  logDriver: simple('log_driver', stringToTerraform, stringToHclTerraform, 'string'),
  logOpts: stringMap('log_opts'),
  healthcheck: {
    name: 'healthcheck', json: containerHealthcheckToTerraform, hcl: containerHealthcheckToHclTerraform, isBlock: true, type: 'list', storageClassType: 'ContainerHealthcheckList',
  },
  capabilities: {
    name: 'capabilities', json: containerCapabilitiesToTerraform, hcl: containerCapabilitiesToHclTerraform, isBlock: true, type: 'set', storageClassType: 'ContainerCapabilitiesList',
  },
  labels: blocks('labels', containerLabelsToTerraform, containerLabelsToHclTerraform, 'set', 'ContainerLabelsList'),
  networksAdvanced: blocks('networks_advanced', containerNetworksAdvancedToTerraform, containerNetworksAdvancedToHclTerraform, 'set', 'ContainerNetworksAdvancedList'),
  ports: blocks('ports', containerPortsToTerraform, containerPortsToHclTerraform, 'list', 'ContainerPortsList'),
  ulimit: blocks('ulimit', containerUlimitToTerraform, containerUlimitToHclTerraform, 'set', 'ContainerUlimitList'),
  upload: blocks('upload', containerUploadToTerraform, containerUploadToHclTerraform, 'set', 'ContainerUploadList'),
  volumes: blocks('volumes', containerVolumesToTerraform, containerVolumesToHclTerraform, 'set', 'ContainerVolumesList'),
} satisfies Partial<Record<keyof ContainerConfig, Argument>>;

/** `ARGUMENTS` as a list, made once: each container is synthesized twice per `cdktf synth`. */
const ARGUMENT_LIST = Object.entries<Argument>(ARGUMENTS) as ReadonlyArray<[keyof typeof ARGUMENTS, Argument]>;

export type DockerContainerConfig = Pick<ContainerConfig, 'provider' | 'dependsOn' | 'lifecycle' | keyof typeof ARGUMENTS>;

/**
 * A `docker_container` with the Terraform JSON (and HCL) the provider's
 * `Container` writes for the same config, at a fraction of its cost: that
 * class creates 12 complex attributes when it is constructed, each a token
 * that captures a stack trace, whether they are read or not, and hands
 * synthesis all of its 70 arguments, set or not, each resolved in every pass
 * of cdktf over the stack. Containers were a fifth of synthesis time
 * (docs/architecture.md, "What synthesis costs").
 */
export class DockerContainer extends TerraformResource {
  constructor(scope: Construct, id: string, private readonly config: DockerContainerConfig) {
    // A spread can carry keys the type does not list; one without an entry above would vanish from the plan.
    const unknown = Object.keys(config).filter((key) => !(key in ARGUMENTS) && !['provider', 'dependsOn', 'lifecycle'].includes(key));
    if (unknown.length > 0) throw new Error(`DockerContainer ${id}: no Terraform argument for ${unknown.join(', ')}: add it to ARGUMENTS in docker-container.ts`);
    super(scope, id, {
      terraformResourceType: Container.tfResourceType,
      // The provider a stack must declare for it: cdktf's check that one is present reads this.
      terraformGeneratorMetadata: { providerName: 'docker' },
      provider: config.provider,
      dependsOn: config.dependsOn,
      lifecycle: config.lifecycle,
    });
  }

  /** The host port Docker publishes the `index`th of `ports` on: a token, as it is known only after apply. */
  public publishedPort(index: number): number {
    return Token.asNumber(this.interpolationForAttribute(`ports[${index}].external`));
  }

  /** Without the metadata and meta-arguments cdktf leaves `undefined`, nor the block fields the provider's functions do (`withoutUnsetArguments`). */
  public toTerraform(): any {
    return withoutUndefined(super.toTerraform());
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    const attributes: { [name: string]: any } = {};
    for (const [key, argument] of ARGUMENT_LIST) {
      const value = this.config[key];
      if (value !== undefined) attributes[argument.name] = argument.json(value);
    }
    return attributes;
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    const attributes: { [name: string]: any } = {};
    for (const [key, argument] of ARGUMENT_LIST) {
      const value = this.config[key];
      if (value === undefined) continue;
      const { hcl, isBlock, type, storageClassType } = argument;
      attributes[argument.name] = { value: hcl(value), isBlock, type, storageClassType };
    }
    return attributes;
  }
}
