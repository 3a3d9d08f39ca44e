/** tap's `after` script: stop this run's PostgreSQL (if before.ts started one) and remove its files. */
import { stopPostgres } from './postgres.js'

await stopPostgres(process.ppid)
