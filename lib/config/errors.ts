/**
 * A configuration mistake found before anything is synthesized. The message always names the field
 * (as a dotted path), the offending value and how to fix it, so a user can act without reading code.
 */
export class ConfigError extends Error {
  constructor(
    /** Dotted path of the field, e.g. `environments.prod.prometheus.retentionSize`. */
    readonly field: string,
    /** The value found there. */
    readonly value: unknown,
    /** What is wrong with it. */
    readonly problem: string,
    /** What to do about it. */
    readonly fix: string,
  ) {
    super(`${field}: ${JSON.stringify(value)} ${problem} — ${fix}`);
    this.name = 'ConfigError';
  }
}

/** A filesystem error (`ENOENT`, `EACCES`, …) as what is wrong and what to do, for one-line messages. */
export function fileProblem(e: unknown, action: 'read' | 'write'): { problem: string; fix: string } {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return { problem: 'does not exist', fix: action === 'read' ? 'check the path' : 'create the parent folder or choose another --out' };
    case 'EACCES': case 'EPERM': return { problem: `cannot be ${action === 'read' ? 'read' : 'written'}: permission denied`, fix: 'fix its permissions or choose another path' };
    case 'EISDIR': return { problem: 'is a folder, not a file', fix: 'name a file' };
    case 'ENOTDIR': return { problem: 'has a file where a folder is expected on its path', fix: 'choose another path' };
    case 'EEXIST': return { problem: 'already exists', fix: 'move it away or choose another path' };
    case 'ENAMETOOLONG': return { problem: 'is too long a path for the filesystem', fix: 'choose a shorter path' };
    case 'EROFS': return { problem: 'is on a read-only filesystem', fix: 'choose a writable --out' };
    case 'ENOSPC': case 'EDQUOT': return { problem: 'is on a full disk (or over quota)', fix: 'free space or choose another --out' };
    case 'ELOOP': return { problem: 'has a symbolic link loop on its path', fix: 'fix the links or choose another path' };
    default: return { problem: `cannot be ${action === 'read' ? 'read' : 'written'} (${code ?? (e as Error).message})`, fix: 'check the path' };
  }
}
