// Debian's Dovecot as a throwaway IMAP server for the email channel's tests: its own config, run dir,
// state and maildirs under a fresh temp directory, plaintext login on 127.0.0.1 and a free port, run in
// the foreground as a child process. Several can run at once (vitest runs files in parallel).
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';

export const DOVECOT = process.env.DOVECOT_PATH ?? '/usr/sbin/dovecot';
const DOVEADM = process.env.DOVEADM_PATH ?? '/usr/bin/doveadm';
const HOST = '127.0.0.1';
const START_DEADLINE_MS = 15_000;
const run = promisify(execFile);

export interface MailUser {
  user: string;
  /** No `:` (the passwd-file's separator). */
  password: string;
}

export const MAIL_USERS: MailUser[] = [
  { user: 'support@example.com', password: 'support-password' },
  { user: 'sales@example.com', password: 'sales-password' },
  { user: 'billing@example.com', password: 'billing-password' },
];

export interface UidValidityChange {
  before: bigint;
  after: bigint;
}

/** Starts a fresh Dovecot and resolves once it greets IMAP clients. */
export async function startDovecot(users: MailUser[] = MAIL_USERS): Promise<Dovecot> {
  checkInstalled();
  const dovecot = new Dovecot(fs.mkdtempSync(path.join(os.tmpdir(), 'omnidesk-dovecot-')), users);
  try {
    await dovecot.start();
  } catch (err) {
    await dovecot.close();
    throw err;
  }
  return dovecot;
}

export class Dovecot {
  readonly host = HOST;
  port = 0;
  private proc: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private output = '';

  constructor(
    readonly dir: string,
    readonly users: MailUser[],
  ) {}

  /** What the email channel's account settings need to reach one mailbox user. */
  account(user = this.users[0]!.user) {
    return { host: this.host, port: this.port, user, password: this.password(user) };
  }

  /**
   * The email channel account an admin creates for `user`'s mailbox here, sending through `smtp` (a local
   * relay): POST /channel-accounts' body. `settings` adds to or replaces the account's settings.
   */
  channelAccount(user: string, smtp: { host: string; port: number }, settings: Record<string, unknown> = {}) {
    return {
      kind: 'email',
      name: 'Support mailbox',
      settings: {
        imap: { host: this.host, port: this.port, tls: 'none', user, syncDays: 7 },
        smtp: { host: smtp.host, port: smtp.port, tls: 'none' },
        fromAddress: user,
        fromName: 'Omnidesk Support',
        ...settings,
      },
      credentials: { imapPassword: this.password(user) },
    };
  }

  /** A logged-in client; the caller logs it out. */
  async connect(user = this.users[0]!.user, options: { disableAutoIdle?: boolean } = {}): Promise<ImapFlow> {
    const client = new ImapFlow({
      host: this.host,
      port: this.port,
      secure: false,
      doSTARTTLS: false,
      auth: { user, pass: this.password(user) },
      logger: false,
      ...options,
    });
    client.on('error', () => undefined); // a dropped connection is seen by the test as a rejected command or 'close'
    await client.connect();
    return client;
  }

  /** Puts a raw message into a mailbox, as a delivery would; returns its UID. */
  async append(user: string, mailbox: string, raw: Buffer | string, flags: string[] = []): Promise<{ uid: number; uidValidity: bigint }> {
    return this.withClient(user, async (client) => {
      const appended = await client.append(mailbox, raw, flags);
      if (!appended || appended.uid === undefined || appended.uidValidity === undefined) {
        throw new Error(`APPEND to ${mailbox} for ${user} returned no APPENDUID`);
      }
      return { uid: appended.uid, uidValidity: appended.uidValidity };
    });
  }

  /** Creates a mailbox (and its parents); an existing one is left as it is. */
  async createMailbox(user: string, mailbox: string): Promise<void> {
    await this.withClient(user, (client) => client.mailboxCreate(mailbox));
  }

  async status(user: string, mailbox: string): Promise<{ messages: number; uidValidity: bigint; uidNext: number }> {
    return this.withClient(user, async (client) => {
      const status = await client.status(mailbox, { messages: true, uidValidity: true, uidNext: true });
      if (!status) throw new Error(`STATUS ${mailbox} failed for ${user}`);
      return { messages: status.messages!, uidValidity: status.uidValidity!, uidNext: status.uidNext! };
    });
  }

  /** Dovecot's own log, for a failing test's message. */
  log(): string {
    const file = path.join(this.dir, 'dovecot.log');
    return `${this.output}${fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''}`;
  }

