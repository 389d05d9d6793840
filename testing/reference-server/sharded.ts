// The mongoses of a sharded cluster: each a listener whose hello says `msg: "isdbgrid"`, all sharing one
// set of users and one data store (the shards behind them are not modelled: a mongos here runs the
// commands itself). With `loadBalancer: true` each mongos also listens on a load balancer port
// (`--loadBalancerPort`), and a TCP front (load-balancer.ts) spreads connections over those ports, as
// HAProxy does in front of Atlas's load-balanced clusters.
import type { ServerConfig } from "./config.ts";
import { type LoadBalancer, startLoadBalancer } from "./load-balancer.ts";
import { type RunningServer, startListener, type StartOptions } from "./server.ts";
import { MongosRole } from "./topology.ts";

/** A sharded cluster's routers: what they share, how many, and whether a load balancer fronts them. */
export interface ShardedClusterConfig extends ServerConfig {
  /** How many mongos processes. Default 2. */
  mongoses?: number;
  /** Give each mongos a load balancer port and start a load balancer in front of them. */
  loadBalancer?: boolean;
}

/** A running cluster. */
export interface RunningShardedCluster {
  /** The mongoses, each on its own port. */
  readonly mongoses: readonly RunningServer[];
  /** The load balancer in front of their load balancer ports, when asked for. */
  readonly loadBalancer?: LoadBalancer;
  /** Stops the load balancer and every mongos. */
  close(): Promise<void>;
}

/**
 * Starts the mongoses (and the load balancer) of a sharded cluster.
 * @param config users and TLS every mongos shares, how many mongoses, and whether a load balancer fronts them
 * @param options mechanisms to use instead of the default registry
 * @returns the running cluster
 * @throws TypeError for an invalid configuration
 */
export async function startShardedCluster(
  config: ShardedClusterConfig,
  options: StartOptions = {},
): Promise<RunningShardedCluster> {
  const { mongoses: count = 2, loadBalancer: fronted = false, ...serverConfig } = config;
  if (!Number.isInteger(count) || count < 1) {
    throw new TypeError("config.mongoses must be a positive integer");
  }
  const shared = options.shared ?? {};
  const mongoses: RunningServer[] = [];
  let loadBalancer: LoadBalancer | undefined;
  const close = async () => {
    await loadBalancer?.close();
    await Promise.all(mongoses.map((mongos) => mongos.close()));
  };
  try {
    for (let i = 0; i < count; i++) {
      const role = new MongosRole();
      mongoses.push(
        await startListener(serverConfig, { ...options, shared, role, loadBalancerPort: fronted }),
      );
    }
    if (fronted) {
      loadBalancer = await startLoadBalancer({
        host: serverConfig.host,
        backends: mongoses.map((mongos) => mongos.loadBalancerAddress!),
      });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { mongoses, loadBalancer, close };
}
