import {
  cloudwatchDashboard,
  DIMENSION_VALUE_WORDS,
  grafanaDashboard,
  isDimensionValue,
  isGrafanaUid,
  isNamespace,
  isRegion,
  isTitle,
  NAMESPACE_WORDS,
  REGION_WORDS,
  TITLE_WORDS,
  UID_WORDS,
} from '@taskscope/dashboards';
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

/**
 * `taskscope dashboards grafana [--title T] [--datasource UID]` and `taskscope dashboards
 * cloudwatch [--namespace NS] [--region R] [--cluster C] [--family F]`: print what
 * @taskscope/dashboards builds, as JSON on stdout.
 */
export function registerDashboardsCommand(program: Command, io: CliIo): void {
  const dashboards = program
    .command('dashboards')
    .description('print a ready dashboard JSON: grafana (on Prometheus) or cloudwatch (on the EMF metrics)');
  dashboards
    .command('grafana')
    .description('a Grafana dashboard for the import API and file provisioning, on a Prometheus data source')
    .addOption(
      option(
        'dashboards',
        '--title <title>',
        'the dashboard title (default: taskscope: ECS tasks)',
      ).argParser(checked(isTitle, TITLE_WORDS)),
    )
    .addOption(
      option(
        'dashboards',
        '--datasource <uid>',
        'the UID of the Prometheus data source to open on (default: the default Prometheus data source)',
      ).argParser(checked(isGrafanaUid, UID_WORDS)),
    )
    .action((flags: GrafanaFlags) => {
      const dashboard = grafanaDashboard({
        ...(flags.title === undefined ? {} : { title: flags.title }),
        ...(flags.datasource === undefined ? {} : { datasourceUid: flags.datasource }),
      });
      io.stdout(`${JSON.stringify(dashboard, null, 2)}\n`);
    });
  dashboards
    .command('cloudwatch')
    .description('a CloudWatch dashboard body for aws cloudwatch put-dashboard --dashboard-body')
    .addOption(
      option(
        'dashboards',
        '--namespace <ns>',
        "the agent's --emf-namespace (default: ECS/Taskscope)",
      ).argParser(checked(isNamespace, NAMESPACE_WORDS)),
    )
    .addOption(
      option(
        'dashboards',
        '--region <region>',
        'the region of the metrics (default: AWS_REGION, then AWS_DEFAULT_REGION)',
      ).argParser(checked(isRegion, REGION_WORDS)),
    )
    .addOption(
      option(
        'dashboards',
        '--cluster <cluster>',
        'the ClusterName to show (default: every cluster, one line each)',
      ).argParser(checked(isDimensionValue, DIMENSION_VALUE_WORDS)),
    )
    .addOption(
      option(
        'dashboards',
        '--family <family>',
        'the TaskDefinitionFamily to show (needs --cluster)',
      ).argParser(checked(isDimensionValue, DIMENSION_VALUE_WORDS)),
    )
    .action((flags: CloudwatchFlags) => {
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

/** A commander argParser that accepts what `test` accepts and names what is allowed otherwise. */
function checked(test: (text: string) => boolean, words: string): (text: string) => string {
  return (text) => {
    if (!test(text)) throw new InvalidArgumentError(`expected ${words}`);
    return text;
  };
}

/**
 * The AWS CLI's own region variables, so `taskscope dashboards cloudwatch | aws cloudwatch
 * put-dashboard` points the widgets where the AWS CLI puts the dashboard; checked like the flag.
 */
function regionFromAwsEnv(env: Readonly<Record<string, string | undefined>>): string {
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (!isRegion(value)) throw new UsageError(formatProblem({ field: name, value, allowed: REGION_WORDS }));
    return value;
  }
  throw new UsageError(
    formatProblem({
      field: '--region',
      value: undefined,
      allowed: `${REGION_WORDS} (or ${envNameOf('--region', 'dashboards')}, AWS_REGION or AWS_DEFAULT_REGION)`,
    }),
  );
}
