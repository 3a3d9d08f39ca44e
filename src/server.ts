/**
 * Process entry point: configuration from the environment, rules compiled,
 * listen, graceful shutdown on SIGTERM/SIGINT (stop accepting, finish
 * in-flight requests, then exit).
 */
import closeWithGrace from 'close-with-grace'
import { loadConfig, ConfigError } from './config/config.js'
import { buildServer } from './http/build.js'
import { DefinitionError } from './definitions/load.js'

async function main (): Promise<void> {
  const config = loadConfig(process.env)
  const app = await buildServer(config)
  closeWithGrace({ delay: config.shutdownTimeoutMs }, async ({ signal, err }) => {
    if (err) app.log.error({ err: { message: err.message } }, 'closing after error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
  })
  await app.listen({ port: config.port, host: config.host })
}

main().catch((err: unknown) => {
  // Start-up failures (bad configuration, invalid rule files) are reported plainly and stop the process.
  const message = err instanceof ConfigError || err instanceof DefinitionError ? err.message : `start-up failed: ${(err as Error)?.stack ?? String(err)}`
  process.stderr.write(`${message}\n`)
  process.exit(1)
})
