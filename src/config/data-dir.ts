import path from 'node:path';

/** Where the per-user data directory rule looks: the platform, its environment and the home directory. */
export interface DataDirContext {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  /** The user's home directory (`os.homedir()`). */
  homedir: string;
}

/** The directory an installed `trawl` keeps its data in, and the rule that chose it (for `trawl doctor`). */
export interface DataDirChoice {
  dir: string;
  /** Why this directory, for people: "TRAWL_DATA_DIR is not set, so the per-user data directory $XDG_DATA_HOME/trawl". */
  reason: string;
}

const UNSET = 'TRAWL_DATA_DIR is not set, so the per-user data directory';

/**
 * The platform's per-user data directory for Trawl, used when TRAWL_DATA_DIR is not set, so every
 * `trawl` run by one user finds the same jobs whatever the current directory: `$XDG_DATA_HOME/trawl`
 * (default `~/.local/share/trawl`) on Linux and other Unixes, `~/Library/Application Support/trawl`
 * on macOS, `%LOCALAPPDATA%\trawl` (default `~\AppData\Local\trawl`) on Windows. As the XDG spec
 * says, a relative XDG_DATA_HOME is ignored; so is a relative LOCALAPPDATA. Paths are built with
 * the conventions of `platform`, not of the machine running this. Undefined when the rule needs the
 * home directory and `homedir` is not an absolute path (no home: TRAWL_DATA_DIR must be set).
 */
export function userDataDir(context: DataDirContext): DataDirChoice | undefined {
  const { platform, env, homedir } = context;
  const paths = platform === 'win32' ? path.win32 : path.posix;
  const given = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value && paths.isAbsolute(value) ? value : undefined;
  };
  const home = (...parts: string[]): string | undefined => (paths.isAbsolute(homedir) ? paths.join(homedir, ...parts) : undefined);
  const choice = (dir: string | undefined, reason: string): DataDirChoice | undefined => (dir === undefined ? undefined : { dir, reason });
  if (platform === 'win32') {
    const local = given('LOCALAPPDATA');
    return local !== undefined
      ? choice(paths.join(local, 'trawl'), `${UNSET} %LOCALAPPDATA%\\trawl (Windows)`)
      : choice(home('AppData', 'Local', 'trawl'), `${UNSET} ~\\AppData\\Local\\trawl (Windows; LOCALAPPDATA is not set)`);
  }
  if (platform === 'darwin') return choice(home('Library', 'Application Support', 'trawl'), `${UNSET} ~/Library/Application Support/trawl (macOS)`);
  const xdg = given('XDG_DATA_HOME');
  return xdg !== undefined
    ? choice(paths.join(xdg, 'trawl'), `${UNSET} $XDG_DATA_HOME/trawl`)
    : choice(home('.local', 'share', 'trawl'), `${UNSET} ~/.local/share/trawl (XDG_DATA_HOME is not set)`);
}
