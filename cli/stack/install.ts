// Materialises a server's pinned artifacts under the dist root with Maven (cached in ~/.m2).
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireMaven } from './preflight.ts';
import { pinnedVersion, type ServerDefinition } from './server.ts';
import { StackError, type StackSettings } from './settings.ts';

const execFileAsync = promisify(execFile);
const COMPLETE = '.complete';

export function distDirOf(settings: StackSettings, server: ServerDefinition): string {
  return join(settings.distRoot, `${server.name}-${pinnedVersion(settings, server.name)}`);
}

export function isInstalled(settings: StackSettings, server: ServerDefinition): boolean {
  return existsSync(join(distDirOf(settings, server), COMPLETE));
}

/** Zip entries lose their mode bits in some unpackers; the launch scripts must stay executable. */
async function makeScriptsExecutable(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'bin') {
        for (const script of await readdir(path)) await chmod(join(path, script), 0o755);
      } else await makeScriptsExecutable(path);
    }
  }
}

export async function install(
  settings: StackSettings,
  server: ServerDefinition,
  log: (line: string) => void,
): Promise<void> {
  if (isInstalled(settings, server)) return;
  const mvn = requireMaven();
  const target = distDirOf(settings, server);
  await mkdir(settings.distRoot, { recursive: true, mode: 0o755 });
  // Unpack into a temporary sibling and rename, so an interrupted download never looks installed.
  const staging = await mkdtemp(join(settings.distRoot, `.${server.name}-`));
  const started = Date.now();
  log(
    `${server.name} ${pinnedVersion(settings, server.name)}: resolving with Maven (first run downloads from Maven Central)`,
  );
  try {
    await execFileAsync(
      mvn,
      [
        '-B',
        '-q',
        '-f',
        join(settings.descriptors, server.name, 'pom.xml'),
        `dependency:${server.mavenGoal}`,
        `-DoutputDirectory=${staging}`,
        '-DincludeScope=runtime',
      ],
      { maxBuffer: 16 * 1024 * 1024, timeout: 20 * 60_000 },
    );
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new StackError(
      `Maven could not resolve ${server.name}: ${(stdout + stderr).trim().split('\n').slice(-15).join('\n') || (error as Error).message}`,
    );
  }
  await makeScriptsExecutable(staging);
  await chmod(staging, 0o755);
  await writeFile(join(staging, COMPLETE), new Date().toISOString() + '\n');
  await rm(target, { recursive: true, force: true });
  await rename(staging, target);
  const size = await dirSize(target);
  log(
    `${server.name}: installed ${(size / 1024 ** 2).toFixed(0)} MiB in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await dirSize(path) : (await stat(path)).size;
  }
  return total;
}
