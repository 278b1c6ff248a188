/**
 * The UXPin sandbox as the chaos run needs it: one app that can be restarted on the same port.
 * A restart is what a real app's restart is to us: every session ends and the port refuses
 * connections for a moment; the team (its members and the invitations sent) survives.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startUxpinSandbox, type Member, type UxpinSandbox, type UxpinSandboxOptions } from '../sandboxes/uxpin/index.ts';

export class SandboxHost {
  private current!: UxpinSandbox;
  /** Invitations sent per email by the instances before the current one. */
  private invitesBefore: Record<string, number> = {};
  restarts = 0;

  private constructor(private readonly options: UxpinSandboxOptions) {}

  static async start(options: UxpinSandboxOptions): Promise<SandboxHost> {
    const host = new SandboxHost(options);
    host.current = await startUxpinSandbox(options);
    return host;
  }

  get sandbox(): UxpinSandbox {
    return this.current;
  }

  get url(): string {
    return this.current.url;
  }

  /** Stops the app, keeps it down for `downMs`, and starts it again on the same port with the same team. */
  async restart(downMs: number): Promise<void> {
    const old = this.current;
    const port = Number(new URL(old.url).port);
    const members = old.state.members.filter((m) => m.role !== 'Owner');
    this.invitesBefore = this.invitesSent();
    await old.stop();
    await sleep(downMs);
    this.current = await startUxpinSandbox({ ...this.options, ...old.knobs, port, seed: members.map((m) => ({ ...m })) });
    this.restarts += 1;
  }

  members(): Member[] {
    return this.current.state.members;
  }

  /** Invitations sent per email over every instance. */
  invitesSent(): Record<string, number> {
    const out = { ...this.invitesBefore };
    for (const [email, n] of Object.entries(this.current.state.invitesSent)) out[email] = (out[email] ?? 0) + n;
    return out;
  }

  stop(): Promise<void> {
    return this.current.stop();
  }
}
