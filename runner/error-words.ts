/**
 * Any error as one line of words for `lastError` and run records: no ANSI colour codes (Playwright
 * colours its call logs), no call log, no stack, no secrets, and Chromium's network codes said as
 * a person would ("Could not reach https://app.example: connection refused"). The full detail,
 * ANSI stripped, is for the logs (technicalDetail).
 */
import { PermanentAppError, ScreenMismatchError, SessionExpiredError, TransientAppError } from '../core/errors.ts';
import { stripAnsi as stripEscapes } from '../core/logger.ts';

/** Control characters left once the escape sequences are gone (a bare ESC, BEL, backspace…). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Longest sentence kept in a run record. */
export const MAX_ERROR_WORDS = 500;

export function stripAnsi(text: string): string {
  return stripEscapes(text).replace(CONTROL, '');
}

/** What Chromium's net::ERR_… codes mean, in words (chromium net/base/net_error_list.h). */
const NET_ERRORS: Array<[RegExp, string]> = [
  [/ERR_NAME_NOT_RESOLVED|ERR_NAME_RESOLUTION_FAILED/, 'the name does not resolve (DNS)'],
  [/ERR_CONNECTION_REFUSED/, 'connection refused (nothing listens on that address and port)'],
  [/ERR_CONNECTION_TIMED_OUT|ERR_TIMED_OUT/, 'the connection timed out'],
  [/ERR_CONNECTION_RESET|ERR_CONNECTION_CLOSED|ERR_EMPTY_RESPONSE/, 'the server closed the connection'],
  [/ERR_ADDRESS_UNREACHABLE|ERR_INTERNET_DISCONNECTED|ERR_NETWORK_CHANGED/, 'the network cannot reach it'],
  [/ERR_CERT_[A-Z_]+/, 'its TLS certificate was not accepted'],
  [/ERR_SSL_PROTOCOL_ERROR|ERR_SSL_[A-Z_]+/, 'the TLS handshake failed (is it plain http?)'],
  [/ERR_TOO_MANY_REDIRECTS/, 'it redirects in a loop'],
  [/ERR_ABORTED/, 'the page load was cut off'],
];

export interface WordsOptions {
  /** Removes the run's secrets (RunSecrets.redact); applied to the finished sentence. */
  redact?: (text: string) => string;
}

/** One ANSI-free, secret-free line saying what went wrong. */
export function errorWords(error: unknown, options: WordsOptions = {}): string {
  const raw = error instanceof Error ? error.message : String(error);
  const message = stripAnsi(raw);
  const sentence = networkWords(message) ?? timeoutWords(message) ?? plainWords(error, message);
  const redact = options.redact ?? ((text: string) => text);
  const line = redact(sentence.replace(/\s+/g, ' ').trim());
  return line.length > MAX_ERROR_WORDS ? `${line.slice(0, MAX_ERROR_WORDS - 1)}…` : line;
}

/**
 * A stable, low-cardinality reason for run records, lastErrorReason and /metrics: the permanent
 * reason when the connector gave one, else what kind of failure it was, "error" when unknown.
 */
export function errorReason(error: unknown): string {
  if (error instanceof PermanentAppError) return error.reason;
  if (error instanceof ScreenMismatchError) return 'screen_mismatch';
  if (error instanceof SessionExpiredError) return 'session_expired';
  const message = error instanceof Error ? error.message : String(error);
  const code = /net::(ERR_[A-Z_]+)/.exec(message)?.[1];
  if (code) return /NAME_NOT_RESOLVED|NAME_RESOLUTION/.test(code) ? 'dns' : /CONNECTION_REFUSED/.test(code) ? 'connection_refused' : 'network';
  if (/^(?:[\w.]+: )?Timeout \d+ms exceeded/.test(stripAnsi(message))) return 'timeout';
  if (error instanceof TransientAppError) return 'transient';
  return 'error';
}

/** The whole error (name, message, call log, stack) without ANSI codes, for the logs. */
export function technicalDetail(error: unknown, redact: (text: string) => string = (t) => t): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}${error.stack ? `\n${error.stack}` : ''}` : String(error);
  return redact(stripAnsi(text)).slice(0, 8000);
}

function networkWords(message: string): string | undefined {
  const code = /net::(ERR_[A-Z_]+)/.exec(message)?.[1];
  if (!code) return undefined;
  const meaning = NET_ERRORS.find(([pattern]) => pattern.test(code))?.[1] ?? `the browser failed with ${code}`;
  const url = /\bat (https?:\/\/\S+)/.exec(message)?.[1];
  return `Could not reach ${url ? origin(url) : 'the app'}: ${meaning}`;
}

function timeoutWords(message: string): string | undefined {
  const match = /^(?:[\w.]+: )?Timeout (\d+)ms exceeded/.exec(message);
  if (!match) return undefined;
  const seconds = Number(match[1]) / 1000;
  const navigating = /navigating to "([^"]+)"/.exec(message)?.[1];
  if (navigating) return `${origin(navigating)} did not answer within ${seconds} s`;
  const waiting = /waiting for (.+)/.exec(message)?.[1];
  const what = waiting ? `: ${waiting.replace(/\s+/g, ' ').trim()} never appeared (is this the right app and page?)` : '';
  return `Timed out after ${seconds} s${what}`;
}

/** First line of the message, without Playwright's "locator.click: " prefix or call log. */
function plainWords(error: unknown, message: string): string {
  const first = message.split('\n').find((line) => line.trim() !== '') ?? '';
  const text = first.replace(/^(?:page|locator|frame|browserContext|browser)\.\w+: /, '');
  const name = error instanceof Error ? error.name : '';
  // Our own errors (core/errors.ts) speak already; a bare TypeError etc. keeps its name as a clue.
  const generic = name === 'Error' || name === '' || /AppError$|SessionExpiredError|ScreenMismatchError/.test(name);
  return text === '' ? (name || 'unknown error') : generic ? text : `${name}: ${text}`;
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