  /** Starts the server (on the same port and mail once it has a port) and waits for its greeting. */
  async start(): Promise<void> {
    if (this.proc) return;
    const deadline = Date.now() + START_DEADLINE_MS;
    const firstStart = this.port === 0;
    for (;;) {
      if (firstStart) this.port = await freePort();
      this.writeConfig();
      const failure = await this.launch(deadline);
      if (!failure) return;
      // Another process took the port between our probe and Dovecot's bind (first start), or a
      // stopped instance's last process still holds it (restart): try again until the deadline.
      if (!/address already in use/i.test(failure) || Date.now() > deadline) {
        throw new Error(`dovecot did not start on ${HOST}:${this.port}: ${failure}\n${this.log()}`);
      }
      if (!firstStart) await pause(20);
    }
  }

  /** SIGTERM, as an operator's restart would; resolves once the master process has exited. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    proc.kill('SIGTERM');
    await this.exited;
  }

  /** SIGKILL to every Dovecot process of this instance: a crash, clients see their connection drop. */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    signalGroup(proc, 'SIGKILL');
    await this.exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /**
   * Makes the server renumber a mailbox as a rebuilt server would: with Dovecot stopped, its UID list
   * and indexes are deleted, so on start it assigns a new UIDVALIDITY and new UIDs to the same messages.
   */
  async resetUidValidity(user: string, mailbox: string): Promise<UidValidityChange> {
    const before = await this.status(user, mailbox);
    const mailboxDir = await this.doveadmPath(user, mailbox, 'mailbox');
    const rootDir = await this.doveadmPath(user, 'INBOX', 'dir');
    await this.stop();
    removeMatching(mailboxDir, (name) => name === 'dovecot-uidlist' || name.startsWith('dovecot.index'));
    removeMatching(rootDir, (name) => name.startsWith('dovecot.list.index'));
    await this.start();
    const after = await this.status(user, mailbox);
    if (after.uidValidity === before.uidValidity) throw new Error(`UIDVALIDITY of ${mailbox} did not change (${after.uidValidity})`);
    if (after.messages !== before.messages) throw new Error(`${mailbox} had ${before.messages} messages, now ${after.messages}`);
    return { before: before.uidValidity, after: after.uidValidity };
  }

