/*
 * Parts of the e2e tests' own EC2 scenarios (documents in the scenario file format), which
 * differ in their containers: the task on bridge networking and cgroup v2, and its web server.
 */

/** An EC2 task of the `e2e` cluster, on bridge networking (a network per container), cgroup v2. */
export function ec2BridgeTask(family: string, revision: number, region: string) {
  return {
    task: { cluster: 'e2e', family, revision, region, accountId: '123456789012', launchType: 'EC2' },
    networkMode: 'bridge',
    cgroup: 'v2',
  };
}

/** nginx whose health check has reported HEALTHY from the start, so its state holds for a whole test. */
export const HEALTHY_WEB = {
  name: 'web',
  image: 'public.ecr.aws/nginx/nginx:1.27',
  memory: 256,
  health: [{ after: '0ms', status: 'HEALTHY' }],
};
