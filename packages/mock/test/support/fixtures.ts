import { loadFixture } from '@taskscope/fixtures';

/** The Fargate v4 capture from prometheus-community/ecs_exporter: 2 RUNNING, 1 STOPPED (`null` stats). */
export const fargate = {
  metadata: loadFixture('prometheus-community-ecs_exporter/fargate_task_metadata.json'),
  stats: loadFixture('prometheus-community-ecs_exporter/fargate_task_stats.json'),
  stoppedId: 'bae32def0ab64f06818e8862e58f8d6d-1585788040',
  runningId: 'bae32def0ab64f06818e8862e58f8d6d-1819985369',
  runningName: 'prometheus',
} as const;

/** The EC2 bridge v4 capture: the STOPPED container's stats are `{}`; cgroup v2. */
export const ec2 = {
  metadata: loadFixture('prometheus-community-ecs_exporter/ec2_task_metadata.json'),
  stats: loadFixture('prometheus-community-ecs_exporter/ec2_task_stats.json'),
  stoppedId: '213e1203f4bb72af185724d937e698d2724acf35b57ec2dd5f3c963adbd2d38c',
  runningId: '01cf1f3208005cda71d5ac936ded65d2ecc0a8cc8ff8a82d2e00410bf4fbbd6d',
} as const;
