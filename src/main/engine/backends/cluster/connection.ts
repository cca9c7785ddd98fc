import { Redis } from 'ioredis'
import { withoutPassword } from '../../../../shared/redisUrl'

/** A URL without its password, for messages (the job's spec keeps it the same way). */
export const redactRedisUrl = withoutPassword

/** Host names that are this machine: a Redis there is reachable from this machine only. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

/**
 * Why PoolScope will not use this Redis URL, or null when it may. A Redis on this machine's
 * loopback needs nothing; any other must be given a password: whoever can write to the chunk
 * queue makes every agent run PoolScope's kernels (and, on agents started with --allow-code, any
 * code), so an open Redis on a network would be an open door.
 */
export function redisAccessProblem(url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'the Redis URL cannot be parsed; write it as redis://host:port or rediss://host:port'
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    return `the Redis URL must start with redis:// or rediss:// (got ${parsed.protocol}//)`
  }
  if (isLoopback(parsed.hostname) || parsed.password !== '') return null
  const where = `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}`
  return (
    `Redis at ${where} is not on this machine, so it must be reached with a password: anyone who ` +
    `can write to its queue can make the agents run PoolScope's kernels. Give Redis an ACL user ` +
    `(ACL SETUSER poolscope on >secret ...) and put it in the URL, ${parsed.protocol}//poolscope:secret@${where} ` +
    `(or ${parsed.protocol}//:secret@${where} for a requirepass password), and prefer rediss:// (TLS) ` +
    `so the password and the chunks do not cross the network in clear`
  )
}

/**
 * A connection that has answered PING, or a clear error: Redis that cannot be reached at start
 * is said so at once, not retried for ever; one off this machine without a password is refused
 * (see redisAccessProblem). rediss:// connects over TLS (ioredis reads it from the URL).
 */
export async function connect(url: string): Promise<Redis> {
  const problem = redisAccessProblem(url)
  if (problem) throw new Error(problem)
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null
  })
  // The socket's own error (ECONNREFUSED, a TLS or auth failure) says more than the rejection's
  // "Connection is closed".
  const seen: { error: Error | null } = { error: null }
  redis.on('error', (error: Error) => {
    seen.error ??= error
  })
  try {
    await redis.connect()
    await redis.ping()
  } catch (err) {
    redis.disconnect()
    const reason = seen.error?.message ?? (err instanceof Error ? err.message : String(err))
    throw new Error(`cannot reach Redis at ${redactRedisUrl(url)}: ${reason}`)
  }
  // Once up, a dropped connection is retried (a short network blip must not end an agent).
  redis.options.retryStrategy = (times: number) => Math.min(times * 100, 2000)
  return redis
}

/**
 * A connection for BullMQ (which needs `maxRetriesPerRequest: null`), with an error listener
 * (ioredis prints an error no one listens for; the queue reports its own). BullMQ makes its
 * blocking connection by duplicating this one: those duplicates get the listener too and are
 * listed in `opened`, so a stop can cut them all when Redis is gone and BullMQ's close would
 * wait for it for ever.
 */
export function queueConnection(redis: Redis, opened: Redis[] = []): Redis {
  const connection = redis.duplicate({ maxRetriesPerRequest: null })
  connection.on('error', () => undefined)
  opened.push(connection)
  const duplicate = connection.duplicate.bind(connection)
  connection.duplicate = (override) => {
    const copy = duplicate(override)
    copy.on('error', () => undefined)
    opened.push(copy)
    return copy
  }
  return connection
}
