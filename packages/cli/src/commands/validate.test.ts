import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { TASK_DEFINITIONS_DIR } from '@taskscope/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { captureIo } from '../../test/capture-io.js';
import { main } from '../main.js';
import { readTaskDefinitionFile } from './task-definition-file.js';

const AWS = {
  fargate: join(TASK_DEFINITIONS_DIR, 'awsdocs-amazon-ecs-developer-guide/fargate-linux-webserver.json'),
  windows: join(TASK_DEFINITIONS_DIR, 'awsdocs-amazon-ecs-developer-guide/fargate-windows-webserver.json'),
  dependency: join(TASK_DEFINITIONS_DIR, 'awsdocs-amazon-ecs-developer-guide/container-dependency.json'),
  describe: join(TASK_DEFINITIONS_DIR, 'aws-aws-cli/ecs-describe-task-definition.json'),
};

async function run(...argv: string[]) {
  const { io, stdout, stderr } = captureIo();
  const code = await main(['validate', ...argv], io);
  return { code, stdout: stdout(), stderr: stderr() };
}

async function tempFile(name: string, text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'taskscope-validate-')), name);
  await writeFile(path, text);
  return path;
}

afterEach(() => {
  delete process.env.TASKSCOPE_VALIDATE_FORMAT;
});

describe('taskscope validate', () => {
  it('passes the task definitions AWS publishes, and describe-task-definition output: exit 0', async () => {
    for (const path of [AWS.fargate, AWS.windows, AWS.describe])
      expect(await run(path)).toEqual({ code: 0, stdout: `${path}: no problems\n`, stderr: '' });
    expect(await run(AWS.fargate, '--format', 'json')).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });

  it('lists every problem, one line each naming the field, the value and the rule: exit 1', async () => {
    const path = await tempFile(
      'task.json',
      JSON.stringify({
        family: 'web',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'bridge',
        cpu: '256',
        memory: '3072',
        containerDefinitions: [
          { name: 'app', image: 'nginx', cpu: 128, essential: true },
          {
            name: 'log',
            image: 'fluent-bit',
            cpu: 256,
            dependsOn: [{ containerName: 'db', condition: 'START' }],
          },
        ],
      }),
    );
    expect(await run(path)).toEqual({
      code: 1,
      stdout: [
        `${path}: field "networkMode" is "bridge" (string); expected "awsvpc": Fargate tasks require it [network-mode]`,
        `${path}: field "memory" is "3072" (string); expected with 256 CPU units on Fargate linux/x86_64: 512, 1024 or 2048 MiB [task-size]`,
        `${path}: field "containerDefinitions[*].cpu" is 384 (number); expected a sum of at most 256, the task's cpu [container-cpu]`,
        `${path}: field "containerDefinitions[1].dependsOn[0].containerName" is "db" (string); expected the name of another container of the task: one of "app" [depends-on]`,
        '',
      ].join('\n'),
      stderr: `taskscope: ${path} breaks 4 rules (listed on stdout)\n`,
    });
  });

  it('--format json prints the problems as a JSON array (also from TASKSCOPE_VALIDATE_FORMAT)', async () => {
    process.env.TASKSCOPE_VALIDATE_FORMAT = 'json';
    const result = await run(AWS.dependency);
    expect([result.code, result.stderr]).toEqual([
      1,
      `taskscope: ${AWS.dependency} breaks 2 rules (listed on stdout)\n`,
    ]);
    const allowed = 'a memory or memoryReservation: without a task memory every container needs one';
    expect(JSON.parse(result.stdout)).toEqual([
      { field: 'containerDefinitions[0].memory', rule: 'container-memory', allowed },
      { field: 'containerDefinitions[1].memory', rule: 'container-memory', allowed },
    ]);
  });

  it('exit 2 for a file that cannot be read or is not JSON, and for a bad --format', async () => {
    const missing = join(tmpdir(), 'taskscope-no-such-dir', 'task.json');
    expect(await run(missing)).toEqual({
      code: 2,
      stdout: '',
      stderr: `taskscope: TASKDEF.json ${missing}: cannot be read (ENOENT); expected a readable JSON file\n`,
    });
    const broken = await tempFile('broken.json', '{"family": ');
    const result = await run(broken);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(
        `^taskscope: TASKDEF\\.json ${broken}: not JSON \\(.+\\); expected a task definition in JSON\\n$`,
      ),
    );
    const format = await run(AWS.fargate, '--format', 'yaml');
    expect(format.code).toBe(2);
    expect(format.stderr).toContain(
      `option '--format <format>' argument 'yaml' is invalid. expected one of "text", "json"`,
    );
  });

  it('a JSON document that is no task definition is a problem of the document: exit 1', async () => {
    const path = await tempFile('list.json', '[]');
    expect(await run(path)).toMatchObject({
      code: 1,
      stdout: `${path}: the value is [] (array); expected a task definition: a JSON object with "containerDefinitions" [document]\n`,
    });
  });

  it('- reads the task definition from stdin', async () => {
    const file = await readTaskDefinitionFile('-', Readable.from(['{"family":', '"x"}']));
    expect(file).toEqual({ name: 'stdin', document: { family: 'x' } });
  });
});
