import { cloudwatchDashboard, grafanaDashboard, OPTION_RULES, type TextRule } from '@taskscope/dashboards';
import { formatProblem } from '@taskscope/input';
import { type Command, InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { envNameOf, option } from '../options.js';

interface GrafanaFlags {
  readonly title?: string;
  readonly datasource?: string;
}

interface CloudwatchFlags {
  readonly namespace?: string;
  readonly region?: string;
  readonly cluster?: string;
  readonly family?: string;
}

/** A flag of a subcommand: commander's syntax, its help, and the builder option's rule. */
type FlagSpec = readonly [flags: string, description: string, rule: TextRule];

const GRAFANA_FLAGS: readonly FlagSpec[] = [
  ['--title <title>', 'the dashboard title (default: taskscope: ECS tasks)', OPTION_RULES.title],
  [
    '--datasource <uid>',
    'the UID of the Prometheus data source to open on (default: the default Prometheus data source)',
    OPTION_RULES.datasourceUid,
  ],
];

const CLOUDWATCH_FLAGS: readonly FlagSpec[] = [
  ['--namespace <ns>', "the agent's --emf-namespace (default: ECS/Taskscope)", OPTION_RULES.namespace],
  [
    '--region <region>',
    'the region of the metrics (default: AWS_REGION, then AWS_DEFAULT_REGION)',
    OPTION_RULES.region,
  ],
  [
    '--cluster <cluster>',
    'the ClusterName to show (default: every cluster, one line each)',
    OPTION_RULES.cluster,
  ],
  ['--family <family>', 'the TaskDefinitionFamily to show (needs --cluster)', OPTION_RULES.family],
];

/**
 * `taskscope dashboards grafana [--title T] [--datasource UID]` and `taskscope dashboards
 * cloudwatch [--namespace NS] [--region R] [--cluster C] [--family F]`: print what
 * @taskscope/dashboards builds, as JSON on stdout.
 */
export function registerDashboardsCommand(program: Command, io: CliIo): void {
  const dashboards = program
    .command('dashboards')
    .description('print a ready dashboard JSON: grafana (on Prometheus) or cloudwatch (on the EMF metrics)');
  const grafana = dashboards
    .command('grafana')
    .description('a Grafana dashboard for the import API and file provisioning, on a Prometheus data source');
  addFlags(grafana, GRAFANA_FLAGS).action((flags: GrafanaFlags) => {
    const dashboard = grafanaDashboard({
      ...(flags.title === undefined ? {} : { title: flags.title }),
      ...(flags.datasource === undefined ? {} : { datasourceUid: flags.datasource }),
    });
    io.stdout(`${JSON.stringify(dashboard, null, 2)}\n`);
  });
  const cloudwatch = dashboards
    .command('cloudwatch')
    .description('a CloudWatch dashboard body for aws cloudwatch put-dashboard --dashboard-body');
  addFlags(cloudwatch, CLOUDWATCH_FLAGS).action((flags: CloudwatchFlags) => {
    const region = flags.region ?? regionFromAwsEnv(process.env);
    if (flags.family !== undefined && flags.cluster === undefined) {
      // The EMF dimension sets have no family without the cluster.
      throw new UsageError(
        formatProblem({
          field: '--cluster',
          value: undefined,
          allowed: 'a cluster name whenever --family is given',
        }),
      );
    }
    const body = cloudwatchDashboard({
      region,
      ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
      ...(flags.cluster === undefined ? {} : { cluster: flags.cluster }),
      ...(flags.family === undefined ? {} : { family: flags.family }),
    });
    io.stdout(`${JSON.stringify(body, null, 2)}\n`);
  });
}

/**
 * Each flag with its `TASKSCOPE_DASHBOARDS_*` variable, parsed by the builder's own rule, so a
 * bad value stops at the flag, named with what is allowed.
 */
function addFlags(command: Command, specs: readonly FlagSpec[]): Command {
  for (const [flags, description, rule] of specs) {
    command.addOption(
      option('dashboards', flags, description).argParser((text: string) => {
        if (!rule.accepts(text)) throw new InvalidArgumentError(`expected ${rule.allowed}`);
        return text;
      }),
    );
  }
  return command;
}

/**
 * The AWS CLI's own region variables, so `taskscope dashboards cloudwatch | aws cloudwatch
 * put-dashboard` points the widgets where the AWS CLI puts the dashboard; checked like the flag.
 */
function regionFromAwsEnv(env: Readonly<Record<string, string | undefined>>): string {
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (!OPTION_RULES.region.accepts(value))
      throw new UsageError(formatProblem({ field: name, value, allowed: OPTION_RULES.region.allowed }));
    return value;
  }
  throw new UsageError(
    formatProblem({
      field: '--region',
      value: undefined,
      allowed: `${OPTION_RULES.region.allowed} (or ${envNameOf('--region', 'dashboards')}, AWS_REGION or AWS_DEFAULT_REGION)`,
    }),
  );
}
