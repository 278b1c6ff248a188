/**
 * TOTP codes for admin logins (RFC 6238 with authenticator-app defaults: SHA-1, 6 digits, 30 s).
 * The secret is the base32 string an app shows when 2FA is set up; spaces and case are ignored.
 */
import { Secret, TOTP } from 'otpauth';

export function totpCode(base32Secret: string, timestamp: number = Date.now()): string {
  const secret = Secret.fromBase32(base32Secret.replace(/\s+/g, '').toUpperCase());
  return new TOTP({ secret, algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp });
}
