import { Redis } from 'ioredis'

/** A URL without its password, for messages. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(an unparsable URL)'
  }
}

/**
 * A connection that has answered PING, or a clear error: Redis that cannot be reached at start
 * is said so at once, not retried for ever.
 */
export async function connect(url: string): Promise<Redis> {
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
