/**
 * What the console needs beyond the gateway's core services. The evidence port is implemented by
 * runner/evidence/inspect.ts `createEvidenceReader` and wired in bin/start.ts, so api/ never
 * imports runner/ (shared/STYLE.md, "Layers point one way").
 */
import type { Readable } from 'node:stream';

export type FileStatus = 'verified' | 'tampered' | 'missing' | 'unlisted' | 'unsealed';

export interface ConsoleStep {
  index: number;
  parent: number | null;
  name: string;
  url: string | null;
  startedAt: string;
  endedAt: string;
  outcome: 'succeeded' | 'failed';
  error: string | null;
  files: string[];
  notes: string[];
}

export interface ConsoleRunEvidence {
  dir: string;
  sealed: boolean;
  sequence?: number;
  steps: ConsoleStep[];
  files: Array<{ name: string; status: FileStatus; bytes?: number; sha256?: string; detail?: string }>;
  problems: string[];
}

export interface ConsoleExportSelection {
  connectionId?: string;
  userId?: string;
  from?: string;
  to?: string;
}

export interface ConsoleEvidence {
  /** `dir` is a run record's `evidence.dir`. */
  inspectRun(dir: string): Promise<ConsoleRunEvidence>;
  /** Throws a ZodError-like `{ issues }` for a bad selection. */
  exportZip(selection: ConsoleExportSelection): Promise<{ stream: Readable; fileName: string }>;
}

declare module '../app.ts' {
  interface Services {
    /** Evidence of runs for the console (inspect, export); the console says so when absent. */
    evidence?: ConsoleEvidence;
    /** When a pending change counts as stuck on the console. Default 15 minutes. */
    stuckAfterMs?: number;
  }
}
