import type { BackendKind } from '../../../shared/spec'
import type { BackendFactory } from './backend'
import { ClusterBackend } from './cluster/cluster'
import { ProcessesBackend } from './processes/processes'
import { ThreadsBackend } from './threads'

/** Every back end by the name a spec gives it. */
export const BACKENDS: Readonly<Record<BackendKind, BackendFactory>> = {
  threads: (options) => ThreadsBackend.create(options),
  processes: (options) => ProcessesBackend.create(options),
  cluster: (options) => ClusterBackend.create(options)
}

/** Why each back end cannot run here, or null when it can (what `engine.info` reports). */
export const BACKEND_UNAVAILABLE: Readonly<Record<BackendKind, () => string | null>> = {
  threads: () => null,
  processes: () => ProcessesBackend.unavailableReason(),
  // Whether agents are up is known only with a Redis URL: at start, or from `cluster.agents`.
  cluster: () => null
}
