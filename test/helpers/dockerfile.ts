/**
 * A small Dockerfile reader for static checks (no Docker engine in CI):
 * instructions with line continuations joined, comments dropped, stages split
 * at FROM with ARG defaults substituted. Also a .dockerignore matcher for the
 * plain patterns this repository uses.
 */
export interface Instruction { keyword: string, args: string, line: number }
export interface Stage { name: string, image: string, instructions: Instruction[] }

export function parseDockerfile (text: string): { args: Record<string, string>, stages: Stage[] } {
  const instructions: Instruction[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const start = i
    let line = lines[i]!
    if (/^\s*#/.test(line) || line.trim() === '') continue
    while (line.trimEnd().endsWith('\\') && i + 1 < lines.length) {
      line = line.trimEnd().slice(0, -1) + ' ' + lines[++i]!.trim()
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line)
    if (m) instructions.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start + 1 })
  }
  const args: Record<string, string> = {}
  const stages: Stage[] = []
  for (const ins of instructions) {
    if (ins.keyword === 'ARG' && stages.length === 0) {
      const [k, v] = ins.args.split('=')
      args[k!.trim()] = (v ?? '').trim()
    } else if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args)
      const image = (m?.[1] ?? '').replace(/\$\{?(\w+)\}?/g, (_, k: string) => args[k] ?? '')
      stages.push({ name: m?.[2] ?? String(stages.length), image, instructions: [] })
    } else {
      stages.at(-1)?.instructions.push(ins)
    }
  }
  return { args, stages }
}

/** Exec-form JSON array of CMD/ENTRYPOINT/HEALTHCHECK CMD, or undefined for shell form. */
export function execForm (args: string): string[] | undefined {
  const json = args.slice(args.indexOf('['))
  try { const v = JSON.parse(json); return Array.isArray(v) ? v : undefined } catch { return undefined }
}

/** COPY sources and destination, with flags (`--from`, `--chown`). */
export function parseCopy (args: string): { from?: string, sources: string[], dest: string } {
  const parts = args.split(/\s+/)
  const flags = parts.filter((p) => p.startsWith('--'))
  const rest = parts.filter((p) => !p.startsWith('--'))
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length)
  return { ...(from ? { from } : {}), sources: rest.slice(0, -1), dest: rest.at(-1)! }
}

/** Whether a context path is excluded by .dockerignore (plain names, `*`, `**`; a match excludes everything below). */
export function isDockerIgnored (patterns: string[], path: string): boolean {
  const clean = path.replace(/^\.\//, '').replace(/\/$/, '')
  return patterns.some((p) => {
    const glob = (part: string): string => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')
    const re = new RegExp('^' + p.replace(/^\//, '').split('**').map(glob).join('.*') + '(/.*)?$')
    return re.test(clean)
  })
}
