/**
 * Whether client authentication is on. Safe by default:
 *   - CDS_AUTH=required|off is obeyed, except that `off` is refused when
 *     NODE_ENV=production;
 *   - unset, it is `required` when NODE_ENV=production or when the service
 *     listens on anything but a loopback address (a container's 0.0.0.0);
 *   - unset, on a loopback HOST outside production (a developer's `npm start`,
 *     reachable only from the same machine) it is `off`, and start-up logs a
 *     loud warning.
 * With authentication required, start-up also needs PUBLIC_BASE_URL (the JWT
 * `aud` is checked against it) and at least one trusted issuer.
 */
import { ConfigError, type Config } from '../config/config.js'

export type AuthMode = 'required' | 'off'

export interface ResolvedAuthMode {
  mode: AuthMode
  /** Why: 'configured' (CDS_AUTH), 'production', 'non-loopback-host' or 'loopback-host'. */
  because: 'configured' | 'production' | 'non-loopback-host' | 'loopback-host'
}

const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i

export function isLoopbackHost (host: string): boolean {
  return LOOPBACK_HOSTS.test(host.trim())
}

export function resolveAuthMode (config: Pick<Config, 'authMode' | 'host' | 'nodeEnv'>): ResolvedAuthMode {
  const production = config.nodeEnv === 'production'
  if (config.authMode === 'off' && production) throw new ConfigError('CDS_AUTH=off is not allowed when NODE_ENV=production')
  if (config.authMode) return { mode: config.authMode, because: 'configured' }
  if (production) return { mode: 'required', because: 'production' }
  return isLoopbackHost(config.host) ? { mode: 'off', because: 'loopback-host' } : { mode: 'required', because: 'non-loopback-host' }
}
