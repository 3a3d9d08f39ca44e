/**
 * tap's `before` script (package.json "tap"): what the tests need besides
 * Node, started from npm packages so that `npm ci && npm test` passes on a
 * machine with nothing else — PostgreSQL when TEST_DATABASE_URL is unset
 * (postgres.ts), and Chromium when the system has none (chromium.ts).
 */
import { prepareChromium } from './chromium.js'
import { startPostgres } from './postgres.js'

const runnerPid = process.ppid
const postgres = process.env.TEST_DATABASE_URL ? Promise.resolve('PostgreSQL: TEST_DATABASE_URL') : startPostgres(runnerPid)
const chromium = await prepareChromium()
console.error(`# ${await postgres}\n# ${chromium}`)
