/**
 * Container health check (Dockerfile HEALTHCHECK): GET /health/ready on the
 * local port and exit 0 when it answers 200, 1 otherwise. Runs as a separate
 * short-lived process; the slim runtime image has no curl.
 */
const port = process.env.PORT && /^\d+$/.test(process.env.PORT) ? process.env.PORT : '3000'
const timeout = AbortSignal.timeout(2500)

try {
  const res = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: timeout })
  process.exitCode = res.status === 200 ? 0 : 1
} catch {
  process.exitCode = 1
}
