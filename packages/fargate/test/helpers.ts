import { loadTaskDefinition } from '@taskscope/fixtures';

/** Where each task definition AWS publishes is in @taskscope/fixtures (provenance in its README). */
export const AWS_TASK_DEFINITIONS = {
  fargateLinuxWebserver: 'awsdocs-amazon-ecs-developer-guide/fargate-linux-webserver.json',
  fargateWindowsWebserver: 'awsdocs-amazon-ecs-developer-guide/fargate-windows-webserver.json',
  cliTutorialSampleFargate: 'awsdocs-amazon-ecs-developer-guide/cli-tutorial-sample-fargate.json',
  ec2WindowsSimpleIis: 'awsdocs-amazon-ecs-developer-guide/ec2-windows-simple-iis.json',
  containerDependency: 'awsdocs-amazon-ecs-developer-guide/container-dependency.json',
  describeTaskDefinition: 'aws-aws-cli/ecs-describe-task-definition.json',
} as const;

/** A task definition AWS publishes, parsed. */
export function awsTaskDefinition(name: keyof typeof AWS_TASK_DEFINITIONS): Record<string, unknown> {
  return loadTaskDefinition(AWS_TASK_DEFINITIONS[name]).json as Record<string, unknown>;
}

/** AWS's Fargate web server, with its fields replaced by `changes` (undefined removes one). */
export function fargateTask(changes: Record<string, unknown> = {}): Record<string, unknown> {
  const task: Record<string, unknown> = { ...awsTaskDefinition('fargateLinuxWebserver'), ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete task[key];
  return task;
}

/** A container with a name and an image, and `fields`. */
export function container(name: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image: `${name}:1`, ...fields };
}
