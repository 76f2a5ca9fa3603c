import { existsSync, lstatSync } from 'node:fs';
import { dirname } from 'node:path';

/** Everything one sandboxed run needs, resolved before anything starts. */
export interface BwrapInvocation {
  readonly bwrapPath: string;
  /** util-linux prlimit, run inside the sandbox to set the rlimits on the interpreter only. */
  readonly prlimitPath: string;
  /** util-linux setpriv: when the node runs as root, bwrap is started as `uid`:`gid` (see below). */
  readonly setprivPath: string | undefined;
  readonly uid: number;
  readonly gid: number;
  /** Real path of the interpreter; bound read-only at the same path when it lives outside /usr. */
  readonly interpreterPath: string;
  readonly interpreterArgs: readonly string[];
  /** The program's file name inside /work; its bytes come from file descriptor 3. */
  readonly fileName: string;
  readonly addressSpaceBytes: number;
  readonly cpuSeconds: number;
  readonly processes: number;
  /** Size of each private tmpfs (/tmp, /work and /dev/shm), and the largest file the program may write. */
  readonly tmpBytes: number;
}

/** Where the program runs and may write (a private tmpfs); /tmp is another one. */
export const SANDBOX_WORK_DIR = '/work';

const SYSTEM_DIRS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
// Only what dynamic linking and interpreters read: no passwd, hosts, resolv.conf or credentials.
const ETC_FILES = ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/alternatives', '/etc/localtime'];

function isUnderUsr(path: string): boolean {
  return path.startsWith('/usr/');
}

/** The system part of the sandbox: /usr read-only and the top-level dirs as the host has them. */
function systemMounts(): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const dir of SYSTEM_DIRS) {
    if (!existsSync(dir)) continue;
    // Merged /usr (Debian 12, Fedora): /bin -> usr/bin is recreated as the same symlink.
    const stat = lstatSync(dir);
    if (stat.isSymbolicLink()) args.push('--symlink', `usr${dir}`, dir);
    else args.push('--ro-bind', dir, dir);
  }
  for (const file of ETC_FILES) args.push('--ro-bind-try', file, file);
  return args;
}

/** An executable outside /usr is bound with its installation prefix (`/opt/python/bin/python3` -> `/opt/python`). */
function extraMounts(paths: readonly string[]): string[] {
  const args: string[] = [];
  for (const path of paths) {
    if (isUnderUsr(path)) continue;
    const prefix = dirname(dirname(path));
    const mount = prefix === '/' ? dirname(path) : prefix;
    args.push('--ro-bind', mount, mount);
  }
  return args;
}

/**
 * The argv of one sandboxed run:
 *
 * - every namespace unshared: no network (only a down loopback), own pids (the program cannot see
 *   or signal host processes, and all of its processes die with it), ipc, uts, cgroup and a user
 *   namespace in which it may not create further ones;
 * - a read-only system (/usr and its links), nothing of /home, /root, /etc beyond the loader's files;
 * - private, size-capped tmpfs mounts for /tmp, /work and /dev/shm (the program file is placed
 *   read-only in /work from fd 3, so no host path is ever writable); /dev itself is read-only, so
 *   these three are the only places a write can land;
 * - rlimits set by prlimit on the interpreter: address space (memory), CPU seconds, processes
 *   (fork bombs), file size and open files; no core dumps.
 *
 * When the node runs as root, bwrap is started through setpriv as an unprivileged uid: the kernel
 * exempts root (in the initial user namespace) from RLIMIT_NPROC, so a sandbox mapped to root would
 * not bound a fork bomb.
 */
export function bwrapArgv(run: BwrapInvocation): string[] {
  const program = `${SANDBOX_WORK_DIR}/${run.fileName}`;
  const argv = [
    ...(run.setprivPath === undefined
      ? []
      : [run.setprivPath, `--reuid=${run.uid}`, `--regid=${run.gid}`, '--clear-groups', '--']),
    run.bwrapPath,
    '--unshare-user',
    '--unshare-pid',
    '--unshare-net',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--hostname',
    'sandbox',
    ...systemMounts(),
    ...extraMounts([run.interpreterPath, run.prlimitPath]),
    '--proc',
    '/proc',
    // bwrap's /dev is a tmpfs of its own with no size cap, and /dev/shm a plain directory in it
    // (POSIX shm_open and Python's multiprocessing write there): /dev/shm gets its own capped tmpfs
    // and /dev is made read-only below, so no write lands in an uncapped filesystem.
    '--dev',
    '/dev',
    '--perms',
    '1777',
    '--size',
    String(run.tmpBytes),
    '--tmpfs',
    '/dev/shm',
    '--perms',
    '1777',
    '--size',
    String(run.tmpBytes),
    '--tmpfs',
    '/tmp',
    '--perms',
    '0755',
    '--size',
    String(run.tmpBytes),
    '--tmpfs',
    SANDBOX_WORK_DIR,
    '--perms',
    '0444',
    '--ro-bind-data',
    '3',
    program,
    // The root and /dev are bwrap's own tmpfs mounts, uncapped: read-only, so only /tmp, /work and
    // /dev/shm (their own capped mounts) take writes. Device nodes (/dev/null) still work.
    '--remount-ro',
    '/dev',
    '--remount-ro',
    '/',
    '--chdir',
    SANDBOX_WORK_DIR,
    '--clearenv',
    '--setenv',
    'PATH',
    '/usr/local/bin:/usr/bin:/bin',
    '--setenv',
    'HOME',
    SANDBOX_WORK_DIR,
    '--setenv',
    'TMPDIR',
    '/tmp',
    '--setenv',
    'LANG',
    'C.UTF-8',
    '--',
    run.prlimitPath,
    `--as=${run.addressSpaceBytes}`,
    // SIGXCPU at the soft limit, SIGKILL one second later for programs that catch it.
    `--cpu=${run.cpuSeconds}:${run.cpuSeconds + 1}`,
    `--nproc=${run.processes}`,
    `--fsize=${run.tmpBytes}`,
    '--nofile=256',
    '--core=0',
    '--',
    run.interpreterPath,
    ...run.interpreterArgs,
    program,
  ];
  return argv;
}
