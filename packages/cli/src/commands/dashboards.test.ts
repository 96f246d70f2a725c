import { cloudwatchDashboard, grafanaDashboard } from '@taskscope/dashboards';
import { afterEach, describe, expect, it } from 'vitest';
import { captureIo } from '../../test/capture-io.js';
import { main } from '../main.js';

async function run(...argv: string[]) {
  const { io, stdout, stderr } = captureIo();
  const code = await main(['dashboards', ...argv], io);
  return { code, stdout: stdout(), stderr: stderr() };
}

const VARIABLES = [
  'TASKSCOPE_DASHBOARDS_TITLE',
  'TASKSCOPE_DASHBOARDS_DATASOURCE',
  'TASKSCOPE_DASHBOARDS_REGION',
  'TASKSCOPE_DASHBOARDS_NAMESPACE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
];
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
for (const name of VARIABLES) delete process.env[name];

afterEach(() => {
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('taskscope dashboards grafana', () => {
  it('prints the SDK’s dashboard, with --title and --datasource: exit 0', async () => {
    expect(await run('grafana')).toEqual({
      code: 0,
      stdout: `${JSON.stringify(grafanaDashboard(), null, 2)}\n`,
      stderr: '',
    });
    const own = await run('grafana', '--title', 'Fleet', '--datasource', 'P1809F7CD0C75ACF3');
    expect(own.code).toBe(0);
    expect(JSON.parse(own.stdout)).toEqual(
      grafanaDashboard({ title: 'Fleet', datasourceUid: 'P1809F7CD0C75ACF3' }),
    );
  });

  it('reads TASKSCOPE_DASHBOARDS_TITLE; the flag wins', async () => {
    process.env.TASKSCOPE_DASHBOARDS_TITLE = 'From env';
    expect(JSON.parse((await run('grafana')).stdout).title).toBe('From env');
    expect(JSON.parse((await run('grafana', '--title', 'From flag')).stdout).title).toBe('From flag');
  });

  it('refuses a data source UID with spaces and an empty title: exit 2, one message naming flag, value and what is allowed', async () => {
    expect(await run('grafana', '--datasource', 'my prometheus')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error: option \'--datasource <uid>\' argument \'my prometheus\' is invalid. expected a UID of 1 to 40 letters, digits, "-" or "_" (no spaces)\n',
    });
    expect(await run('grafana', '--title', '')).toEqual({
      code: 2,
      stdout: '',
      stderr: "error: option '--title <title>' argument '' is invalid. expected a title that is not empty\n",
    });
  });
});

describe('taskscope dashboards cloudwatch', () => {
  it('prints the SDK’s body for the flags: exit 0', async () => {
    const printed = await run(
      'cloudwatch',
      '--region',
      'eu-west-1',
      '--cluster',
      'prod',
      '--family',
      'web',
      '--namespace',
      'Shop/ECS',
    );
    expect(printed).toEqual({
      code: 0,
      stdout: `${JSON.stringify(cloudwatchDashboard({ region: 'eu-west-1', cluster: 'prod', family: 'web', namespace: 'Shop/ECS' }), null, 2)}\n`,
      stderr: '',
    });
  });

  it('takes the region from AWS_REGION, then AWS_DEFAULT_REGION, when no --region is given', async () => {
    process.env.AWS_DEFAULT_REGION = 'ap-southeast-2';
    expect(JSON.parse((await run('cloudwatch')).stdout).widgets[1].properties.region).toBe('ap-southeast-2');
    process.env.AWS_REGION = 'eu-north-1';
    expect(JSON.parse((await run('cloudwatch')).stdout).widgets[1].properties.region).toBe('eu-north-1');
    expect(
      JSON.parse((await run('cloudwatch', '--region', 'us-west-2')).stdout).widgets[1].properties.region,
    ).toBe('us-west-2');
  });

  it('refuses an empty namespace, a region that is none, no region at all, a family without a cluster: exit 2', async () => {
    expect(await run('cloudwatch', '--region', 'us-east-1', '--namespace', '')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error: option \'--namespace <ns>\' argument \'\' is invalid. expected a CloudWatch namespace: 1 to 255 letters, digits, spaces or . - _ / # :, not starting with "AWS/" (such as "ECS/Taskscope")\n',
    });
    expect(await run('cloudwatch', '--region', 'Frankfurt')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "error: option '--region <region>' argument 'Frankfurt' is invalid. expected an AWS region name such as \"us-east-1\"\n",
    });
    expect(await run('cloudwatch')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'taskscope: --region is missing; expected an AWS region name such as "us-east-1" (or TASKSCOPE_DASHBOARDS_REGION, AWS_REGION or AWS_DEFAULT_REGION)\n',
    });
    process.env.AWS_REGION = 'mars-1';
    expect((await run('cloudwatch')).stderr).toBe(
      'taskscope: AWS_REGION is "mars-1" (string); expected an AWS region name such as "us-east-1"\n',
    );
    expect(await run('cloudwatch', '--region', 'us-east-1', '--family', 'web')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'taskscope: --cluster is missing; expected a cluster name whenever --family is given\n',
    });
  });

  it('names the subcommands for an unknown one, and the options for an unknown option: exit 2', async () => {
    const unknown = await run('kibana');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('commands of dashboards: grafana, cloudwatch');
    const typo = await run('cloudwatch', '--regoin', 'us-east-1');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('(Did you mean --region?)');
    expect(typo.stderr).toContain(
      'options of dashboards cloudwatch: --namespace, --region, --cluster, --family, --help',
    );
  });
});
