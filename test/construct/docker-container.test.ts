import { TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { Container } from '@cdktf/provider-docker/lib/container';
import { EXAMPLE_STACKS } from '../support/example-stacks';
import { DockerContainer } from '../../lib/private/docker-container';

/** What a resource hands synthesis, with the unset arguments dropped as Terraform's JSON drops them. */
const handedOver = (resource: object, method: 'synthesizeAttributes' | 'synthesizeHclAttributes') =>
  JSON.parse(JSON.stringify((resource as any)[method]()));

describe('DockerContainer', () => {
  test.each(EXAMPLE_STACKS)('hands synthesis, for every container of %s, the JSON and HCL arguments the provider\'s Container gives the same config', (_name, StackClass) => {
    const stack = new StackClass(Testing.app(), 'test');
    const containers = stack.node.findAll().filter((c): c is DockerContainer => c instanceof DockerContainer);
    expect(containers.length).toBeGreaterThan(0);
    const scratch = new TerraformStack(Testing.app(), 'scratch');
    containers.forEach((container, i) => {
      const twin = new Container(scratch, `twin${i}`, (container as any).config);
      for (const method of ['synthesizeAttributes', 'synthesizeHclAttributes'] as const) {
        expect({ container: container.node.path, method, arguments: handedOver(container, method) })
          .toEqual({ container: container.node.path, method, arguments: handedOver(twin, method) });
      }
    });
  });

  test('fails on an argument it has no Terraform name for, instead of leaving it out of the plan', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const config = { name: 'c', image: 'i', ...({ shmSize: 64 } as object) };
    expect(() => new DockerContainer(stack, 'C', config)).toThrow('DockerContainer C: no Terraform argument for shmSize: add it to ARGUMENTS in docker-container.ts');
  });

  test('reads a port Docker publishes as the provider\'s Container does', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const config = { name: 'c', image: 'i', ports: [{ internal: 6379 }, { internal: 6380 }] };
    new TerraformOutput(stack, 'ours', { value: new DockerContainer(stack, 'C', config).publishedPort(1) });
    new TerraformOutput(stack, 'theirs', { value: new Container(stack, 'D', config).ports.get(1).external });
    const { ours, theirs } = JSON.parse(Testing.synth(stack)).output;
    expect(ours.value).toBe('${docker_container.C.ports[1].external}');
    expect(theirs.value).toBe('${docker_container.D.ports[1].external}');
  });
});
