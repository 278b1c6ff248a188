export function hasRequireEsm(version: string): boolean;
export function dropKnownEngineWarnings(stderr: string, nodeVersion?: string): string;