  /** Ends the server and deletes its mail (killed: a graceful stop costs Dovecot about a second). */
  async close(): Promise<void> {
    await this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private password(user: string): string {
    const found = this.users.find((u) => u.user === user);
    if (!found) throw new Error(`${user} is not a user of this Dovecot`);
    return found.password;
  }

  private async withClient<T>(user: string, use: (client: ImapFlow) => Promise<T>): Promise<T> {
    const client = await this.connect(user);
    try {
      return await use(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  /** Resolves with null once the server greets, or with its output if it exits first. */
  private async launch(deadline: number): Promise<string | null> {
    this.output = '';
    // Its own process group, so kill() reaches the login, auth and imap processes too.
    const proc = spawn(DOVECOT, ['-F', '-c', this.configPath()], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.proc = proc;
    running.add(proc);
    let gone = false;
    this.exited = new Promise((resolve) =>
      proc.once('exit', () => {
        gone = true;
        running.delete(proc);
        if (this.proc === proc) this.proc = null;
        resolve();
      }),
    );
    proc.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    proc.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    while (!gone) {
      if (await greets(this.port)) return null;
      if (Date.now() > deadline) {
        signalGroup(proc, 'SIGKILL');
        await this.exited;
        return `no IMAP greeting within ${START_DEADLINE_MS} ms`;
      }
      await pause(20);
    }
    await this.exited;
    return this.output || 'dovecot exited';
  }

  private configPath(): string {
    return path.join(this.dir, 'dovecot.conf');
  }

  private writeConfig(): void {
    const owner = mailOwner();
    for (const sub of ['run', 'state', 'mail']) fs.mkdirSync(path.join(this.dir, sub), { recursive: true });
    // Dovecot's unprivileged processes (auth, the mail user) must reach the files under it.
    fs.chmodSync(this.dir, 0o755);
    fs.chownSync(path.join(this.dir, 'mail'), owner.uid, owner.gid);
    const passwd = path.join(this.dir, 'passwd');
    fs.writeFileSync(passwd, this.users.map((u) => `${u.user}:{PLAIN}${u.password}\n`).join(''), { mode: 0o644 });
    fs.writeFileSync(this.configPath(), config({ dir: this.dir, port: this.port, passwd, owner }));
  }

  private async doveadmPath(user: string, mailbox: string, type: 'mailbox' | 'dir'): Promise<string> {
    const { stdout } = await run(DOVEADM, ['-c', this.configPath(), 'mailbox', 'path', '-u', user, '-t', type, mailbox]);
    const dir = stdout.trim();
    if (!dir) throw new Error(`doveadm found no ${type} path for ${user}'s ${mailbox}`);
    return dir;
  }
}

interface MailOwner {
  uid: number;
  gid: number;
  /** Set when not root: Dovecot then runs every process as this user and group. */
  unprivileged: { user: string; group: string } | null;
}

/**
 * Dovecot never gives mail to uid 0, so as root (CI) the mail belongs to Debian's `mail` user; the
 * login and auth processes keep the package's dovenull and dovecot users. As anyone else, everything
 * runs as that user.
 */
function mailOwner(): MailOwner {
  const uid = process.getuid!();
  const gid = process.getgid!();
  if (uid !== 0) return { uid, gid, unprivileged: { user: os.userInfo().username, group: entryOf('/etc/group', 2, gid)[0]! } };
  const mail = entryOf('/etc/passwd', 0, 'mail');
  return { uid: Number(mail[2]), gid: Number(mail[3]), unprivileged: null };
}

/** The fields of the first line of a passwd-style file whose field `index` is `value`. */
function entryOf(file: string, index: number, value: string | number): string[] {
  const entry = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[index] === String(value));
  if (!entry) throw new Error(`no entry ${value} in ${file} for the test mail's owner`);
  return entry;
}

function config({ dir, port, passwd, owner }: { dir: string; port: number; passwd: string; owner: MailOwner }): string {
  const self = owner.unprivileged;
  // Not root: one user for everything, and no chroot (only root may).
  const unprivileged = self
    ? `default_internal_user = ${self.user}\ndefault_internal_group = ${self.group}\ndefault_login_user = ${self.user}\nservice anvil {\n  chroot =\n}\n`
    : '';
  const loginChroot = self ? '  chroot =\n' : '';
  return `# Written by test/support/dovecot.ts for Dovecot 2.3
protocols = imap
listen = ${HOST}
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = omnidesk-test
log_path = ${dir}/dovecot.log
login_greeting = Omnidesk test IMAP ready.
${unprivileged}
# Plaintext login on loopback, no TLS.
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login

first_valid_uid = ${owner.uid}
mail_uid = ${owner.uid}
mail_gid = ${owner.gid}
mail_location = maildir:~/Maildir
# Throwaway mail: no fsync. IDLE is told of new mail by inotify; the interval is the fallback.
mail_fsync = never
mailbox_idle_check_interval = 1 secs

namespace inbox {
  inbox = yes
  separator = /
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwd}
}
userdb {
  driver = static
  args = uid=${owner.uid} gid=${owner.gid} home=${dir}/mail/%u
}
service imap-login {
${loginChroot}  inet_listener imap {
    address = ${HOST}
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
}

function checkInstalled(): void {
  if (!fs.existsSync(DOVECOT)) throw new Error(`${DOVECOT} is missing: apt-get install dovecot-imapd (scripts/test-all.sh does it)`);
  const version = execFileSync(DOVECOT, ['--version'], { encoding: 'utf8' }).trim();
  // 2.4 renamed most of the settings written above.
  if (!version.startsWith('2.3.')) throw new Error(`test/support/dovecot.ts writes a Dovecot 2.3 config; ${DOVECOT} is ${version}`);
}

/** True once the port answers with an IMAP greeting (a listening port alone is not enough: login may still fail). */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, HOST);
    let text = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) done(text.startsWith('* OK'));
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function removeMatching(dir: string, matches: (name: string) => boolean): void {
  for (const name of fs.readdirSync(dir)) if (matches(name)) fs.rmSync(path.join(dir, name), { force: true });
}

function signalGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-proc.pid!, signal);
  } catch {
    // already gone
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A test file that fails before close() must not leave its servers running after the worker exits.
// One set and one exit hook per process: a vitest worker imports this module afresh for each file.
const RUNNING = Symbol.for('omnidesk.test.dovecot.running');
const shared = globalThis as { [RUNNING]?: Set<ChildProcess> };
const running = (shared[RUNNING] ??= killedOnExit(new Set<ChildProcess>()));

function killedOnExit(procs: Set<ChildProcess>): Set<ChildProcess> {
  process.once('exit', () => {
    for (const proc of procs) signalGroup(proc, 'SIGKILL');
  });
  return procs;
}
